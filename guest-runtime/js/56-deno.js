// tntc JS prelude: the `Deno` namespace of a process without files, environment or permissions.
//
// Nodes of the original read optional files (`Deno.readTextFile` of the in-cluster service-account token, which
// the original's own pods never mount) and environment variables, and fall back when that fails. Here those calls
// exist and fail exactly as Deno does without the file or the variable — `Deno.errors.NotFound` with Deno's
// message, `undefined` for `Deno.env.get` — so such nodes run their fallback unchanged. `tntc build` warns at
// each call. Nothing else of Deno exists: sockets, processes and writes are compile errors (compiler/src/forbidden.rs).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;

  function denoError(name, code) {
    const klass = class extends Error {
      constructor(message, options) {
        super(message, options);
        this.name = name;
        if (code !== undefined) this.code = code;
      }
    };
    Object.defineProperty(klass, "name", { value: name });
    return klass;
  }

  const errors = Object.freeze({
    NotFound: denoError("NotFound", "ENOENT"),
    PermissionDenied: denoError("PermissionDenied", "EACCES"),
    AlreadyExists: denoError("AlreadyExists", "EEXIST"),
    InvalidData: denoError("InvalidData"),
    TimedOut: denoError("TimedOut", "ETIMEDOUT"),
    Interrupted: denoError("Interrupted"),
    NotSupported: denoError("NotSupported"),
    BadResource: denoError("BadResource"),
    ConnectionRefused: denoError("ConnectionRefused", "ECONNREFUSED"),
    NotCapable: denoError("NotCapable"),
  });

  function pathText(path) {
    if (path instanceof URL) {
      if (path.protocol !== "file:") throw new TypeError("Must be a file URL.");
      return decodeURIComponent(path.pathname);
    }
    return String(path);
  }

  /** Deno's error for a file that is not there: `No such file or directory (os error 2): readfile '<path>'`. */
  function notFound(op, path) {
    return new errors.NotFound(`No such file or directory (os error 2): ${op} '${pathText(path)}'`);
  }

  const env = Object.freeze({
    get(key) {
      if (arguments.length === 0) throw internal.missingArgs("Deno.env.get requires 1 argument");
      String(key);
      return undefined;
    },
    has(key) {
      String(key);
      return false;
    },
    toObject() {
      return {};
    },
  });

  const deno = Object.freeze({
    errors,
    env,
    async readTextFile(path) {
      throw notFound("readfile", path);
    },
    async readFile(path) {
      throw notFound("readfile", path);
    },
    async stat(path) {
      throw notFound("stat", path);
    },
  });
  internal.defineGlobal("Deno", deno);
})();
