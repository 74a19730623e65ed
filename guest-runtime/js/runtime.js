// tntc JS prelude, last file: `globalThis.__tntc_runtime`, the entry points the runtime's Rust side calls.
//
// Contract with the Rust side (see wit/node.wit and the design brief):
// - `setNode(fn)`: keeps the node module's default export; TypeError when it is not a function.
// - `start(invocation: string) -> Promise<string>`: never throws; resolves to the node's output as JSON text
//   (`undefined` -> `null`), rejects with an `Error` (string `message`, string `stack`) for every failure:
//   bad invocation, node threw or rejected, uncaught error in a timer/listener, output not JSON-serialisable.
//   With `"mode": "test"` in the invocation (fixtures), ctx is the original test runner's mock (80-context.js)
//   and the result is `{"output": <output>, "trace": {"dependencyAccesses", "fetchCalls", "secretsAccesses"}}`.
// - `complete(handle, ok, meta, body)`: delivers a host completion (fetch response or timer); never throws.
// - `errorJson(reason) -> string`: `{"message": string, "stack"?: string}` for a rejection reason.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;

  const ERROR = 3;

  let node = null;
  /** The run in progress: `{ fail(error) }`; an uncaught error in a callback fails it. */
  let current = null;

  internal.reportError = (error) => {
    if (current !== null) {
      current.fail(error);
    } else {
      internal.native().log(ERROR, internal.formatLogArgs(["Uncaught", error]));
    }
  };

  /** `Error` for any thrown value: Errors are kept as they are (message and stack intact). */
  function toError(reason) {
    if (reason instanceof Error) return reason;
    if (reason !== null && typeof reason === "object" && typeof reason.message === "string") {
      // Error-like objects from another realm or DOMException polyfills.
      const error = new Error(reason.message);
      error.stack = typeof reason.stack === "string" ? reason.stack : "";
      return error;
    }
    // The original engine reports `new Error(String(err))` for non-Error throws.
    let message;
    try {
      message = String(reason);
    } catch {
      message = Object.prototype.toString.call(reason);
    }
    const error = new Error(message);
    error.stack = "";
    return error;
  }

  function errorJson(reason) {
    const error = toError(reason);
    let message;
    let stack;
    try {
      message = String(error.message);
    } catch {
      message = "unknown error";
    }
    try {
      stack = typeof error.stack === "string" && error.stack !== "" ? error.stack : undefined;
    } catch {
      stack = undefined;
    }
    return JSON.stringify(stack === undefined ? { message } : { message, stack });
  }

  function setNode(fn) {
    if (typeof fn !== "function") {
      const got = fn === null ? "null" : typeof fn;
      throw new TypeError(
        `the node's default export must be a function (export default async function run(ctx, input)), got ${got}`,
      );
    }
    node = fn;
  }

  function objectOr(value, fallback) {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : fallback;
  }

  // -------------------------------------------------------------------------------------------------------
  // Output

  function describeType(value) {
    if (typeof value === "function") return "a function";
    if (typeof value === "symbol") return "a symbol";
    if (typeof value === "bigint") return "a BigInt";
    return typeof value;
  }

  function pathKey(path, key) {
    return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
  }

  /** Finds why JSON.stringify failed, naming where in the output: BigInt values and cycles. */
  function findUnserialisable(value, path, ancestors) {
    if (value !== null && typeof value === "object" && typeof value.toJSON === "function") {
      value = value.toJSON(path);
    }
    if (typeof value === "bigint") return `${path} is a BigInt (${value}n); convert it with String() or Number()`;
    if (value === null || typeof value !== "object") return null;
    if (ancestors.has(value)) return `${path} refers back to one of its own parents (a cycle)`;
    ancestors.add(value);
    try {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = findUnserialisable(value[i], `${path}[${i}]`, ancestors);
          if (found) return found;
        }
      } else {
        for (const key of Object.keys(value)) {
          const found = findUnserialisable(value[key], pathKey(path, key), ancestors);
          if (found) return found;
        }
      }
    } finally {
      ancestors.delete(value);
    }
    return null;
  }

  function serialiseOutput(output) {
    if (output === undefined) return "null";
    let text;
    try {
      text = JSON.stringify(output);
    } catch (error) {
      let reason = null;
      try {
        reason = findUnserialisable(output, "output", new Set());
      } catch {
        reason = null;
      }
      throw new TypeError(
        `the node's output is not JSON-serialisable: ${reason ?? toError(error).message}`,
      );
    }
    if (text === undefined) {
      throw new TypeError(
        `the node's output is not JSON-serialisable: the node returned ${describeType(output)}`,
      );
    }
    return text;
  }

  // -------------------------------------------------------------------------------------------------------
  // Entry points

  function start(invocationText) {
    let fail;
    const failed = new Promise((_, reject) => {
      fail = reject;
    });
    current = { fail: (error) => fail(toError(error)) };
    internal.resetTimeOrigin();
    const run = (async () => {
      if (node === null) throw new Error("no node is loaded (load-node was not called or failed)");
      let invocation;
      try {
        invocation = JSON.parse(String(invocationText));
      } catch (error) {
        throw new Error(`the invocation is not valid JSON: ${toError(error).message}`);
      }
      invocation = objectOr(invocation, {});
      const { ctx, trace } = internal.makeContext(invocation);
      const output = await node(ctx, invocation.input);
      const text = serialiseOutput(output);
      // Test mode reports what the node touched next to its output (drift detection in `tntc test`).
      return trace === null ? text : `{"output":${text},"trace":${JSON.stringify(trace)}}`;
    })();
    return Promise.race([run, failed]).catch((error) => {
      throw toError(error);
    });
  }

  function complete(handle, ok, meta, body) {
    const deliver = internal.pending.get(handle);
    if (deliver === undefined) return;
    internal.pending.delete(handle);
    try {
      deliver(Boolean(ok), meta === undefined || meta === null ? "" : String(meta), body ?? new Uint8Array(0));
    } catch (error) {
      internal.reportError(error);
    }
  }

  Object.defineProperty(globalThis, "__tntc_runtime", {
    value: Object.freeze({ setNode, start, complete, errorJson }),
    enumerable: false,
    writable: false,
    configurable: false,
  });
  delete globalThis.__tntc_internal;
})();
