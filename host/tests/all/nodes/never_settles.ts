// Awaits a promise nothing can ever settle.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  await new Promise(() => {});
  return "unreachable";
}
