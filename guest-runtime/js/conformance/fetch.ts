// fetch() against conformance/echo-server.ts at input.baseUrl (see that file for the routes a test server needs),
// plus ctx.fetch auth injection. Network errors use http://127.0.0.1:1 (nothing listens there).
import type { Context } from "tentacular";

type Input = { baseUrl: string };

const failure = async (f: () => Promise<unknown>) => {
  try {
    await f();
    return "no error";
  } catch (e) {
    const error = e as Error;
    return error instanceof DOMException
      ? `DOMException ${error.name}: ${error.message}`
      : error instanceof TypeError ? "TypeError" : `${error.name}: ${error.message}`;
  }
};

export default async function run(ctx: Context, input: Input) {
  const base = input.baseUrl;
  const strip = (url: string) => url.replace(base, "<base>");
  const echo = async (path: string, init?: RequestInit) => (await fetch(`${base}${path}`, init)).json();

  const get = await fetch(`${base}/echo?x=1&y=a%20b`);
  const getInfo = [get.status, get.statusText, get.ok, strip(get.url), get.redirected, get.type,
    get.headers.get("content-type"), await get.json()];
  const methods = await Promise.all(["POST", "put", "patch", "DELETE", "OPTIONS"].map((method) =>
    echo("/echo", { method, body: method === "OPTIONS" ? undefined : `body for ${method}` })
  ));
  const head = await fetch(`${base}/echo`, { method: "HEAD" });
  const bodies = {
    json: await echo("/echo", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: [1, "é"] }) }),
    bytes: await echo("/echo", { method: "POST", body: new TextEncoder().encode("raw bytes") }),
    buffer: await echo("/echo", { method: "POST", body: new TextEncoder().encode("array buffer").buffer }),
    params: await echo("/echo", { method: "POST", body: new URLSearchParams({ q: "a b", r: "&" }) }),
    blob: await echo("/echo", { method: "POST", body: new Blob(["blob body"], { type: "text/x-blob" }) }),
    nullBody: await echo("/echo", { method: "POST", body: null }),
  };
  const headerForms = {
    object: (await echo("/echo", { headers: { "X-One": "1", "x-two": "2" } })).headers,
    array: (await echo("/echo", { headers: [["X-Arr", "a"], ["x-arr", "b"]] })).headers,
    instance: (await echo("/echo", { headers: new Headers({ "X-H": "h" }) })).headers,
  };
  const request = new Request(`${base}/echo?from=request`, { method: "POST", body: "request body", headers: { "x-req": "1" } });
  const viaRequest = await (await fetch(request)).json();
  const viaURL = await (await fetch(new URL(`${base}/echo?from=url`))).json();
  const statuses = await Promise.all([201, 204, 404, 500].map(async (code) => {
    const r = await fetch(`${base}/status/${code}`);
    return [r.status, r.statusText, r.ok, await r.text(), r.body === null];
  }));
  const text = await fetch(`${base}/text`);
  const textInfo = [await text.text(), text.headers.get("x-multi"), text.headers.getSetCookie(), text.headers.get("content-type"),
    [...text.headers].filter(([name]) => name !== "date" && name !== "content-length")];
  const missing = await fetch(`${base}/nope`);
  const cloned = await fetch(`${base}/echo?clone=1`);
  const twin = cloned.clone();
  const clones = [(await cloned.json()).path, (await twin.json()).path];

  const errors = {
    preAborted: await failure(() => fetch(`${base}/echo`, { signal: AbortSignal.abort() })),
    customReason: await failure(() => fetch(`${base}/echo`, { signal: AbortSignal.abort(new RangeError("mine")) })),
    timeout: await failure(() => fetch(`${base}/slow?delay=2000`, { signal: AbortSignal.timeout(30) })),
    controller: await failure(() => {
      const c = new AbortController();
      const pending = fetch(`${base}/slow?delay=2000`, { signal: c.signal });
      setTimeout(() => c.abort(), 10);
      return pending;
    }),
    refused: await failure(() => fetch("http://127.0.0.1:1/")),
    relative: await failure(() => fetch("/relative")),
    scheme: await failure(() => fetch("ftp://example.com/")),
    getBody: await failure(() => fetch(`${base}/echo`, { method: "GET", body: "x" })),
    immutable: await failure(async () => (await fetch(`${base}/echo`)).headers.set("a", "b")),
  };
  const slow = await (await fetch(`${base}/slow?delay=20`)).json();
  const data = await fetch("data:text/plain;base64,aGVsbG8=");
  const dataInfo = [data.status, data.headers.get("content-type"), await data.text()];

  const legacy = {
    bearer: (await (await ctx.fetch("github", `${base}/echo`)).json()).headers,
    apiKey: (await (await ctx.fetch("weather", `${base}/echo`, { headers: { "x-extra": "1" } })).json()).headers,
    both: (await (await ctx.fetch("both", `${base}/echo`, { method: "POST", body: "b" })).json()),
    none: (await (await ctx.fetch("unknown", `${base}/echo`)).json()).headers,
  };
  return {
    getInfo, methods, head: [head.status, await head.text()], bodies, headerForms, viaRequest, viaURL, statuses, textInfo,
    missing: [missing.status, missing.ok, await missing.json()], clones, errors, slow, dataInfo, legacy,
  };
}
