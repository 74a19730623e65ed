// Allocates until something stops it.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  const hoard: number[][] = [];
  while (true) hoard.push(new Array(1 << 20).fill(hoard.length));
}
