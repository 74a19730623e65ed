// The original Tentacular engine's execution model, re-created for the benchmark. This is NOT the original
// engine's code (it is not part of this repository); it follows its documented behaviour (the architecture notes
// in the rebuild's brief) closely enough to be the "all nodes in one Deno process" baseline:
//
// - one Deno process loads every node module of the workflow with a dynamic import at start-up;
// - the DAG is compiled into stages with Kahn's algorithm (sorted queue: deterministic);
// - POST /run (or GET): the body's JSON (empty: {}) is the root nodes' input; stages run in sequence, the nodes of
//   a stage with Promise.all; a node with one predecessor gets its output, with several an object keyed by
//   predecessor; each call is raced against the node's timeout (config.timeout, default 30s) and retried
//   config.retries times with a 100 ms x 2^n backoff; the first failing stage stops the run;
// - each node gets a fresh ctx: log.{info,warn,error,debug} printing `[node] LEVEL message` with console.log,
//   config, secrets, fetch(service, path) to https://api.<service>.com with auth headers from the secrets, and
//   dependency(name) (no contract here: every name is undeclared);
// - the response is the ExecutionResult {success, outputs, errors, timing}: 200 when successful, else 500.
//
//   deno run --allow-read --allow-net --allow-env server.ts --workflow <dir> --port <port>
import YAML from "npm:yaml@2";

function flag(name: string, fallback?: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  if (at >= 0 && at + 1 < Deno.args.length) return Deno.args[at + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}`);
}

const dir = flag("workflow");
const port = Number(flag("port", "8080"));
const spec = YAML.parse(await Deno.readTextFile(`${dir}/workflow.yaml`));
const config: Record<string, unknown> = spec.config ?? {};
const secrets: Record<string, Record<string, string>> = {};

function parseDuration(value: unknown, fallback: number): number {
  if (typeof value !== "string") return fallback;
  const match = /^(\d+)(ms|s|m)$/.exec(value.trim());
  if (!match) return fallback;
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60000 } as Record<string, number>)[match[2]];
}
const timeoutMs = parseDuration(config.timeout, 30000);
const retries = typeof config.retries === "number" ? config.retries : 0;

// Node modules, loaded once.
type NodeFn = (ctx: unknown, input: unknown) => Promise<unknown>;
const nodes = new Map<string, NodeFn>();
for (const [id, node] of Object.entries(spec.nodes as Record<string, { path: string }>)) {
  const url = new URL(node.path, `file://${await Deno.realPath(dir)}/`).href;
  const mod = await import(url);
  if (typeof mod.default !== "function") throw new Error(`node ${id}: default export is not a function`);
  nodes.set(id, mod.default);
}

// Kahn's algorithm, grouped by depth.
const edges: { from: string; to: string }[] = spec.edges ?? [];
const predecessors = new Map<string, string[]>([...nodes.keys()].map((id) => [id, []]));
for (const e of edges) predecessors.get(e.to)!.push(e.from);
const stages: string[][] = [];
{
  const indegree = new Map([...predecessors].map(([id, p]) => [id, p.length]));
  let ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id).sort();
  while (ready.length > 0) {
    stages.push(ready);
    const next: string[] = [];
    for (const id of ready) {
      for (const e of edges.filter((e) => e.from === id)) {
        const d = indegree.get(e.to)! - 1;
        indegree.set(e.to, d);
        if (d === 0) next.push(e.to);
      }
    }
    ready = next.sort();
  }
}

function makeContext(node: string) {
  const log = (level: string) => (msg: unknown, ...args: unknown[]) => console.log(`[${node}] ${level} ${msg}`, ...args);
  return {
    fetch(service: string, path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      const s = secrets[service];
      if (s?.token) headers.set("Authorization", `Bearer ${s.token}`);
      if (s?.api_key) headers.set("X-API-Key", s.api_key);
      const url = path.startsWith("http") ? path : `https://api.${service}.com${path}`;
      return fetch(url, { ...init, headers });
    },
    log: { info: log("INFO"), warn: log("WARN"), error: log("ERROR"), debug: log("DEBUG") },
    config,
    secrets,
    dependency(name: string) {
      throw new Error(`Dependency "${name}" not declared in contract. Add it to workflow.yaml contract.dependencies.`);
    },
  };
}

async function attempt(node: string, input: unknown): Promise<unknown> {
  let timer: number | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Node "${node}" timed out after ${timeoutMs}ms`)), timeoutMs);
  });
  try {
    return await Promise.race([nodes.get(node)!(makeContext(node), input), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runNode(node: string, input: unknown): Promise<unknown> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(node, input);
    } catch (error) {
      if (n >= retries) throw error;
      await new Promise((r) => setTimeout(r, 100 * 2 ** n));
    }
  }
}

async function execute(input: unknown) {
  const startedAt = Date.now();
  const outputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const nodeTimings: Record<string, { startedAt: number; completedAt: number; durationMs: number }> = {};
  for (const stage of stages) {
    await Promise.all(stage.map(async (node) => {
      const preds = predecessors.get(node)!;
      const nodeInput = preds.length === 0 ? input
        : preds.length === 1 ? outputs[preds[0]]
        : Object.fromEntries(preds.map((p) => [p, outputs[p]]));
      const started = Date.now();
      try {
        outputs[node] = await runNode(node, nodeInput);
      } catch (error) {
        errors[node] = error instanceof Error ? error.message : String(error);
      }
      const completed = Date.now();
      nodeTimings[node] = { startedAt: started, completedAt: completed, durationMs: completed - started };
    }));
    if (Object.keys(errors).length > 0) break;
  }
  const completedAt = Date.now();
  return {
    success: Object.keys(errors).length === 0,
    outputs,
    errors,
    timing: { startedAt, completedAt, durationMs: completedAt - startedAt, nodeTimings },
  };
}

Deno.serve({ hostname: "127.0.0.1", port, onListen: () => console.log(`Listening on http://127.0.0.1:${port}`) }, async (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/health") return Response.json({ status: "ok" });
  if (url.pathname === "/run" && (req.method === "POST" || req.method === "GET")) {
    const text = req.method === "POST" ? await req.text() : "";
    let input: unknown = {};
    if (text.trim() !== "") {
      try {
        input = JSON.parse(text);
      } catch {
        input = {};
      }
    }
    const result = await execute(input ?? {});
    return new Response(JSON.stringify(result), {
      status: result.success ? 200 : 500,
      headers: { "content-type": "application/json" },
    });
  }
  return Response.json({ error: "not found" }, { status: 404 });
});
