// tntc JS prelude: Intl.DateTimeFormat and Date.prototype.toLocaleString/DateString/TimeString for English,
// producing what V8 (ICU, CLDR en) produces: option defaults (ECMA-402 ToDateTimeOptions), the en skeleton table
// and ICU's rules for combining date and time patterns (" at " for long month names, ", " otherwise), appended
// fields ("2024 (day: 5)"), dateStyle/timeStyle, hour cycles, fractional seconds, time zone names, formatToParts
// and resolvedOptions. The sandbox's local time zone is UTC. Date.prototype.toString gets V8's "(Coordinated
// Universal Time)" suffix.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const Intl = internal.Intl;
  const { canonicalTimeZone, zoneAt } = internal.timeZones;
  const getOption = (options, name, allowed, fallback) =>
    internal.getIntlOption(options, name, allowed, fallback, "Intl.DateTimeFormat");

  const monthsLong = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"];
  const weekdaysLong = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  // CLDR en availableFormats (gregorian), keyed by field letters in canonical order G y M E d B h/H m s.
  const availableFormats = {
    d: "d", E: "ccc", Ed: "d E", Gy: "y G", GyMd: "M/d/y G", GyMMM: "MMM y G", GyMMMd: "MMM d, y G",
    GyMMMEd: "E, MMM d, y G", M: "L", Md: "M/d", MEd: "E, M/d", MMM: "LLL", MMMd: "MMM d", MMMEd: "E, MMM d",
    y: "y", yM: "M/y", yMd: "M/d/y", yMEd: "E, M/d/y", yMMM: "MMM y", yMMMd: "MMM d, y", yMMMEd: "E, MMM d, y",
    h: "h a", H: "HH", hm: "h:mm a", Hm: "HH:mm", hms: "h:mm:ss a", Hms: "HH:mm:ss", ms: "mm:ss",
    Bh: "h B", Bhm: "h:mm B", Bhms: "h:mm:ss B",
    Ehm: "E h:mm a", EHm: "E HH:mm", Ehms: "E h:mm:ss a", EHms: "E HH:mm:ss", EBhm: "E h:mm B", EBhms: "E h:mm:ss B",
  };
  const fieldOrder = ["G", "y", "M", "E", "d", "B", "h", "m", "s", "z"];
  const appendItems = { G: "{0} {1}", y: "{0} {1}", M: "{0} ({2}: {1})", E: "{0} {1}", d: "{0} ({2}: {1})",
    B: "{0} {1}", h: "{0} ({2}: {1})", m: "{0} ({2}: {1})", s: "{0} ({2}: {1})", z: "{0} {1}" };
  const displayNames = { G: "era", y: "year", M: "month", E: "day of the week", d: "day", B: "AM/PM", h: "hour",
    m: "minute", s: "second", z: "time zone" };
  const dateStyles = { full: "EEEE, MMMM d, y", long: "MMMM d, y", medium: "MMM d, y", short: "M/d/yy" };
  const timeStyles = { full: "h:mm:ss a zzzz", long: "h:mm:ss a z", medium: "h:mm:ss a", short: "h:mm a" };
  const glueAt = "{1} 'at' {0}";
  const glueComma = "{1}, {0}";

  const widths = {
    weekday: { narrow: "EEEEE", short: "EEE", long: "EEEE" },
    era: { narrow: "GGGGG", short: "G", long: "GGGG" },
    year: { numeric: "y", "2-digit": "yy" },
    month: { numeric: "M", "2-digit": "MM", narrow: "MMMMM", short: "MMM", long: "MMMM" },
    day: { numeric: "d", "2-digit": "dd" },
    dayPeriod: { narrow: "BBBBB", short: "B", long: "BBBB" },
    hour: { numeric: "h", "2-digit": "hh" },
    minute: { numeric: "m", "2-digit": "mm" },
    second: { numeric: "s", "2-digit": "ss" },
    timeZoneName: { short: "z", long: "zzzz", shortOffset: "O", longOffset: "OOOO", shortGeneric: "v", longGeneric: "vvvv" },
  };
  const letterOfField = { weekday: "E", era: "G", year: "y", month: "M", day: "d", dayPeriod: "B", hour: "h",
    minute: "m", second: "s", timeZoneName: "z" };

  /** Splits a pattern into [{ letter, count } | { literal }]. */
  function tokenize(pattern) {
    const tokens = [];
    for (let i = 0; i < pattern.length;) {
      const ch = pattern[i];
      if (ch === "'") {
        const end = pattern.indexOf("'", i + 1);
        const text = pattern.slice(i + 1, end === -1 ? pattern.length : end);
        tokens.push({ literal: text === "" ? "'" : text });
        i = end === -1 ? pattern.length : end + 1;
      } else if (/[A-Za-z]/.test(ch)) {
        let j = i;
        while (pattern[j] === ch) j++;
        tokens.push({ letter: ch, count: j - i });
        i = j;
      } else {
        tokens.push({ literal: ch });
        i++;
      }
    }
    return tokens;
  }
  const untokenize = (tokens) =>
    tokens.map((t) => (t.literal !== undefined ? (/[A-Za-z']/.test(t.literal) ? `'${t.literal}'` : t.literal) : t.letter.repeat(t.count))).join("");

  /** Adjusts field widths of a table pattern to the requested skeleton letters. */
  function adjustWidths(pattern, requested) {
    const tokens = tokenize(pattern);
    for (const t of tokens) {
      if (t.literal !== undefined) continue;
      const want = requested[t.letter === "L" ? "M" : t.letter === "c" ? "E" : t.letter === "H" ? "h" : t.letter];
      if (want === undefined) continue;
      switch (t.letter) {
        case "M":
        case "L":
          if (want.length >= 3 && t.count >= 3) t.count = want.length;
          else if (want.length <= 2 && t.count <= 2) t.count = want.length;
          break;
        case "E":
        case "c":
          t.count = want.length === 3 ? (t.letter === "c" ? 3 : 1) : want.length;
          break;
        case "h":
          t.count = want.length;
          break;
        case "d":
        case "y":
        case "G":
        case "B":
          t.count = want.length;
          break;
        default:
          break;
      }
    }
    return untokenize(tokens);
  }

  function keyOf(letters) {
    let key = "";
    for (const letter of fieldOrder) {
      if (letters[letter] === undefined) continue;
      if (letter === "M") key += letters.M.length >= 3 ? "MMM" : "M";
      else if (letter === "h") key += letters.hourLetter;
      else key += letter;
    }
    return key;
  }

  /** Best pattern for a set of skeleton fields: an exact table entry, else the largest subset plus appended fields. */
  function bestPattern(letters) {
    const present = fieldOrder.filter((l) => letters[l] !== undefined);
    if (present.length === 0) return "";
    const exact = present.includes("z") ? undefined : availableFormats[keyOf(letters)];
    if (exact !== undefined) return adjustWidths(exact, letters);
    let best = null;
    let bestFields = [];
    for (const [key, pattern] of Object.entries(availableFormats)) {
      const fields = [];
      const probe = key.replace("MMM", "M");
      let ok = true;
      for (const ch of probe) {
        const letter = ch === "H" ? "h" : ch;
        if (letters[letter] === undefined) ok = false;
        if (letter === "h" && ch !== letters.hourLetter) ok = false;
        if (letter === "M" && letters.M !== undefined && key.includes("MMM") !== letters.M.length >= 3) ok = false;
        fields.push(letter);
      }
      const earlier = fields.length === bestFields.length && bestFields.length > 0 &&
        Math.min(...fields.map((f) => fieldOrder.indexOf(f))) < Math.min(...bestFields.map((f) => fieldOrder.indexOf(f)));
      if (ok && (fields.length > bestFields.length || earlier)) {
        best = pattern;
        bestFields = fields;
      }
    }
    let pattern;
    let missing;
    if (best !== null) {
      pattern = adjustWidths(best, letters);
      missing = present.filter((l) => !bestFields.includes(l));
    } else {
      const first = present[0];
      pattern = first === "m" ? "m" : first === "s" ? "s" : first === "h" ? letters.hourLetter.repeat(letters.h.length) : letters[first];
      missing = present.slice(1);
    }
    for (const letter of missing) {
      const field = letter === "h" ? letters.hourLetter.repeat(letters.h.length) : letters[letter];
      pattern = appendItems[letter].replace("{0}", pattern).replace("{1}", field).replace("{2}", `'${displayNames[letter]}'`);
    }
    return pattern;
  }

  function buildPattern(o) {
    const hourLetter = o.hourCycle === "h23" || o.hourCycle === "h24" ? "H" : "h";
    if (o.dateStyle !== undefined || o.timeStyle !== undefined) {
      const date = o.dateStyle !== undefined ? dateStyles[o.dateStyle] : null;
      let time = o.timeStyle !== undefined ? timeStyles[o.timeStyle] : null;
      if (time !== null && hourLetter === "H") time = time.replace("h", "HH").replace(" a", "");
      if (date !== null && time !== null) {
        return (o.dateStyle === "full" || o.dateStyle === "long" ? glueAt : glueComma).replace("{0}", time).replace("{1}", date);
      }
      return date ?? time;
    }
    const letters = { hourLetter };
    for (const field of Object.keys(letterOfField)) {
      if (o[field] !== undefined) letters[letterOfField[field]] = widths[field][o[field]];
    }
    const dateLetters = { hourLetter };
    const timeLetters = { hourLetter };
    for (const letter of ["G", "y", "M", "E", "d"]) if (letters[letter] !== undefined) dateLetters[letter] = letters[letter];
    for (const letter of ["B", "h", "m", "s", "z"]) if (letters[letter] !== undefined) timeLetters[letter] = letters[letter];
    const hasDate = Object.keys(dateLetters).length > 1;
    const hasTime = Object.keys(timeLetters).length > 1;
    let pattern;
    const whole = hasDate && hasTime && letters.z === undefined ? availableFormats[keyOf(letters)] : undefined;
    if (whole !== undefined) {
      pattern = adjustWidths(whole, letters);
    } else if (hasDate && hasTime) {
      const month = letters.M ?? "";
      const glue = month.length === 4 ? glueAt : glueComma;
      pattern = glue.replace("{0}", bestPattern(timeLetters)).replace("{1}", bestPattern(dateLetters));
    } else {
      pattern = bestPattern(hasDate ? dateLetters : timeLetters);
    }
    if (o.hourCycle === "h11" || o.hourCycle === "h24") {
      pattern = untokenize(tokenize(pattern).map((t) =>
        t.letter === "h" && o.hourCycle === "h11" ? { letter: "K", count: t.count }
          : t.letter === "H" && o.hourCycle === "h24" ? { letter: "k", count: t.count } : t));
    }
    if (o.fractionalSecondDigits !== undefined) {
      const tokens = tokenize(pattern);
      const index = tokens.findIndex((t) => t.letter === "s");
      if (index !== -1) {
        tokens.splice(index + 1, 0, { literal: "." }, { letter: "S", count: o.fractionalSecondDigits });
        pattern = untokenize(tokens);
      }
    }
    return pattern;
  }

  // ---------------------------------------------------------------------------------------------------------

  function dayPeriodName(hour, minute, width) {
    if (hour === 12 && minute === 0) return width === 5 ? "n" : "noon";
    if (hour >= 6 && hour < 12) return "in the morning";
    if (hour >= 12 && hour < 18) return "in the afternoon";
    if (hour >= 18 && hour < 21) return "in the evening";
    if (hour >= 21) return "at night";
    return "in the morning";
  }

  function fieldsAt(time, zone) {
    const z = zoneAt(zone, time);
    const local = new Date(time + z.offset * 60000);
    return {
      year: local.getUTCFullYear(), month: local.getUTCMonth(), day: local.getUTCDate(), weekday: local.getUTCDay(),
      hour: local.getUTCHours(), minute: local.getUTCMinutes(), second: local.getUTCSeconds(),
      millisecond: local.getUTCMilliseconds(), zone: z,
    };
  }

  const pad = (n, width) => String(n).padStart(width, "0");

  function formatToParts(o, time) {
    const f = fieldsAt(time, o.timeZone);
    const parts = [];
    const push = (type, value) => {
      if (type === "literal" && parts.length && parts[parts.length - 1].type === "literal") parts[parts.length - 1].value += value;
      else parts.push({ type, value });
    };
    for (const t of tokenize(o.pattern)) {
      if (t.literal !== undefined) {
        push("literal", t.literal);
        continue;
      }
      const n = t.count;
      switch (t.letter) {
        case "G": {
          const ad = f.year > 0;
          push("era", n === 4 ? (ad ? "Anno Domini" : "Before Christ") : n === 5 ? (ad ? "A" : "B") : ad ? "AD" : "BC");
          break;
        }
        case "y": {
          const year = f.year > 0 ? f.year : 1 - f.year;
          push("year", n === 2 ? pad(year % 100, 2) : String(year));
          break;
        }
        case "M":
        case "L":
          push("month", n >= 3 ? (n === 3 ? monthsLong[f.month].slice(0, 3) : n === 4 ? monthsLong[f.month] : monthsLong[f.month][0])
            : pad(f.month + 1, n));
          break;
        case "d":
          push("day", pad(f.day, n));
          break;
        case "E":
        case "c": {
          const name = weekdaysLong[f.weekday];
          push("weekday", n === 4 ? name : n === 5 ? name[0] : n === 6 ? name.slice(0, 2) : name.slice(0, 3));
          break;
        }
        case "a":
          push("dayPeriod", f.hour < 12 ? "AM" : "PM");
          break;
        case "B":
          push("dayPeriod", dayPeriodName(f.hour, f.minute, n));
          break;
        case "h":
          push("hour", pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n));
          break;
        case "K":
          push("hour", pad(f.hour % 12, n));
          break;
        case "H":
          push("hour", pad(f.hour, n));
          break;
        case "k":
          push("hour", pad(f.hour === 0 ? 24 : f.hour, n));
          break;
        case "m":
          push("minute", pad(f.minute, n));
          break;
        case "s":
          push("second", pad(f.second, n));
          break;
        case "S":
          push("fractionalSecond", pad(f.millisecond, 3).slice(0, n));
          break;
        case "z":
          push("timeZoneName", n >= 4 ? f.zone.long : f.zone.short);
          break;
        case "O":
          push("timeZoneName", n >= 4 ? f.zone.longOffset : f.zone.shortOffset);
          break;
        case "v":
          push("timeZoneName", n >= 4 ? f.zone.long : f.zone.short);
          break;
        default:
          push("literal", t.letter.repeat(n));
      }
    }
    return parts;
  }

  function toTime(date) {
    const time = date === undefined ? Date.now() : date instanceof Date ? date.getTime() : Number(date);
    if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) throw new RangeError("Invalid time value");
    return time;
  }

  const optionsOf = new WeakMap();
  const explicitFields = ["weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second",
    "fractionalSecondDigits", "timeZoneName"];

  function createOptions(locales, options, required, defaults) {
    const opts = options === undefined ? {} : Object(options);
    const o = { locale: internal.resolveLocale(locales), calendar: "gregory", numberingSystem: "latn" };
    const hour12 = opts.hour12 === undefined ? undefined : Boolean(opts.hour12);
    const hourCycle = getOption(opts, "hourCycle", ["h11", "h12", "h23", "h24"], undefined);
    o.timeZone = opts.timeZone === undefined ? "UTC" : canonicalTimeZone(opts.timeZone);
    const requestedFields = {};
    for (const field of explicitFields) {
      if (field === "fractionalSecondDigits") {
        const value = opts.fractionalSecondDigits;
        if (value !== undefined) {
          const n = Number(value);
          if (!Number.isFinite(n) || n < 1 || n > 3) throw new RangeError("fractionalSecondDigits value is out of range.");
          requestedFields.fractionalSecondDigits = Math.floor(n);
        }
        continue;
      }
      const value = getOption(opts, field, Object.keys(widths[field]), undefined);
      if (value !== undefined) requestedFields[field] = value;
    }
    getOption(opts, "formatMatcher", ["basic", "best fit"], "best fit");
    const dateStyle = getOption(opts, "dateStyle", ["full", "long", "medium", "short"], undefined);
    const timeStyle = getOption(opts, "timeStyle", ["full", "long", "medium", "short"], undefined);
    const hasExplicit = Object.keys(requestedFields).length > 0;
    if (dateStyle !== undefined || timeStyle !== undefined) {
      if (hasExplicit) throw new TypeError("Invalid option : option");
      if (required === "date" && timeStyle !== undefined) throw new TypeError("Invalid option : timeStyle");
      if (required === "time" && dateStyle !== undefined) throw new TypeError("Invalid option : dateStyle");
      if (dateStyle !== undefined) o.dateStyle = dateStyle;
      if (timeStyle !== undefined) o.timeStyle = timeStyle;
    } else {
      let needDefaults = true;
      if ((required === "date" || required === "any") &&
        ["weekday", "year", "month", "day"].some((f) => requestedFields[f] !== undefined)) needDefaults = false;
      if ((required === "time" || required === "any") &&
        ["dayPeriod", "hour", "minute", "second", "fractionalSecondDigits"].some((f) => requestedFields[f] !== undefined)) {
        needDefaults = false;
      }
      if (needDefaults && (defaults === "date" || defaults === "all")) {
        requestedFields.year = requestedFields.month = requestedFields.day = "numeric";
      }
      if (needDefaults && (defaults === "time" || defaults === "all")) {
        requestedFields.hour = requestedFields.minute = requestedFields.second = "numeric";
      }
    }
    const explicitHour = requestedFields.hour !== undefined;
    if (requestedFields.hour === undefined && (requestedFields.hour = defaultHour(requestedFields)) === undefined) {
      delete requestedFields.hour;
    }
    const usesHour = requestedFields.hour !== undefined || o.timeStyle !== undefined;
    if (usesHour) {
      const cycle = hour12 === true ? "h12" : hour12 === false ? "h23" : hourCycle ?? "h12";
      // V8 keeps h11/h24 only for an explicitly requested hour; with default fields it prints h12/h23.
      o.hourCycle = explicitHour ? cycle : cycle === "h11" ? "h12" : cycle === "h24" ? "h23" : cycle;
    }
    Object.assign(o, requestedFields);
    o.pattern = buildPattern(o);
    return o;
  }

  const defaultHour = (fields) => fields.hour;

  function resolved(o) {
    const out = { locale: o.locale, calendar: o.calendar, numberingSystem: o.numberingSystem, timeZone: o.timeZone };
    if (o.hourCycle !== undefined) {
      out.hourCycle = o.hourCycle;
      out.hour12 = o.hourCycle === "h11" || o.hourCycle === "h12";
    }
    if (o.dateStyle !== undefined || o.timeStyle !== undefined) {
      if (o.dateStyle !== undefined) out.dateStyle = o.dateStyle;
      if (o.timeStyle !== undefined) out.timeStyle = o.timeStyle;
      return out;
    }
    const seen = {};
    for (const t of tokenize(o.pattern)) {
      if (t.letter === undefined) continue;
      const n = t.count;
      switch (t.letter) {
        case "E": case "c": seen.weekday = n === 4 ? "long" : n === 5 ? "narrow" : "short"; break;
        case "G": seen.era = n === 4 ? "long" : n === 5 ? "narrow" : "short"; break;
        case "y": seen.year = n === 2 ? "2-digit" : "numeric"; break;
        case "M": case "L": seen.month = ["numeric", "2-digit", "short", "long", "narrow"][n - 1]; break;
        case "d": seen.day = n === 2 ? "2-digit" : "numeric"; break;
        case "B": seen.dayPeriod = n === 4 ? "long" : n === 5 ? "narrow" : "short"; break;
        case "h": case "H": case "k": case "K": seen.hour = n === 2 ? "2-digit" : "numeric"; break;
        case "m": seen.minute = n === 2 ? "2-digit" : "numeric"; break;
        case "s": seen.second = n === 2 ? "2-digit" : "numeric"; break;
        case "S": seen.fractionalSecondDigits = n; break;
        default: break;
      }
    }
    for (const key of ["weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second", "fractionalSecondDigits"]) {
      if (seen[key] !== undefined) out[key] = seen[key];
    }
    if (o.timeZoneName !== undefined) out.timeZoneName = o.timeZoneName;
    return out;
  }

  class DateTimeFormat {
    constructor(locales = undefined, options = undefined) {
      optionsOf.set(this, createOptions(locales, options, "any", "date"));
    }
    get format() {
      const o = optionsOf.get(this);
      if (o === undefined) throw new TypeError("Method Intl.DateTimeFormat.prototype.format called on incompatible receiver");
      const bound = (date = undefined) => formatToParts(o, toTime(date)).map((p) => p.value).join("");
      Object.defineProperty(this, "format", { value: bound, configurable: true });
      return bound;
    }
    formatToParts(date = undefined) {
      return formatToParts(optionsOf.get(this), toTime(date));
    }
    formatRange(start, end) {
      const a = this.format(start);
      const b = this.format(end);
      return a === b ? a : `${a}\u2009\u2013\u2009${b}`;
    }
    resolvedOptions() {
      return resolved(optionsOf.get(this));
    }
    static supportedLocalesOf(locales) {
      return locales === undefined ? [] : (typeof locales === "string" ? [locales] : Array.from(locales)).map(String);
    }
  }
  internal.setToStringTag(DateTimeFormat, "Intl.DateTimeFormat");
  Intl.DateTimeFormat = DateTimeFormat;

  function defineDateMethod(name, required, defaults) {
    Object.defineProperty(Date.prototype, name, {
      value: {
        [name](locales = undefined, options = undefined) {
          const time = Date.prototype.getTime.call(this);
          if (Number.isNaN(time)) return "Invalid Date";
          return formatToParts(createOptions(locales, options, required, defaults), time).map((p) => p.value).join("");
        },
      }[name],
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  defineDateMethod("toLocaleString", "any", "all");
  defineDateMethod("toLocaleDateString", "date", "date");
  defineDateMethod("toLocaleTimeString", "time", "time");

  // V8 names the zone after the offset: "Fri Jan 05 2024 15:04:09 GMT+0000 (Coordinated Universal Time)".
  const nativeToString = Date.prototype.toString;
  const nativeToTimeString = Date.prototype.toTimeString;
  const withZoneName = (native) => function () {
    const text = native.call(this);
    if (text === "Invalid Date" || Date.prototype.getTimezoneOffset.call(this) !== 0 || /\)$/.test(text)) return text;
    return `${text} (Coordinated Universal Time)`;
  };
  Object.defineProperty(Date.prototype, "toString", {
    value: { toString: withZoneName(nativeToString) }.toString, writable: true, enumerable: false, configurable: true,
  });
  Object.defineProperty(Date.prototype, "toTimeString", {
    value: { toTimeString: withZoneName(nativeToTimeString) }.toTimeString, writable: true, enumerable: false, configurable: true,
  });
})();
