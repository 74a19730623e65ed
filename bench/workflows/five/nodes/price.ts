import type { Context } from "tentacular";
import type { Order, Priced } from "../lib/orders.ts";

/** Net and gross (VAT from config.vat) price of every order. */
export default async function run(
  ctx: Context,
  input: { orders: Order[]; rejected: unknown[] },
): Promise<{ priced: Priced[]; rejected: unknown[] }> {
  const vat = typeof ctx.config.vat === "number" ? ctx.config.vat : 0;
  const priced = input.orders.map((o) => {
    const netCents = o.quantity * o.unitCents;
    return { ...o, netCents, grossCents: Math.round(netCents * (1 + vat)) };
  });
  return { priced, rejected: input.rejected };
}
