import type { Context } from "tentacular";
import type { Measured } from "./stats.ts";

interface Report {
  trigger: string;
  title: string;
  status: "ok" | "alert";
  lines: string[];
  breaches: string[];
}

/**
 * The digest judges each metric's p95 over the day; the hourly check judges the latest
 * sample. A value above its `config.thresholds` limit is a breach.
 */
export default async function run(ctx: Context, input: Measured): Promise<Report> {
  const digest = input.mode === "digest";
  const lines: string[] = [];
  const breaches: string[] = [];
  for (const [metric, s] of Object.entries(input.metrics)) {
    const limit = input.thresholds[metric];
    const judged = digest ? s.p95 : s.last;
    const over = typeof limit === "number" && judged > limit;
    const verdict = typeof limit !== "number" ? "" : over ? ` — above the limit of ${limit}` : ` (limit ${limit})`;
    lines.push(
      digest
        ? `${metric}: mean ${s.mean}, p95 ${s.p95}, max ${s.max} over ${s.count} samples${verdict}`
        : `${metric}: ${s.last}${verdict}`,
    );
    if (over) breaches.push(metric);
  }
  const title = digest ? `Daily digest (${input.window} hourly samples)` : "Hourly check";
  if (breaches.length > 0) ctx.log.warn(`${title}: ${breaches.join(", ")} above the limit`);
  return { trigger: input.trigger, title, status: breaches.length > 0 ? "alert" : "ok", lines, breaches };
}
