import type { Context } from "tentacular";

/** Logs which secret services this node's sandbox holds (names only, never values). */
export function logVisibleSecrets(ctx: Context): void {
  const services = Object.keys(ctx.secrets).sort();
  ctx.log.info(`secrets in this sandbox: ${services.length === 0 ? "none" : services.join(", ")}`);
}
