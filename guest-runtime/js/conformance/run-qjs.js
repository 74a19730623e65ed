// Runs one compiled node (an ES module in plain JS) on the tntc prelude inside QuickJS-NG's `qjs`, with a
// fake `__tntc_native` that behaves like the host: operations complete only through
// `__tntc_runtime.complete`, one at a time, after the job queue is drained (like the runtime's `wait` loop).
// Timers really wait (os.sleep until due); fetches are served by an in-process copy of conformance/echo-server.ts
// (a `delay=<ms>` query parameter delays the answer).
//
//   qjs -m run-qjs.js <prelude dir> <node.js> [invocation.json] [--javy-text-encoding]
//
// Prints `{"ok": <output>}` or `{"error": {"message", "stack"?}}` on stdout; log lines go to stderr.
import * as std from "qjs:std";
import * as os from "qjs:os";

const print = (text) => std.out.puts(text + "\n");

const [, preludeDir, nodePath, invocationPath, ...flags] = scriptArgs;
if (!preludeDir || !nodePath) {
  std.err.puts("usage: qjs -m run-qjs.js <prelude dir> <node.js> [invocation.json] [--javy-text-encoding]\n");
  std.exit(2);
}

// What QuickJS-NG's qjs has but Javy's context does not: remove it so the prelude's own versions run.
for (const name of ["DOMException", "atob", "btoa", "setTimeout", "clearTimeout", "setInterval",
  "clearInterval", "print", "console", "navigator", "performance", "TextEncoder", "TextDecoder"]) {
  delete globalThis[name];
}

if (flags.includes("--javy-text-encoding")) installJavyTextEncoding();

// ---- the fake host --------------------------------------------------------------------------------------
let nextHandle = 1;
/** handle -> { due, seq, deliver: () => [ok, meta, body] } */
const pending = new Map();
let seq = 0;
const levelNames = ["DEBUG", "INFO", "WARN", "ERROR"];

globalThis.__tntc_native = {
  log(level, message) {
    std.err.puts(`[node] ${levelNames[level] ?? level} ${message}\n`);
  },
  timer(ms) {
    const handle = nextHandle++;
    pending.set(handle, { due: Date.now() + ms, seq: seq++, deliver: () => [true, "", new Uint8Array(0)] });
    return handle;
  },
  cancel(handle) {
    pending.delete(handle);
  },
  randomFill(bytes) {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  },
  fetch(request, body) {
    if (typeof request !== "string" || !(body instanceof Uint8Array)) {
      throw new TypeError("fake host: fetch(request: string, body: Uint8Array)");
    }
    const handle = nextHandle++;
    const req = JSON.parse(request);
    const delay = Number(new URL_(req.url).searchParams.get("delay") ?? 0);
    pending.set(handle, { due: Date.now() + delay, seq: seq++, deliver: () => serve(req, body) });
    return handle;
  },
};

// A tiny URL reader for the fake server (the prelude's URL is what is under test, so do not use it here).
function URL_(href) {
  const match = /^(https?):\/\/([^/?#]+)([^?#]*)(\?[^#]*)?/.exec(href);
  if (!match) throw new TypeError(`fake host: cannot parse ${href}`);
  const query = new Map();
  for (const part of (match[4] ?? "").slice(1).split("&").filter(Boolean)) {
    const [k, v = ""] = part.split("=");
    query.set(decodeURIComponent(k), decodeURIComponent(v.replace(/\+/g, " ")));
  }
  return { host: match[2], pathname: match[3] || "/", search: match[4] ?? "", searchParams: query };
}

function TextEncoderForHost() {
  return {
    encode(text) {
      const out = [];
      const s = unescape(encodeURIComponent(String(text).toWellFormed()));
      for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
      return out;
    },
  };
}
// Lossy UTF-8 decoding (one U+FFFD per maximal invalid subpart), like Rust's from_utf8_lossy behind Javy.
function decodeHost(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let need = 0;
    let cp = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1; cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2; cp = b & 0x0f; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3; cp = b & 0x07; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f;
    } else {
      out += "\ufffd";
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const next = bytes[i + j];
      if (next === undefined || next < lo || next > hi) break;
      lo = 0x80;
      hi = 0xbf;
      cp = (cp << 6) | (next & 0x3f);
    }
    if (j <= need) {
      out += "\ufffd";
      i += j;
    } else {
      out += String.fromCodePoint(cp);
      i += need + 1;
    }
  }
  return out;
}

function combine(pairs) {
  const out = {};
  for (const [k, v] of pairs) out[k] = k in out ? `${out[k]}, ${v}` : v;
  return out;
}

