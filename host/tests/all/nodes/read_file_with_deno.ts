// Tries to read a file of the host with Deno's API, as a node written for the original engine could.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  return await Deno.readTextFile("/etc/passwd");
}
