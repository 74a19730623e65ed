// tntc JS prelude: value inspection (Deno's `console.log` format) and `console`, writing to the host log.
//
// The layout follows Deno/Node's inspect: depth 4, 100 array items, single line when it fits in 80 columns
// and nesting is shallow, numeric arrays grouped in columns, `<ref *1>`/`[Circular *1]` for cycles.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const inspectSymbol = internal.inspectSymbol;
  const BREAK_LENGTH = 80;
  const MAX_DEPTH = 4;
  const MAX_ARRAY = 100;
  const COMPACT = 3;

  const foreignInspectSymbols = [Symbol.for("Deno.customInspect"), Symbol.for("nodejs.util.inspect.custom")];
  const identifier = /^[A-Za-z_$][\w$]*$/;
  const TypedArray = Object.getPrototypeOf(Uint8Array);

  function quote(string) {
    const q = !string.includes('"') ? '"' : !string.includes("'") ? "'" : !string.includes("`") ? "`" : '"';
    let out = "";
    for (const ch of string) {
      const code = ch.codePointAt(0);
      if (ch === q || ch === "\\") out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\b") out += "\\b";
      else if (ch === "\f") out += "\\f";
      else if (ch === "\v") out += "\\v";
      else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0").toUpperCase();
      else out += ch;
    }
    return q + out + q;
  }

  function formatKey(key) {
    if (typeof key === "symbol") return `[${String(key)}]`;
    return identifier.test(key) ? key : quote(key);
  }

  function formatPrimitive(value, nested) {
    switch (typeof value) {
      case "string": return nested ? quote(value) : value;
      case "number": return Object.is(value, -0) ? "-0" : String(value);
      case "bigint": return `${value}n`;
      case "symbol": return String(value);
      case "undefined": return "undefined";
      default: return String(value);
    }
  }

  function functionBase(fn) {
    const source = Function.prototype.toString.call(fn);
    const name = fn.name ? String(fn.name) : "";
    if (source.startsWith("class")) return name ? `[class ${name}]` : "[class (anonymous)]";
    const kind = fn.constructor?.name === "AsyncFunction" ? "AsyncFunction"
      : fn.constructor?.name === "GeneratorFunction" ? "GeneratorFunction"
      : fn.constructor?.name === "AsyncGeneratorFunction" ? "AsyncGeneratorFunction" : "Function";
    return name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
  }

  function errorText(error) {
    let name;
    let message;
    let stack;
    try { name = String(error.name ?? "Error"); } catch { name = "Error"; }
    try { message = String(error.message ?? ""); } catch { message = ""; }
    try { stack = typeof error.stack === "string" ? error.stack : ""; } catch { stack = ""; }
    const head = message ? `${name}: ${message}` : name;
    // V8 stacks start with "Name: message"; QuickJS stacks hold only the frames.
    if (stack.startsWith(head)) return stack.trimEnd();
    return stack ? `${head}\n${stack.trimEnd()}` : head;
  }

  function constructorName(value) {
    let proto = Object.getPrototypeOf(value);
    if (proto === null) return null;
    while (proto !== null) {
      const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
      if (typeof ctor === "function" && ctor.name) return ctor.name;
      proto = Object.getPrototypeOf(proto);
    }
    return "Object";
  }

  function isBelowBreakLength(output, start, base) {
    let total = output.length + start;
    if (total + output.length > BREAK_LENGTH) return false;
    for (const entry of output) {
      total += entry.length;
      if (total > BREAK_LENGTH) return false;
    }
    return base === "" || !base.includes("\n");
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let outputLength = output.length;
    if (ctx.extraItems) outputLength--;
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < BREAK_LENGTH && (totalLength / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((BREAK_LENGTH - ctx.indentationLvl) / actualMax),
        COMPACT * 4,
        15,
      );
      if (columns <= 1) return output;
      const grouped = [];
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineLength = 0;
        for (let j = i; j < output.length; j += columns) {
          if (dataLen[j] > lineLength) lineLength = dataLen[j];
        }
        maxLineLength.push(lineLength + separatorSpace);
      }
      let padStart = true;
      if (value !== undefined) {
        for (let i = 0; i < output.length; i++) {
          if (typeof value[i] !== "number" && typeof value[i] !== "bigint") {
            padStart = false;
            break;
          }
        }
      }
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let line = "";
        let j = i;
        for (; j < max - 1; j++) {
          const cell = `${output[j]}, `;
          line += padStart ? cell.padStart(maxLineLength[j - i], " ") : cell.padEnd(maxLineLength[j - i], " ");
        }
        line += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace, " ") : output[j];
        grouped.push(line);
      }
      if (ctx.extraItems) grouped.push(output[outputLength]);
      return grouped;
    }
    return output;
  }

  function reduceToSingleString(ctx, output, base, braces, isArray, depth, value) {
    const entries = output.length;
    if (isArray && entries > 6) output = groupArrayElements(ctx, output, value);
    if (ctx.currentDepth - depth < COMPACT && entries === output.length) {
      const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
      if (isBelowBreakLength(output, start, base)) {
        const joined = output.join(", ");
        if (!joined.includes("\n")) return `${base ? `${base} ` : ""}${braces[0]} ${joined} ${braces[1]}`;
      }
    }
    const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ""}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }

  function formatNested(ctx, value, depth) {
    ctx.indentationLvl += 2;
    try {
      return formatValue(ctx, value, depth, true);
    } finally {
      ctx.indentationLvl -= 2;
    }
  }

  function ownEntries(ctx, value, depth, skipIndices) {
    const output = [];
    for (const key of Reflect.ownKeys(value)) {
      const desc = Object.getOwnPropertyDescriptor(value, key);
      if (!desc || (!desc.enumerable && typeof key !== "symbol")) continue;
      if (typeof key === "symbol" && !desc.enumerable) continue;
      if (skipIndices && typeof key === "string" && /^(0|[1-9]\d*)$/.test(key)) continue;
      let shown;
      if ("value" in desc) shown = formatNested(ctx, desc.value, depth + 1);
      else shown = desc.get ? (desc.set ? "[Getter/Setter]" : "[Getter]") : "[Setter]";
      output.push(`${formatKey(key)}: ${shown}`);
    }
    return output;
  }

  function formatValue(ctx, value, depth, nested) {
    if (value === null) return "null";
    if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(value, nested);

    if (ctx.seen.includes(value)) {
      let index = ctx.circular.get(value);
      if (index === undefined) {
        index = ctx.circular.size + 1;
        ctx.circular.set(value, index);
      }
      return `[Circular *${index}]`;
    }

    const custom = value[inspectSymbol];
    if (typeof custom === "function") {
      const view = custom.call(value);
      if (typeof view.text === "string") return view.text;
      return formatObject(ctx, value, view.value, depth, view.name);
    }
    // Objects written for Deno or Node can describe themselves.
    for (const symbol of foreignInspectSymbols) {
      if (typeof value[symbol] === "function") {
        const text = value[symbol](inspect, {});
        if (typeof text === "string") return text;
      }
    }
    return formatObject(ctx, value, value, depth, null);
  }

  function formatObject(ctx, original, value, depth, forcedName) {
    if (typeof value === "function") {
      const base = functionBase(value);
      const keys = Object.keys(value);
      if (keys.length === 0) return base;
      if (depth > MAX_DEPTH) return base;
      return withCycleRef(ctx, original, () => reduceToSingleString(ctx, ownEntries(ctx, value, depth), base, ["{", "}"], false, depth));
    }
    if (value instanceof Error) return errorText(value);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (value instanceof Promise) return "Promise { <unknown> }";
    if (value instanceof WeakMap) return "WeakMap { <items unknown> }";
    if (value instanceof WeakSet) return "WeakSet { <items unknown> }";
    if (value instanceof Number || value instanceof String || value instanceof Boolean) {
      const inner = formatPrimitive(value.valueOf(), true);
      return `[${constructorName(value)}: ${inner}]`;
    }

    const name = forcedName ?? constructorName(value);
    const isArray = Array.isArray(value);
    if (depth > MAX_DEPTH) {
      return isArray ? "[Array]" : `[${name ?? "Object: null prototype"}]`;
    }

    return withCycleRef(ctx, original, () => {
      // Like Node's inspect, an empty object does not count as nesting for the single-line decision.
      const outerDepth = ctx.currentDepth;
      ctx.currentDepth = depth;
      const saveExtra = ctx.extraItems;
      ctx.extraItems = false;
      let output;
      let braces;
      let base = "";
      let listLike = false;
      let listValue;
      if (isArray) {
        output = [];
        const shown = Math.min(value.length, MAX_ARRAY);
        let holes = 0;
        for (let i = 0; i < shown; i++) {
          if (!Object.prototype.hasOwnProperty.call(value, i)) {
            holes++;
            continue;
          }
          if (holes > 0) {
            output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
            holes = 0;
          }
          output.push(formatNested(ctx, value[i], depth + 1));
        }
        if (holes > 0) output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
        output.push(...ownEntries(ctx, value, depth, true));
        if (value.length > MAX_ARRAY) {
          output.push(`... ${value.length - MAX_ARRAY} more item${value.length - MAX_ARRAY > 1 ? "s" : ""}`);
          ctx.extraItems = true;
        }
        braces = [name === "Array" ? "[" : `${name}(${value.length}) [`, "]"];
        listLike = true;
        listValue = value;
      } else if (value instanceof TypedArray) {
        output = [];
        const shown = Math.min(value.length, MAX_ARRAY);
        for (let i = 0; i < shown; i++) output.push(formatPrimitive(value[i], true));
        if (value.length > MAX_ARRAY) {
          output.push(`... ${value.length - MAX_ARRAY} more item${value.length - MAX_ARRAY > 1 ? "s" : ""}`);
          ctx.extraItems = true;
        }
        braces = [`${name}(${value.length}) [`, "]"];
        listLike = true;
        listValue = value;
      } else if (value instanceof ArrayBuffer) {
        const bytes = new Uint8Array(value, 0, Math.min(value.byteLength, 50));
        let hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
        if (value.byteLength > 50) hex += ` ... ${value.byteLength - 50} more byte${value.byteLength - 50 > 1 ? "s" : ""}`;
        output = [`[Uint8Contents]: <${hex}>`, `byteLength: ${value.byteLength}`];
        braces = [`${name} {`, "}"];
      } else if (value instanceof Map) {
        output = [];
        for (const [k, v] of value) {
          output.push(`${formatNested(ctx, k, depth + 1)} => ${formatNested(ctx, v, depth + 1)}`);
        }
        output.push(...ownEntries(ctx, value, depth));
        braces = [`${name}(${value.size}) {`, "}"];
      } else if (value instanceof Set) {
        output = [];
        for (const v of value) output.push(formatNested(ctx, v, depth + 1));
        output.push(...ownEntries(ctx, value, depth));
        braces = [`${name}(${value.size}) {`, "}"];
        listLike = true;
      } else {
        output = ownEntries(ctx, value, depth);
        const prefix = name === null ? "[Object: null prototype] " : name === "Object" ? "" : `${name} `;
        braces = [`${prefix}{`, "}"];
        if (output.length === 0) {
          ctx.extraItems = saveExtra;
          ctx.currentDepth = outerDepth;
          return `${prefix}{}`;
        }
      }
      if (output.length === 0) {
        ctx.extraItems = saveExtra;
        ctx.currentDepth = outerDepth;
        return `${braces[0]}${braces[1]}`;
      }
      const result = reduceToSingleString(ctx, output, base, braces, listLike && !(value instanceof Set), depth, listValue);
      ctx.extraItems = saveExtra;
      return result;
    });
  }

  function withCycleRef(ctx, value, format) {
    ctx.seen.push(value);
    let result;
    try {
      result = format();
    } finally {
      ctx.seen.pop();
    }
    const index = ctx.circular.get(value);
    if (index !== undefined) result = `<ref *${index}> ${result}`;
    return result;
  }

  /** Deno's `Deno.inspect(value)`: what console.log prints for a non-string argument. */
  function inspect(value) {
    const ctx = { seen: [], circular: new Map(), indentationLvl: 0, currentDepth: 0, extraItems: false };
    try {
      return formatValue(ctx, value, 0, false);
    } catch (error) {
      return `[uninspectable value: ${errorText(error)}]`;
    }
  }
  internal.inspect = inspect;
  /** How a value looks inside an object (strings quoted). */
  internal.inspectNested = (value) => {
    const ctx = { seen: [], circular: new Map(), indentationLvl: 0, currentDepth: 0, extraItems: false };
    return formatValue(ctx, value, 1, true);
  };

  /** Arguments joined the way console.log joins them, without format specifiers (ctx.log's msg is plain). */
  internal.formatLogArgs = (args) => args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" ");

  /** console.log's formatting: printf-style specifiers in a leading string, then the rest inspected. */
  function formatConsoleArgs(args) {
    if (args.length === 0) return "";
    const first = args[0];
    if (typeof first !== "string" || args.length === 1) return internal.formatLogArgs(args);
    let index = 1;
    let out = "";
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first[i] !== "%") continue;
      const spec = first[i + 1];
      if (spec === "%") {
        out += first.slice(last, i) + "%";
        last = i + 2;
        i++;
        continue;
      }
      if (index >= args.length || !"sdifoOjc".includes(spec)) continue;
      const arg = args[index];
      let piece;
      switch (spec) {
        case "s":
          piece = String(arg);
          break;
        case "d":
        case "i":
          piece = typeof arg === "bigint" ? String(arg) : typeof arg === "symbol" ? "NaN" : String(parseInt(arg));
          break;
        case "f":
          piece = typeof arg === "symbol" ? "NaN" : String(parseFloat(arg));
          break;
        case "o":
        case "O":
        case "j":
          piece = inspect(arg);
          break;
        case "c":
          piece = "";
          break;
      }
      out += first.slice(last, i) + piece;
      last = i + 2;
      index++;
      i++;
    }
    out += first.slice(last);
    const rest = args.slice(index).map((arg) => (typeof arg === "string" ? arg : inspect(arg)));
    return rest.length ? `${out} ${rest.join(" ")}` : out;
  }
  internal.formatConsoleArgs = formatConsoleArgs;

  // ---------------------------------------------------------------------------------------------------------
  // console
  const DEBUG = 0;
  const INFO = 1;
  const WARN = 2;
  const ERROR = 3;
  let groupIndent = "";
  const counts = new Map();
  const timers = new Map();

  function write(level, text) {
    const message = groupIndent ? text.split("\n").map((line) => groupIndent + line).join("\n") : text;
    internal.native().log(level, message);
  }
  const emit = (level) => (...args) => write(level, formatConsoleArgs(args));

  const console = {
    log: emit(INFO),
    info: emit(INFO),
    debug: emit(DEBUG),
    warn: emit(WARN),
    error: emit(ERROR),
    trace: (...args) => {
      const stack = (new Error().stack ?? "").split("\n").slice(1).join("\n");
      write(ERROR, `Trace${args.length ? ": " + formatConsoleArgs(args) : ""}\n${stack}`.trimEnd());
    },
    assert: (condition = false, ...args) => {
      if (condition) return;
      write(ERROR, args.length ? `Assertion failed: ${formatConsoleArgs(args)}` : "Assertion failed");
    },
    dir: (value) => write(INFO, inspect(value)),
    dirxml: (...args) => write(INFO, formatConsoleArgs(args)),
    table: (...args) => write(INFO, formatConsoleArgs(args)),
    count: (label = "default") => {
      const key = String(label);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      write(INFO, `${key}: ${n}`);
    },
    countReset: (label = "default") => {
      counts.delete(String(label));
    },
    group: (...args) => {
      if (args.length) write(INFO, formatConsoleArgs(args));
      groupIndent += "    ";
    },
    groupCollapsed: (...args) => console.group(...args),
    groupEnd: () => {
      groupIndent = groupIndent.slice(4);
    },
    time: (label = "default") => {
      timers.set(String(label), Date.now());
    },
    timeLog: (label = "default", ...args) => {
      const key = String(label);
      const started = timers.get(key);
      if (started === undefined) return write(WARN, `Timer '${key}' does not exist`);
      write(INFO, [`${key}: ${Date.now() - started}ms`, ...args.map((a) => (typeof a === "string" ? a : inspect(a)))].join(" "));
    },
    timeEnd: (label = "default") => {
      const key = String(label);
      const started = timers.get(key);
      if (started === undefined) return write(WARN, `Timer '${key}' does not exist`);
      timers.delete(key);
      write(INFO, `${key}: ${Date.now() - started}ms`);
    },
    clear: () => {},
  };
  internal.defineGlobal("console", console);
})();
