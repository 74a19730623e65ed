// URLSearchParams: init forms, mutation, sort stability, iteration, serialization (+ for spaces), size.
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const p = new URLSearchParams("?a=1&b=2&a=3&c=x+y%20z&d&=e&f=%zz&g=%F0%9F%98%80&&h==");
  const snapshot = (q: URLSearchParams) => ({ text: q.toString(), entries: [...q], size: q.size });
  const start = snapshot(p);
  p.append("a", "4");
  p.set("b", "two words");
  p.delete("c");
  p.delete("a", "3");
  const mutated = snapshot(p);
  const s = new URLSearchParams([["z", "1"], ["a", "2"], ["z", "0"], ["é", "3"], ["B", "4"], ["a", "1"]]);
  s.sort();
  const forEach: string[] = [];
  new URLSearchParams({ x: "1", y: "2" }).forEach((v, k, o) => forEach.push(`${k}=${v}:${o instanceof URLSearchParams}`));
  return {
    start,
    mutated,
    get: [p.get("a"), p.get("missing"), p.getAll("a"), p.has("a"), p.has("a", "4"), p.has("a", "9")],
    sorted: snapshot(s),
    fromObject: snapshot(new URLSearchParams({ q: "a&b=c", n: 5 as unknown as string, u: undefined as unknown as string })),
    fromParams: snapshot(new URLSearchParams(new URLSearchParams("k=v"))),
    fromMap: snapshot(new URLSearchParams(new Map([["m", "1"]]))),
    encoding: new URLSearchParams({ chars: " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~é\u{1F600}" }).toString(),
    keysValues: [[...p.keys()], [...p.values()]],
    forEach,
    errors: [
      attempt(() => new URLSearchParams([["only"]] as unknown as string[][])),
      attempt(() => new URLSearchParams([1] as unknown as string[][])),
    ],
    empty: [new URLSearchParams().toString(), new URLSearchParams("").size, new URLSearchParams(null as unknown as string).toString()],
  };
}
