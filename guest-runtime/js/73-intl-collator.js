// tntc JS prelude: Intl.Collator and String.prototype.localeCompare, approximating ICU's root collation (what V8
// uses for "en"): whitespace < punctuation < symbols < digits < letters at the primary level, accents at the
// secondary level, lower case before upper case at the tertiary level; `numeric`, `sensitivity`, `caseFirst`
// and `ignorePunctuation` options. Latin letters with diacritics sort with their base letter (NFD); other
// scripts sort by code point after Latin. QuickJS compares code units, which puts "Z" before "a".
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const Intl = internal.Intl;
  const getOption = (options, name, allowed, fallback) =>
    internal.getIntlOption(options, name, allowed, fallback, "Intl.Collator");

  // ICU root order of printable ASCII below the digits (space first).
  const asciiOrder = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
  const punctuationRank = new Map();
  for (let i = 0; i < asciiOrder.length; i++) punctuationRank.set(asciiOrder[i], i + 1);
  const DIGITS = 0x1000;
  const LETTERS = 0x2000;
  const OTHER = 0x10000;
  const expansions = { "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o\u0338", "Ø": "O\u0338",
    "đ": "d\u0335", "Đ": "D\u0335", "ł": "l\u0335", "Ł": "L\u0335", "ı": "i" };

  const isMark = (cp) => (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe20 && cp <= 0xfe2f) || cp === 0x338 || cp === 0x335;
  const isPunctuationOrSpace = (ch) => /[\s\p{P}\p{S}]/u.test(ch);

  /** Collation elements: [{ p: primary (number or numeric string), s: secondary, t: tertiary }]. */
  function elements(string, options) {
    // Expanded letters (ß -> ss) differ from what they expand to at the tertiary level, marked with U+E000.
    let text = "";
    for (const ch of String(string)) text += expansions[ch] !== undefined ? "\ue000" + expansions[ch] : ch;
    text = text.normalize("NFD");
    const out = [];
    const chars = Array.from(text);
    let expanded = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i];
      if (ch === "\ue000") {
        expanded = true;
        continue;
      }
      const cp = ch.codePointAt(0);
      if (isMark(cp)) {
        if (out.length > 0) out.push({ p: null, s: 10 + cp, t: 5 });
        continue;
      }
      if (options.numeric && cp >= 0x30 && cp <= 0x39) {
        let j = i;
        while (j < chars.length && /[0-9]/.test(chars[j])) j++;
        const digits = chars.slice(i, j).join("").replace(/^0+(?=\d)/, "");
        out.push({ p: DIGITS, n: digits, s: 5, t: 5 });
        i = j - 1;
        continue;
      }
      if (options.ignorePunctuation && isPunctuationOrSpace(ch)) continue;
      let primary;
      let tertiary = 5;
      if (punctuationRank.has(ch)) primary = punctuationRank.get(ch);
      else if (cp >= 0x30 && cp <= 0x39) primary = DIGITS + (cp - 0x30);
      else if (/\p{L}/u.test(ch)) {
        const lower = ch.toLowerCase();
        const upper = ch !== lower;
        tertiary = upper ? 6 : 5;
        const lcp = lower.codePointAt(0);
        primary = lcp >= 0x61 && lcp <= 0x7a ? LETTERS + (lcp - 0x61) * 2 : OTHER + lcp;
      } else if (/\s/u.test(ch) || cp < 0x20) primary = 0.5;
      else if (/\p{N}/u.test(ch)) primary = DIGITS + 10 + cp / 0x110000;
      else primary = asciiOrder.length + 1 + cp / 0x110000;
      out.push({ p: primary, s: 5, t: expanded ? tertiary + 2 : tertiary });
      expanded = false;
    }
    return out;
  }

  function comparePrimary(a, b) {
    const pa = a.filter((e) => e.p !== null);
    const pb = b.filter((e) => e.p !== null);
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const x = pa[i];
      const y = pb[i];
      if (x.p !== y.p) return x.p < y.p ? -1 : 1;
      if (x.n !== undefined && y.n !== undefined && x.n !== y.n) {
        if (x.n.length !== y.n.length) return x.n.length < y.n.length ? -1 : 1;
        return x.n < y.n ? -1 : 1;
      }
    }
    return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
  }

  function compareLevel(a, b, key) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i][key] !== b[i][key]) return a[i][key] < b[i][key] ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  // ASCII needs none of the general path (no expansions, marks, normalization or multi-element characters): each
  // character is one element whose weights are tabulated here from `elements` itself, so the results are the same.
  const asciiPrimary = new Float64Array(128);
  const asciiTertiary = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const [element] = elements(String.fromCharCode(c), { numeric: false, ignorePunctuation: false });
    asciiPrimary[c] = element.p;
    asciiTertiary[c] = element.t;
  }

  function isAscii(s) {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
    return true;
  }

  /** `compare` for two ASCII strings, without the `numeric` and `ignorePunctuation` options. */
  function compareAscii(o, x, y) {
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const a = asciiPrimary[x.charCodeAt(i)];
      const b = asciiPrimary[y.charCodeAt(i)];
      if (a !== b) return a < b ? -1 : 1;
    }
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    // Every ASCII element has the same secondary weight.
    if (o.sensitivity === "base" || o.sensitivity === "accent") return 0;
    let tertiary = 0;
    for (let i = 0; i < n && tertiary === 0; i++) {
      const a = asciiTertiary[x.charCodeAt(i)];
      const b = asciiTertiary[y.charCodeAt(i)];
      if (a !== b) tertiary = a < b ? -1 : 1;
    }
    return o.caseFirst === "upper" ? -tertiary : tertiary;
  }

  function compare(o, x, y) {
    if (!o.numeric && !o.ignorePunctuation && isAscii(x) && isAscii(y)) return compareAscii(o, x, y);
    const a = elements(x, o);
    const b = elements(y, o);
    const primary = comparePrimary(a, b);
    if (primary !== 0 || o.sensitivity === "base") return primary;
    if (o.sensitivity === "accent" || o.sensitivity === "variant") {
      const secondary = compareLevel(a, b, "s");
      if (secondary !== 0 || o.sensitivity === "accent") return secondary;
    }
    const tertiary = compareLevel(a, b, "t");
    return o.caseFirst === "upper" ? -tertiary : tertiary;
  }

  const optionsOf = new WeakMap();
  class Collator {
    constructor(locales = undefined, options = undefined) {
      const opts = options === undefined ? {} : Object(options);
      const usage = getOption(opts, "usage", ["sort", "search"], "sort");
      const numeric = opts.numeric === undefined ? false : Boolean(opts.numeric);
      const caseFirst = getOption(opts, "caseFirst", ["upper", "lower", "false"], "false");
      const sensitivity = getOption(opts, "sensitivity", ["base", "accent", "case", "variant"], "variant");
      const ignorePunctuation = opts.ignorePunctuation === undefined ? false : Boolean(opts.ignorePunctuation);
      optionsOf.set(this, {
        locale: internal.resolveLocale(locales), usage, sensitivity, ignorePunctuation, collation: "default", numeric,
        caseFirst,
      });
    }
    get compare() {
      const o = optionsOf.get(this);
      if (o === undefined) throw new TypeError("Method Intl.Collator.prototype.compare called on incompatible receiver");
      const bound = (x, y) => compare(o, String(x), String(y));
      Object.defineProperty(this, "compare", { value: bound, configurable: true });
      return bound;
    }
    resolvedOptions() {
      return { ...optionsOf.get(this) };
    }
    static supportedLocalesOf(locales) {
      return locales === undefined ? [] : (typeof locales === "string" ? [locales] : Array.from(locales)).map(String);
    }
  }
  internal.setToStringTag(Collator, "Intl.Collator");
  Intl.Collator = Collator;

  // `localeCompare(that)` and `localeCompare(that, "en")` are the common calls (often in a sort comparator): the
  // options they resolve to are kept per locale argument (constructed, and so validated, once).
  const plainOptions = new Map();
  function plainOptionsFor(locales) {
    let o = plainOptions.get(locales);
    if (o === undefined) {
      o = optionsOf.get(new Collator(locales));
      plainOptions.set(locales, o);
    }
    return o;
  }
  for (const locales of [undefined, "en", "en-US"]) plainOptionsFor(locales);

  Object.defineProperty(String.prototype, "localeCompare", {
    value: function localeCompare(that, locales = undefined, options = undefined) {
      if (this === null || this === undefined) {
        throw new TypeError("String.prototype.localeCompare called on null or undefined");
      }
      const o = options === undefined && (locales === undefined || typeof locales === "string")
        ? plainOptionsFor(locales)
        : optionsOf.get(new Collator(locales, options));
      return compare(o, String(this), String(that));
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
})();
