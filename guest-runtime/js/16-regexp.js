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
  const flagsOf = Object.getOwnPropertyDescriptor(NativeRegExp.prototype, "flags").get;
  const regExpPrototype = NativeRegExp.prototype;
  const getPrototypeOf = Object.getPrototypeOf;
  const isArray = Array.isArray;
  if (
    typeof nativeSplit !== "function" || nativeSpecies === undefined || typeof sourceOf !== "function" ||
    typeof flagsOf !== "function"
  ) return;

  /** Splitters not in use, by `source` + "/" + flags. */
  const idle = new Map();
  /** Splitters handed out to the splits in progress: [key, splitter]. */
  const inUse = [];
  /** Set by `split` for the one species lookup of the native split it calls. */
  let pending = false;

  function reuseSplitter(pattern, flags) {
    if (pendingSeeds.length > 0) fileSeeds();
    const key = `${sourceOf.call(pattern)}/${flags}`;
    let splitter = idle.get(key);
    if (splitter === undefined) splitter = new NativeRegExp(pattern, flags);
    else idle.delete(key);
    // As new: the native split relies on it for an empty string.
    splitter.lastIndex = 0;
    inUse.push([key, splitter]);
    return splitter;
  }

  // Seeds: the compiler starts each node's bundle with `globalThis.__tntc_regexp_seeds?.([...])`, listing a sticky
  // twin (`/pattern/flags` plus `y`) of every regex literal in the node (compiler/src/bundle/seeds.rs). A literal is
  // compiled when the node is built, so a split whose splitter is such a twin compiles nothing at run time. Seeds
  // are filed at the first split (a node that never splits pays for nothing more), each only when it is a plain
  // RegExp and under its own source and flags: whatever calls this can only provide the splitter the specification
  // would have constructed for that key.
  let pendingSeeds = [];
  function seedSplitters(seeds) {
    if (isArray(seeds)) pendingSeeds[pendingSeeds.length] = seeds;
  }
  function fileSeeds() {
    const lists = pendingSeeds;
    pendingSeeds = [];
    // Index loops: user code may have replaced the array iterator by the time of the first split.
    for (let i = 0; i < lists.length; i++) {
      const seeds = lists[i];
      for (let j = 0; j < seeds.length; j++) {
        const seed = seeds[j];
        try {
          if (getPrototypeOf(seed) !== regExpPrototype) continue;
          const key = `${sourceOf.call(seed)}/${flagsOf.call(seed)}`;
          if (!idle.has(key)) idle.set(key, seed);
        } catch {
          // Not a RegExp after all: ignored.
        }
      }
    }
  }
  Object.defineProperty(globalThis, "__tntc_regexp_seeds", {
    value: seedSplitters,
    enumerable: false,
    writable: false,
    configurable: false,
  });

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
