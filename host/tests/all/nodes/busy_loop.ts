// Never yields: only the host's deadline can stop it.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  let spins = 0;
  while (true) spins++;
}
