// Runs the conformance nodes under Deno (V8) with a context that behaves like the original Tentacular engine
// (see /work/shared/reference/compatibility.md) and writes what they return to <name>.expected.json.
//
//   cd guest-runtime/js/conformance
//   TZ=UTC deno run --allow-net=127.0.0.1 --allow-read=. --allow-write=. run-deno.ts [--check] [name ...]
//
// `--check` compares instead of writing (exit 1 on a difference). Every node gets invocation.json with
// {{BASE_URL}} replaced by the base URL of echo-server.ts, started here on 127.0.0.1.
import type { Context, DependencyConnection } from "tentacular";
import { serveEcho } from "./echo-server.ts";

const here = new URL(".", import.meta.url);
const args = Deno.args.filter((a) => a !== "--check");
const check = Deno.args.includes("--check");

if (new Date(0).getTimezoneOffset() !== 0) {
  console.error("run with TZ=UTC: the sandbox's local time zone is UTC");
  Deno.exit(2);
}
if (new Intl.NumberFormat().resolvedOptions().locale !== "en-US") {
  console.error("run with an English default locale (LANG=C.UTF-8 or en_US.UTF-8): nodes rely on en-US defaults");
  Deno.exit(2);
}

interface Invocation {
  node: string;
  input: unknown;
  config?: Record<string, unknown>;
  secrets?: Record<string, Record<string, string>>;
  dependencies?: Record<string, Omit<DependencyConnection, "fetch" | "port"> & { port?: number }>;
}

function createContext(invocation: Invocation): Context {
  const id = String(invocation.node);
  const secrets = invocation.secrets ?? {};
  const dependencies = invocation.dependencies ?? {};
  const prefix = `[${id}]`;
  const defaultPorts: Record<string, number> = { https: 443, postgresql: 5432, nats: 4222 };
  return {
    log: {
      info: (msg: string, ...rest: unknown[]) => console.log(`${prefix} INFO`, msg, ...rest),
      warn: (msg: string, ...rest: unknown[]) => console.warn(`${prefix} WARN`, msg, ...rest),
      error: (msg: string, ...rest: unknown[]) => console.error(`${prefix} ERROR`, msg, ...rest),
      debug: (msg: string, ...rest: unknown[]) => console.debug(`${prefix} DEBUG`, msg, ...rest),
    },
    config: invocation.config ?? {},
    secrets,
    fetch: (service: string, path: string, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      const own = secrets[service];
      if (own) {
        if (own.token) headers.set("Authorization", `Bearer ${own.token}`);
        if (own.api_key) headers.set("X-API-Key", own.api_key);
      }
      const url = path.startsWith("http") ? path : `https://api.${service}.com${path}`;
      return fetch(url, { ...init, headers });
    },
    dependency: (name: string): DependencyConnection => {
      const dep = Object.hasOwn(dependencies, name) ? dependencies[name] : undefined;
      if (!dep) {
        throw new Error(`Dependency "${name}" not declared in contract. Add it to workflow.yaml contract.dependencies.`);
      }
      const port = dep.port ?? defaultPorts[dep.protocol] ?? 443;
      const conn: DependencyConnection = {
        protocol: dep.protocol, host: dep.host, port, authType: dep.authType, secret: dep.secret,
        database: dep.database, user: dep.user, subject: dep.subject, container: dep.container,
      };
      if (dep.protocol === "https") {
        conn.fetch = (path: string, init?: RequestInit) =>
          fetch(`https://${dep.host}:${port}${path}`, { ...init, headers: new Headers(init?.headers) });
      }
      return conn;
    },
  };
}

const harnessFiles = new Set(["run-deno.ts", "echo-server.ts"]);
const names = args.length > 0 ? args : [...Deno.readDirSync(here)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".ts") && !harnessFiles.has(name))
  .map((name) => name.slice(0, -3))
  .sort();

const server = serveEcho();
const template = await Deno.readTextFile(new URL("invocation.json", here));
let failures = 0;
for (const name of names) {
  const invocation: Invocation = JSON.parse(template.replaceAll("{{BASE_URL}}", server.baseUrl));
  invocation.node = name;
  const mod = await import(new URL(`${name}.ts`, here).href);
  let result: unknown;
  try {
    const output = await mod.default(createContext(invocation), invocation.input);
    result = { ok: output === undefined ? null : JSON.parse(JSON.stringify(output)) };
  } catch (error) {
    result = { error: { message: error instanceof Error ? error.message : String(error) } };
  }
  const text = JSON.stringify(result, null, 2) + "\n";
  const path = new URL(`${name}.expected.json`, here);
  if (check) {
    let expected = "";
    try {
      expected = await Deno.readTextFile(path);
    } catch {
      expected = "";
    }
    if (expected !== text) {
      failures++;
      console.error(`${name}: differs from ${name}.expected.json`);
    } else {
      console.error(`${name}: ok`);
    }
  } else {
    await Deno.writeTextFile(path, text);
    console.error(`${name}: wrote ${name}.expected.json`);
  }
}
await server.close();
Deno.exit(failures === 0 ? 0 : 1);
