import type { Context } from "tentacular";

/** Counts occurrences of each word. */
export default async function run(
  _ctx: Context,
  input: { words: string[] },
): Promise<{ total: number; counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  for (const word of input.words) {
    counts[word] = (counts[word] ?? 0) + 1;
  }
  return { total: input.words.length, counts };
}
