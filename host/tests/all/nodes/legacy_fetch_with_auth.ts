// The original engine's ctx.fetch(service, url): adds the service's token / api_key from secrets.
import type { Context } from "tentacular";

export default async function run(ctx: Context, input: { url: string }) {
  const github = await ctx.fetch("github", `${input.url}/github`);
  const weather = await ctx.fetch("weather", `${input.url}/weather`, { headers: { "x-extra": "1" } });
  return { github: await github.json(), weather: await weather.json() };
}
