// tntc JS prelude: the `jsr:@db/postgres` driver. `tntc build` resolves `import { Client } from
// "jsr:@db/postgres@..."` to this module (`globalThis.__tntc_postgres`, which node code cannot name).
//
// A node has no sockets: every call is a host operation (`__tntc_native.pgConnect/pgQuery/pgEnd`, see
// wit/node.wit) completed through `__tntc_runtime.complete`. The host connects only to the postgresql
// dependencies the node may reach, with the contract's credentials; the options below only say which one.
// Parameters are encoded to text as the original driver encodes them (the server infers their types); result
// values arrive as JSON with each column's kind and are decoded here (see host/postgres/src/values.rs).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const parseJson = JSON.parse;
  const stringifyJson = JSON.stringify;

  /** A promise for a host operation: resolves with the parsed `meta`, rejects with the parsed failure. */
  function hostCall(handle) {
    return new Promise((resolve, reject) => {
      internal.pending.set(handle, (ok, meta) => {
        let value = null;
        if (meta !== "") {
          try {
            value = parseJson(meta);
          } catch {
            value = ok ? null : { message: String(meta) };
          }
        }
        if (ok) resolve(value);
        else reject(value ?? { message: "PostgreSQL call failed" });
      });
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Errors, named and shaped as the original driver's.
  class PostgresError extends Error {
    constructor(fields, query) {
      super(fields.message);
      this.name = "PostgresError";
      this.fields = fields;
      this.query = query;
    }
  }
  class ConnectionError extends Error {
    constructor(message) {
      super(message);
      this.name = "ConnectionError";
    }
  }
  class TransactionError extends Error {
    constructor(transactionName, cause) {
      super(
        `The transaction "${transactionName}" has been aborted due to \`${cause}\`. Check the "cause" property to get more details`,
        { cause },
      );
      this.name = "TransactionError";
    }
  }

  function failure(error, query) {
    if (error instanceof Error) return error;
    if (error && error.fields) return new PostgresError(error.fields, query);
    return new Error(String(error?.message ?? error));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Options: an object or a connection string. Only what names a dependency is sent; a password never is.
  function connectionOptions(options) {
    const request = {};
    let tls;
    if (typeof options === "string") {
      let url;
      try {
        url = new URL(options);
      } catch {
        throw new ConnectionError(`Invalid connection string: ${options}`);
      }
      if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
        throw new ConnectionError(`The connection string must start with postgres:// or postgresql://, got "${url.protocol}"`);
      }
      if (url.hostname) request.hostname = decodeURIComponent(url.hostname).replace(/^\[|\]$/g, "");
      if (url.port) request.port = Number(url.port);
      const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
      if (database) request.database = database;
      if (url.username) request.user = decodeURIComponent(url.username);
      const sslmode = url.searchParams.get("sslmode");
      if (sslmode === "require" || sslmode === "verify-full" || sslmode === "verify-ca") tls = { enforce: true };
    } else if (options !== undefined && options !== null) {
      if (typeof options !== "object") throw new TypeError("Client options must be an object or a connection string");
      if (options.hostname !== undefined && options.hostname !== null) request.hostname = String(options.hostname);
      if (options.port !== undefined && options.port !== null && options.port !== "") {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConnectionError(`Invalid port: ${options.port}`);
        request.port = port;
      }
      if (options.database !== undefined && options.database !== null) request.database = String(options.database);
      if (options.user !== undefined && options.user !== null) request.user = String(options.user);
      tls = options.tls;
    }
    if (tls && tls.enforce === true) request.tlsEnforce = true;
    return request;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Parameters: the original driver's text encoding.
  function hex(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }
  function encodeDate(date) {
    if (Number.isNaN(date.getTime())) throw new TypeError("Invalid Date cannot be sent to PostgreSQL");
    return date.toISOString();
  }
  function encodeArrayElement(value) {
    if (value === null || value === undefined) return "NULL";
    if (Array.isArray(value)) return encodeArray(value);
    let text;
    if (value instanceof Date) text = encodeDate(value);
    else if (value instanceof Uint8Array) text = "\\x" + hex(value);
    else if (typeof value === "object") text = stringifyJson(value);
    else text = String(value);
    return '"' + text.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }
  function encodeArray(array) {
    return "{" + array.map(encodeArrayElement).join(",") + "}";
  }
  function encodeArgument(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
    if (value instanceof Date) return encodeDate(value);
    if (value instanceof Uint8Array) return "\\x" + hex(value);
    if (value instanceof ArrayBuffer) return "\\x" + hex(new Uint8Array(value));
    if (Array.isArray(value)) return encodeArray(value);
    return stringifyJson(value);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Results.
  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const BASE64_INDEX = new Map([...BASE64].map((c, i) => [c, i]));
  function fromBase64(text) {
    const clean = text.replace(/=+$/, "");
    const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
    let bits = 0, value = 0, o = 0;
    for (const c of clean) {
      value = (value << 6) | BASE64_INDEX.get(c);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (value >> bits) & 0xff;
      }
    }
    return out;
  }
  function decodeScalar(kind, value) {
    switch (kind) {
      case "int8":
        return typeof value === "string" ? BigInt(value) : value;
      case "float":
        return typeof value === "string" ? Number(value) : value;
      case "timestamptz":
      case "timestamp":
      case "date":
        if (value === "infinity") return Infinity;
        if (value === "-infinity") return -Infinity;
        return new Date(Math.floor(value));
      case "bytea":
        return fromBase64(value);
      default:
        return value;
    }
  }
  function decodeValue(kind, array, value) {
    if (value === null) return null;
    if (array && Array.isArray(value)) return value.map((v) => decodeValue(kind, true, v));
    return decodeScalar(kind, value);
  }
  function decodeRows(result) {
    const decoders = result.columns.map((column) => {
      const array = column.kind.endsWith("[]");
      const kind = array ? column.kind.slice(0, -2) : column.kind;
      const plain = !array && (kind === "bool" || kind === "int" || kind === "numeric" || kind === "text" || kind === "json");
      return plain ? null : (value) => decodeValue(kind, array, value);
    });
    for (const row of result.rows) {
      for (let i = 0; i < row.length; i++) {
        const decode = decoders[i];
        if (decode !== null && row[i] !== null) row[i] = decode(row[i]);
      }
    }
    return result.rows;
  }
  function camel(name) {
    return name.replace(/_+([a-zA-Z0-9])/g, (_, c) => c.toUpperCase());
  }

  class QueryResult {
    constructor(query, result) {
      this.query = query;
      this.command = result.command;
      this.rowCount = result.rowCount;
      this.rowDescription = {
        columnCount: result.columns.length,
        columns: result.columns.map((c) => ({ name: c.name, typeOid: c.typeOid })),
      };
      this.warnings = [];
    }
  }
  class QueryArrayResult extends QueryResult {
    constructor(query, result) {
      super(query, result);
      this.rows = decodeRows(result);
    }
  }
  class QueryObjectResult extends QueryResult {
    constructor(query, result) {
      super(query, result);
      let names = result.columns.map((c) => c.name);
      if (query.fields) {
        if (query.fields.length !== names.length) {
          throw new RangeError(
            `The fields provided for the query don't match the ones returned as a result (${names.length} expected, ${query.fields.length} received)`,
          );
        }
        names = query.fields;
      } else if (query.camelCase) {
        names = names.map(camel);
      }
      if (new Set(names).size !== names.length) {
        throw new Error(`Field names must be unique, got ${names.join(", ")}; use AS aliases or the "fields" option`);
      }
      this.columns = names;
      this.rows = decodeRows(result).map((row) => {
        const object = {};
        for (let i = 0; i < names.length; i++) object[names[i]] = row[i];
        return object;
      });
    }
  }

  /** The query forms: (text, args?), ({text, args, fields, camelCase}), and tagged templates. */
  function normalizeQuery(first, rest) {
    if (Array.isArray(first) && Array.isArray(first.raw)) {
      let text = first[0];
      for (let i = 1; i < first.length; i++) text += "$" + i + first[i];
      return { text, args: rest };
    }
    let query;
    if (typeof first === "string") query = { text: first, args: rest[0] };
    else if (first !== null && typeof first === "object" && typeof first.text === "string") query = { ...first };
    else throw new TypeError("A query must be a string, a query object ({ text, args }) or a tagged template");
    let args = query.args ?? [];
    if (!Array.isArray(args)) {
      if (typeof args !== "object") throw new TypeError("Query arguments must be an array or an object of named arguments");
      // Named arguments: `$name` placeholders become positional ones.
      const named = new Map(Object.entries(args).map(([k, v]) => [k.toLowerCase(), v]));
      const order = [];
      query.text = query.text.replace(/\$([a-zA-Z_][a-zA-Z0-9_]*)/g, (match, name) => {
        const key = name.toLowerCase();
        if (!named.has(key)) throw new Error(`No value was provided for the query argument "${name}"`);
        let index = order.indexOf(key);
        if (index === -1) index = order.push(key) - 1;
        return "$" + (index + 1);
      });
      args = order.map((k) => named.get(k));
    }
    if (query.fields) {
      for (const field of query.fields) {
        if (typeof field !== "string" || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(field)) {
          throw new TypeError(`The fields provided for the query must be valid identifiers, got ${String(field)}`);
        }
      }
    }
    query.args = args;
    return query;
  }

  // ---------------------------------------------------------------------------------------------------------
  class QueryClient {
    #options;
    #session = null;
    #ended = false;
    #tls = false;
    #transaction = null;
    #connecting = null;

    constructor(options) {
      this.#options = connectionOptions(options);
    }

    get connected() {
      return this.#session !== null;
    }

    get session() {
      const client = this;
      return {
        get current_transaction() {
          return client.#transaction;
        },
        get tls() {
          return client.#tls;
        },
      };
    }

    async connect() {
      if (this.#session !== null) return;
      if (this.#connecting === null) {
        this.#connecting = (async () => {
          try {
            const meta = await hostCall(internal.native().pgConnect(stringifyJson(this.#options)));
            this.#session = meta.session;
            this.#tls = meta.tls === true;
            this.#ended = false;
          } catch (error) {
            if (error && error.fields) throw new PostgresError(error.fields);
            throw new ConnectionError(String(error?.message ?? error));
          } finally {
            this.#connecting = null;
          }
        })();
      }
      return this.#connecting;
    }

    async end() {
      const session = this.#session;
      this.#session = null;
      this.#transaction = null;
      this.#ended = true;
      if (session !== null) await hostCall(internal.native().pgEnd(session));
    }

    async #execute(query) {
      if (this.#session === null) {
        if (this.#ended) throw new Error("The client has been disconnected from the database; call connect() again");
        await this.connect();
      }
      const request = { session: this.#session, text: query.text, params: query.args.map(encodeArgument) };
      try {
        return await hostCall(internal.native().pgQuery(stringifyJson(request)));
      } catch (error) {
        throw failure(error, query);
      }
    }

    #assertUnlocked(transaction) {
      if (this.#transaction !== null && this.#transaction !== transaction) {
        throw new Error(
          `This connection is currently locked by the "${this.#transaction}" transaction`,
        );
      }
    }

    async queryArray(query, ...args) {
      this.#assertUnlocked(null);
      const normalized = normalizeQuery(query, args);
      return new QueryArrayResult(normalized, await this.#execute(normalized));
    }

    async queryObject(query, ...args) {
      this.#assertUnlocked(null);
      const normalized = normalizeQuery(query, args);
      return new QueryObjectResult(normalized, await this.#execute(normalized));
    }

    createTransaction(name, options = {}) {
      if (typeof name !== "string" || name === "") throw new TypeError("Transaction name must be a non-empty string");
      const client = this;
      const execute = (query) => client.#execute(query);
      const lock = (value) => {
        client.#transaction = value;
      };
      return new Transaction(name, options, { execute, lock, current: () => client.#transaction });
    }
  }

  const ISOLATION = { read_committed: "READ COMMITTED", repeatable_read: "REPEATABLE READ", serializable: "SERIALIZABLE" };

  class Transaction {
    #name;
    #options;
    #client;
    #open = false;

    constructor(name, options, client) {
      this.#name = name;
      this.#options = options ?? {};
      this.#client = client;
    }

    get name() {
      return this.#name;
    }

    get isolation_level() {
      return this.#options.isolation_level ?? "read_committed";
    }

    async #run(text) {
      return this.#client.execute({ text, args: [] });
    }

    async begin() {
      const current = this.#client.current();
      if (current !== null) {
        throw new Error(`This client already has an ongoing transaction "${current}"`);
      }
      const level = ISOLATION[this.isolation_level];
      if (level === undefined) throw new TypeError(`Unknown isolation level "${this.#options.isolation_level}"`);
      let text = `BEGIN ISOLATION LEVEL ${level}`;
      if (this.#options.read_only) text += " READ ONLY";
      await this.#run(text);
      this.#open = true;
      this.#client.lock(this.#name);
    }

    #assertOpen() {
      if (!this.#open) throw new Error(`This transaction has not been started yet, make sure to use the "begin" method to do so`);
    }

    async #guarded(query) {
      this.#assertOpen();
      try {
        return await this.#client.execute(query);
      } catch (error) {
        if (error instanceof PostgresError) {
          // As the original driver: an error ends the transaction.
          this.#open = false;
          this.#client.lock(null);
          try {
            await this.#run("ROLLBACK");
          } catch {
            // The session may be gone; the host resets it anyway.
          }
          throw new TransactionError(this.#name, error);
        }
        throw error;
      }
    }

    async queryArray(query, ...args) {
      const normalized = normalizeQuery(query, args);
      return new QueryArrayResult(normalized, await this.#guarded(normalized));
    }

    async queryObject(query, ...args) {
      const normalized = normalizeQuery(query, args);
      return new QueryObjectResult(normalized, await this.#guarded(normalized));
    }

    async commit(options = {}) {
      this.#assertOpen();
      await this.#run(options.chain ? "COMMIT AND CHAIN" : "COMMIT");
      if (!options.chain) {
        this.#open = false;
        this.#client.lock(null);
      }
    }

    async rollback(options = {}) {
      this.#assertOpen();
      const savepoint = typeof options === "string" ? options : options?.savepoint;
      if (savepoint !== undefined) {
        const name = typeof savepoint === "string" ? savepoint : savepoint.name;
        await this.#run(`ROLLBACK TO ${identifier(name)}`);
        return;
      }
      await this.#run(options?.chain ? "ROLLBACK AND CHAIN" : "ROLLBACK");
      if (!options?.chain) {
        this.#open = false;
        this.#client.lock(null);
      }
    }

    async savepoint(name) {
      this.#assertOpen();
      await this.#run(`SAVEPOINT ${identifier(name)}`);
      const transaction = this;
      return {
        name,
        release: () => transaction.#run(`RELEASE SAVEPOINT ${identifier(name)}`),
        update: () => transaction.#run(`SAVEPOINT ${identifier(name)}`),
      };
    }
  }

  function identifier(name) {
    if (typeof name !== "string" || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) {
      throw new TypeError(`A savepoint name must be a valid identifier, got ${String(name)}`);
    }
    return name;
  }

  class Client extends QueryClient {}

  class PoolClient extends QueryClient {
    #release;
    constructor(options, release) {
      super(options);
      this.#release = release;
    }
    release() {
      const release = this.#release;
      this.#release = null;
      if (release !== null) release(this);
    }
  }

  class Pool {
    #options;
    #size;
    #open = new Set();
    #ended = false;

    constructor(options, size = 1, lazy = false) {
      void lazy;
      this.#options = options;
      this.#size = Number(size);
      if (!Number.isInteger(this.#size) || this.#size < 1) throw new RangeError("Pool size must be a positive integer");
    }

    get size() {
      return this.#size;
    }

    get available() {
      return this.#size - this.#open.size;
    }

    async connect() {
      if (this.#ended) this.#ended = false;
      if (this.#open.size >= this.#size) {
        throw new Error(`All ${this.#size} connections of the pool are in use; release() one first`);
      }
      const client = new PoolClient(this.#options, (c) => {
        this.#open.delete(c);
        return c.end();
      });
      this.#open.add(client);
      try {
        await client.connect();
      } catch (error) {
        this.#open.delete(client);
        throw error;
      }
      return client;
    }

    async end() {
      this.#ended = true;
      const clients = [...this.#open];
      this.#open.clear();
      await Promise.all(clients.map((c) => c.end()));
    }
  }

  const module = Object.freeze({
    Client,
    Pool,
    PoolClient,
    QueryClient,
    Transaction,
    PostgresError,
    ConnectionError,
    TransactionError,
    QueryArrayResult,
    QueryObjectResult,
  });
  Object.defineProperty(globalThis, "__tntc_postgres", { value: module, enumerable: false, configurable: false, writable: false });
})();
