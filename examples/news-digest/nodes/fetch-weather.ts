import type { Context } from "tentacular";

interface Plan {
  city: { name: string; latitude: number; longitude: number };
}

/** Fetches today's forecast for the planned city from the declared `weather-api` dependency. */
export default async function run(ctx: Context, plan: Plan): Promise<{ city: string; high: number; low: number }> {
  const params = new URLSearchParams({
    latitude: String(plan.city.latitude),
    longitude: String(plan.city.longitude),
    daily: "temperature_2m_max,temperature_2m_min",
    forecast_days: "1",
  });
  const res = await ctx.dependency("weather-api").fetch!(`/v1/forecast?${params}`);
  if (!res.ok) throw new Error(`forecast: HTTP ${res.status} ${res.statusText}`);
  const body = await res.json();
  return { city: plan.city.name, high: body.daily.temperature_2m_max[0], low: body.daily.temperature_2m_min[0] };
}
