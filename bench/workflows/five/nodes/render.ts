import type { Context } from "tentacular";
import { money } from "../lib/orders.ts";

/** A plain-text report. */
export default async function run(
  ctx: Context,
  input: { customers: { customer: string; orders: number; grossCents: number }[]; rejected: number },
): Promise<{ report: string }> {
  const currency = typeof ctx.config.currency === "string" ? ctx.config.currency : "";
  const lines = input.customers.map(
    (c) => `${c.customer.padEnd(12)} ${String(c.orders).padStart(3)} ${money(c.grossCents).padStart(10)} ${currency}`,
  );
  lines.push(`${input.rejected} order(s) rejected`);
  return { report: lines.join("\n") };
}
