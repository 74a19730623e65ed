// Types of the "tentacular" module node code imports (`import type { Context } from "tentacular"`): the
// context every node receives, as the original engine declared it, plus `dependency()` from the contract.
// Type-only: the compiler erases the import; the runtime builds `ctx` in ../runtime.js.

/** Structured logging; each line is printed as `[<nodeId>] INFO msg ...args` (WARN, ERROR, DEBUG). */
export interface Logger {
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
  debug(msg: string, ...args: unknown[]): void;
}

/** Secrets by service, then key: `secrets.github.token`. */
export interface SecretsConfig {
  [service: string]: Record<string, string>;
}

/** A contract dependency as `ctx.dependency(name)` returns it. */
export interface DependencyConnection {
  protocol: "https" | "postgresql" | "nats" | "blob" | string;
  host: string;
  /** Declared port, else 443 (https), 5432 (postgresql), 4222 (nats), 443 otherwise. */
  port: number;
  authType?: "bearer-token" | "api-key" | "sas-token" | "password" | string;
  /** The resolved value of `auth.secret` (`service.key`). */
  secret?: string;
  database?: string;
  user?: string;
  subject?: string;
  container?: string;
  /** https dependencies only: requests `https://<host>:<port><path>`; adds no auth header. */
  fetch?: (path: string, init?: RequestInit) => Promise<Response>;
}

/** Context provided to every node at execution time. */
export interface Context {
  /** Legacy: `path` if it starts with "http", else `https://api.<service>.com<path>`, with auth from secrets. */
  fetch(service: string, path: string, init?: RequestInit): Promise<Response>;
  log: Logger;
  /** The workflow's whole `config:` block, including `timeout` and `retries`. */
  config: Record<string, unknown>;
  secrets: SecretsConfig;
  /** Throws when `name` is not declared in workflow.yaml `contract.dependencies`. */
  dependency(name: string): DependencyConnection;
}

/** A node module's default export. */
export type NodeFunction = (ctx: Context, input: unknown) => Promise<unknown>;
