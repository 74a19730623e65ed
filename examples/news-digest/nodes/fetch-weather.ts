import type { Context } from "tentacular";

interface Plan {
  city: { name: string; latitude: number; longitude: number };
}

interface Forecast {
  city: string;
  high: number | null;
  low: number | null;
}

/**
 * Fetches today's forecast for the planned city from the declared `weather-api` dependency.
 * A body without daily temperatures (an API change, or the `{mock: true, ...}` body of a
 * test run) gives `high`/`low` of null and a warning.
 */
export default async function run(ctx: Context, plan: Plan): Promise<Forecast> {
  const params = new URLSearchParams({
    latitude: String(plan.city.latitude),
    longitude: String(plan.city.longitude),
    daily: "temperature_2m_max,temperature_2m_min",
    forecast_days: "1",
  });
  const res = await ctx.dependency("weather-api").fetch!(`/v1/forecast?${params}`);
  if (!res.ok) throw new Error(`forecast: HTTP ${res.status} ${res.statusText}`);
  const body = await res.json();
  const first = (values: unknown): number | null =>
    Array.isArray(values) && typeof values[0] === "number" ? values[0] : null;
  const high = first(body?.daily?.temperature_2m_max);
  const low = first(body?.daily?.temperature_2m_min);
  if (high === null || low === null) ctx.log.warn("forecast: no daily temperatures in the response");
  return { city: plan.city.name, high, low };
}
