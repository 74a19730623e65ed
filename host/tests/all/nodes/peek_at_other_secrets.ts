// Declared to use only the "alpha" dependency (nodes.<id>.dependencies); looks for the "beta" service's secret.
import type { Context } from "tentacular";

export default async function run(ctx: Context, _input: unknown) {
  let dependency: string;
  try {
    ctx.dependency("beta");
    dependency = "no error";
  } catch (e) {
    dependency = (e as Error).message;
  }
  return {
    services: Object.keys(ctx.secrets),
    beta: ctx.secrets["beta"] ?? null,
    alphaSecret: ctx.dependency("alpha").secret ?? null,
    dependency,
  };
}
