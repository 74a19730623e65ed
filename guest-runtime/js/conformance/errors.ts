// A node that throws: the run fails with the error's message.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, input: { name: string }) {
  await Promise.resolve();
  throw new TypeError(`boom: ${input.name}`);
}
