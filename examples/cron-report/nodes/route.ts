import type { Context } from "tentacular";

/** Hourly samples per metric, oldest first. */
export type Series = Record<string, number[]>;

export interface Route {
  trigger: string;
  mode: "digest" | "check";
  window: number;
  series: Series;
  thresholds: Record<string, number>;
}

interface Input {
  trigger?: string;
  mode?: string;
  window?: number;
  series?: Series;
}

/**
 * The branch point. Cron jobs POST `{"trigger": "<name>"}`; a manual run (`{}` or no
 * trigger) may choose `mode`, `window` and even bring its own `series`.
 */
export default async function run(ctx: Context, input: Input): Promise<Route> {
  const trigger = typeof input.trigger === "string" ? input.trigger : "manual";
  let mode: Route["mode"];
  let window: number;
  switch (trigger) {
    case "daily-digest":
      mode = "digest";
      window = 24;
      break;
    case "hourly-check":
      mode = "check";
      window = 1;
      break;
    case "manual":
      mode = input.mode === "check" ? "check" : "digest";
      window = Number.isInteger(input.window) ? Math.min(Math.max(input.window as number, 1), 24 * 7) : 24;
      break;
    default:
      throw new Error(`unknown trigger "${trigger}": expected daily-digest, hourly-check or a manual run`);
  }
  const source = (input.series ?? ctx.config.series ?? {}) as Series;
  const series: Series = {};
  for (const [metric, values] of Object.entries(source)) {
    if (!Array.isArray(values)) throw new Error(`series.${metric} must be a list of numbers`);
    series[metric] = values.slice(-window);
  }
  ctx.log.info(`${trigger}: ${mode} over the last ${window} samples of ${Object.keys(series).length} metrics`);
  return { trigger, mode, window, series, thresholds: (ctx.config.thresholds ?? {}) as Record<string, number> };
}
