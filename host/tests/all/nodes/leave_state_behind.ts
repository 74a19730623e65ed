// Reports what earlier runs left behind, then tries to leave as much as it can for the next run or node:
// a module-level counter, a global counter, polluted prototypes, a hijacked JSON.parse, fetch and setTimeout.
import type { Context } from "tentacular";

let moduleRuns = 0;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

export function observe() {
  return {
    globalCounter: g.counter ?? 0,
    objectPrototype: (({}) as Record<string, unknown>).polluted ?? null,
    arrayPrototype: ([] as unknown as Record<string, unknown>).polluted ?? null,
    jsonParse: JSON.parse('{"a":1}'),
    fetchHijacked: (fetch as unknown as { hijacked?: boolean }).hijacked ?? false,
    setTimeoutHijacked: (setTimeout as unknown as { hijacked?: boolean }).hijacked ?? false,
  };
}

export default async function run(_ctx: Context, _input: unknown) {
  moduleRuns++;
  const seen = { moduleRuns, ...observe() };
  g.counter = (g.counter ?? 0) + 1;
  Object.defineProperty(Object.prototype, "polluted", { value: "object", enumerable: false, configurable: true });
  Object.defineProperty(Array.prototype, "polluted", { value: "array", enumerable: false, configurable: true });
  JSON.parse = () => "hijacked";
  g.fetch = Object.assign(async () => new Response("hijacked"), { hijacked: true });
  g.setTimeout = Object.assign(() => 0, { hijacked: true });
  return seen;
}
