import type { Context } from "tentacular";
import type { Order } from "../lib/orders.ts";

/** Drops orders with a missing customer or a non-positive quantity or price, and says why. */
export default async function run(
  _ctx: Context,
  input: { orders: Order[] },
): Promise<{ orders: Order[]; rejected: { id: string; reason: string }[] }> {
  const orders: Order[] = [];
  const rejected: { id: string; reason: string }[] = [];
  for (const order of input.orders) {
    if (!order.customer) rejected.push({ id: order.id, reason: "no customer" });
    else if (!(order.quantity > 0)) rejected.push({ id: order.id, reason: "quantity must be positive" });
    else if (!(order.unitCents > 0)) rejected.push({ id: order.id, reason: "price must be positive" });
    else orders.push(order);
  }
  return { orders, rejected };
}
