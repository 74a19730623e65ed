// tntc JS prelude: AbortController and AbortSignal (abort, timeout through a host timer, any).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const DOMExceptionClass = globalThis.DOMException;
  const EventClass = globalThis.Event;
  const illegal = Symbol("tntc.illegal-constructor");

  const state = new WeakMap();

  function signalState(signal) {
    const s = state.get(signal);
    if (s === undefined) throw new TypeError("Illegal invocation");
    return s;
  }

  class AbortSignal extends EventTarget {
    constructor(key = undefined) {
      if (key !== illegal) throw new TypeError("Illegal constructor");
      super();
      state.set(this, {
        aborted: false,
        reason: undefined,
        algorithms: new Set(),
        timerHandle: null,
        dependents: new Set(),
        sources: new Set(),
        composite: false,
      });
    }
    get aborted() { return signalState(this).aborted; }
    get reason() { return signalState(this).reason; }
    throwIfAborted() {
      const s = signalState(this);
      if (s.aborted) throw s.reason;
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(illegal);
      const s = state.get(signal);
      s.aborted = true;
      s.reason = reason === undefined ? new DOMExceptionClass("The signal has been aborted", "AbortError") : reason;
      return signal;
    }
    static timeout(milliseconds) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': 1 argument required, but only 0 present.");
      }
      const ms = Number(milliseconds);
      if (!Number.isFinite(ms) || ms < 0 || ms > Number.MAX_SAFE_INTEGER) {
        throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
      }
      const signal = new AbortSignal(illegal);
      const s = state.get(signal);
      s.timerHandle = internal.hostTimer(Math.min(ms, 2147483647), () => {
        s.timerHandle = null;
        signalAbort(signal, new DOMExceptionClass("The operation was aborted due to timeout", "TimeoutError"));
      });
      return signal;
    }
    static any(signals) {
      const list = Array.from(signals);
      for (const source of list) {
        if (!(source instanceof AbortSignal)) {
          throw new TypeError("Failed to execute 'any' on 'AbortSignal': Expected AbortSignal.");
        }
      }
      const result = new AbortSignal(illegal);
      const rs = state.get(result);
      for (const source of list) {
        if (source.aborted) {
          rs.aborted = true;
          rs.reason = source.reason;
          return result;
        }
      }
      rs.composite = true;
      for (const source of list) {
        const ss = state.get(source);
        const roots = ss.composite ? ss.sources : [source];
        for (const root of roots) {
          rs.sources.add(root);
          state.get(root).dependents.add(result);
        }
      }
      return result;
    }
    [internal.inspectSymbol]() {
      const s = signalState(this);
      return { name: "AbortSignal", value: { aborted: s.aborted, reason: s.reason, onabort: this.onabort } };
    }
  }
  internal.defineEventHandler(AbortSignal, "abort");
  internal.setToStringTag(AbortSignal, "AbortSignal");

  /** The "signal abort" algorithm: set the reason, run internal algorithms, fire `abort`, then dependents. */
  function signalAbort(signal, reason) {
    const s = state.get(signal);
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? new DOMExceptionClass("The signal has been aborted", "AbortError") : reason;
    if (s.timerHandle !== null) {
      internal.cancelHandle(s.timerHandle);
      s.timerHandle = null;
    }
    const dependents = [];
    for (const dependent of s.dependents) {
      const ds = state.get(dependent);
      if (!ds.aborted) {
        ds.aborted = true;
        ds.reason = s.reason;
        dependents.push(dependent);
      }
    }
    runAbortSteps(signal);
    for (const dependent of dependents) runAbortSteps(dependent);
  }

  function runAbortSteps(signal) {
    const s = state.get(signal);
    for (const algorithm of s.algorithms) {
      try {
        algorithm(s.reason);
      } catch (error) {
        internal.reportError(error);
      }
    }
    s.algorithms.clear();
    signal.dispatchEvent(new EventClass("abort"));
  }

  /**
   * Registers an internal reaction to abort (fetch cancelling its host request). Returns a function that
   * removes it. Runs before `abort` listeners, like the spec's abort algorithms.
   */
  internal.onAbort = (signal, algorithm) => {
    const s = state.get(signal);
    if (s === undefined) return () => {};
    s.algorithms.add(algorithm);
    return () => s.algorithms.delete(algorithm);
  };
  internal.isAbortSignal = (value) => state.has(value);

  const controllerSignal = new WeakMap();
  class AbortController {
    constructor() {
      controllerSignal.set(this, new AbortSignal(illegal));
    }
    get signal() {
      const signal = controllerSignal.get(this);
      if (signal === undefined) throw new TypeError("Illegal invocation");
      return signal;
    }
    abort(reason = undefined) {
      signalAbort(this.signal, reason);
    }
    [internal.inspectSymbol]() {
      return { name: "AbortController", value: { signal: this.signal } };
    }
  }
  internal.setToStringTag(AbortController, "AbortController");

  internal.defineGlobal("AbortSignal", AbortSignal);
  internal.defineGlobal("AbortController", AbortController);
})();
