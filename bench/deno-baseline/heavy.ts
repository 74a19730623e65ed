// Runs one node's default export in V8 (Deno), as a warm all-in-one engine would: a first call in a fresh process
// (`cold_ms`: includes V8's JIT warm-up), `--warmup` more, then `--runs` timed calls. Prints
// {"cold_ms": number, "samples_ms": [number]} on stdout.
//
//   deno run --allow-read heavy.ts <node.ts> [runs] [warmup]
const [path, runs = "20", warmup = "3"] = Deno.args;
const mod = await import(new URL(path, `file://${Deno.cwd()}/`).href);
const noop = () => {};
const ctx = { log: { info: noop, warn: noop, error: noop, debug: noop }, config: {}, secrets: {} };
let started = performance.now();
await mod.default(ctx, {});
const cold_ms = performance.now() - started;
for (let i = 0; i < Number(warmup); i++) await mod.default(ctx, {});
const samples_ms: number[] = [];
for (let i = 0; i < Number(runs); i++) {
  started = performance.now();
  await mod.default(ctx, {});
  samples_ms.push(performance.now() - started);
}
console.log(JSON.stringify({ cold_ms, samples_ms }));
