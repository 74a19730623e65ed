import type { Context } from "tentacular";
import type { Route } from "./route.ts";

export interface Stats {
  count: number;
  min: number;
  max: number;
  mean: number;
  p95: number;
  last: number;
}

export interface Measured {
  trigger: string;
  mode: Route["mode"];
  window: number;
  thresholds: Record<string, number>;
  metrics: Record<string, Stats>;
}

/** Summary statistics of each metric over the routed window (mean to one decimal, p95 by nearest rank). */
export default async function run(_ctx: Context, route: Route): Promise<Measured> {
  const metrics: Record<string, Stats> = {};
  for (const [metric, values] of Object.entries(route.series)) {
    if (values.length === 0) continue;
    const sorted = [...values].sort((a, b) => a - b);
    const sum = values.reduce((a, b) => a + b, 0);
    metrics[metric] = {
      count: values.length,
      min: sorted[0],
      max: sorted[sorted.length - 1],
      mean: Math.round((sum * 10) / values.length) / 10,
      p95: sorted[Math.ceil(0.95 * sorted.length) - 1],
      last: values[values.length - 1],
    };
  }
  return { trigger: route.trigger, mode: route.mode, window: route.window, thresholds: route.thresholds, metrics };
}
