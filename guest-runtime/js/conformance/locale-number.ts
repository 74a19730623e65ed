// Number.prototype.toLocaleString / BigInt / Intl.NumberFormat in en-US, as V8 (ICU) formats them.
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

const cases: [number | bigint | string, Intl.NumberFormatOptions?][] = [
  [1234567.891], [0], [-0], [-1234.5], [1e21], [1.5e-7], [0.1 + 0.2], [NaN], [Infinity], [-Infinity], [1e-10],
  [12345678901234567890n], [-42n], [123.456, { maximumFractionDigits: 0 }], [2.5, { maximumFractionDigits: 0 }],
  [3.5, { maximumFractionDigits: 0 }], [1.005, { maximumFractionDigits: 2 }], [99.995, { maximumFractionDigits: 2 }],
  [1234.5, { minimumFractionDigits: 2 }], [1234.5678, { minimumFractionDigits: 2, maximumFractionDigits: 2 }],
  [123456.789, { maximumFractionDigits: 20 }], [12.3456, { minimumFractionDigits: 3, maximumFractionDigits: 1 }],
  [1234.5, { minimumIntegerDigits: 6 }], [1234.5678, { maximumSignificantDigits: 3 }],
  [0.00012345, { minimumSignificantDigits: 2, maximumSignificantDigits: 3 }], [1.5, { maximumSignificantDigits: 1 }],
  [42, { minimumSignificantDigits: 5 }],
  [0.256, { style: "percent" }], [0.2567, { style: "percent", minimumFractionDigits: 1 }],
  [0.5, { style: "percent", maximumFractionDigits: 2 }], [0.125, { style: "percent", maximumFractionDigits: 1 }],
  [1e21, { style: "percent" }], [-0.07, { style: "percent" }],
  [1234.5, { style: "currency", currency: "USD" }], [-1234.5, { style: "currency", currency: "USD" }],
  [0, { style: "currency", currency: "USD" }], [1234567.125, { style: "currency", currency: "USD" }],
  [1234.5, { style: "currency", currency: "USD", maximumFractionDigits: 0 }],
  [1234.5, { style: "currency", currency: "USD", minimumFractionDigits: 0 }],
  [1234.5, { style: "currency", currency: "EUR" }], [1234.5, { style: "currency", currency: "JPY" }],
  [1234.5, { style: "currency", currency: "GBP" }], [1234.5, { style: "currency", currency: "CHF" }],
  [1234.5, { style: "currency", currency: "CAD" }], [1234.5, { style: "currency", currency: "INR" }],
  [1234.5, { style: "currency", currency: "CAD", currencyDisplay: "narrowSymbol" }],
  [1234.5, { style: "currency", currency: "USD", currencyDisplay: "code" }],
  [1234.5, { style: "currency", currency: "USD", currencyDisplay: "name" }],
  [1, { style: "currency", currency: "USD", currencyDisplay: "name" }],
  [1, { style: "currency", currency: "USD", currencyDisplay: "name", minimumFractionDigits: 0 }],
  [1234.5, { style: "currency", currency: "EUR", currencyDisplay: "name" }],
  [5, { style: "currency", currency: "JPY", currencyDisplay: "name" }],
  [-1234.5, { style: "currency", currency: "USD", currencySign: "accounting" }],
  [1234.5, { useGrouping: false }], [12345, { useGrouping: "min2" }], [1234, { useGrouping: "min2" }],
  [1234, { notation: "compact" }], [999.9, { notation: "compact" }], [999999, { notation: "compact" }],
  [0.12345, { notation: "compact" }], [12345, { notation: "compact" }], [123456, { notation: "compact" }],
  [1.5e9, { notation: "compact" }], [1234567, { notation: "compact", compactDisplay: "long" }],
  [1.5e12, { notation: "compact", compactDisplay: "long" }], [1.5e15, { notation: "compact" }],
  [-1234, { notation: "compact" }], [1.23e5, { notation: "scientific" }], [0.00123, { notation: "scientific" }],
  [0, { notation: "scientific" }], [12345, { notation: "engineering" }],
  [5, { signDisplay: "always" }], [-0.0001], [-0.0001, { signDisplay: "exceptZero" }],
  [0, { signDisplay: "always" }], [-0, { signDisplay: "negative" }], [-5, { signDisplay: "never" }],
  [2.345, { maximumFractionDigits: 2, roundingMode: "halfEven" }],
  [2.355, { maximumFractionDigits: 2, roundingMode: "halfEven" }],
  [2.345, { maximumFractionDigits: 1, roundingMode: "trunc" }],
  [-2.345, { maximumFractionDigits: 1, roundingMode: "floor" }],
  [1234.5, { style: "unit", unit: "kilometer" }], [1234.5, { style: "unit", unit: "kilometer", unitDisplay: "long" }],
  [1, { style: "unit", unit: "kilometer", unitDisplay: "long" }],
  [1234.5, { style: "unit", unit: "kilometer", unitDisplay: "narrow" }], [5, { style: "unit", unit: "second" }],
  [5, { style: "unit", unit: "second", unitDisplay: "narrow" }], [5, { style: "unit", unit: "second", unitDisplay: "long" }],
  [5, { style: "unit", unit: "megabyte" }], [5, { style: "unit", unit: "percent" }], [5, { style: "unit", unit: "celsius" }],
  [5, { style: "unit", unit: "kilometer-per-hour" }], [5, { style: "unit", unit: "hour", unitDisplay: "long" }],
  [5, { style: "unit", unit: "day" }], [1, { style: "unit", unit: "day" }],
  ["12345.678"], ["123456789012345678901234567890"],
];

export default async function run(_ctx: Context, _input: unknown) {
  const formatted = cases.map(([n, o]) =>
    attempt(() =>
      typeof n === "string"
        ? new Intl.NumberFormat("en-US", o).format(n as unknown as number)
        : typeof n === "bigint" ? n.toLocaleString("en-US", o) : n.toLocaleString("en-US", o)
    )
  );
  const invalid = [
    { style: "bogus" }, { style: "currency" }, { style: "currency", currency: "US" }, { style: "unit" },
    { style: "unit", unit: "parsec" }, { maximumFractionDigits: 101 }, { minimumIntegerDigits: 0 }, { notation: "x" },
  ].map((o) => attempt(() => new Intl.NumberFormat("en-US", o as Intl.NumberFormatOptions).format(1)));
  const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  return {
    formatted,
    invalid,
    defaults: [(1234.5).toLocaleString(), (1234.5).toLocaleString(undefined, { maximumFractionDigits: 0 }),
      (1234.5).toLocaleString("en"), (1234.5).toLocaleString("en-GB"), (0.5).toLocaleString(undefined, { style: "percent" })],
    bound: [1, 22.5, 333.333].map(usd.format),
    resolvedCurrency: usd.resolvedOptions(),
    resolvedDefault: new Intl.NumberFormat().resolvedOptions(),
    parts: [
      new Intl.NumberFormat("en-US").formatToParts(-1234.5),
      new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR", currencySign: "accounting" }).formatToParts(-1.5),
      new Intl.NumberFormat("en-US", { style: "percent" }).formatToParts(0.5),
      new Intl.NumberFormat("en-US", { notation: "compact" }).formatToParts(1500),
    ],
    locales: [new Intl.NumberFormat("en-GB").resolvedOptions().locale, new Intl.NumberFormat("EN-us").resolvedOptions().locale],
  };
}
