// Built-ins where QuickJS and V8 could differ and node code relies on them: string comparison and sorting,
// Date parsing, number formatting, JSON, RegExp, modern Array/Object helpers. Engine error messages
// ("Cannot read properties of null" in V8, "cannot read property 'x' of null" in QuickJS), the RegExp `v` flag and
// the `Deno`/`process` namespaces are known differences, so they are not compared (see ../README.md).
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const words = ["banana", "Apple", "apple", "cherry", "Émile", "emile", "zebra", "Zebra", "10", "9", "a b", "a-b", "ab", "_x", "Ärger", "arm"];
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  return {
    localeCompare: [
      "a".localeCompare("B"), "a".localeCompare("A"), "A".localeCompare("a"), "é".localeCompare("f"), "b".localeCompare("a"),
      "a".localeCompare("a"), "résumé".localeCompare("resume"), "a".localeCompare("á"), "10".localeCompare("9"),
      "10".localeCompare("9", undefined, { numeric: true }), "a".localeCompare("A", undefined, { sensitivity: "base" }),
      "a".localeCompare("á", undefined, { sensitivity: "base" }), "a".localeCompare("á", undefined, { sensitivity: "accent" }),
    ],
    sorted: [...words].sort((x, y) => x.localeCompare(y)),
    sortedNumeric: ["item10", "item2", "item1", "Item3"].sort(new Intl.Collator("en", { numeric: true }).compare),
    sortedAscii: ascii.sort((x, y) => x.localeCompare(y)).join(""),
    defaultSort: [...words].sort(),
    dateParse: ["2024-01-15", "2024-01-15T10:20:30", "2024-01-15T10:20:30Z", "2024-01-15T10:20:30.123+02:00", "Jan 15 2024",
      "January 15, 2024 10:00 AM", "15 Jan 2024", "Mon, 15 Jan 2024 10:20:30 GMT", "2024/01/15", "01/15/2024", "2024-1-5",
      "20240115", "not a date", "2024-02-30", "Tue Mar 05 2024 10:00:00 GMT+0100", "2024-01-15 10:20"].map((s) => Date.parse(s)),
    dateStrings: [new Date(0).toString(), new Date(Date.UTC(2024, 1, 29, 23, 59, 59)).toUTCString(), new Date(8.64e15 + 1).getTime(),
      String(new Date(NaN)), new Date(2024, 0, 31).getTimezoneOffset(), new Date("2024-03-10T12:00:00").toISOString()],
    numbers: [(1.005).toFixed(2), (123.456).toPrecision(4), (1e21).toString(), (0.000001).toString(), (1e-7).toString(),
      (255).toString(16), (255).toString(2), (-7.5).toFixed(0), (0.5).toFixed(0), (1.45).toFixed(1), (123.456).toExponential(2),
      Number("0x1f"), Number(""), Number(" 12 "), parseFloat("3.14abc"), parseInt("08"), Number.MAX_SAFE_INTEGER + 2,
      0.1 * 3, 2 ** 53 + 1, (25).toString(36), Math.round(-0.5), Math.max(), String(-0), JSON.stringify(-0)],
    json: [JSON.stringify({ a: [1, { b: 2 }], c: "é\u2028", d: undefined, e: () => 1, f: new Date(0), g: NaN }),
      JSON.stringify({ a: 1, b: [1, 2] }, null, 2), JSON.stringify("\ud800"), JSON.stringify({ k: 1 }, ["k"]),
      attempt(() => JSON.parse("{bad")), JSON.parse('{"__proto__": 1}').__proto__, JSON.stringify([new Map(), new Set([1])])],
    regexp: ["2024-01-15".replace(/(?<y>\d+)-(?<m>\d+)-(?<d>\d+)/, "$<d>/$<m>/$<y>"), /(?<=\$)\d+/.exec("cost $42")?.[0],
      "aBc".replace(/b/i, (m) => m.toUpperCase() + "!"), [..."a1b2c3".matchAll(/\d/g)].map((m) => m.index),
      /\p{L}+/u.exec("123 héllo")?.[0], "x".padStart(3, "ab"), "A-B_C d".split(/[-_ ]/)],
    strings: ["straße".toUpperCase(), "İ".toLowerCase().length, "ǅ".toLowerCase(), "café".normalize("NFD").length,
      "a,b,,c".split(","), "abc".at(-1), "  x ".trim(), "x".repeat(3), "abc".replaceAll("b", "$&$&"),
      "Hello".localeCompare("hello"), "ß".localeCompare("ss"), "i".toLocaleUpperCase("en-US")],
    arrays: [[3, 1, 2].toSorted(), [1, 2, 3].findLast((x) => x < 3), [1, [2, [3, [4]]]].flat(Infinity), Array.from({ length: 3 }, (_, i) => i * i),
      [1, 2, 3].with(1, 9), Object.groupBy([1, 2, 3, 4], (x) => (x % 2 ? "odd" : "even")), [..."héllo"].length,
      [10, 9, 1].sort(), [1, 2, 3].includes(NaN), [NaN].includes(NaN), [, 1].findIndex((x) => x === undefined)],
    objects: [Object.entries({ b: 1, a: 2, 1: "x", 0: "y" }), Object.fromEntries([["a", 1]]), structuredClone({ a: [1] }),
      Object.keys("ab"), typeof globalThis.require, typeof globalThis.window, globalThis.self === globalThis,
      typeof globalThis.navigator, typeof globalThis.performance?.now, typeof performance.timeOrigin],
    errors: [String(new Error("m")), String(new TypeError("t")), new Error("c", { cause: 1 }).cause,
      attempt(() => JSON.parse("")), String(new RangeError("r")), new Error("x").name, new Error().message],
  };
}
