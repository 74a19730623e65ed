// Tries to get a secret out through its log lines and its error message.
import type { Context } from "tentacular";

export default async function run(ctx: Context, _input: unknown) {
  const token = ctx.secrets["svc"]["token"];
  ctx.log.info(`using token ${token}`);
  console.log("console sees", token);
  throw new Error(`token ${token} was rejected`);
}
