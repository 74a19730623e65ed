import type { Context } from "tentacular";
import { logVisibleSecrets } from "./visible.ts";

export interface RateLimit {
  authenticated: boolean;
  limit: number | null;
  remaining: number | null;
}

/**
 * The legacy way: `ctx.fetch("github", "/rate_limit")` requests
 * https://api.github.com/rate_limit and adds `Authorization: Bearer <secrets.github.token>`
 * by itself. GitHub allows 60 requests an hour without a token, 5000 with one.
 */
export default async function run(ctx: Context): Promise<RateLimit> {
  logVisibleSecrets(ctx);
  const res = await ctx.fetch("github", "/rate_limit", { headers: { "User-Agent": "tntc-secrets-cascade" } });
  if (!res.ok) throw new Error(`GET https://api.github.com/rate_limit: HTTP ${res.status}`);
  const body = await res.json();
  const core = body?.resources?.core ?? {};
  return {
    authenticated: Boolean(ctx.secrets.github?.token),
    limit: typeof core.limit === "number" ? core.limit : null,
    remaining: typeof core.remaining === "number" ? core.remaining : null,
  };
}
