// Fetches a URL the workflow never declared (input.url): the egress policy must refuse it before any packet.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, input: { url: string }) {
  const response = await fetch(input.url);
  return { status: response.status, body: await response.text() };
}
