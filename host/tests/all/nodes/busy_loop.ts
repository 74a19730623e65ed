// Never yields: only the host's deadline can stop it. It says when it starts spinning, so
// that a test can act while it spins.
import type { Context } from "tentacular";

export default async function run(ctx: Context, _input: unknown) {
  ctx.log.info("spinning");
  let spins = 0;
  while (true) spins++;
}
