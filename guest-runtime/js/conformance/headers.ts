// Headers: case-insensitivity, sorted iteration, combining, set-cookie, validation errors.
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const h = new Headers([["B", "2"], ["a", "1"], ["Set-Cookie", "x=1"], ["set-cookie", "y=2"], ["b", "3"], ["x-sp", "  pad  "]]);
  const first = { entries: [...h], getB: h.get("b"), getUpper: h.get("B"), missing: h.get("none"), cookies: h.getSetCookie(), hasA: h.has("A") };
  h.delete("b");
  h.set("C", "c");
  h.append("a", "one more");
  const seen: string[] = [];
  h.forEach((v, k, o) => seen.push(`${k}=${v}:${o === h}`));
  return {
    first,
    keys: [...h.keys()],
    values: [...h.values()],
    seen,
    object: Object.fromEntries(h),
    fromRecord: [...new Headers({ Accept: "text/html", "X-Num": 1 as unknown as string, "x-null": null as unknown as string })],
    fromHeaders: [...new Headers(new Headers({ a: "b" }))],
    errors: [
      attempt(() => new Headers({ "bad name": "x" })),
      attempt(() => new Headers([["a"]] as unknown as [string, string][])),
      attempt(() => new Headers({ a: "x\ny" })),
      attempt(() => h.get("bad name")),
      attempt(() => new Headers("str" as unknown as HeadersInit)),
      attempt(() => new Headers({ a: "é" }).get("a")),
      attempt(() => new Headers({ a: "\u0100" })),
    ],
    trimmed: new Headers({ t: "\t v \r\n" }).get("t"),
    tag: Object.prototype.toString.call(h),
  };
}
