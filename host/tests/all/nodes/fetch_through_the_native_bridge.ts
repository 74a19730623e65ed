// Skips the prelude's fetch and calls the runtime's native bridge directly: the host must still apply the policy.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, input: { url: string }) {
  // deno-lint-ignore no-explicit-any
  const bridge = (globalThis as any)["__tntc_" + "native"];
  const request = JSON.stringify({ url: input.url, method: "GET", headers: [] });
  const handle = bridge.fetch(request, new Uint8Array(0));
  // Give the host time to perform (or refuse) the request.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { handle: typeof handle };
}
