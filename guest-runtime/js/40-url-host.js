// tntc JS prelude: URL percent-encoding sets and the WHATWG host parser (domains, IPv4, IPv6, opaque hosts).
// 41-url-parser.js holds the basic URL parser, 42-url.js the URL and URLSearchParams classes.
// Gap: international domain names get lower-casing, NFC and Punycode but not the full UTS #46 mapping table.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;

  const specialPorts = { "ftp": 21, "file": null, "http": 80, "https": 443, "ws": 80, "wss": 443 };
  const isSpecialScheme = (scheme) => Object.prototype.hasOwnProperty.call(specialPorts, scheme);

  // Percent-encode sets as predicates over code points.
  const isC0Control = (c) => c < 0x20 || c > 0x7e;
  const querySet = (c) => isC0Control(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
  const pathSet = (c) => querySet(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d;
  const userinfoSet = (c) => pathSet(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 ||
    (c >= 0x5b && c <= 0x5e) || c === 0x7c;
  const componentSet = (c) => userinfoSet(c) || (c >= 0x24 && c <= 0x26) || c === 0x2b || c === 0x2c;
  const formSet = (c) => componentSet(c) || c === 0x21 || (c >= 0x27 && c <= 0x29) || c === 0x7e;

  const hex = "0123456789ABCDEF";
  function percentEncodeCodePoint(cp, set, spaceAsPlus = false) {
    if (spaceAsPlus && cp === 0x20) return "+";
    if (!set(cp)) return String.fromCodePoint(cp);
    let out = "";
    for (const byte of internal.utf8Encode(String.fromCodePoint(cp))) out += "%" + hex[byte >> 4] + hex[byte & 15];
    return out;
  }
  function percentEncodeString(string, set, spaceAsPlus = false) {
    let out = "";
    for (const ch of string) {
      let cp = ch.codePointAt(0);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      out += percentEncodeCodePoint(cp, set, spaceAsPlus);
    }
    return out;
  }
  const isHexDigit = (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
  function percentDecodeBytes(bytes) {
    const out = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x25 && i + 2 < bytes.length && isHexDigit(bytes[i + 1]) && isHexDigit(bytes[i + 2])) {
        out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
        i += 2;
      } else {
        out.push(b);
      }
    }
    return new Uint8Array(out);
  }
  const percentDecodeString = (string) => percentDecodeBytes(internal.utf8Encode(string));

  // ---------------------------------------------------------------------------------------------------------
  // Hosts
  const forbiddenHost = new Set([0x00, 0x09, 0x0a, 0x0d, 0x20, 0x23, 0x2f, 0x3a, 0x3c, 0x3e, 0x3f, 0x40, 0x5b, 0x5c,
    0x5d, 0x5e, 0x7c]);
  const isForbiddenDomainCodePoint = (c) => forbiddenHost.has(c) || (c <= 0x1f) || c === 0x25 || c === 0x7f;

  function parseIPv6(input) {
    const address = [0, 0, 0, 0, 0, 0, 0, 0];
    let pieceIndex = 0;
    let compress = null;
    let pointer = 0;
    const cps = Array.from(input, (ch) => ch.codePointAt(0));
    const c = () => cps[pointer];
    if (c() === 0x3a) {
      if (cps[pointer + 1] !== 0x3a) return null;
      pointer += 2;
      pieceIndex++;
      compress = pieceIndex;
    }
    while (c() !== undefined) {
      if (pieceIndex === 8) return null;
      if (c() === 0x3a) {
        if (compress !== null) return null;
        pointer++;
        pieceIndex++;
        compress = pieceIndex;
        continue;
      }
      let value = 0;
      let length = 0;
      while (length < 4 && c() !== undefined && isHexDigit(c())) {
        value = value * 0x10 + parseInt(String.fromCodePoint(c()), 16);
        pointer++;
        length++;
      }
      if (c() === 0x2e) {
        if (length === 0) return null;
        pointer -= length;
        if (pieceIndex > 6) return null;
        let numbersSeen = 0;
        while (c() !== undefined) {
          let ipv4Piece = null;
          if (numbersSeen > 0) {
            if (c() === 0x2e && numbersSeen < 4) pointer++;
            else return null;
          }
          if (c() === undefined || !(c() >= 0x30 && c() <= 0x39)) return null;
          while (c() !== undefined && c() >= 0x30 && c() <= 0x39) {
            const number = c() - 0x30;
            if (ipv4Piece === null) ipv4Piece = number;
            else if (ipv4Piece === 0) return null;
            else ipv4Piece = ipv4Piece * 10 + number;
            if (ipv4Piece > 255) return null;
            pointer++;
          }
          address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece;
          numbersSeen++;
          if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
        }
        if (numbersSeen !== 4) return null;
        break;
      } else if (c() === 0x3a) {
        pointer++;
        if (c() === undefined) return null;
      } else if (c() !== undefined) {
        return null;
      }
      address[pieceIndex] = value;
      pieceIndex++;
    }
    if (compress !== null) {
      let swaps = pieceIndex - compress;
      pieceIndex = 7;
      while (pieceIndex !== 0 && swaps > 0) {
        const tmp = address[compress + swaps - 1];
        address[compress + swaps - 1] = address[pieceIndex];
        address[pieceIndex] = tmp;
        pieceIndex--;
        swaps--;
      }
    } else if (pieceIndex !== 8) {
      return null;
    }
    return address;
  }

  function serializeIPv6(address) {
    // Longest run (length > 1) of zero pieces is compressed.
    let best = -1;
    let bestLength = 1;
    for (let i = 0; i < 8;) {
      if (address[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && address[j] === 0) j++;
      if (j - i > bestLength) {
        best = i;
        bestLength = j - i;
      }
      i = j;
    }
    let out = "";
    let ignore0 = false;
    for (let i = 0; i < 8; i++) {
      if (ignore0 && address[i] === 0) continue;
      ignore0 = false;
      if (best === i) {
        out += i === 0 ? "::" : ":";
        ignore0 = true;
        continue;
      }
      out += address[i].toString(16);
      if (i !== 7) out += ":";
    }
    return `[${out}]`;
  }

  function parseIPv4Number(input) {
    if (input === "") return null;
    let radix = 10;
    if (input.length >= 2 && (input.startsWith("0x") || input.startsWith("0X"))) {
      input = input.slice(2);
      radix = 16;
    } else if (input.length >= 2 && input[0] === "0") {
      input = input.slice(1);
      radix = 8;
    }
    if (input === "") return 0;
    const valid = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]+$/;
    if (!valid.test(input)) return null;
    return parseInt(input, radix);
  }

  function endsInANumber(input) {
    const parts = input.split(".");
    if (parts[parts.length - 1] === "") {
      if (parts.length === 1) return false;
      parts.pop();
    }
    const last = parts[parts.length - 1];
    if (last !== "" && /^[0-9]+$/.test(last)) return true;
    return parseIPv4Number(last) !== null;
  }

  function parseIPv4(input) {
    const parts = input.split(".");
    if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const numbers = [];
    for (const part of parts) {
      const n = parseIPv4Number(part);
      if (n === null) return null;
      numbers.push(n);
    }
    for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
    if (numbers[numbers.length - 1] >= 256 ** (5 - numbers.length)) return null;
    let ipv4 = numbers[numbers.length - 1];
    for (let i = 0; i < numbers.length - 1; i++) ipv4 += numbers[i] * 256 ** (3 - i);
    const out = [];
    for (let i = 0; i < 4; i++) {
      out.unshift(String(ipv4 % 256));
      ipv4 = Math.floor(ipv4 / 256);
    }
    return out.join(".");
  }

  // Punycode (RFC 3492) for domain labels with non-ASCII code points.
  function punycodeEncode(label) {
    const input = Array.from(label, (ch) => ch.codePointAt(0));
    const base = 36;
    const tMin = 1;
    const tMax = 26;
    let n = 128;
    let delta = 0;
    let bias = 72;
    let output = input.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join("");
    const basicLength = output.length;
    let handled = basicLength;
    if (basicLength > 0) output += "-";
    const digit = (d) => String.fromCharCode(d + 22 + 75 * (d < 26));
    const adapt = (d, numPoints, first) => {
      d = first ? Math.floor(d / 700) : d >> 1;
      d += Math.floor(d / numPoints);
      let k = 0;
      while (d > ((base - tMin) * tMax) >> 1) {
        d = Math.floor(d / (base - tMin));
        k += base;
      }
      return k + Math.floor(((base - tMin + 1) * d) / (d + 38));
    };
    while (handled < input.length) {
      let m = Infinity;
      for (const c of input) if (c >= n && c < m) m = c;
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of input) {
        if (c < n) delta++;
        if (c === n) {
          let q = delta;
          for (let k = base; ; k += base) {
            const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
            if (q < t) break;
            output += digit(t + ((q - t) % (base - t)));
            q = Math.floor((q - t) / (base - t));
          }
          output += digit(q);
          bias = adapt(delta, handled + 1, handled === basicLength);
          delta = 0;
          handled++;
        }
      }
      delta++;
      n++;
    }
    return output;
  }

  function domainToASCII(domain) {
    // UTS #46 subset: remove soft hyphens and other ignored code points, map full stops, lower-case, NFC.
    let mapped = domain.replace(/[\u00ad\u200b\u2060\ufeff\u034f\u180b-\u180d\ufe00-\ufe0f]/g, "")
      .replace(/[\u3002\uff0e\uff61]/g, ".").toLowerCase().normalize("NFC");
    if (!/[^\x00-\x7f]/.test(mapped)) return mapped;
    mapped = mapped.split(".").map((label) => (/[^\x00-\x7f]/.test(label) ? "xn--" + punycodeEncode(label) : label)).join(".");
    return mapped;
  }

  function parseOpaqueHost(input) {
    for (const ch of input) {
      const c = ch.codePointAt(0);
      if (c !== 0x25 && forbiddenHost.has(c)) return null;
    }
    return percentEncodeString(input, isC0Control);
  }

  /** Host parser: returns the serialized host, or null on failure. */
  function parseHost(input, isOpaque) {
    if (input.startsWith("[")) {
      if (!input.endsWith("]")) return null;
      const address = parseIPv6(input.slice(1, -1));
      return address === null ? null : serializeIPv6(address);
    }
    if (isOpaque) return parseOpaqueHost(input);
    const domain = internal.utf8Decode(percentDecodeString(input));
    const asciiDomain = domainToASCII(domain);
    if (asciiDomain === "") return null;
    for (const ch of asciiDomain) {
      if (isForbiddenDomainCodePoint(ch.codePointAt(0))) return null;
    }
    if (endsInANumber(asciiDomain)) return parseIPv4(asciiDomain);
    return asciiDomain;
  }

  internal.urlEncoding = { percentEncodeString, percentDecodeBytes, percentDecodeString, formSet, componentSet };
  internal.urlHost = { parseHost, isSpecialScheme, specialPorts };
})();
