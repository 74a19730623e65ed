// Tries to read the host's environment with Deno's API.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  return Deno.env.get("HOME");
}
