// tntc JS prelude: Headers (Fetch standard): case-insensitive, values normalized, iteration sorted by name with
// combined values (`, `) except set-cookie, guards for immutable response headers.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;

  const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const invalidValue = /[\0\r\n]/;
  const trimWhitespace = (value) => value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");

  function byteString(value) {
    const string = String(value);
    if (/[^\x00-\xff]/.test(string)) throw new TypeError("Failed to construct 'Headers': Argument 1 is not a valid ByteString");
    return string;
  }
  function checkName(name) {
    const string = byteString(name);
    if (!tokenPattern.test(string)) throw new TypeError(`Invalid header name: "${string}"`);
    return string;
  }
  function normalizeValue(value) {
    const string = trimWhitespace(byteString(value));
    if (invalidValue.test(string)) throw new TypeError(`Invalid header value: "${string}"`);
    return string;
  }

  const headersState = new WeakMap();

  class Headers {
    constructor(init = undefined) {
      const state = { list: [], guard: "none" };
      headersState.set(this, state);
      if (init === undefined || init === null) {
        if (init === null) throw initError();
        return;
      }
      if (typeof init !== "object" && typeof init !== "function") throw initError();
      fill(state, init);
    }
    append(name, value) {
      requireArgs("append", arguments.length, 2);
      const state = stateOf(this);
      const key = checkName(name);
      const normalized = normalizeValue(value);
      checkGuard(state);
      state.list.push([key.toLowerCase(), normalized]);
    }
    delete(name) {
      requireArgs("delete", arguments.length, 1);
      const state = stateOf(this);
      const key = checkName(name).toLowerCase();
      checkGuard(state);
      state.list = state.list.filter(([n]) => n !== key);
    }
    get(name) {
      requireArgs("get", arguments.length, 1);
      const key = checkName(name).toLowerCase();
      const values = stateOf(this).list.filter(([n]) => n === key).map(([, v]) => v);
      return values.length === 0 ? null : values.join(", ");
    }
    getSetCookie() {
      return stateOf(this).list.filter(([n]) => n === "set-cookie").map(([, v]) => v);
    }
    has(name) {
      requireArgs("has", arguments.length, 1);
      const key = checkName(name).toLowerCase();
      return stateOf(this).list.some(([n]) => n === key);
    }
    set(name, value) {
      requireArgs("set", arguments.length, 2);
      const state = stateOf(this);
      const key = checkName(name).toLowerCase();
      const normalized = normalizeValue(value);
      checkGuard(state);
      const index = state.list.findIndex(([n]) => n === key);
      if (index === -1) {
        state.list.push([key, normalized]);
      } else {
        state.list[index] = [key, normalized];
        state.list = state.list.filter(([n], i) => i <= index || n !== key);
      }
    }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") {
        throw new TypeError("Failed to execute 'forEach' on 'Headers': The callback provided as parameter 1 is not a function.");
      }
      for (const [name, value] of sortedAndCombined(stateOf(this).list)) callback.call(thisArg, value, name, this);
    }
    *entries() {
      // The sorted view is taken once per iteration, like browsers' iterator over "sort and combine".
      yield* sortedAndCombined(stateOf(this).list);
    }
    *keys() {
      for (const [name] of sortedAndCombined(stateOf(this).list)) yield name;
    }
    *values() {
      for (const [, value] of sortedAndCombined(stateOf(this).list)) yield value;
    }
    [internal.inspectSymbol]() {
      const value = {};
      for (const [name, v] of sortedAndCombined(stateOf(this).list)) value[name] = v;
      return { name: "Headers", value };
    }
  }
  Headers.prototype[Symbol.iterator] = Headers.prototype.entries;
  internal.setToStringTag(Headers, "Headers");

  function initError() {
    return new TypeError("Failed to construct 'Headers': Argument 1 The provided value is not of type '(sequence<sequence<ByteString>> or record<ByteString, ByteString>)'");
  }
  function requireArgs(method, got, needed) {
    if (got < needed) {
      throw new TypeError(
        `Failed to execute '${method}' on 'Headers': ${needed} argument${needed > 1 ? "s" : ""} required, but only ${got} present.`,
      );
    }
  }
  function stateOf(headers) {
    const state = headersState.get(headers);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state;
  }
  function checkGuard(state) {
    if (state.guard === "immutable") throw new TypeError("Cannot change headers: headers are immutable");
  }

  function fill(state, init) {
    if (headersState.has(init)) {
      for (const [name, value] of headersState.get(init).list) state.list.push([name, value]);
      return;
    }
    if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        if (pair === null || typeof pair !== "object" || typeof pair[Symbol.iterator] !== "function") {
          throw initError();
        }
        const items = Array.from(pair);
        if (items.length !== 2) throw new TypeError(`Invalid header: length must be 2, but is ${items.length}`);
        state.list.push([checkName(items[0]).toLowerCase(), normalizeValue(items[1])]);
      }
      return;
    }
    for (const key of Reflect.ownKeys(init)) {
      if (typeof key !== "string") continue;
      const desc = Object.getOwnPropertyDescriptor(init, key);
      if (desc === undefined || !desc.enumerable) continue;
      state.list.push([checkName(key).toLowerCase(), normalizeValue(init[key])]);
    }
  }

  function sortedAndCombined(list) {
    const names = [...new Set(list.map(([n]) => n))].sort();
    const out = [];
    for (const name of names) {
      const values = list.filter(([n]) => n === name).map(([, v]) => v);
      if (name === "set-cookie") {
        for (const value of values) out.push([name, value]);
      } else {
        out.push([name, values.join(", ")]);
      }
    }
    return out;
  }

  internal.headers = {
    /** The header list as [lower-case name, value] pairs in insertion order (what goes on the wire). */
    list: (headers) => stateOf(headers).list,
    /** Builds Headers from raw pairs (a host response), skipping pairs that are not valid headers. */
    fromPairs(pairs, guard) {
      const headers = new Headers();
      const state = stateOf(headers);
      for (const pair of Array.isArray(pairs) ? pairs : []) {
        if (!Array.isArray(pair) || pair.length !== 2) continue;
        try {
          state.list.push([checkName(pair[0]).toLowerCase(), normalizeValue(pair[1])]);
        } catch {
          // A header the host could pass but the Fetch standard rejects is dropped, like browsers do.
        }
      }
      state.guard = guard;
      return headers;
    },
    setGuard(headers, guard) {
      stateOf(headers).guard = guard;
    },
    guardOf: (headers) => stateOf(headers).guard,
    /** Appends without the guard check (request/response construction). */
    appendUnguarded(headers, name, value) {
      stateOf(headers).list.push([String(name).toLowerCase(), String(value)]);
    },
    checkName,
    byteString,
  };

  internal.defineGlobal("Headers", Headers);
})();
