// Looks for any way to the host's files or environment that the runtime might expose at run time, past the
// compiler's checks: computed names of Deno/process/require, QuickJS's std/os modules, Javy's IO, file: URLs,
// dynamic import through the Function constructor, and what the native bridge offers.
import type { Context } from "tentacular";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

async function failure(f: () => unknown): Promise<string> {
  try {
    const value = await f();
    return `no error: ${JSON.stringify(value) ?? String(value)}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

export default async function run(_ctx: Context, _input: unknown) {
  const names = ["De" + "no", "process", "req" + "uire", "std", "os", "Javy", "WebAssembly", "Bun", "module"];
  const globals: Record<string, string> = {};
  for (const name of names) globals[name] = typeof g[name];
  const bridge = g["__tntc_" + "native"];
  return {
    globals,
    environment: [
      g["De" + "no"]?.env?.toObject?.() ?? null,
      g.process?.env ?? null,
      g.std?.getenviron?.() ?? null,
      g.os?.getcwd?.() ?? null,
    ],
    fileFetch: await failure(() => fetch("file:///etc/passwd")),
    dynamicImport: await failure(() => new Function("return import('os')")()),
    javyRead: await failure(() => g.Javy.IO.readSync(3, new Uint8Array(16))),
    bridge: bridge === undefined ? null : Object.keys(bridge).sort(),
    deno: {
      keys: Object.keys(g["De" + "no"] ?? {}).sort(),
      read: await failure(() => g["De" + "no"].readTextFile("/etc/passwd")),
      stat: await failure(() => g["De" + "no"].stat("/")),
      env: g["De" + "no"].env.get("PATH") ?? null,
    },
    globalNames: Object.getOwnPropertyNames(globalThis).sort(),
  };
}
