// structuredClone: V8 serializer semantics for the types node code uses.
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    f();
    return "ok";
  } catch (e) {
    return `${(e as Error).name}|${(e as Error).constructor.name}|${(e as Error).message}|${(e as DOMException).code}`;
  }
};

class K {
  x = 1;
  get y() {
    return 2;
  }
}

export default async function run(_ctx: Context, _input: unknown) {
  const d = new Date(5);
  const re = /a+/gi;
  re.lastIndex = 3;
  // deno-lint-ignore no-explicit-any
  const src: any = {
    n: 1, s: "x", b: true, u: undefined, nul: null, big: 10n, neg0: -0, nan: NaN, d, re,
    m: new Map<unknown, unknown>([[1, { a: 1 }]]), set: new Set([1, 2]), arr: [1, , 3], u8: new Uint8Array([1, 2, 3]),
    k: new K(), err: new TypeError("te"), boxed: new String("bx"), nested: { deep: [1, { x: 2 }] },
  };
  src.self = src;
  src.m.set("self", src);
  const c = structuredClone(src);
  const buf = new ArrayBuffer(8);
  const c2 = structuredClone({ v1: new Uint8Array(buf, 2, 4), v2: new Uint16Array(buf) });
  const err = new Error("with cause", { cause: { x: 1 } });
  (err as unknown as Record<string, number>).extra = 5;
  const ce = structuredClone(err);
  return {
    cloned: [c !== src, c.self === c, c.m.get("self") === c, c.d instanceof Date, c.d.getTime(), c.re.source, c.re.flags,
      c.re.lastIndex, c.arr.length, 1 in c.arr, c.u8 instanceof Uint8Array, [...c.u8], Object.getPrototypeOf(c.k) === Object.prototype,
      c.k.x, c.k.y, c.err instanceof TypeError, c.err.message, c.err.name, typeof c.boxed, String(c.boxed), Object.is(c.neg0, -0),
      String(c.big), Number.isNaN(c.nan), "u" in c, Object.keys(c).join(), c.nested.deep[1].x, [...c.set], c.m.get(1)],
    views: [c2.v1.buffer === c2.v2.buffer, c2.v1.byteOffset, c2.v1.length, c2.v2.length],
    error: [ce.message, ce.cause, (ce as unknown as Record<string, unknown>).extra, ce instanceof Error, ce.name],
    primitives: [structuredClone(1), structuredClone("s"), structuredClone(null), structuredClone(undefined), structuredClone(true)],
    invalidDate: String(structuredClone(new Date("invalid"))),
    errors: [
      () => structuredClone(() => 1), () => structuredClone({ a: Symbol("x") }), () => structuredClone(Symbol("y")),
      () => structuredClone(new WeakMap()), () => structuredClone({ p: Promise.resolve() }),
      // @ts-ignore deliberate misuse
      () => structuredClone(),
    ].map(attempt).map((e) => (e as string).replace(/^(DataCloneError\|DOMException\|).*=>.*( could not be cloned)/, "$1<function source>$2")),
  };
}
