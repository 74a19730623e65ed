// crypto.randomUUID / getRandomValues (formats and errors only: values are random) and structuredClone.
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    f();
    return "ok";
  } catch (e) {
    return `${(e as Error).name}|${(e as Error).message}|${(e as DOMException).code}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const uuids = Array.from({ length: 20 }, () => crypto.randomUUID());
  const arrays = [new Uint8Array(16), new Int16Array(8), new Uint32Array(4), new BigUint64Array(2)];
  const filled = arrays.map((a) => crypto.getRandomValues(a) === a);
  const errors = [
    () => crypto.getRandomValues(new Float32Array(2)),
    () => crypto.getRandomValues(new Uint8Array(65537)),
    () => crypto.getRandomValues(new DataView(new ArrayBuffer(2)) as unknown as Uint8Array),
  ].map(attempt);
  const big = new Uint8Array(65536);
  crypto.getRandomValues(big);
  return {
    uuidFormat: uuids.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u)),
    uuidsDistinct: new Set(uuids).size === uuids.length,
    filled,
    notAllZero: big.some((b) => b !== 0),
    errors: errors.map((e) => (e as string).replace(/^QuotaExceededError\|/, "QuotaExceededError|")),
    types: [typeof crypto, typeof crypto.getRandomValues, Object.prototype.toString.call(crypto)],
  };
}
