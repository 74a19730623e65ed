// Fetches a declared host (input.url) that answers with a redirect to a host the workflow never declared.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, input: { url: string }) {
  const response = await fetch(input.url);
  return { status: response.status, url: response.url, body: await response.text() };
}
