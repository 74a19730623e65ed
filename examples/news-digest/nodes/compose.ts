import type { Context } from "tentacular";

interface Inputs {
  "fetch-stories": { stories: { title: string; score: number }[] };
  "fetch-weather": { city: string; high: number | null; low: number | null };
}

/** Fan-in: receives both fetchers' outputs keyed by node id and writes the digest. */
export default async function run(_ctx: Context, input: Inputs): Promise<{ digest: string; lines: string[] }> {
  const weather = input["fetch-weather"];
  const stories = input["fetch-stories"].stories;
  const lines = [
    weather.high === null || weather.low === null
      ? `${weather.city}: no forecast`
      : `${weather.city}: ${weather.low}–${weather.high} °C`,
    ...(stories.length === 0
      ? ["No stories."]
      : stories.map((s, i) => `${i + 1}. ${s.title} (${s.score.toLocaleString("en-US")} points)`)),
  ];
  return { digest: lines.join("\n"), lines };
}
