import type { Context } from "tentacular";

/**
 * Counts occurrences of each word. A Map, not a plain object: words like "constructor" or
 * "toString" would otherwise hit the inherited properties of `{}`.
 */
export default async function run(
  _ctx: Context,
  input: { words: string[] },
): Promise<{ total: number; counts: Record<string, number> }> {
  const counts = new Map<string, number>();
  for (const word of input.words) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return { total: input.words.length, counts: Object.fromEntries(counts) };
}
