// tntc JS prelude: setTimeout / setInterval / clearTimeout / clearInterval, queueMicrotask.
//
// A timer is a host operation: `__tntc_native.timer(ms)` returns a handle, and the host delivers it through
// `__tntc_runtime.complete(handle, ...)` once the time has passed, which runs the callback here. While nothing
// else is runnable the node really waits (the host suspends it at no thread cost).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  /** Timer id (what setTimeout returns) -> { handle, repeat, callback, args, delay }. */
  const timers = new Map();
  let nextId = 1;

  function normalizeDelay(delay) {
    let ms = Number(delay);
    if (!Number.isFinite(ms) || ms < 0) ms = 0;
    // Browsers and Deno treat delays beyond a signed 32-bit integer as 1 ms.
    if (ms > 2147483647) ms = 1;
    return Math.trunc(ms);
  }

  function toCallback(callback) {
    if (typeof callback === "function") return callback;
    // Deno and browsers evaluate a string "callback" as code in the global scope.
    const code = String(callback);
    return () => (0, eval)(code);
  }

  function arm(id, timer) {
    const handle = internal.native().timer(timer.delay);
    timer.handle = handle;
    internal.pending.set(handle, () => fire(id));
  }

  function fire(id) {
    const timer = timers.get(id);
    if (timer === undefined) return;
    if (timer.repeat) {
      // Re-arm before running so clearInterval inside the callback cancels the next tick.
      arm(id, timer);
    } else {
      timers.delete(id);
    }
    try {
      timer.callback.apply(globalThis, timer.args);
    } catch (error) {
      internal.reportError(error);
    }
  }

  function schedule(callback, delay, args, repeat) {
    const id = nextId++;
    const timer = { handle: 0, repeat, callback: toCallback(callback), args, delay: normalizeDelay(delay) };
    timers.set(id, timer);
    arm(id, timer);
    return id;
  }

  function clear(id) {
    const key = typeof id === "number" ? id : Number(id);
    const timer = timers.get(key);
    if (timer === undefined) return;
    timers.delete(key);
    internal.pending.delete(timer.handle);
    internal.native().cancel(timer.handle);
  }

  function setTimeout(callback, delay = 0, ...args) {
    return schedule(callback, delay, args, false);
  }
  function setInterval(callback, delay = 0, ...args) {
    return schedule(callback, delay, args, true);
  }
  function clearTimeout(id = undefined) {
    clear(id);
  }
  function clearInterval(id = undefined) {
    clear(id);
  }

  /** Starts a one-shot host timer that calls `onFire` (no id, not cancellable by clearTimeout). */
  internal.hostTimer = (ms, onFire) => {
    const handle = internal.native().timer(normalizeDelay(ms));
    internal.pending.set(handle, () => {
      try {
        onFire();
      } catch (error) {
        internal.reportError(error);
      }
    });
    return handle;
  };
  /** Cancels a pending host operation (timer or fetch) so its completion is never delivered. */
  internal.cancelHandle = (handle) => {
    if (internal.pending.delete(handle)) internal.native().cancel(handle);
  };

  internal.defineGlobal("setTimeout", setTimeout);
  internal.defineGlobal("setInterval", setInterval);
  internal.defineGlobal("clearTimeout", clearTimeout);
  internal.defineGlobal("clearInterval", clearInterval);

  if (typeof globalThis.queueMicrotask !== "function") {
    internal.defineGlobal("queueMicrotask", (callback) => {
      if (typeof callback !== "function") {
        throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
      }
      Promise.resolve().then(() => {
        try {
          callback();
        } catch (error) {
          internal.reportError(error);
        }
      });
    });
  }
})();
