// A little real work: used to show that another workflow's misbehaving node does not hold it up.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, input: { n?: number }) {
  let total = 0;
  for (let i = 0; i < (input.n ?? 10_000); i++) total += i % 7;
  return { total };
}
