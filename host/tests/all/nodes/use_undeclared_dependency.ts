// Lets ctx.dependency's error for a dependency outside its scope end the node.
import type { Context } from "tentacular";

export default async function run(ctx: Context, _input: unknown) {
  return ctx.dependency("beta").host;
}
