import type { Context } from "tentacular";

interface Plan {
  trigger: string;
  stories: number;
  city: { name: string; latitude: number; longitude: number };
}

/** Turns the trigger input and config into what the fetchers need. */
export default async function run(ctx: Context, input: { trigger?: string; stories?: number }): Promise<Plan> {
  const city = ctx.config.city as Plan["city"];
  const stories = input.stories ?? (ctx.config.stories as number) ?? 5;
  return { trigger: input.trigger ?? "manual", stories: Math.min(Math.max(stories, 1), 20), city };
}
