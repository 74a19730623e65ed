import type { Context } from "tentacular";
import type { Plan } from "./plan.ts";
import { logVisibleSecrets } from "./visible.ts";

export interface Headline {
  title: string;
  source: string;
}

/**
 * Top headlines for `plan.country` from NewsAPI, through the `news-api` dependency; the
 * key (`auth.secret: newsapi.api_key`) goes in the X-Api-Key header, never in the URL.
 */
export default async function run(ctx: Context, plan: Plan): Promise<{ headlines: Headline[] }> {
  logVisibleSecrets(ctx);
  const news = ctx.dependency("news-api");
  if (!news.secret) {
    throw new Error("newsapi.api_key is not set: run `tntc secrets check` (see the README)");
  }
  const params = new URLSearchParams({ country: plan.country, pageSize: String(plan.headlines) });
  const res = await news.fetch!(`/v2/top-headlines?${params}`, {
    headers: { "X-Api-Key": String(news.secret), "User-Agent": "tntc-secrets-cascade" },
  });
  if (!res.ok) throw new Error(`top headlines: HTTP ${res.status}`);
  const body = await res.json();
  const articles: unknown[] = Array.isArray(body.articles) ? body.articles : [];
  return {
    headlines: articles.slice(0, plan.headlines).map((a) => {
      const article = a as { title?: unknown; source?: { name?: unknown } };
      return { title: String(article.title ?? ""), source: String(article.source?.name ?? "") };
    }),
  };
}
