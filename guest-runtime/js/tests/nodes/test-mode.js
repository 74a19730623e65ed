export default async function run(ctx) {
  const legacy = await (await ctx.fetch("github", "/repos")).json();
  const api = ctx.dependency("api");
  const viaDependency = await (await api.fetch("/v1/items?x=1")).json();
  const token = ctx.secrets.github?.token;
  let undeclared = "";
  try { ctx.dependency("other"); } catch (e) { undeclared = e.message; }
  const pg = ctx.dependency("pg");
  return { legacy, viaDependency, token, undeclared, api: { host: api.host, port: api.port, authType: api.authType, secret: api.secret }, pg: { port: pg.port, fetch: typeof pg.fetch } };
}
