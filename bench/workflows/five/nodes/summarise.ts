import type { Context } from "tentacular";
import { groupBy, type Priced } from "../lib/orders.ts";

/** Totals per customer, largest first. */
export default async function run(
  _ctx: Context,
  input: { priced: Priced[]; rejected: unknown[] },
): Promise<{ customers: { customer: string; orders: number; grossCents: number }[]; rejected: number }> {
  const customers = [...groupBy(input.priced, (o) => o.customer)].map(([customer, orders]) => ({
    customer,
    orders: orders.length,
    grossCents: orders.reduce((sum, o) => sum + o.grossCents, 0),
  }));
  customers.sort((a, b) => b.grossCents - a.grossCents || a.customer.localeCompare(b.customer));
  return { customers, rejected: input.rejected.length };
}
