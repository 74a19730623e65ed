// Intl.PluralRules, Intl.RelativeTimeFormat and Intl.ListFormat in English.
import type { Context } from "tentacular";

export default async function run(_ctx: Context, _input: unknown) {
  const pr = new Intl.PluralRules("en-US");
  const po = new Intl.PluralRules("en-US", { type: "ordinal" });
  const units: Intl.RelativeTimeFormatUnit[] = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"];
  const styles = [
    new Intl.RelativeTimeFormat("en"), new Intl.RelativeTimeFormat("en", { numeric: "auto" }),
    new Intl.RelativeTimeFormat("en", { style: "short" }), new Intl.RelativeTimeFormat("en", { style: "narrow" }),
  ];
  const rtf = styles[0];
  let invalidUnit = "";
  try {
    rtf.format(1, "fortnight" as Intl.RelativeTimeFormatUnit);
  } catch (e) {
    invalidUnit = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const lf = (o?: Intl.ListFormatOptions) => new Intl.ListFormat("en", o);
  return {
    plural: [[0, 1, 2, 1.5, -1].map((n) => pr.select(n)), [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 0].map((n) => po.select(n)),
      new Intl.PluralRules("en", { minimumFractionDigits: 1 }).select(1), pr.resolvedOptions()],
    relative: units.map((u) => [-1, 0, 1, 2, -3.5, 1000, -0].map((v) => styles.map((f) => f.format(v, u)))),
    relativeExtras: [rtf.format(-1, "days"), rtf.formatToParts(-2, "day"), rtf.formatToParts(1234.5, "hour"), rtf.resolvedOptions(),
      invalidUnit],
    lists: [lf().format(["a"]), lf().format(["a", "b"]), lf().format(["a", "b", "c"]), lf({ type: "disjunction" }).format(["a", "b", "c"]),
      lf({ style: "short" }).format(["a", "b", "c"]), lf({ style: "narrow" }).format(["a", "b", "c"]), lf({ type: "unit" }).format(["a", "b", "c"]),
      lf({ type: "unit", style: "narrow" }).format(["a", "b", "c"]), lf({ type: "unit", style: "short" }).format(["a", "b"]),
      lf({ type: "disjunction" }).format(["a", "b"]), lf().format([]), lf().formatToParts(["x", "y"]), lf({ style: "short" }).format(["a", "b"])],
  };
}
