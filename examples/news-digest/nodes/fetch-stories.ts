import type { Context } from "tentacular";

interface Story {
  id: number;
  title: string;
  url?: string;
  score: number;
}

/**
 * Fetches the top stories from the declared `stories-api` dependency. A response of an
 * unexpected shape (an API change, or the `{mock: true, ...}` body of a test run) gives no
 * stories and a warning rather than a TypeError deep inside the mapping.
 */
export default async function run(ctx: Context, plan: { stories: number }): Promise<{ stories: Story[] }> {
  const api = ctx.dependency("stories-api");
  const listed: unknown = await (await api.fetch!("/v0/topstories.json")).json();
  // The API answers an array of ids; anything else (an error document, the mock of `tntc test`)
  // means no stories today rather than no digest at all.
  if (!Array.isArray(listed)) {
    ctx.log.warn(`topstories: expected an array of ids, got ${JSON.stringify(listed)}`);
    return { stories: [] };
  }
  const ids = listed as number[];
  const stories = await Promise.all(
    ids.slice(0, plan.stories).map(async (id) => {
      const res = await api.fetch!(`/v0/item/${id}.json`);
      if (!res.ok) throw new Error(`story ${id}: HTTP ${res.status}`);
      const item = await res.json();
      return { id: Number(item.id ?? id), title: String(item.title ?? "(untitled)"), url: item.url, score: Number(item.score ?? 0) };
    }),
  );
  ctx.log.info(`fetched ${stories.length} stories`);
  return { stories };
}
