import type { Context } from "tentacular";

interface Plan {
  city: { name: string; latitude: number; longitude: number };
}

/** Today's temperatures in °C; both null when the API gave none. */
interface Forecast {
  city: string;
  high: number | null;
  low: number | null;
}

/** Fetches today's forecast for the planned city from the declared `weather-api` dependency. */
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
  // open-meteo answers {"daily": {"temperature_2m_max": [..], "temperature_2m_min": [..]}}; anything else
  // (the mock of `tntc test`, an API change) leaves the digest without a forecast instead of failing it.
  const high = body?.daily?.temperature_2m_max?.[0];
  const low = body?.daily?.temperature_2m_min?.[0];
  if (typeof high !== "number" || typeof low !== "number") {
    ctx.log.warn(`forecast: no daily temperatures in ${JSON.stringify(body)}`);
    return { city: plan.city.name, high: null, low: null };
  }
  return { city: plan.city.name, high, low };
}
