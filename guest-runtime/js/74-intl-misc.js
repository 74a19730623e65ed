// tntc JS prelude: Intl.PluralRules, Intl.RelativeTimeFormat and Intl.ListFormat for English (CLDR en data,
// what V8 prints for "en"/"en-US").
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const Intl = internal.Intl;

  function optionReader(ctor) {
    return (options, name, allowed, fallback) => internal.getIntlOption(options, name, allowed, fallback, ctor);
  }

  /** en plural category of an already formatted number (visible fraction digits make it "other"). */
  function cardinal(formatted) {
    return formatted.replace(/,/g, "").replace(/^-/, "") === "1" ? "one" : "other";
  }
  function ordinal(n) {
    const i = Math.abs(Math.trunc(n));
    if (i !== Math.abs(n)) return "other";
    if (i % 10 === 1 && i % 100 !== 11) return "one";
    if (i % 10 === 2 && i % 100 !== 12) return "two";
    if (i % 10 === 3 && i % 100 !== 13) return "few";
    return "other";
  }

  const pluralOptions = new WeakMap();
  class PluralRules {
    constructor(locales = undefined, options = undefined) {
      const opts = options === undefined ? {} : Object(options);
      const type = optionReader("Intl.PluralRules")(opts, "type", ["cardinal", "ordinal"], "cardinal");
      const format = new Intl.NumberFormat("en-US", {
        minimumIntegerDigits: opts.minimumIntegerDigits, minimumFractionDigits: opts.minimumFractionDigits,
        maximumFractionDigits: opts.maximumFractionDigits, minimumSignificantDigits: opts.minimumSignificantDigits,
        maximumSignificantDigits: opts.maximumSignificantDigits, useGrouping: false,
      });
      // V8 resolves plural rules at the language level ("en-US" -> "en").
      pluralOptions.set(this, { locale: internal.resolveLocale(locales).split("-")[0], type, format });
    }
    select(value) {
      const o = pluralOptions.get(this);
      const n = Number(value);
      if (!Number.isFinite(n)) return "other";
      return o.type === "ordinal" ? ordinal(n) : cardinal(o.format.format(n));
    }
    resolvedOptions() {
      const o = pluralOptions.get(this);
      const digits = o.format.resolvedOptions();
      const out = { locale: o.locale, type: o.type, notation: "standard", minimumIntegerDigits: digits.minimumIntegerDigits };
      for (const key of ["minimumFractionDigits", "maximumFractionDigits", "minimumSignificantDigits", "maximumSignificantDigits"]) {
        if (digits[key] !== undefined) out[key] = digits[key];
      }
      out.pluralCategories = o.type === "ordinal" ? ["few", "one", "two", "other"] : ["one", "other"];
      Object.assign(out, { roundingIncrement: 1, roundingMode: "halfExpand", roundingPriority: digits.roundingPriority ?? "auto",
        trailingZeroDisplay: "auto" });
      return out;
    }
    static supportedLocalesOf(locales) {
      return locales === undefined ? [] : (typeof locales === "string" ? [locales] : Array.from(locales)).map(String);
    }
  }
  internal.setToStringTag(PluralRules, "Intl.PluralRules");
  Intl.PluralRules = PluralRules;

  // ---------------------------------------------------------------------------------------------------------
  // unit -> { long: [one, other], short: [one, other], narrow: suffix, auto: { -1, 0, 1 }, autoShort }
  const relativeUnits = {
    second: { long: ["second", "seconds"], short: ["sec.", "sec."], narrow: "s", auto: { 0: "now" } },
    minute: { long: ["minute", "minutes"], short: ["min.", "min."], narrow: "m", auto: { 0: "this minute" } },
    hour: { long: ["hour", "hours"], short: ["hr.", "hr."], narrow: "h", auto: { 0: "this hour" } },
    day: { long: ["day", "days"], short: ["day", "days"], narrow: "d", auto: { "-1": "yesterday", 0: "today", 1: "tomorrow" } },
    week: { long: ["week", "weeks"], short: ["wk.", "wk."], narrow: "w",
      auto: { "-1": "last week", 0: "this week", 1: "next week" }, autoShort: { "-1": "last wk.", 0: "this wk.", 1: "next wk." } },
    month: { long: ["month", "months"], short: ["mo.", "mo."], narrow: "mo",
      auto: { "-1": "last month", 0: "this month", 1: "next month" }, autoShort: { "-1": "last mo.", 0: "this mo.", 1: "next mo." } },
    quarter: { long: ["quarter", "quarters"], short: ["qtr.", "qtrs."], narrow: "q",
      auto: { "-1": "last quarter", 0: "this quarter", 1: "next quarter" }, autoShort: { "-1": "last qtr.", 0: "this qtr.", 1: "next qtr." } },
    year: { long: ["year", "years"], short: ["yr.", "yr."], narrow: "y",
      auto: { "-1": "last year", 0: "this year", 1: "next year" }, autoShort: { "-1": "last yr.", 0: "this yr.", 1: "next yr." } },
  };

  const relativeOptions = new WeakMap();
  class RelativeTimeFormat {
    constructor(locales = undefined, options = undefined) {
      const opts = options === undefined ? {} : Object(options);
      const get = optionReader("Intl.RelativeTimeFormat");
      relativeOptions.set(this, {
        locale: internal.resolveLocale(locales),
        style: get(opts, "style", ["long", "short", "narrow"], "long"),
        numeric: get(opts, "numeric", ["always", "auto"], "always"),
        numberingSystem: "latn",
      });
    }
    format(value, unit) {
      return this.formatToParts(value, unit).map((p) => p.value).join("");
    }
    formatToParts(value, unit) {
      const o = relativeOptions.get(this);
      const n = Number(value);
      if (!Number.isFinite(n)) throw new RangeError("Invalid time value");
      const name = String(unit).replace(/s$/, "");
      const data = relativeUnits[name];
      if (data === undefined) {
        throw new RangeError(`Invalid unit argument for Intl.RelativeTimeFormat.prototype.format() '${String(unit)}'`);
      }
      if (o.numeric === "auto") {
        const phrases = o.style !== "long" && data.autoShort ? data.autoShort : data.auto;
        const key = Object.is(n, -0) ? "0" : String(n);
        if (Object.prototype.hasOwnProperty.call(phrases, key)) return [{ type: "literal", value: phrases[key] }];
      }
      const past = n < 0 || Object.is(n, -0);
      const numberParts = new Intl.NumberFormat("en-US").formatToParts(Math.abs(n)).map((p) => ({ ...p, unit: name }));
      const formatted = numberParts.map((p) => p.value).join("");
      const plural = cardinal(formatted) === "one" ? 0 : 1;
      const label = o.style === "narrow" ? data.narrow : o.style === "short" ? data.short[plural] : data.long[plural];
      const space = o.style === "narrow" ? "" : " ";
      if (past) return [...numberParts, { type: "literal", value: `${space}${label} ago` }];
      return [{ type: "literal", value: "in " }, ...numberParts, { type: "literal", value: `${space}${label}` }];
    }
    resolvedOptions() {
      const o = relativeOptions.get(this);
      return { locale: o.locale, style: o.style, numeric: o.numeric, numberingSystem: o.numberingSystem };
    }
    static supportedLocalesOf(locales) {
      return PluralRules.supportedLocalesOf(locales);
    }
  }
  internal.setToStringTag(RelativeTimeFormat, "Intl.RelativeTimeFormat");
  Intl.RelativeTimeFormat = RelativeTimeFormat;

  // ---------------------------------------------------------------------------------------------------------
  const listPatterns = {
    conjunction: { long: [", ", ", and ", " and "], short: [", ", ", & ", " & "], narrow: [", ", ", ", ", "] },
    disjunction: { long: [", ", ", or ", " or "], short: [", ", ", or ", " or "], narrow: [", ", ", or ", " or "] },
    unit: { long: [", ", ", ", ", "], short: [", ", ", ", ", "], narrow: [" ", " ", " "] },
  };
  const listOptions = new WeakMap();
  class ListFormat {
    constructor(locales = undefined, options = undefined) {
      const opts = options === undefined ? {} : Object(options);
      const get = optionReader("Intl.ListFormat");
      listOptions.set(this, {
        locale: internal.resolveLocale(locales),
        type: get(opts, "type", ["conjunction", "disjunction", "unit"], "conjunction"),
        style: get(opts, "style", ["long", "short", "narrow"], "long"),
      });
    }
    format(list) {
      return this.formatToParts(list).map((p) => p.value).join("");
    }
    formatToParts(list) {
      const o = listOptions.get(this);
      const items = Array.from(list ?? [], (item) => {
        if (typeof item !== "string") throw new TypeError("Iterable yielded " + String(item) + " which is not a string");
        return item;
      });
      const [middle, end, pair] = listPatterns[o.type][o.style];
      const parts = [];
      items.forEach((item, i) => {
        if (i > 0) {
          const literal = items.length === 2 ? pair : i === items.length - 1 ? end : middle;
          parts.push({ type: "literal", value: literal });
        }
        parts.push({ type: "element", value: item });
      });
      return parts;
    }
    resolvedOptions() {
      return { ...listOptions.get(this) };
    }
    static supportedLocalesOf(locales) {
      return PluralRules.supportedLocalesOf(locales);
    }
  }
  internal.setToStringTag(ListFormat, "Intl.ListFormat");
  Intl.ListFormat = ListFormat;
})();
