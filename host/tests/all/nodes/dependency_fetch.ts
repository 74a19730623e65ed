// ctx.dependency(name).fetch(path) reaches https://<host>:<port><path>; the node adds its own auth header.
import type { Context } from "tentacular";

export default async function run(ctx: Context, _input: unknown) {
  const api = ctx.dependency("api");
  const response = await api.fetch!("/v1/items?limit=2", {
    headers: { Authorization: `Bearer ${api.secret}` },
  });
  return { status: response.status, body: await response.json(), host: api.host, port: api.port };
}
