// Date.prototype.toLocale{,Date,Time}String, Intl.DateTimeFormat and Date#toString in en-US (local zone UTC).
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

const optionSets: (Intl.DateTimeFormatOptions | undefined)[] = [
  undefined, {}, { weekday: "long" }, { weekday: "short" }, { weekday: "narrow" }, { year: "numeric" },
  { year: "2-digit" }, { month: "long" }, { month: "short" }, { month: "narrow" }, { month: "numeric" },
  { month: "2-digit" }, { day: "numeric" }, { day: "2-digit" }, { hour: "numeric" }, { hour: "2-digit" },
  { minute: "2-digit" }, { second: "2-digit" }, { minute: "numeric" }, { hour: "numeric", minute: "2-digit" },
  { hour: "2-digit", minute: "2-digit", hour12: false }, { hour: "numeric", hour12: false },
  { hour: "2-digit", minute: "2-digit" }, { hour: "numeric", minute: "numeric" },
  { year: "numeric", month: "long", day: "numeric" }, { weekday: "long", year: "numeric", month: "long", day: "numeric" },
  { month: "short", day: "numeric" }, { month: "short", day: "numeric", year: "numeric" },
  { year: "numeric", month: "2-digit", day: "2-digit" }, { month: "long", year: "numeric" },
  { weekday: "short", month: "short", day: "numeric" }, { month: "long", day: "numeric" },
  { weekday: "short", year: "numeric", month: "short", day: "numeric" }, { month: "2-digit", day: "2-digit" },
  { hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true }, { dateStyle: "full" }, { dateStyle: "long" },
  { dateStyle: "medium" }, { dateStyle: "short" }, { timeStyle: "short" }, { timeStyle: "medium" },
  { timeStyle: "long" }, { timeStyle: "full" }, { dateStyle: "medium", timeStyle: "short" },
  { dateStyle: "full", timeStyle: "long" }, { dateStyle: "short", timeStyle: "full", hour12: false },
  { timeZone: "UTC" }, { timeZone: "UTC", timeZoneName: "short" }, { timeZoneName: "long" },
  { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" },
  { weekday: "long", hour: "numeric" }, { month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: "UTC" },
  { year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false },
  { era: "short" }, { era: "long", year: "numeric" }, { fractionalSecondDigits: 3, second: "numeric" },
  { hourCycle: "h23", hour: "numeric" }, { hourCycle: "h11", hour: "numeric" }, { dayPeriod: "short" },
  { dayPeriod: "long", hour: "numeric" }, { year: "numeric", weekday: "short" }, { month: "long", weekday: "long" },
  { day: "numeric", weekday: "long" }, { year: "numeric", day: "numeric" }, { minute: "2-digit", second: "2-digit" },
  { hour: "numeric", second: "numeric" },
  { weekday: "long", hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 2, timeZoneName: "short" },
  { timeZone: "America/New_York", timeZoneName: "short" }, { timeZone: "America/Los_Angeles", timeZoneName: "long" },
  { timeZone: "Europe/London", timeZoneName: "short" }, { timeZone: "Europe/Berlin", timeZoneName: "long" },
  { timeZone: "Asia/Kolkata", timeZoneName: "shortOffset" }, { timeZone: "Asia/Tokyo", timeZoneName: "longOffset" },
  { timeZone: "Australia/Sydney", timeZoneName: "short" }, { timeZone: "Etc/GMT+5", timeZoneName: "short" },
  { timeZone: "GMT", timeZoneName: "shortOffset" }, { timeZone: "America/Chicago", dateStyle: "full", timeStyle: "full" },
];

const dates = [
  Date.UTC(2024, 0, 5, 15, 4, 9, 7), Date.UTC(2023, 11, 25, 0, 30, 0), Date.UTC(2024, 6, 5, 12, 0, 0),
  Date.UTC(2024, 2, 10, 7, 30), Date.UTC(2024, 10, 3, 5, 59), Date.UTC(2024, 9, 27, 0, 59), Date.UTC(-50, 0, 5),
];

export default async function run(_ctx: Context, _input: unknown) {
  const table = optionSets.map((o) =>
    dates.map((t) => {
      // Before 1900, IANA zones use local mean time (GMT-4:56:02): not modelled, so not compared.
      if (t < 0 && o?.timeZone !== undefined && o.timeZone !== "UTC" && o.timeZone !== "GMT") return "local mean time";
      const d = new Date(t);
      return [
        attempt(() => d.toLocaleString("en-US", o)),
        attempt(() => d.toLocaleDateString("en-US", o)),
        attempt(() => d.toLocaleTimeString("en-US", o)),
      ];
    })
  );
  const d = new Date(Date.UTC(2024, 0, 5, 15, 4, 9, 7));
  const periods: string[] = [];
  for (let h = 0; h < 24; h++) {
    const at = new Date(Date.UTC(2024, 0, 5, h, h === 12 ? 0 : 30));
    periods.push(at.toLocaleString("en-US", { dayPeriod: "narrow", hour: "numeric" }));
  }
  return {
    table,
    periods,
    defaults: [d.toLocaleString(), d.toLocaleDateString(), d.toLocaleTimeString(), d.toLocaleString(undefined, { month: "short" }),
      new Date(Date.UTC(2024, 0, 1, 0, 0)).toLocaleTimeString(), new Date(Date.UTC(2024, 0, 1, 12, 0)).toLocaleTimeString(),
      new Date(NaN).toLocaleString(), new Date(NaN).toLocaleDateString("en-US", { month: "long" })],
    strings: [d.toString(), d.toDateString(), d.toTimeString(), d.toUTCString(), String(d), d.toISOString(), JSON.stringify(d)],
    intl: {
      format: new Intl.DateTimeFormat().format(d),
      bound: [d, new Date(0)].map(new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric" }).format),
      parts: [
        new Intl.DateTimeFormat("en-US", { month: "long" }).formatToParts(d),
        new Intl.DateTimeFormat("en-US", { weekday: "long", hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 2, timeZoneName: "short" }).formatToParts(d),
        new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" }).formatToParts(d),
      ],
      resolved: [
        new Intl.DateTimeFormat().resolvedOptions(),
        new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "numeric" }).resolvedOptions(),
        new Intl.DateTimeFormat("en-US", { hour: "numeric", hour12: false }).resolvedOptions(),
        new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" }).resolvedOptions(),
        new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Kolkata" }).resolvedOptions().timeZone,
        new Intl.DateTimeFormat("en-US", { timeZone: "etc/utc" }).resolvedOptions().timeZone,
      ],
      fromNumber: new Intl.DateTimeFormat("en-US").format(86400000 * 365),
      errors: [
        { dateStyle: "short", year: "numeric" }, { weekday: "bogus" }, { timeZone: "Nowhere/X" },
        { fractionalSecondDigits: 4 }, { hourCycle: "h25" },
      ].map((o) => attempt(() => new Intl.DateTimeFormat("en-US", o as Intl.DateTimeFormatOptions).format(d))),
      invalidTime: attempt(() => new Intl.DateTimeFormat("en-US").format(NaN)),
    },
  };
}
