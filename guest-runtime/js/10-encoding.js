// tntc JS prelude: TextEncoder / TextDecoder, atob / btoa, and UTF-8 helpers for the other files.
//
// Javy's native TextEncoder/TextDecoder (text_encoding feature) are kept as the fast path for what they do like
// V8 (whole-buffer UTF-8 encode and lossy decode); the classes defined here add what they lack (encodeInto,
// streaming, fatal errors with V8's message, other labels) so node code sees V8's behaviour either way.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const NativeEncoder = typeof globalThis.TextEncoder === "function" ? globalThis.TextEncoder : null;
  const NativeDecoder = typeof globalThis.TextDecoder === "function" ? globalThis.TextDecoder : null;
  let nativeEncode = null;
  let nativeDecode = null;
  try {
    if (NativeEncoder !== null) {
      const encoder = new NativeEncoder();
      nativeEncode = (string) => encoder.encode(string);
    }
    if (NativeDecoder !== null) {
      const keepBom = new NativeDecoder("utf-8", { ignoreBOM: true });
      const stripBom = new NativeDecoder("utf-8");
      nativeDecode = (bytes, ignoreBOM) => (ignoreBOM ? keepBom : stripBom).decode(bytes);
    }
  } catch {
    nativeEncode = null;
    nativeDecode = null;
  }

  /** UTF-8 bytes of a string; lone surrogates become U+FFFD like TextEncoder. */
  function utf8Encode(input) {
    const string = String(input);
    // Lone surrogates take the JS path: the native helper goes through a Rust String.
    if (nativeEncode !== null && !/[\ud800-\udfff]/.test(string)) return nativeEncode(string);
    const out = new Uint8Array(string.length * 3);
    let n = 0;
    for (let i = 0; i < string.length; i++) {
      let c = string.charCodeAt(i);
      if (c < 0x80) {
        out[n++] = c;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < string.length) {
        const next = string.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18);
          out[n++] = 0x80 | ((c >> 12) & 0x3f);
          out[n++] = 0x80 | ((c >> 6) & 0x3f);
          out[n++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      }
    }
    return out.slice(0, n);
  }

  /**
   * Decodes UTF-8 with the WHATWG error handling (one U+FFFD per maximal invalid subpart). Returns the text
   * and how many trailing bytes form an incomplete sequence (kept for streaming when `stream` is true).
   */
  function utf8Decode(bytes, fatal, stream) {
    let out = "";
    const chunk = [];
    let i = 0;
    const length = bytes.length;
    const flush = () => {
      out += String.fromCharCode.apply(null, chunk);
      chunk.length = 0;
    };
    const bad = () => {
      if (fatal) throw new TypeError("The encoded data is not valid");
      chunk.push(0xfffd);
    };
    while (i < length) {
      const b = bytes[i];
      if (b < 0x80) {
        chunk.push(b);
        i++;
      } else {
        let needed;
        let cp;
        let lower = 0x80;
        let upper = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
          needed = 1;
          cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          needed = 2;
          cp = b & 0x0f;
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          needed = 3;
          cp = b & 0x07;
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
        } else {
          bad();
          i++;
          continue;
        }
        let j = 1;
        let valid = true;
        while (j <= needed) {
          if (i + j >= length) {
            if (stream) {
              flush();
              return { text: out, pending: length - i };
            }
            valid = false;
            break;
          }
          const next = bytes[i + j];
          if (next < lower || next > upper) {
            valid = false;
            break;
          }
          lower = 0x80;
          upper = 0xbf;
          cp = (cp << 6) | (next & 0x3f);
          j++;
        }
        if (!valid) {
          bad();
          i += j;
          continue;
        }
        if (cp >= 0x10000) {
          cp -= 0x10000;
          chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
          chunk.push(cp);
        }
        i += needed + 1;
      }
      if (chunk.length >= 8192) flush();
    }
    flush();
    return { text: out, pending: 0 };
  }

  function toBytes(input) {
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (typeof SharedArrayBuffer === "function" && input instanceof SharedArrayBuffer) return new Uint8Array(input);
    throw new TypeError("The provided value is not of type '(ArrayBuffer or ArrayBufferView)'");
  }

  internal.utf8Encode = utf8Encode;
  internal.utf8Decode = (bytes) => (nativeDecode !== null ? nativeDecode(bytes, true) : utf8Decode(bytes, false, false).text);
  internal.toBytes = toBytes;

  const windows1252 = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
    0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
    0x153, 0x9d, 0x17e, 0x178,
  ];
  const labels = new Map();
  for (const label of ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"]) {
    labels.set(label, "utf-8");
  }
  for (const label of ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"]) {
    labels.set(label, "utf-16le");
  }
  labels.set("unicodefffe", "utf-16be");
  labels.set("utf-16be", "utf-16be");
  for (const label of ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
    "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii",
    "windows-1252", "x-cp1252"]) {
    labels.set(label, "windows-1252");
  }

  {
    class TextDecoder {
      #encoding;
      #fatal;
      #ignoreBOM;
      #pending = new Uint8Array(0);
      #bomSeen = false;
      constructor(label = "utf-8", options = {}) {
        const key = String(label).trim().toLowerCase();
        const encoding = labels.get(key);
        if (encoding === undefined) {
          const error = new RangeError(`The encoding label provided ('${label}') is invalid.`);
          error.code = "ERR_ENCODING_NOT_SUPPORTED";
          throw error;
        }
        this.#encoding = encoding;
        this.#fatal = Boolean(options?.fatal);
        this.#ignoreBOM = Boolean(options?.ignoreBOM);
      }
      get encoding() { return this.#encoding; }
      get fatal() { return this.#fatal; }
      get ignoreBOM() { return this.#ignoreBOM; }
      decode(input = undefined, options = {}) {
        const stream = Boolean(options?.stream);
        let bytes = input === undefined ? new Uint8Array(0) : toBytes(input);
        if (this.#pending.length) {
          const joined = new Uint8Array(this.#pending.length + bytes.length);
          joined.set(this.#pending);
          joined.set(bytes, this.#pending.length);
          bytes = joined;
          this.#pending = new Uint8Array(0);
        }
        let text;
        if (this.#encoding === "utf-8" && nativeDecode !== null && !stream && !this.#fatal && !this.#bomSeen) {
          return nativeDecode(bytes, this.#ignoreBOM);
        }
        if (this.#encoding === "utf-8") {
          const result = utf8Decode(bytes, this.#fatal, stream);
          text = result.text;
          if (result.pending) this.#pending = bytes.slice(bytes.length - result.pending);
        } else if (this.#encoding === "windows-1252") {
          const codes = Array.from(bytes, (b) => (b >= 0x80 && b <= 0x9f ? windows1252[b - 0x80] : b));
          text = "";
          for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode.apply(null, codes.slice(i, i + 8192));
        } else {
          const big = this.#encoding === "utf-16be";
          const even = bytes.length - (bytes.length % 2);
          const units = [];
          for (let i = 0; i < even; i += 2) units.push(big ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8));
          if (even < bytes.length) {
            if (stream) this.#pending = bytes.slice(even);
            else if (this.#fatal) throw new TypeError("The encoded data is not valid");
            else units.push(0xfffd);
          }
          text = "";
          for (let i = 0; i < units.length; i++) {
            const u = units[i];
            if (u >= 0xd800 && u <= 0xdbff && i + 1 < units.length && units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) {
              text += String.fromCharCode(u, units[++i]);
            } else if (u >= 0xd800 && u <= 0xdfff) {
              if (this.#fatal) throw new TypeError("The encoded data is not valid");
              text += "\ufffd";
            } else {
              text += String.fromCharCode(u);
            }
          }
        }
        if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
          if (text.charCodeAt(0) === 0xfeff && this.#encoding !== "windows-1252") text = text.slice(1);
          this.#bomSeen = true;
        }
        if (!stream) this.#bomSeen = false;
        return text;
      }
    }
    internal.setToStringTag(TextDecoder, "TextDecoder");
    internal.defineGlobal("TextDecoder", TextDecoder);
  }

  function encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) {
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    }
    const string = String(source);
    let read = 0;
    let written = 0;
    for (let i = 0; i < string.length; i++) {
      let c = string.codePointAt(i);
      const units = c > 0xffff ? 2 : 1;
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (written + size > destination.length) break;
      if (size === 1) destination[written] = c;
      else if (size === 2) {
        destination[written] = 0xc0 | (c >> 6);
        destination[written + 1] = 0x80 | (c & 0x3f);
      } else if (size === 3) {
        destination[written] = 0xe0 | (c >> 12);
        destination[written + 1] = 0x80 | ((c >> 6) & 0x3f);
        destination[written + 2] = 0x80 | (c & 0x3f);
      } else {
        destination[written] = 0xf0 | (c >> 18);
        destination[written + 1] = 0x80 | ((c >> 12) & 0x3f);
        destination[written + 2] = 0x80 | ((c >> 6) & 0x3f);
        destination[written + 3] = 0x80 | (c & 0x3f);
      }
      written += size;
      read += units;
      i += units - 1;
    }
    return { read, written };
  }

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") {
      return utf8Encode(input);
    }
    encodeInto(source, destination) {
      return encodeInto(source, destination);
    }
  }
  internal.setToStringTag(TextEncoder, "TextEncoder");
  internal.defineGlobal("TextEncoder", TextEncoder);

  // ---------------------------------------------------------------------------------------------------------
  // atob / btoa (forgiving-base64, Latin-1 strings)
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const decodeTable = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) decodeTable[alphabet.charCodeAt(i)] = i;

  /** Base64 of raw bytes (used by btoa and elsewhere). */
  function bytesToBase64(bytes) {
    let out = "";
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
    }
    if (i < bytes.length) {
      const rest = bytes.length - i;
      const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
      out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + (rest === 2 ? alphabet[(n >> 6) & 63] : "=") + "=";
    }
    return out;
  }
  internal.bytesToBase64 = bytesToBase64;

  function btoa(data) {
    if (arguments.length === 0) {
      throw internal.missingArgs("Failed to execute 'btoa': 1 argument required, but only 0 present");
    }
    const string = String(data);
    const bytes = new Uint8Array(string.length);
    for (let i = 0; i < string.length; i++) {
      const c = string.charCodeAt(i);
      if (c > 0xff) {
        throw new DOMException(
          "Cannot encode string: string contains characters outside of the Latin1 range",
          "InvalidCharacterError",
        );
      }
      bytes[i] = c;
    }
    return bytesToBase64(bytes);
  }

  function atob(data) {
    if (arguments.length === 0) {
      throw internal.missingArgs("Failed to execute 'atob': 1 argument required, but only 0 present");
    }
    let string = String(data).replace(/[\t\n\f\r ]/g, "");
    if (string.length % 4 === 0) string = string.replace(/==?$/, "");
    const fail = () => new DOMException("Failed to decode base64", "InvalidCharacterError");
    if (string.length % 4 === 1) throw fail();
    let out = "";
    let buffer = 0;
    let bits = 0;
    for (let i = 0; i < string.length; i++) {
      const code = string.charCodeAt(i);
      const value = code < 128 ? decodeTable[code] : -1;
      if (value < 0) throw fail();
      buffer = (buffer << 6) | value;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((buffer >> bits) & 0xff);
      }
    }
    return out;
  }

  internal.defineGlobal("btoa", btoa);
  internal.defineGlobal("atob", atob);
})();
