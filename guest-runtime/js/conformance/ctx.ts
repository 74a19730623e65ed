// The node context: config, secrets, log, dependency() (fields, port defaults, undeclared error), legacy fetch shape.
import type { Context } from "tentacular";

export default async function run(ctx: Context, input: unknown) {
  ctx.log.info("info line", { n: 1 }, [1, 2], "tail");
  ctx.log.warn("warn %s not a format string", 42);
  ctx.log.error("error line");
  ctx.log.debug("debug line", null, undefined);
  const deps: Record<string, unknown> = {};
  for (const name of ["api", "defaults", "pg", "bus", "store"]) {
    const dep = ctx.dependency(name);
    const { fetch, ...rest } = dep;
    deps[name] = { ...rest, keys: Object.keys(dep), fetch: typeof fetch };
  }
  const errors: string[] = [];
  for (const name of ["missing", "constructor", ""]) {
    try {
      ctx.dependency(name);
      errors.push("no error");
    } catch (e) {
      errors.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  const { baseUrl: _baseUrl, ...rest } = input as Record<string, unknown>;
  return {
    input: rest,
    config: ctx.config,
    secrets: ctx.secrets,
    keys: Object.keys(ctx).sort(),
    types: [typeof ctx.fetch, typeof ctx.dependency, typeof ctx.log.info, typeof ctx.log.debug],
    deps,
    errors,
  };
}
