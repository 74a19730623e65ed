/** One order line. */
export interface Order {
  id: string;
  customer: string;
  sku: string;
  quantity: number;
  unitCents: number;
}

/** An order with its price. */
export interface Priced extends Order {
  netCents: number;
  grossCents: number;
}

/** Formats cents as `12.34`. */
export function money(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