// Mirrors conformance/echo-server.ts.
function serve(req, body) {
  const url = URL_(req.url);
  const headers = [["content-type", "application/json"]];
  let status = 200;
  let statusText = "OK";
  let payload;
  if (url.host.startsWith("unreachable.") || url.host.endsWith(":1")) {
    return [false, "error sending request for url (" + req.url + "): dns error", new Uint8Array(0)];
  }
  if (url.pathname === "/echo") {
    payload = JSON.stringify({
      method: req.method,
      path: url.pathname + url.search,
      headers: combine(req.headers.map(([k, v]) => [k.toLowerCase(), v])
        .filter(([k]) => !["host", "user-agent", "accept-encoding", "accept-language", "accept", "content-length",
          "connection", "sec-fetch-mode"].includes(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      body: decodeHost(body),
    });
  } else if (url.pathname.startsWith("/status/")) {
    status = Number(url.pathname.slice(8));
    statusText = { 201: "Created", 204: "No Content", 404: "Not Found", 500: "Internal Server Error" }[status] ?? "";
    payload = status === 204 ? "" : JSON.stringify({ status });
  } else if (url.pathname === "/text") {
    headers[0][1] = "text/plain; charset=utf-8";
    headers.push(["x-multi", "a"], ["x-multi", "b"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]);
    payload = "héllo wörld";
  } else if (url.pathname === "/slow") {
    payload = JSON.stringify({ slow: true });
  } else {
    status = 404;
    statusText = "Not Found";
    payload = JSON.stringify({ error: "not found" });
  }
  const meta = JSON.stringify({ status, statusText, headers, url: req.url, redirected: false });
  return [true, meta, new Uint8Array(new TextEncoderForHost().encode(payload))];
}

// ---- load the prelude -----------------------------------------------------------------------------------
const [files] = os.readdir(preludeDir);
for (const file of files.filter((f) => f.endsWith(".js")).sort()) {
  const source = std.loadFile(`${preludeDir}/${file}`);
  std.evalScript(source, { filename: file });
}

const runtime = globalThis.__tntc_runtime;
const invocation = invocationPath ? std.loadFile(invocationPath) : JSON.stringify({
  node: "conformance", input: {}, config: {}, secrets: {}, dependencies: {},
});

// No top-level await: qjs runs timers before the job queue while a module's top-level await is pending, and
// this loop relies on "job queue drained" before each host completion, like the runtime's `wait` loop.
import(nodePath).then((mod) => {
  try {
    runtime.setNode(mod.default);
  } catch (error) {
    print(JSON.stringify({ error: JSON.parse(runtime.errorJson(error)) }));
    return;
  }
  runLoop();
}, (error) => print(JSON.stringify({ error: { message: "import failed: " + error + "\n" + error.stack } })));

// ---- the run loop (what the runtime's Rust `run` does) --------------------------------------------------
function runLoop() {
  let settled = null;
  let result;
  try {
    result = runtime.start(invocation);
  } catch (error) {
    print(JSON.stringify({ error: { message: "start threw synchronously: " + error } }));
    return;
  }
  if (!(result instanceof Promise)) {
    print(JSON.stringify({ error: { message: "start did not return a Promise" } }));
    return;
  }
  result.then(
    (text) => { settled = { ok: JSON.parse(text) }; },
    (error) => { settled = { error: JSON.parse(runtime.errorJson(error)) }; },
  );
  const step = () => {
    // Called from a qjs timer: the job queue is empty here.
    if (settled === null && pending.size === 0) {
      settled = { error: { message: "the node's promise never settled (nothing left to wait for)" } };
    }
    if (settled !== null) {
      print(JSON.stringify(settled));
      return;
    }
    let handle = null;
    let best = null;
    for (const [h, op] of pending) {
      if (best === null || op.due < best.due || (op.due === best.due && op.seq < best.seq)) {
        best = op;
        handle = h;
      }
    }
    pending.delete(handle);
    const wait = best.due - Date.now();
    if (wait > 0) os.sleep(wait);
    const [ok, meta, body] = best.deliver();
    runtime.complete(handle, ok, meta, body);
    os.setTimeout(step, 0);
  };
  os.setTimeout(step, 0);
}

function installJavyTextEncoding() {
  // Javy's text-encoding.js over JS stand-ins for its two Rust helpers, to test the prelude with it present.
  globalThis.__javy_encodeStringToUtf8Buffer = (s) => new Uint8Array(TextEncoderForHost().encode(s)).buffer;
  globalThis.__javy_decodeUtf8BufferToString = (buffer, offset, length, _fatal, ignoreBOM) => {
    let bytes = new Uint8Array(buffer, offset, length);
    if (!ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    return decodeHost(bytes);
  };
  const javy = std.getenv("JAVY_TEXT_ENCODING_JS");
  if (!javy) throw new Error("set JAVY_TEXT_ENCODING_JS to javy's src/apis/text_encoding/text-encoding.js");
  std.evalScript(std.loadFile(javy));
}
