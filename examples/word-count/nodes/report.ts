import type { Context } from "tentacular";

interface Counted {
  total: number;
  counts: Record<string, number>;
}

interface Report {
  total: number;
  unique: number;
  top: { word: string; count: number }[];
  summary: string;
}

/** Picks the `config.top` most frequent words (ties broken alphabetically). */
export default async function run(ctx: Context, input: Counted): Promise<Report> {
  const limit = typeof ctx.config.top === "number" ? ctx.config.top : 3;
  const top = Object.entries(input.counts)
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word))
    .slice(0, limit);
  const unique = Object.keys(input.counts).length;
  return {
    total: input.total,
    unique,
    top,
    summary: `${input.total.toLocaleString("en-US")} words, ${unique.toLocaleString("en-US")} distinct`,
  };
}
