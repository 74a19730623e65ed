// tntc JS prelude: `RegExp.prototype[Symbol.split]` without recompiling the pattern on every call.
//
// The specification has `split` construct a new "splitter" regex from the pattern (plus the sticky flag) each time,
// and QuickJS compiles that regex from scratch: for a pattern with Unicode property classes (`/[^\p{L}\p{N}]+/u`)
// that is tens of microseconds per call, more than the rest of a small node's run. Here the native `split` still
// does all the work, but when it asks `RegExp[Symbol.species]` for the constructor of its splitter (the one
// observable step where it would compile), it gets one that hands out a splitter compiled earlier for the same
// pattern and flags. Everything the native algorithm reads and calls stays the same: a subclass, or a regex with
// its own `constructor`, gets its own species as before; a splitter is used by one split at a time.
"use strict";

(() => {
  const NativeRegExp = RegExp;
  const nativeSplit = NativeRegExp.prototype[Symbol.split];
  const nativeSpecies = Object.getOwnPropertyDescriptor(NativeRegExp, Symbol.species);
  const sourceOf = Object.getOwnPropertyDescriptor(NativeRegExp.prototype, "source").get;
  if (typeof nativeSplit !== "function" || nativeSpecies === undefined || typeof sourceOf !== "function") return;

  /** Splitters not in use, by `source` + "/" + flags. */
  const idle = new Map();
  /** Splitters handed out to the splits in progress: [key, splitter]. */
  const inUse = [];
  /** Set by `split` for the one species lookup of the native split it calls. */
  let pending = false;

  function reuseSplitter(pattern, flags) {
    const key = `${sourceOf.call(pattern)}/${flags}`;
    let splitter = idle.get(key);
    if (splitter === undefined) splitter = new NativeRegExp(pattern, flags);
    else idle.delete(key);
    // As new: the native split relies on it for an empty string.
    splitter.lastIndex = 0;
    inUse.push([key, splitter]);
    return splitter;
  }

  const methods = {
    get [Symbol.species]() {
      if (pending && this === NativeRegExp) {
        pending = false;
        return reuseSplitter;
      }
      return this;
    },
    [Symbol.split](string, limit) {
      if (this === null || (typeof this !== "object" && typeof this !== "function")) {
        return nativeSplit.call(this, string, limit);
      }
      // The native split converts `string` first too; doing it here keeps user code out of the window where
      // `pending` is set.
      const text = `${string}`;
      const mark = inUse.length;
      pending = true;
      try {
        return nativeSplit.call(this, text, limit);
      } finally {
        pending = false;
        while (inUse.length > mark) {
          const [key, splitter] = inUse.pop();
          idle.set(key, splitter);
        }
      }
    },
  };
  Object.defineProperty(NativeRegExp, Symbol.species, {
    get: Object.getOwnPropertyDescriptor(methods, Symbol.species).get,
    enumerable: nativeSpecies.enumerable,
    configurable: nativeSpecies.configurable,
  });
  Object.defineProperty(NativeRegExp.prototype, Symbol.split, {
    value: methods[Symbol.split],
    writable: true,
    enumerable: false,
    configurable: true,
  });
})();
