import type { Context } from "tentacular";

interface Input {
  name?: string;
}

/** Greets whoever the run's input names. Runs in its own WebAssembly sandbox. */
export default async function run(ctx: Context, input: Input): Promise<{ message: string }> {
  const name = input.name ?? "world";
  ctx.log.info(`saying hello to ${name}`);
  return { message: `Hello, ${name}!` };
}
