// Tries to read the host's environment the Node.js way (not a compile error: `process` is just an unknown global).
import type { Context } from "tentacular";

declare const process: { env: Record<string, string> };

export default async function run(_ctx: Context, _input: unknown) {
  return process.env.PATH;
}
