// The local HTTP server the fetch conformance node talks to (Deno). The qjs harness (run-qjs.js) serves the same
// answers in-process; a Rust test running fetch.ts in the real sandbox needs a server with these routes:
//
//   ANY  /echo            200 application/json {"method","path" (path+query),"headers" (lower-case names, sorted,
//                         minus host/user-agent/accept*/content-length/connection/sec-fetch-mode),"body" (UTF-8)}
//   GET  /status/<code>   <code> with status text, body {"status": <code>} (empty for 204)
//   GET  /text            200 text/plain; charset=utf-8, body "héllo wörld", headers x-multi: a, x-multi: b,
//                         set-cookie: a=1, set-cookie: b=2
//   GET  /slow?delay=<ms> 200 {"slow": true} after <ms> milliseconds
//   anything else         404 {"error": "not found"}
//
// Nothing may listen on 127.0.0.1:1: fetch.ts expects that connection to fail (a TypeError).

const dropped = new Set([
  "host", "user-agent", "accept-encoding", "accept-language", "accept", "content-length", "connection",
  "sec-fetch-mode",
]);
const statusTexts: Record<number, string> = {
  201: "Created", 204: "No Content", 404: "Not Found", 500: "Internal Server Error",
};

export async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/echo") {
    const headers = Object.fromEntries(
      [...request.headers].filter(([name]) => !dropped.has(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const body = new TextDecoder().decode(await request.arrayBuffer());
    return Response.json({ method: request.method, path: url.pathname + url.search, headers, body });
  }
  if (url.pathname.startsWith("/status/")) {
    const status = Number(url.pathname.slice("/status/".length));
    const init = { status, statusText: statusTexts[status] ?? "", headers: { "content-type": "application/json" } };
    return new Response(status === 204 ? null : JSON.stringify({ status }), init);
  }
  if (url.pathname === "/text") {
    const headers = new Headers({ "content-type": "text/plain; charset=utf-8" });
    headers.append("x-multi", "a");
    headers.append("x-multi", "b");
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    return new Response("héllo wörld", { headers });
  }
  if (url.pathname === "/slow") {
    const delay = Number(url.searchParams.get("delay") ?? "0");
    await new Promise((resolve) => setTimeout(resolve, delay));
    return Response.json({ slow: true });
  }
  return Response.json({ error: "not found" }, { status: 404, statusText: "Not Found" });
}

/** Starts the server on 127.0.0.1 (a free port); returns its base URL and a way to stop it. */
export function serveEcho(): { baseUrl: string; close: () => Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  const address = server.addr as Deno.NetAddr;
  return { baseUrl: `http://127.0.0.1:${address.port}`, close: () => server.shutdown() };
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? "8787");
  Deno.serve({ hostname: "127.0.0.1", port }, handle);
}
