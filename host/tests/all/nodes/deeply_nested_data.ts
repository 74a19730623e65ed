// Recursion inside the engine rather than in JavaScript: serialising a hundred-thousand-deep object.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  let nested: unknown = null;
  for (let i = 0; i < 100_000; i++) nested = { nested };
  return JSON.stringify(nested).length;
}
