import type { Context } from "tentacular";
import type { Order } from "../lib/orders.ts";

/** Parses `id,customer,sku,quantity,unit_price` lines (a header line is skipped). */
export default async function run(ctx: Context, input: { csv?: string }): Promise<{ orders: Order[] }> {
  const lines = (input.csv ?? "").split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  const orders: Order[] = [];
  for (const line of lines.slice(1)) {
    const [id, customer, sku, quantity, price] = line.split(",").map((f) => f.trim());
    orders.push({ id, customer, sku, quantity: Number(quantity), unitCents: Math.round(Number(price) * 100) });
  }
  ctx.log.info(`parsed ${orders.length} orders`);
  return { orders };
}
