import type { Context } from "tentacular";
import { logVisibleSecrets } from "./visible.ts";

export interface Plan {
  user: string;
  country: string;
  headlines: number;
}

/** Reads what to look up from the run's input, falling back to `config`. Sees no secrets. */
export default async function run(
  ctx: Context,
  input: { user?: string; country?: string; headlines?: number },
): Promise<Plan> {
  logVisibleSecrets(ctx);
  const text = (value: unknown, fallback: unknown) =>
    typeof value === "string" && value.trim() !== "" ? value.trim() : String(fallback);
  const count = Number.isInteger(input.headlines) ? (input.headlines as number) : Number(ctx.config.headlines ?? 3);
  return {
    user: text(input.user, ctx.config.user ?? "octocat"),
    country: text(input.country, ctx.config.country ?? "us").toLowerCase(),
    headlines: Math.min(Math.max(count, 1), 10),
  };
}
