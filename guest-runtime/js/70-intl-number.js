// tntc JS prelude: Intl.NumberFormat and Number/BigInt.prototype.toLocaleString for English, producing exactly
// what V8 (ICU) produces for en-US: grouping, digit options, rounding modes, percent, currency (symbol, code, name,
// accounting), units, compact/scientific/engineering notation, sign display, formatToParts, resolvedOptions.
// QuickJS has no Intl. Locales other than English are formatted as en-US (resolvedOptions says so).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const Intl = globalThis.Intl ?? {};
  const NBSP = "\u00a0";

  /** Picks the locale: the first English tag requested (canonical case), else en-US. */
  function resolveLocale(locales) {
    const list = locales === undefined ? [] : typeof locales === "string" ? [locales] : Array.from(locales);
    for (const tag of list) {
      const string = String(tag);
      if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(string)) throw new RangeError(`Incorrect locale information provided`);
      const parts = string.split("-");
      if (parts[0].toLowerCase() === "en") {
        return parts.map((p, i) => (i === 0 ? p.toLowerCase() : p.length === 2 ? p.toUpperCase() : p.length === 4 ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p.toLowerCase())).join("-");
      }
    }
    return "en-US";
  }
  internal.resolveLocale = resolveLocale;

  function supportedLocalesOf(locales) {
    const list = locales === undefined ? [] : typeof locales === "string" ? [locales] : Array.from(locales);
    return list.map(String);
  }

  function getOption(options, name, allowed, fallback, ctor = "Intl.NumberFormat") {
    let value = options[name];
    if (value === undefined) return fallback;
    value = typeof fallback === "boolean" ? Boolean(value) : String(value);
    if (allowed !== null && !allowed.includes(value)) {
      throw new RangeError(`Value ${value} out of range for ${ctor} options property ${name}`);
    }
    return value;
  }
  internal.getIntlOption = getOption;

  function getNumberOption(options, name, min, max, fallback) {
    const value = options[name];
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`${name} value is out of range.`);
    return Math.floor(n);
  }

  const currencySymbols = {
    USD: "$", EUR: "€", GBP: "£", JPY: "¥", INR: "₹", CNY: "CN¥", CAD: "CA$", AUD: "A$", KRW: "₩", BRL: "R$",
    MXN: "MX$", ILS: "₪", VND: "₫", TWD: "NT$", NZD: "NZ$", HKD: "HK$", XAF: "FCFA", PHP: "₱", XCD: "EC$",
    XOF: "F\u202fCFA",
  };
  const narrowSymbols = {
    CAD: "$", AUD: "$", MXN: "$", NZD: "$", HKD: "$", TWD: "$", BRL: "R$", CNY: "¥", SGD: "$", RUB: "₽",
    UAH: "₴", TRY: "₺", PLN: "zł", SEK: "kr", NOK: "kr", DKK: "kr", ZAR: "R", CHF: "CHF", THB: "฿", NGN: "₦",
    ARS: "$", CLP: "$", COP: "$",
  };
  const currencyNames = {
    USD: ["US dollar", "US dollars"], EUR: ["euro", "euros"], GBP: ["British pound", "British pounds"],
    JPY: ["Japanese yen", "Japanese yen"], CAD: ["Canadian dollar", "Canadian dollars"],
    AUD: ["Australian dollar", "Australian dollars"], INR: ["Indian rupee", "Indian rupees"],
    CNY: ["Chinese yuan", "Chinese yuan"], CHF: ["Swiss franc", "Swiss francs"], MXN: ["Mexican peso", "Mexican pesos"],
    BRL: ["Brazilian real", "Brazilian reals"], KRW: ["South Korean won", "South Korean won"],
    SEK: ["Swedish krona", "Swedish kronor"], NZD: ["New Zealand dollar", "New Zealand dollars"],
    SGD: ["Singapore dollar", "Singapore dollars"], HKD: ["Hong Kong dollar", "Hong Kong dollars"],
  };
  const currencyDigits = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0, PYG: 0, XAF: 0, XOF: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3, IQD: 0, LYD: 3 };

  // unit -> [short, narrow, long singular, long plural]; {0} is the number.
  const units = {
    percent: ["{0}%", "{0}%", "{0} percent", "{0} percent"],
    byte: ["{0} byte", "{0}B", "{0} byte", "{0} bytes"], kilobyte: ["{0} kB", "{0}kB", "{0} kilobyte", "{0} kilobytes"],
    megabyte: ["{0} MB", "{0}MB", "{0} megabyte", "{0} megabytes"], gigabyte: ["{0} GB", "{0}GB", "{0} gigabyte", "{0} gigabytes"],
    terabyte: ["{0} TB", "{0}TB", "{0} terabyte", "{0} terabytes"], petabyte: ["{0} PB", "{0}PB", "{0} petabyte", "{0} petabytes"],
    bit: ["{0} bit", "{0}bit", "{0} bit", "{0} bits"], kilobit: ["{0} kb", "{0}kb", "{0} kilobit", "{0} kilobits"],
    megabit: ["{0} Mb", "{0}Mb", "{0} megabit", "{0} megabits"], gigabit: ["{0} Gb", "{0}Gb", "{0} gigabit", "{0} gigabits"],
    millisecond: ["{0} ms", "{0}ms", "{0} millisecond", "{0} milliseconds"],
    microsecond: ["{0} μs", "{0}μs", "{0} microsecond", "{0} microseconds"],
    nanosecond: ["{0} ns", "{0}ns", "{0} nanosecond", "{0} nanoseconds"],
    second: ["{0} sec", "{0}s", "{0} second", "{0} seconds"], minute: ["{0} min", "{0}m", "{0} minute", "{0} minutes"],
    hour: ["{0} hr", "{0}h", "{0} hour", "{0} hours"], day: ["{0} day|{0} days", "{0}d", "{0} day", "{0} days"],
    week: ["{0} wk|{0} wks", "{0}w", "{0} week", "{0} weeks"], month: ["{0} mth|{0} mths", "{0}m", "{0} month", "{0} months"],
    year: ["{0} yr|{0} yrs", "{0}y", "{0} year", "{0} years"],
    meter: ["{0} m", "{0}m", "{0} meter", "{0} meters"], kilometer: ["{0} km", "{0}km", "{0} kilometer", "{0} kilometers"],
    centimeter: ["{0} cm", "{0}cm", "{0} centimeter", "{0} centimeters"], millimeter: ["{0} mm", "{0}mm", "{0} millimeter", "{0} millimeters"],
    mile: ["{0} mi", "{0}mi", "{0} mile", "{0} miles"], foot: ["{0} ft", "{0}′", "{0} foot", "{0} feet"],
    inch: ["{0} in", "{0}″", "{0} inch", "{0} inches"], yard: ["{0} yd", "{0}yd", "{0} yard", "{0} yards"],
    gram: ["{0} g", "{0}g", "{0} gram", "{0} grams"], kilogram: ["{0} kg", "{0}kg", "{0} kilogram", "{0} kilograms"],
    pound: ["{0} lb", "{0}#", "{0} pound", "{0} pounds"], ounce: ["{0} oz", "{0}oz", "{0} ounce", "{0} ounces"],
    liter: ["{0} L", "{0}L", "{0} liter", "{0} liters"], milliliter: ["{0} mL", "{0}mL", "{0} milliliter", "{0} milliliters"],
    gallon: ["{0} gal", "{0}gal", "{0} gallon", "{0} gallons"],
    celsius: ["{0}°C", "{0}°C", "{0} degree Celsius", "{0} degrees Celsius"],
    fahrenheit: ["{0}°F", "{0}°", "{0} degree Fahrenheit", "{0} degrees Fahrenheit"],
    degree: ["{0} deg", "{0}°", "{0} degree", "{0} degrees"],
    "kilometer-per-hour": ["{0} km/h", "{0}km/h", "{0} kilometer per hour", "{0} kilometers per hour"],
    "mile-per-hour": ["{0} mph", "{0}mph", "{0} mile per hour", "{0} miles per hour"],
    "meter-per-second": ["{0} m/s", "{0}m/s", "{0} meter per second", "{0} meters per second"],
  };

  // ---------------------------------------------------------------------------------------------------------
  // Exact decimal arithmetic on the shortest round-trip representation (what ICU formats).

  /** { negative, digits (no leading zeros, "" for zero), point (digits before the decimal point) } */
  function toDecimal(value) {
    if (typeof value === "bigint") {
      const negative = value < 0n;
      const digits = (negative ? -value : value).toString().replace(/^0+/, "");
      return { negative, digits, point: digits.length };
    }
    const negative = value < 0 || Object.is(value, -0);
    const text = Math.abs(value).toString();
    const [mantissa, exp] = text.split("e");
    const [int, frac = ""] = mantissa.split(".");
    let digits = int + frac;
    let point = int.length + (exp === undefined ? 0 : Number(exp));
    const lead = digits.length - digits.replace(/^0+/, "").length;
    digits = digits.slice(lead);
    point -= lead;
    digits = digits.replace(/0+$/, "");
    return { negative, digits, point: digits === "" ? 0 : point };
  }

  /** Rounds to keep `keep` digits of `digits` (keep may be <= 0 or beyond the length). */
  function roundDigits(d, keep, mode) {
    if (keep >= d.digits.length) return d;
    const kept = keep > 0 ? d.digits.slice(0, keep) : "";
    const rest = keep >= 0 ? d.digits.slice(keep) : "0".repeat(-keep) + d.digits;
    const first = Number(rest[0]);
    const beyondHalf = rest.slice(1).replace(/0+$/, "") !== "";
    const nonzero = rest.replace(/0/g, "") !== "";
    const lastKept = kept === "" ? 0 : Number(kept[kept.length - 1]);
    let up;
    switch (mode) {
      case "ceil": up = nonzero && !d.negative; break;
      case "floor": up = nonzero && d.negative; break;
      case "expand": up = nonzero; break;
      case "trunc": up = false; break;
      case "halfCeil": up = first > 5 || (first === 5 && (beyondHalf || !d.negative)); break;
      case "halfFloor": up = first > 5 || (first === 5 && (beyondHalf || d.negative)); break;
      case "halfTrunc": up = first > 5 || (first === 5 && beyondHalf); break;
      case "halfEven": up = first > 5 || (first === 5 && (beyondHalf || lastKept % 2 === 1)); break;
      default: up = first >= 5;
    }
    let digits = kept;
    let point = d.point;
    if (up) {
      const arr = (kept === "" ? "0" : kept).split("").map(Number);
      let i = arr.length - 1;
      while (i >= 0) {
        if (arr[i] === 9) {
          arr[i] = 0;
          i--;
        } else {
          arr[i]++;
          break;
        }
      }
      if (i < 0) {
        arr.unshift(1);
        point++;
      }
      if (kept === "") {
        // Rounding up from nothing: the new digit sits at position `keep` (a power of ten).
        digits = "1";
        point = d.point - keep + 1;
        return { negative: d.negative, digits, point };
      }
      digits = arr.join("");
    }
    digits = digits.replace(/0+$/, "");
    const lead = digits.length - digits.replace(/^0+/, "").length;
    digits = digits.slice(lead);
    point -= lead;
    return { negative: d.negative, digits, point: digits === "" ? 0 : point };
  }


  /** Applies the digit options; returns { d, minFraction } (the rounded value and fraction digits to show). */
  function applyDigits(d, o) {
    const byFraction = () => roundDigits(d, d.point + o.maximumFractionDigits, o.roundingMode);
    const bySignificant = () => roundDigits(d, o.maximumSignificantDigits, o.roundingMode);
    let rounded;
    let useSignificant;
    if (o.roundingType === "significantDigits") {
      rounded = bySignificant();
      useSignificant = true;
    } else if (o.roundingType === "fractionDigits") {
      rounded = byFraction();
      useSignificant = false;
    } else {
      // ECMA-402: compare rounding magnitudes; morePrecision keeps the smaller one (significant on a tie).
      const exponent = d.digits === "" ? 0 : d.point - 1;
      const sMagnitude = exponent - o.maximumSignificantDigits + 1;
      const fMagnitude = -o.maximumFractionDigits;
      useSignificant = o.roundingType === "morePrecision" ? sMagnitude <= fMagnitude : sMagnitude > fMagnitude;
      rounded = useSignificant ? bySignificant() : byFraction();
    }
    let minFraction;
    if (useSignificant) {
      const sig = Math.max(o.minimumSignificantDigits, 1);
      minFraction = Math.max(sig - (rounded.digits === "" ? 1 : rounded.point), 0);
    } else {
      minFraction = o.minimumFractionDigits;
    }
    if (o.trailingZeroDisplay === "stripIfInteger" && rounded.digits.length <= rounded.point) minFraction = 0;
    return { d: rounded, minFraction };
  }

  function integerAndFraction(d, minFraction, minInteger) {
    let int;
    let frac;
    if (d.digits === "") {
      int = "0";
      frac = "";
    } else if (d.point <= 0) {
      int = "0";
      frac = "0".repeat(-d.point) + d.digits;
    } else if (d.point >= d.digits.length) {
      int = d.digits + "0".repeat(d.point - d.digits.length);
      frac = "";
    } else {
      int = d.digits.slice(0, d.point);
      frac = d.digits.slice(d.point);
    }
    if (frac.length < minFraction) frac += "0".repeat(minFraction - frac.length);
    if (int.length < minInteger) int = "0".repeat(minInteger - int.length) + int;
    return { int, frac };
  }

  function groupParts(int, grouping, parts) {
    const useGroups = grouping === "always" || grouping === "auto" ? int.length > 3 : grouping === "min2" ? int.length > 4 : false;
    if (!useGroups) {
      parts.push({ type: "integer", value: int });
      return;
    }
    const first = int.length % 3 || 3;
    parts.push({ type: "integer", value: int.slice(0, first) });
    for (let i = first; i < int.length; i += 3) {
      parts.push({ type: "group", value: "," }, { type: "integer", value: int.slice(i, i + 3) });
    }
  }

  const compactSuffixes = [
    [3, "K", "thousand"], [6, "M", "million"], [9, "B", "billion"], [12, "T", "trillion"],
  ];

  // ---------------------------------------------------------------------------------------------------------

  const optionsOf = new WeakMap();

  class NumberFormat {
    constructor(locales = undefined, options = undefined) {
      const opts = options === undefined ? {} : Object(options);
      const o = { locale: resolveLocale(locales), numberingSystem: "latn" };
      o.style = getOption(opts, "style", ["decimal", "percent", "currency", "unit"], "decimal");
      const currency = opts.currency === undefined ? undefined : String(opts.currency);
      if (currency !== undefined && !/^[A-Za-z]{3}$/.test(currency)) throw new RangeError(`Invalid currency code : ${currency}`);
      const currencyDisplay = getOption(opts, "currencyDisplay", ["code", "symbol", "narrowSymbol", "name"], "symbol");
      const currencySign = getOption(opts, "currencySign", ["standard", "accounting"], "standard");
      const unit = opts.unit === undefined ? undefined : String(opts.unit);
      const unitDisplay = getOption(opts, "unitDisplay", ["short", "narrow", "long"], "short");
      if (o.style === "currency") {
        if (currency === undefined) throw new TypeError("Currency code is required with currency style.");
        o.currency = currency.toUpperCase();
        o.currencyDisplay = currencyDisplay;
        o.currencySign = currencySign;
      }
      if (o.style === "unit") {
        if (unit === undefined) throw new TypeError("Invalid unit argument for Intl.NumberFormat() ''");
        if (!Object.prototype.hasOwnProperty.call(units, unit)) {
          throw new RangeError(`Invalid unit argument for Intl.NumberFormat() '${unit}'`);
        }
        o.unit = unit;
        o.unitDisplay = unitDisplay;
      }
      const notation = getOption(opts, "notation", ["standard", "scientific", "engineering", "compact"], "standard");
      const cDigits = o.style === "currency" ? (currencyDigits[o.currency] ?? 2) : 0;
      const mnfdDefault = o.style === "currency" && notation !== "compact" ? cDigits : 0;
      const mxfdDefault = o.style === "currency" && notation !== "compact" ? cDigits
        : o.style === "percent" ? 0 : notation === "compact" ? 0 : 3;
      o.minimumIntegerDigits = getNumberOption(opts, "minimumIntegerDigits", 1, 21, 1);
      const mnsd = opts.minimumSignificantDigits;
      const mxsd = opts.maximumSignificantDigits;
      const mnfd = opts.minimumFractionDigits;
      const mxfd = opts.maximumFractionDigits;
      o.roundingIncrement = 1;
      o.roundingMode = getOption(opts, "roundingMode",
        ["ceil", "floor", "expand", "trunc", "halfCeil", "halfFloor", "halfExpand", "halfTrunc", "halfEven"], "halfExpand");
      o.roundingPriority = getOption(opts, "roundingPriority", ["auto", "morePrecision", "lessPrecision"], "auto");
      o.trailingZeroDisplay = getOption(opts, "trailingZeroDisplay", ["auto", "stripIfInteger"], "auto");
      const hasSd = mnsd !== undefined || mxsd !== undefined;
      const hasFd = mnfd !== undefined || mxfd !== undefined;
      let needSd = true;
      let needFd = true;
      if (o.roundingPriority === "auto") {
        needSd = hasSd;
        if (needSd || (!hasFd && notation === "compact")) needFd = false;
      }
      if (needSd) {
        if (hasSd) {
          o.minimumSignificantDigits = getNumberOption(opts, "minimumSignificantDigits", 1, 21, 1);
          o.maximumSignificantDigits = getNumberOption(opts, "maximumSignificantDigits", o.minimumSignificantDigits, 21, 21);
        } else {
          o.minimumSignificantDigits = 1;
          o.maximumSignificantDigits = 21;
        }
      }
      if (needFd) {
        if (hasFd) {
          let min = getNumberOption(opts, "minimumFractionDigits", 0, 100, undefined);
          let max = getNumberOption(opts, "maximumFractionDigits", 0, 100, undefined);
          if (min === undefined) min = Math.min(mnfdDefault, max);
          else if (max === undefined) max = Math.max(mxfdDefault, min);
          else if (min > max) throw new RangeError("maximumFractionDigits value is out of range.");
          o.minimumFractionDigits = min;
          o.maximumFractionDigits = max;
        } else {
          o.minimumFractionDigits = mnfdDefault;
          o.maximumFractionDigits = mxfdDefault;
        }
      }
      if (!needSd && !needFd) {
        o.minimumFractionDigits = 0;
        o.maximumFractionDigits = 0;
        o.minimumSignificantDigits = 1;
        o.maximumSignificantDigits = 2;
        o.roundingType = "morePrecision";
        o.roundingPriority = "morePrecision";
      } else if (o.roundingPriority === "morePrecision" || o.roundingPriority === "lessPrecision") {
        o.roundingType = o.roundingPriority;
      } else if (hasSd) {
        o.roundingType = "significantDigits";
      } else {
        o.roundingType = "fractionDigits";
      }
      const grouping = opts.useGrouping;
      const groupingDefault = notation === "compact" ? "min2" : "auto";
      if (grouping === undefined) o.useGrouping = groupingDefault;
      else if (grouping === true || grouping === "true" || grouping === "false") o.useGrouping = grouping === "false" ? groupingDefault : "always";
      else if (grouping === false || grouping === null || grouping === 0 || grouping === "") o.useGrouping = false;
      else {
        const value = String(grouping);
        if (!["min2", "auto", "always"].includes(value)) {
          throw new RangeError(`Value ${value} out of range for Intl.NumberFormat options property useGrouping`);
        }
        o.useGrouping = value;
      }
      o.notation = notation;
      if (notation === "compact") o.compactDisplay = getOption(opts, "compactDisplay", ["short", "long"], "short");
      o.signDisplay = getOption(opts, "signDisplay", ["auto", "never", "always", "exceptZero", "negative"], "auto");
      optionsOf.set(this, o);
    }
    get format() {
      const o = optionsOf.get(this);
      if (o === undefined) throw new TypeError("Method Intl.NumberFormat.prototype.format called on incompatible receiver");
      const bound = (value) => partsToString(formatToParts(o, value));
      Object.defineProperty(this, "format", { value: bound, configurable: true });
      return bound;
    }
    formatToParts(value) {
      return formatToParts(optionsOf.get(this), value);
    }
    formatRange(start, end) {
      const a = this.format(start);
      const b = this.format(end);
      return a === b ? `~${a}` : `${a}–${b}`;
    }
    resolvedOptions() {
      const o = optionsOf.get(this);
      const out = { locale: o.locale, numberingSystem: o.numberingSystem, style: o.style };
      for (const key of ["currency", "currencyDisplay", "currencySign", "unit", "unitDisplay", "minimumIntegerDigits",
        "minimumFractionDigits", "maximumFractionDigits", "minimumSignificantDigits", "maximumSignificantDigits",
        "useGrouping", "notation", "compactDisplay", "signDisplay", "roundingIncrement", "roundingMode",
        "roundingPriority", "trailingZeroDisplay"]) {
        if (o[key] !== undefined) out[key] = o[key];
      }
      return out;
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
  }
  internal.setToStringTag(NumberFormat, "Intl.NumberFormat");

  const partsToString = (parts) => parts.map((p) => p.value).join("");

  function toNumeric(value) {
    if (typeof value === "bigint") return value;
    if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value) && value.trim().replace("-", "").length > 15) {
      return BigInt(value.trim());
    }
    return Number(value);
  }

  function formatToParts(o, input) {
    const value = toNumeric(input);
    const parts = [];
    const isNaNValue = typeof value === "number" && Number.isNaN(value);
    const isInfinite = typeof value === "number" && !Number.isFinite(value) && !isNaNValue;
    let d = isNaNValue || isInfinite ? { negative: value < 0, digits: "", point: 0 } : toDecimal(value);
    if (o.style === "percent") d = { ...d, point: d.point + 2 };

    let exponent = 0;
    let compact = null;
    let minFraction = 0;
    if (!isNaNValue && !isInfinite) {
      if (o.notation === "scientific" || o.notation === "engineering") {
        if (d.digits !== "") {
          exponent = d.point - 1;
          if (o.notation === "engineering") exponent = Math.floor(exponent / 3) * 3;
          let scaled = applyDigits({ ...d, point: d.point - exponent }, o);
          if (scaled.d.point - 1 > (o.notation === "engineering" ? 2 : 0)) {
            exponent += o.notation === "engineering" ? 3 : 1;
            scaled = applyDigits({ ...d, point: d.point - exponent }, o);
          }
          d = scaled.d;
          minFraction = scaled.minFraction;
        } else {
          minFraction = applyDigits(d, o).minFraction;
        }
      } else if (o.notation === "compact") {
        const pick = (x) => {
          const magnitude = x.digits === "" ? 0 : x.point - 1;
          let chosen = null;
          for (const entry of compactSuffixes) if (magnitude >= entry[0]) chosen = entry;
          return chosen;
        };
        compact = pick(d);
        let shift = compact ? compact[0] : 0;
        let result = applyDigits({ ...d, point: d.point - shift }, o);
        const after = pick({ ...result.d, point: result.d.point + shift });
        if (after !== compact) {
          compact = after;
          shift = compact ? compact[0] : 0;
          result = applyDigits({ ...d, point: d.point - shift }, o);
        }
        d = result.d;
        minFraction = result.minFraction;
      } else {
        const result = applyDigits(d, o);
        d = result.d;
        minFraction = result.minFraction;
      }
    }

    const isZero = !isNaNValue && !isInfinite && d.digits === "";
    const negative = d.negative || (isInfinite && value < 0);
    let sign = "";
    switch (o.signDisplay) {
      case "auto": sign = negative ? "-" : ""; break;
      case "always": sign = negative ? "-" : "+"; break;
      case "exceptZero": sign = isZero || isNaNValue ? "" : negative ? "-" : "+"; break;
      case "negative": sign = negative && !isZero ? "-" : ""; break;
      default: sign = "";
    }
    const accounting = o.style === "currency" && o.currencySign === "accounting" && sign === "-";

    const numberParts = [];
    if (isNaNValue) {
      numberParts.push({ type: "nan", value: "NaN" });
    } else if (isInfinite) {
      numberParts.push({ type: "infinity", value: "∞" });
    } else {
      const { int, frac } = integerAndFraction(d, minFraction, o.minimumIntegerDigits);
      groupParts(int, o.useGrouping, numberParts);
      if (frac !== "") numberParts.push({ type: "decimal", value: "." }, { type: "fraction", value: frac });
      if (o.notation === "scientific" || o.notation === "engineering") {
        numberParts.push({ type: "exponentSeparator", value: "E" });
        if (exponent < 0) numberParts.push({ type: "exponentMinusSign", value: "-" });
        numberParts.push({ type: "exponentInteger", value: String(Math.abs(exponent)) });
      }
      if (compact) {
        if (o.compactDisplay === "long") numberParts.push({ type: "literal", value: " " }, { type: "compact", value: compact[2] });
        else numberParts.push({ type: "compact", value: compact[1] });
      }
    }

    const signPart = sign === "" || accounting ? null : { type: sign === "-" ? "minusSign" : "plusSign", value: sign };
    if (o.style === "currency") {
      const display = o.currencyDisplay;
      if (display === "name") {
        if (signPart) parts.push(signPart);
        parts.push(...numberParts);
        const names = currencyNames[o.currency];
        const one = !isNaNValue && !isInfinite && d.digits === "1" && d.point === 1 && minFraction === 0;
        parts.push({ type: "literal", value: " " }, { type: "currency", value: names ? names[one ? 0 : 1] : o.currency });
      } else {
        const symbol = display === "code" ? o.currency
          : display === "narrowSymbol" ? (narrowSymbols[o.currency] ?? currencySymbols[o.currency] ?? o.currency)
          : (currencySymbols[o.currency] ?? o.currency);
        const needsSpace = /[A-Za-z]$/.test(symbol);
        if (accounting) parts.push({ type: "literal", value: "(" });
        if (signPart) parts.push(signPart);
        parts.push({ type: "currency", value: symbol });
        if (needsSpace) parts.push({ type: "literal", value: NBSP });
        parts.push(...numberParts);
        if (accounting) parts.push({ type: "literal", value: ")" });
      }
    } else if (o.style === "unit") {
      const forms = units[o.unit];
      const one = !isNaNValue && !isInfinite && d.digits === "1" && d.point === 1 && minFraction === 0;
      let pattern = o.unitDisplay === "long" ? forms[one ? 2 : 3] : o.unitDisplay === "narrow" ? forms[1] : forms[0];
      if (pattern.includes("|")) pattern = pattern.split("|")[one ? 0 : 1];
      const [before, after] = pattern.split("{0}");
      if (signPart) parts.push(signPart);
      if (before) parts.push({ type: "unit", value: before });
      parts.push(...numberParts);
      if (after) {
        const space = after.match(/^[ \u00a0]/);
        if (space) parts.push({ type: "literal", value: space[0] }, { type: "unit", value: after.slice(1) });
        else parts.push({ type: "unit", value: after });
      }
    } else {
      if (signPart) parts.push(signPart);
      parts.push(...numberParts);
      if (o.style === "percent") parts.push({ type: "percentSign", value: "%" });
    }
    return parts;
  }

  internal.formatNumber = (value, locales, options) => partsToString(formatToParts(optionsOf.get(new NumberFormat(locales, options)), value));

  // `toLocaleString()` and `toLocaleString("en-US")` are the common calls: the options they resolve to are kept per
  // locale argument (constructed, and so validated, once), and safe integers, the usual value, skip the general
  // path: for these options it yields the digits in groups of three from four digits on, after a "-" if negative.
  const plainOptions = new Map();
  function plainOptionsFor(locales) {
    let o = plainOptions.get(locales);
    if (o === undefined) {
      o = optionsOf.get(new NumberFormat(locales));
      plainOptions.set(locales, o);
    }
    return o;
  }
  for (const locales of [undefined, "en", "en-US"]) plainOptionsFor(locales);

  function formatPlain(o, value) {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) return partsToString(formatToParts(o, value));
    const digits = String(value < 0 ? -value : value);
    let out = digits;
    if (digits.length > 3) {
      const first = digits.length % 3 || 3;
      out = digits.slice(0, first);
      for (let i = first; i < digits.length; i += 3) out += "," + digits.slice(i, i + 3);
    }
    return value < 0 ? "-" + out : out;
  }

  // Number.prototype.toLocaleString and BigInt.prototype.toLocaleString through NumberFormat.
  Object.defineProperty(Number.prototype, "toLocaleString", {
    value: function toLocaleString(locales = undefined, options = undefined) {
      if (typeof this !== "number" && !(this instanceof Number)) {
        throw new TypeError("Number.prototype.toLocaleString requires that 'this' be a Number");
      }
      if (options === undefined && (locales === undefined || typeof locales === "string")) {
        return formatPlain(plainOptionsFor(locales), Number(this));
      }
      return new NumberFormat(locales, options).format(Number(this));
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
  if (typeof BigInt === "function") {
    Object.defineProperty(BigInt.prototype, "toLocaleString", {
      value: function toLocaleString(locales = undefined, options = undefined) {
        return new NumberFormat(locales, options).format(BigInt.prototype.valueOf.call(this));
      },
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }

  Intl.NumberFormat = NumberFormat;
  Intl.getCanonicalLocales = (locales) => supportedLocalesOf(locales).map((tag) => resolveLocale(tag) === "en-US" && !/^en/i.test(tag) ? tag : resolveLocale(tag));
  internal.Intl = Intl;
  if (globalThis.Intl === undefined) {
    Object.defineProperty(Intl, Symbol.toStringTag, { value: "Intl", configurable: true });
    internal.defineGlobal("Intl", Intl);
  }
})();
