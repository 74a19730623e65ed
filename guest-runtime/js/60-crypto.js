// tntc JS prelude: crypto.getRandomValues / crypto.randomUUID (host randomness through
// `__tntc_native.randomFill`, never the snapshotted PRNG) and structuredClone (V8 serializer semantics).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const DOMExceptionClass = globalThis.DOMException;
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const integerArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    BigInt64Array, BigUint64Array];

  function getRandomValues(array) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.");
    }
    if (!integerArrays.some((klass) => array instanceof klass)) {
      throw new DOMExceptionClass("The provided value is not an integer-type TypedArray", "TypeMismatchError");
    }
    if (array.byteLength > 65536) {
      throw new DOMExceptionClass(
        `The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`,
        "QuotaExceededError",
      );
    }
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    internal.native().randomFill(bytes);
    return array;
  }

  function randomUUID() {
    const bytes = new Uint8Array(16);
    internal.native().randomFill(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  class Crypto {
    constructor(key = undefined) {
      if (key !== internal) throw new TypeError("Illegal constructor");
    }
    getRandomValues(...args) {
      return getRandomValues(...args);
    }
    randomUUID() {
      return randomUUID();
    }
  }
  internal.setToStringTag(Crypto, "Crypto");
  const crypto = new Crypto(internal);
  internal.crypto = crypto;

  // ---------------------------------------------------------------------------------------------------------
  // structuredClone

  function notCloneable(value) {
    let description;
    if (typeof value === "function") description = Function.prototype.toString.call(value);
    else if (typeof value === "symbol") description = String(value);
    else description = `#<${value?.constructor?.name ?? "Object"}>`;
    return new DOMExceptionClass(`${description} could not be cloned.`, "DataCloneError");
  }

  const errorConstructors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

  function clone(value, memory) {
    if (typeof value === "symbol" || typeof value === "function") throw notCloneable(value);
    if (value === null || typeof value !== "object") return value;
    if (memory.has(value)) return memory.get(value);

    let copy;
    if (value instanceof Boolean) copy = new Boolean(value.valueOf());
    else if (value instanceof Number) copy = new Number(value.valueOf());
    else if (value instanceof String) copy = new String(value.valueOf());
    else if (typeof BigInt === "function" && Object.prototype.toString.call(value) === "[object BigInt]") {
      copy = Object(value.valueOf());
    } else if (value instanceof Date) copy = new Date(value.getTime());
    else if (value instanceof RegExp) copy = new RegExp(value.source, value.flags);
    else if (value instanceof ArrayBuffer) copy = value.slice(0);
    else if (value instanceof DataView) {
      const buffer = clone(value.buffer, memory);
      copy = new DataView(buffer, value.byteOffset, value.byteLength);
    } else if (value instanceof TypedArray) {
      const buffer = clone(value.buffer, memory);
      copy = new value.constructor(buffer, value.byteOffset, value.length);
    } else if (value instanceof Map) {
      copy = new Map();
      memory.set(value, copy);
      for (const [k, v] of value) copy.set(clone(k, memory), clone(v, memory));
      return copy;
    } else if (value instanceof Set) {
      copy = new Set();
      memory.set(value, copy);
      for (const v of value) copy.add(clone(v, memory));
      return copy;
    } else if (value instanceof Error) {
      const name = String(value.name);
      const Ctor = Object.prototype.hasOwnProperty.call(errorConstructors, name) ? errorConstructors[name] : Error;
      copy = Object.create(Ctor.prototype);
      memory.set(value, copy);
      const message = Object.getOwnPropertyDescriptor(value, "message");
      if (message !== undefined) {
        Object.defineProperty(copy, "message", { value: String(value.message), writable: true, configurable: true });
      }
      if ("stack" in value) {
        Object.defineProperty(copy, "stack", { value: value.stack, writable: true, configurable: true });
      }
      if (Object.prototype.hasOwnProperty.call(value, "cause")) {
        Object.defineProperty(copy, "cause", { value: clone(value.cause, memory), writable: true, configurable: true });
      }
      return copy;
    } else if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise ||
      (typeof WeakRef === "function" && value instanceof WeakRef)) {
      throw notCloneable(value);
    } else if (internal.isBlob && internal.isBlob(value)) {
      copy = value.slice(0, value.size, value.type);
      memory.set(value, copy);
      return copy;
    } else if (Array.isArray(value)) {
      copy = new Array(value.length);
    } else {
      copy = {};
    }
    memory.set(value, copy);
    // Wrappers, dates, regexps and buffers carry only their value; objects and arrays their own enumerable keys.
    if (!Array.isArray(value) && Object.getPrototypeOf(copy) !== Object.prototype) return copy;
    for (const key of Object.keys(value)) copy[key] = clone(value[key], memory);
    return copy;
  }

  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) {
      throw internal.missingArgs("Failed to execute 'structuredClone': 1 argument required, but only 0 present");
    }
    if (options?.transfer !== undefined && Array.from(options.transfer).length > 0) {
      throw new DOMExceptionClass("Transferring objects is not supported", "DataCloneError");
    }
    return clone(value, new Map());
  }

  internal.defineGlobal("crypto", crypto);
  internal.defineGlobal("Crypto", Crypto);
  internal.defineGlobal("structuredClone", structuredClone);
})();
