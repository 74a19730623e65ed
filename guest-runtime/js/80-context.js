// tntc JS prelude: the node context (`ctx`), exactly as the original Tentacular engine built it, and the mock
// context its test runner used for fixtures (invocation `"mode": "test"`).
//
// Run mode (the default):
// - ctx.log.info|warn|error|debug(msg, ...args): one host log line, args formatted like console.log (msg is not
//   a format string, as in the original where it followed the "[id] INFO" prefix).
// - ctx.config, ctx.secrets: from the invocation.
// - ctx.fetch(service, path, init?): `path` if it starts with "http", else https://api.<service>.com<path>, with
//   Authorization: Bearer <secrets[service].token> and X-API-Key: <secrets[service].api_key> when present.
// - ctx.dependency(name): the invocation's resolved dependency (ports defaulted), https ones with fetch(path) to
//   https://<host>:<port><path> adding no auth; an undeclared name throws the original's message.
//
// Test mode (`tntc test` fixtures, mirroring engine/testing/mocks.ts): no host requests; ctx.fetch answers
// {"mock": true, "service", "path"}, a dependency's fetch answers {"mock": true, "dependency", "path"}, and what
// the node touched is recorded for contract drift detection (see `trace` in runtime.js).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const levels = { debug: 0, info: 1, warn: 2, error: 3 };
  const defaultPorts = { https: 443, postgresql: 5432, nats: 4222 };
  const testDefaultPorts = { https: 443, http: 80, postgresql: 5432, nats: 4222, blob: 443 };

  const objectOr = (value, fallback) =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? value : fallback;
  const field = (dep, name) => (dep[name] === null ? undefined : dep[name]);
  const undeclared = (name) =>
    new Error(`Dependency "${name}" not declared in contract. Add it to workflow.yaml contract.dependencies.`);
  // A name the contract declares but the node's scope (nodes.<id>.dependencies) leaves out:
  // the original had no per-node scopes, so this message is tntc's own.
  const missing = (node, outOfScope, name) =>
    Array.isArray(outOfScope) && outOfScope.includes(name)
      ? new Error(
          `Dependency "${name}" is declared in the contract but not available to node "${node}". ` +
            `Add it to workflow.yaml nodes.${node}.dependencies.`,
        )
      : undeclared(name);

  function makeLogger() {
    const logger = {};
    for (const name of ["info", "warn", "error", "debug"]) {
      const level = levels[name];
      logger[name] = (msg, ...args) => internal.native().log(level, internal.formatLogArgs([msg, ...args]));
    }
    return logger;
  }

  function mockJson(body) {
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }

  function connectionOf(dep, port) {
    return {
      protocol: field(dep, "protocol"),
      host: field(dep, "host"),
      port,
      authType: field(dep, "authType"),
      secret: field(dep, "secret"),
      database: field(dep, "database"),
      user: field(dep, "user"),
      subject: field(dep, "subject"),
      container: field(dep, "container"),
    };
  }

  // Run mode's ctx members are made once (in the snapshot) and read the run's state from these variables:
  // an instance runs one node once, and a run that builds no closures dirties fewer pages for the host to
  // restore. `ctx` itself is still a plain object with the five own properties of the original.
  let runSecrets = {};
  let runDependencies = {};
  let runNode = "";
  let runOutOfScope = [];
  const runLogger = makeLogger();
  const runMembers = {
    fetch: async (service, path, init = undefined) => {
      const serviceSecrets = runSecrets[service];
      const headers = new Headers(init?.headers);
      if (serviceSecrets) {
        if (serviceSecrets["token"]) headers.set("Authorization", `Bearer ${serviceSecrets["token"]}`);
        if (serviceSecrets["api_key"]) headers.set("X-API-Key", serviceSecrets["api_key"]);
      }
      const url = path.startsWith("http") ? path : `https://api.${service}.com${path}`;
      return globalThis.fetch(url, { ...init, headers });
    },
    dependency: (name) => {
      const key = String(name);
      const dependencies = runDependencies;
      if (!Object.prototype.hasOwnProperty.call(dependencies, key) || !dependencies[key]) {
        throw missing(runNode, runOutOfScope, key);
      }
      const dep = dependencies[key];
      const protocol = field(dep, "protocol");
      const port = field(dep, "port") ?? defaultPorts[protocol] ?? 443;
      const connection = connectionOf(dep, port);
      if (protocol === "https") {
        const host = connection.host;
        connection.fetch = async (path, init = undefined) =>
          globalThis.fetch(`https://${host}:${port}${path}`, { ...init, headers: new Headers(init?.headers) });
      }
      return connection;
    },
  };
  const { fetch: runFetch, dependency: runDependency } = runMembers;

  function runContext(invocation) {
    runSecrets = objectOr(invocation.secrets, runSecrets);
    runDependencies = objectOr(invocation.dependencies, runDependencies);
    runNode = String(invocation.node);
    runOutOfScope = Array.isArray(invocation.outOfScope) ? invocation.outOfScope : [];
    return {
      fetch: runFetch,
      log: runLogger,
      config: objectOr(invocation.config, null) ?? {},
      secrets: runSecrets,
      dependency: runDependency,
    };
  }

  function testContext(invocation, trace) {
    const rawSecrets = objectOr(invocation.secrets, {});
    const dependencies = objectOr(invocation.dependencies, {});
    // Without a contract in workflow.yaml every name gets the original's default mock dependency.
    const hasContract = invocation.contract !== false;
    const secrets = new Proxy(rawSecrets, {
      get(target, prop) {
        if (typeof prop === "string") trace.secretsAccesses.push(prop);
        return target[prop];
      },
    });
    // (Proxy is part of Javy's default intrinsics; the original recorded secrets access the same way.)
    return {
      fetch: async (service, path, _init = undefined) => {
        trace.fetchCalls.push({ service, path });
        return mockJson({ mock: true, service, path });
      },
      log: makeLogger(),
      config: objectOr(invocation.config, {}),
      secrets,
      dependency: (name) => {
        let access = trace.dependencyAccesses.find((a) => a.name === name);
        if (!access) {
          access = { name, fetches: [] };
          trace.dependencyAccesses.push(access);
        }
        const declared = Object.prototype.hasOwnProperty.call(dependencies, name) && dependencies[name];
        const mockFetch = async (path, _init = undefined) => {
          access.fetches.push(path);
          return mockJson({ mock: true, dependency: name, path });
        };
        if (hasContract && !declared) throw missing(invocation.node, invocation.outOfScope, name);
        if (!hasContract) {
          return {
            protocol: "https", host: `mock-${name}.example.com`, port: 443, authType: "test-auth", secret: undefined,
            fetch: mockFetch,
          };
        }
        const dep = dependencies[name];
        const protocol = field(dep, "protocol");
        const connection = connectionOf(dep, field(dep, "port") ?? testDefaultPorts[protocol] ?? 443);
        if (protocol === "https" || protocol === "http") connection.fetch = mockFetch;
        return connection;
      },
    };
  }

  /**
   * Builds ctx for an invocation. In test mode `internal.contextTrace` is then what the node touched:
   * { dependencyAccesses: [{ name, fetches: [path] }], fetchCalls: [{ service, path }], secretsAccesses: [key] };
   * null in run mode.
   */
  internal.contextTrace = null;
  internal.makeContext = (invocation) => {
    if (invocation.mode === "test") {
      const trace = { dependencyAccesses: [], fetchCalls: [], secretsAccesses: [] };
      internal.contextTrace = trace;
      return testContext(invocation, trace);
    }
    return runContext(invocation);
  };
})();
