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
  // The run in progress (an instance runs one node once): the resolving functions of the promise `start`
  // returned, and test mode's trace. An uncaught error in a callback rejects that promise. Module-level
  // rather than per-run closures: a run should allocate (and dirty) as little memory as possible, since
  // the host restores every page a run wrote.
  let resolveRun = null;
  let rejectRun = null;
  let runTrace = null;

  // Node code may replace the globals; the runtime keeps the originals.
  const NativePromise = Promise;
  const promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve.bind(Promise);
  const parseJson = JSON.parse;
  const stringifyJson = JSON.stringify;

  internal.reportError = (error) => {
    if (rejectRun !== null) {
      rejectRun(toError(error));
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

  function captureResolvers(resolve, reject) {
    resolveRun = resolve;
    rejectRun = reject;
  }

  function onOutput(output) {
    let text;
    try {
      text = serialiseOutput(output);
    } catch (error) {
      rejectRun(toError(error));
      return;
    }
    // Test mode reports what the node touched next to its output (drift detection in `tntc test`).
    resolveRun(runTrace === null ? text : `{"output":${text},"trace":${stringifyJson(runTrace)}}`);
  }

  function onFailure(error) {
    rejectRun(toError(error));
  }

  // One promise per run, settled by the node's result or by the first uncaught error in a callback
  // (whichever comes first, as a race would), with the node's result observed through one `then`.
  function start(invocationText) {
    const run = new NativePromise(captureResolvers);
    internal.resetTimeOrigin();
    try {
      if (node === null) throw new Error("no node is loaded (load-node was not called or failed)");
      let invocation;
      try {
        invocation = parseJson(String(invocationText));
      } catch (error) {
        throw new Error(`the invocation is not valid JSON: ${toError(error).message}`);
      }
      if (invocation === null || typeof invocation !== "object" || Array.isArray(invocation)) invocation = {};
      const ctx = internal.makeContext(invocation);
      runTrace = internal.contextTrace;
      promiseThen.call(promiseResolve(node(ctx, invocation.input)), onOutput, onFailure);
    } catch (error) {
      rejectRun(toError(error));
    }
    return run;
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
