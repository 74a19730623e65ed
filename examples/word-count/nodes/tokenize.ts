import type { Context } from "tentacular";

interface Input {
  text?: string;
}

/** Splits the input text into lowercase words (letters, digits and inner apostrophes). */
export default async function run(ctx: Context, input: Input): Promise<{ words: string[] }> {
  const text = typeof input.text === "string" ? input.text : "";
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ""))
    .filter((w) => w.length > 0);
  ctx.log.info(`tokenized ${words.length} words`);
  return { words };
}
