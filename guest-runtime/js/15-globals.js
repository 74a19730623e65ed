// tntc JS prelude: small globals Deno and browsers have: `self`, `navigator`, `performance` (time since the
// node run started, from the WASI clock).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;

  if (globalThis.self === undefined) internal.defineGlobal("self", globalThis);

  if (globalThis.navigator === undefined) {
    class Navigator {
      get userAgent() { return "tntc"; }
      get language() { return "en-US"; }
      get languages() { return ["en-US"]; }
      get hardwareConcurrency() { return 1; }
    }
    internal.setToStringTag(Navigator, "Navigator");
    internal.defineGlobal("navigator", new Navigator());
  }

  // The snapshot is taken at build time: the origin is reset when a run starts (runtime.js).
  let origin = Date.now();
  internal.resetTimeOrigin = () => {
    origin = Date.now();
  };
  const native = globalThis.performance;
  if (native === undefined || typeof native.now !== "function") {
    class Performance extends EventTarget {
      get timeOrigin() { return origin; }
      now() { return Date.now() - origin; }
      toJSON() { return { timeOrigin: origin }; }
    }
    internal.setToStringTag(Performance, "Performance");
    internal.defineGlobal("performance", new Performance());
  } else if (native.timeOrigin === undefined) {
    Object.defineProperty(native, "timeOrigin", { get: () => origin, configurable: true });
  }
})();
