// tntc JS prelude: URL and URLSearchParams (live-linked through URL.searchParams), on 41-url-parser.js.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const { S, basicParse, serialize, serializePath, origin, hasOpaquePath, cannotHaveCredentialsOrPort, userinfoSet } =
    internal.urlParser;
  const { percentEncodeString, percentDecodeString, formSet } = internal.urlEncoding;

  const toUSVString = (value) => {
    const string = String(value);
    if (typeof string.toWellFormed === "function") return string.toWellFormed();
    return string.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
  };

  function parseForm(input) {
    const list = [];
    for (const sequence of String(input).split("&")) {
      if (sequence === "") continue;
      const eq = sequence.indexOf("=");
      const name = eq === -1 ? sequence : sequence.slice(0, eq);
      const value = eq === -1 ? "" : sequence.slice(eq + 1);
      list.push([
        internal.utf8Decode(percentDecodeString(name.replace(/\+/g, " "))),
        internal.utf8Decode(percentDecodeString(value.replace(/\+/g, " "))),
      ]);
    }
    return list;
  }
  const serializeForm = (list) =>
    list.map(([name, value]) => `${percentEncodeString(name, formSet, true)}=${percentEncodeString(value, formSet, true)}`)
      .join("&");
  internal.serializeForm = serializeForm;

  /** Removes trailing spaces from an opaque path once query and fragment are gone (V8 does this too). */
  function stripTrailingSpacesFromOpaquePath(url) {
    if (!hasOpaquePath(url) || url.fragment !== null || url.query !== null) return;
    url.path = url.path.replace(/ +$/, "");
  }

  const paramsState = new WeakMap();
  const fromUrl = Symbol("tntc.url-search-params");

  class URLSearchParams {
    constructor(init = undefined, link = undefined) {
      const state = { list: [], url: null };
      paramsState.set(this, state);
      if (link === fromUrl) return;
      if (init === undefined || init === null) {
        if (init === null) state.list = parseForm("null");
        return;
      }
      if (typeof init === "object" || typeof init === "function") {
        if (typeof init[Symbol.iterator] === "function") {
          for (const pair of init) {
            if (pair === null || (typeof pair !== "object" && typeof pair !== "function") ||
              typeof pair[Symbol.iterator] !== "function") {
              throw new TypeError("Each query pair must be an iterable [name, value] tuple");
            }
            const items = Array.from(pair);
            if (items.length !== 2) {
              throw new TypeError("Each query pair must be an iterable [name, value] tuple");
            }
            state.list.push([toUSVString(items[0]), toUSVString(items[1])]);
          }
        } else {
          for (const key of Reflect.ownKeys(init)) {
            if (typeof key !== "string") continue;
            const desc = Object.getOwnPropertyDescriptor(init, key);
            if (desc === undefined || !desc.enumerable) continue;
            state.list.push([toUSVString(key), toUSVString(init[key])]);
          }
        }
        return;
      }
      let string = toUSVString(init);
      if (string.startsWith("?")) string = string.slice(1);
      state.list = parseForm(string);
    }
    get size() { return stateOf(this).list.length; }
    append(name, value) {
      requireArgs("append", arguments.length, 2);
      const state = stateOf(this);
      state.list.push([toUSVString(name), toUSVString(value)]);
      update(state);
    }
    delete(name, value = undefined) {
      requireArgs("delete", arguments.length, 1);
      const state = stateOf(this);
      const key = toUSVString(name);
      const match = value === undefined ? null : toUSVString(value);
      state.list = state.list.filter(([n, v]) => !(n === key && (match === null || v === match)));
      update(state);
    }
    get(name) {
      requireArgs("get", arguments.length, 1);
      const key = toUSVString(name);
      const found = stateOf(this).list.find(([n]) => n === key);
      return found === undefined ? null : found[1];
    }
    getAll(name) {
      requireArgs("getAll", arguments.length, 1);
      const key = toUSVString(name);
      return stateOf(this).list.filter(([n]) => n === key).map(([, v]) => v);
    }
    has(name, value = undefined) {
      requireArgs("has", arguments.length, 1);
      const key = toUSVString(name);
      const match = value === undefined ? null : toUSVString(value);
      return stateOf(this).list.some(([n, v]) => n === key && (match === null || v === match));
    }
    set(name, value) {
      requireArgs("set", arguments.length, 2);
      const state = stateOf(this);
      const key = toUSVString(name);
      const val = toUSVString(value);
      const index = state.list.findIndex(([n]) => n === key);
      if (index === -1) {
        state.list.push([key, val]);
      } else {
        state.list[index][1] = val;
        state.list = state.list.filter(([n], i) => i <= index || n !== key);
      }
      update(state);
    }
    sort() {
      const state = stateOf(this);
      // Stable sort by UTF-16 code units of the name (Array.prototype.sort is stable).
      state.list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      update(state);
    }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== "function") {
        throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': The callback provided as parameter 1 is not a function.");
      }
      const state = stateOf(this);
      for (let i = 0; i < state.list.length; i++) {
        const [name, value] = state.list[i];
        callback.call(thisArg, value, name, this);
      }
    }
    *entries() {
      const state = stateOf(this);
      for (let i = 0; i < state.list.length; i++) yield [state.list[i][0], state.list[i][1]];
    }
    *keys() {
      const state = stateOf(this);
      for (let i = 0; i < state.list.length; i++) yield state.list[i][0];
    }
    *values() {
      const state = stateOf(this);
      for (let i = 0; i < state.list.length; i++) yield state.list[i][1];
    }
    toString() {
      return serializeForm(stateOf(this).list);
    }
    [internal.inspectSymbol]() {
      const entries = stateOf(this).list.map(([n, v]) => `${internal.inspectNested(n)} => ${internal.inspectNested(v)}`);
      return { text: entries.length ? `URLSearchParams { ${entries.join(", ")} }` : "URLSearchParams {}" };
    }
  }
  URLSearchParams.prototype[Symbol.iterator] = URLSearchParams.prototype.entries;
  internal.setToStringTag(URLSearchParams, "URLSearchParams");

  function stateOf(params) {
    const state = paramsState.get(params);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state;
  }
  function requireArgs(method, got, needed) {
    if (got < needed) {
      throw new TypeError(
        `Failed to execute '${method}' on 'URLSearchParams': ${needed} argument${needed > 1 ? "s" : ""} required, but only ${got} present.`,
      );
    }
  }
  function update(state) {
    if (state.url === null) return;
    const record = urlState.get(state.url).record;
    const query = serializeForm(state.list);
    record.query = query === "" ? null : query;
    if (record.query === null) stripTrailingSpacesFromOpaquePath(record);
  }
  internal.searchParamsList = (params) => stateOf(params).list;
  internal.isURLSearchParams = (value) => paramsState.has(value);

  // ---------------------------------------------------------------------------------------------------------
  const urlState = new WeakMap();

  function parseOrThrow(url, base, hasBase) {
    let baseRecord = null;
    if (hasBase) {
      baseRecord = basicParse(String(base));
      if (baseRecord === null) throw new TypeError(`Invalid URL: '${String(url)}' with base '${String(base)}'`);
    }
    const record = basicParse(String(url), baseRecord);
    if (record === null) {
      throw new TypeError(hasBase ? `Invalid URL: '${String(url)}' with base '${String(base)}'` : `Invalid URL: '${String(url)}'`);
    }
    return record;
  }

  class URL {
    constructor(url, base = undefined) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'URL': 1 argument required, but only 0 present.");
      }
      const record = parseOrThrow(toUSVString(url), base === undefined ? undefined : toUSVString(base), base !== undefined);
      const params = new URLSearchParams(undefined, fromUrl);
      const ps = paramsState.get(params);
      ps.url = this;
      ps.list = record.query === null ? [] : parseForm(record.query);
      urlState.set(this, { record, params });
    }
    static canParse(url, base = undefined) {
      try {
        parseOrThrow(toUSVString(url), base === undefined ? undefined : toUSVString(base), base !== undefined);
        return true;
      } catch {
        return false;
      }
    }
    static parse(url, base = undefined) {
      try {
        return new URL(url, base);
      } catch {
        return null;
      }
    }
    get href() { return serialize(recordOf(this)); }
    set href(value) {
      const record = basicParse(toUSVString(value));
      if (record === null) throw new TypeError(`Invalid URL: '${String(value)}'`);
      const state = urlState.get(this);
      state.record = record;
      paramsState.get(state.params).list = record.query === null ? [] : parseForm(record.query);
    }
    get origin() { return origin(recordOf(this)); }
    get protocol() { return recordOf(this).scheme + ":"; }
    set protocol(value) {
      basicParse(toUSVString(value) + ":", null, recordOf(this), S.SCHEME_START);
    }
    get username() { return recordOf(this).username; }
    set username(value) {
      const record = recordOf(this);
      if (cannotHaveCredentialsOrPort(record)) return;
      record.username = percentEncodeString(toUSVString(value), userinfoSet);
    }
    get password() { return recordOf(this).password; }
    set password(value) {
      const record = recordOf(this);
      if (cannotHaveCredentialsOrPort(record)) return;
      record.password = percentEncodeString(toUSVString(value), userinfoSet);
    }
    get host() {
      const record = recordOf(this);
      if (record.host === null) return "";
      return record.port === null ? record.host : `${record.host}:${record.port}`;
    }
    set host(value) {
      const record = recordOf(this);
      if (hasOpaquePath(record)) return;
      applyOverride(record, toUSVString(value), S.HOST);
    }
    get hostname() { return recordOf(this).host ?? ""; }
    set hostname(value) {
      const record = recordOf(this);
      if (hasOpaquePath(record)) return;
      applyOverride(record, toUSVString(value), S.HOSTNAME);
    }
    get port() {
      const port = recordOf(this).port;
      return port === null ? "" : String(port);
    }
    set port(value) {
      const record = recordOf(this);
      if (cannotHaveCredentialsOrPort(record)) return;
      const string = toUSVString(value);
      if (string === "") record.port = null;
      else applyOverride(record, string, S.PORT);
    }
    get pathname() { return serializePath(recordOf(this)); }
    set pathname(value) {
      const record = recordOf(this);
      if (hasOpaquePath(record)) return;
      const copy = { ...record, path: [] };
      if (basicParse(toUSVString(value), null, copy, S.PATH_START) !== null) record.path = copy.path;
    }
    get search() {
      const query = recordOf(this).query;
      return query === null || query === "" ? "" : "?" + query;
    }
    set search(value) {
      const state = urlState.get(this);
      const record = state.record;
      const string = toUSVString(value);
      if (string === "") {
        record.query = null;
        paramsState.get(state.params).list = [];
        stripTrailingSpacesFromOpaquePath(record);
        return;
      }
      const input = string.startsWith("?") ? string.slice(1) : string;
      record.query = "";
      basicParse(input, null, record, S.QUERY);
      paramsState.get(state.params).list = parseForm(input);
    }
    get searchParams() { return urlState.get(this).params; }
    get hash() {
      const fragment = recordOf(this).fragment;
      return fragment === null || fragment === "" ? "" : "#" + fragment;
    }
    set hash(value) {
      const record = recordOf(this);
      const string = toUSVString(value);
      if (string === "") {
        record.fragment = null;
        stripTrailingSpacesFromOpaquePath(record);
        return;
      }
      record.fragment = "";
      basicParse(string.startsWith("#") ? string.slice(1) : string, null, record, S.FRAGMENT);
    }
    toString() { return this.href; }
    toJSON() { return this.href; }
    [internal.inspectSymbol]() {
      return {
        name: "URL",
        value: {
          href: this.href, origin: this.origin, protocol: this.protocol, username: this.username,
          password: this.password, host: this.host, hostname: this.hostname, port: this.port,
          pathname: this.pathname, hash: this.hash, search: this.search,
        },
      };
    }
  }
  internal.setToStringTag(URL, "URL");

  /** Runs a setter's state-override parse on a copy, keeping the URL unchanged when it fails. */
  function applyOverride(record, value, state) {
    const copy = { ...record, path: Array.isArray(record.path) ? record.path.slice() : record.path };
    if (basicParse(value, null, copy, state) !== null) Object.assign(record, copy);
  }

  function recordOf(url) {
    const state = urlState.get(url);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state.record;
  }
  internal.parseURL = (input, base = undefined) => {
    const record = basicParse(String(input), base === undefined ? null : basicParse(String(base)));
    return record === null ? null : serialize(record);
  };

  internal.defineGlobal("URL", URL);
  internal.defineGlobal("URLSearchParams", URLSearchParams);
})();
