// Unbounded recursion of JavaScript functions.
import type { Context } from "tentacular";

function down(depth: number): number {
  return down(depth + 1) + 1;
}

export default async function run(_ctx: Context, _input: unknown) {
  return down(0);
}
