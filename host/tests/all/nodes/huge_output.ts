// Returns 17 MiB of output: over the host's 16 MiB cap, which must fail the node rather than truncate.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  return { text: "x".repeat(17 * 1024 * 1024) };
}
