// tntc JS prelude: the WHATWG basic URL parser (a state machine with state overrides for the URL setters)
// and the URL serializer. Paths follow what V8/Deno do (a space in an opaque path stays a space).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const { parseHost, isSpecialScheme, specialPorts } = internal.urlHost;
  const { percentEncodeString } = internal.urlEncoding;

  const S = {
    SCHEME_START: 1, SCHEME: 2, NO_SCHEME: 3, SPECIAL_RELATIVE_OR_AUTHORITY: 4, PATH_OR_AUTHORITY: 5, RELATIVE: 6,
    RELATIVE_SLASH: 7, SPECIAL_AUTHORITY_SLASHES: 8, SPECIAL_AUTHORITY_IGNORE_SLASHES: 9, AUTHORITY: 10, HOST: 11,
    HOSTNAME: 12, PORT: 13, FILE: 14, FILE_SLASH: 15, FILE_HOST: 16, PATH_START: 17, PATH: 18, OPAQUE_PATH: 19,
    QUERY: 20, FRAGMENT: 21,
  };
  /** Returned by a state-override parse that must leave the URL unchanged. */
  const FAILURE = null;

  const isC0Control = (c) => c < 0x20 || c > 0x7e;
  const fragmentSet = (c) => isC0Control(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
  const querySet = (c) => isC0Control(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
  const specialQuerySet = (c) => querySet(c) || c === 0x27;
  const pathSet = (c) => querySet(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d;
  const userinfoSet = (c) => pathSet(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 ||
    (c >= 0x5b && c <= 0x5e) || c === 0x7c;

  const isAlpha = (c) => c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
  const isDigit = (c) => c !== undefined && c >= 0x30 && c <= 0x39;
  const cpString = (c) => String.fromCodePoint(c);
  const encodeCp = (c, set) => percentEncodeString(cpString(c), set);

  const isWindowsDriveLetter = (s) => s.length === 2 && isAlpha(s.charCodeAt(0)) && (s[1] === ":" || s[1] === "|");
  const isNormalizedWindowsDriveLetter = (s) => s.length === 2 && isAlpha(s.charCodeAt(0)) && s[1] === ":";
  function startsWithWindowsDriveLetter(cps, pointer) {
    if (cps.length - pointer < 2) return false;
    if (!isAlpha(cps[pointer]) || (cps[pointer + 1] !== 0x3a && cps[pointer + 1] !== 0x7c)) return false;
    if (cps.length - pointer === 2) return true;
    const third = cps[pointer + 2];
    return third === 0x2f || third === 0x5c || third === 0x3f || third === 0x23;
  }
  const isSingleDot = (s) => s === "." || s.toLowerCase() === "%2e";
  const isDoubleDot = (s) => {
    const lower = s.toLowerCase();
    return lower === ".." || lower === ".%2e" || lower === "%2e." || lower === "%2e%2e";
  };

  const hasOpaquePath = (url) => typeof url.path === "string";
  const includesCredentials = (url) => url.username !== "" || url.password !== "";
  const cannotHaveCredentialsOrPort = (url) => url.host === null || url.host === "" || url.scheme === "file";

  function shortenPath(url) {
    if (url.scheme === "file" && url.path.length === 1 && isNormalizedWindowsDriveLetter(url.path[0])) return;
    url.path.pop();
  }

  function newRecord() {
    return { scheme: "", username: "", password: "", host: null, port: null, path: [], query: null, fragment: null };
  }

  /**
   * The basic URL parser. Without `url`, returns a new record or null on failure. With `url` and
   * `stateOverride` (setters), mutates `url` and returns it, or null when the input is rejected.
   */
  function basicParse(inputString, base = null, url = null, stateOverride = 0) {
    let input = String(inputString);
    if (url === null) {
      url = newRecord();
      input = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
    }
    input = input.replace(/[\t\n\r]/g, "");
    const cps = Array.from(input, (ch) => ch.codePointAt(0));
    let state = stateOverride || S.SCHEME_START;
    let buffer = "";
    let atSignSeen = false;
    let insideBrackets = false;
    let passwordTokenSeen = false;
    let pointer = 0;

    for (;;) {
      const c = cps[pointer];
      const special = isSpecialScheme(url.scheme);
      switch (state) {
        case S.SCHEME_START:
          if (isAlpha(c)) {
            buffer += cpString(c).toLowerCase();
            state = S.SCHEME;
          } else if (!stateOverride) {
            state = S.NO_SCHEME;
            pointer--;
          } else {
            return FAILURE;
          }
          break;

        case S.SCHEME:
          if (c !== undefined && (isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e)) {
            buffer += cpString(c).toLowerCase();
          } else if (c === 0x3a) {
            if (stateOverride) {
              if (isSpecialScheme(url.scheme) !== isSpecialScheme(buffer)) return url;
              if ((includesCredentials(url) || url.port !== null) && buffer === "file") return url;
              if (url.scheme === "file" && url.host === "") return url;
            }
            url.scheme = buffer;
            if (stateOverride) {
              if (url.port === specialPorts[url.scheme]) url.port = null;
              return url;
            }
            buffer = "";
            if (url.scheme === "file") {
              state = S.FILE;
            } else if (isSpecialScheme(url.scheme) && base !== null && base.scheme === url.scheme) {
              state = S.SPECIAL_RELATIVE_OR_AUTHORITY;
            } else if (isSpecialScheme(url.scheme)) {
              state = S.SPECIAL_AUTHORITY_SLASHES;
            } else if (cps[pointer + 1] === 0x2f) {
              state = S.PATH_OR_AUTHORITY;
              pointer++;
            } else {
              url.path = "";
              state = S.OPAQUE_PATH;
            }
          } else if (!stateOverride) {
            buffer = "";
            state = S.NO_SCHEME;
            pointer = -1;
          } else {
            return FAILURE;
          }
          break;

        case S.NO_SCHEME:
          if (base === null || (hasOpaquePath(base) && c !== 0x23)) {
            return FAILURE;
          } else if (hasOpaquePath(base) && c === 0x23) {
            url.scheme = base.scheme;
            url.path = base.path;
            url.query = base.query;
            url.fragment = "";
            state = S.FRAGMENT;
          } else if (base.scheme !== "file") {
            state = S.RELATIVE;
            pointer--;
          } else {
            state = S.FILE;
            pointer--;
          }
          break;

        case S.SPECIAL_RELATIVE_OR_AUTHORITY:
          if (c === 0x2f && cps[pointer + 1] === 0x2f) {
            state = S.SPECIAL_AUTHORITY_IGNORE_SLASHES;
            pointer++;
          } else {
            state = S.RELATIVE;
            pointer--;
          }
          break;

        case S.PATH_OR_AUTHORITY:
          if (c === 0x2f) {
            state = S.AUTHORITY;
          } else {
            state = S.PATH;
            pointer--;
          }
          break;

        case S.RELATIVE:
          url.scheme = base.scheme;
          if (c === 0x2f || (isSpecialScheme(url.scheme) && c === 0x5c)) {
            state = S.RELATIVE_SLASH;
          } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === 0x3f) {
              url.query = "";
              state = S.QUERY;
            } else if (c === 0x23) {
              url.fragment = "";
              state = S.FRAGMENT;
            } else if (c !== undefined) {
              url.query = null;
              shortenPath(url);
              state = S.PATH;
              pointer--;
            }
          }
          break;

        case S.RELATIVE_SLASH:
          if (special && (c === 0x2f || c === 0x5c)) {
            state = S.SPECIAL_AUTHORITY_IGNORE_SLASHES;
          } else if (c === 0x2f) {
            state = S.AUTHORITY;
          } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            state = S.PATH;
            pointer--;
          }
          break;

        case S.SPECIAL_AUTHORITY_SLASHES:
          if (c === 0x2f && cps[pointer + 1] === 0x2f) {
            state = S.SPECIAL_AUTHORITY_IGNORE_SLASHES;
            pointer++;
          } else {
            state = S.SPECIAL_AUTHORITY_IGNORE_SLASHES;
            pointer--;
          }
          break;

        case S.SPECIAL_AUTHORITY_IGNORE_SLASHES:
          if (c !== 0x2f && c !== 0x5c) {
            state = S.AUTHORITY;
            pointer--;
          }
          break;

        case S.AUTHORITY:
          if (c === 0x40) {
            if (atSignSeen) buffer = "%40" + buffer;
            atSignSeen = true;
            for (const ch of buffer) {
              if (ch === ":" && !passwordTokenSeen) {
                passwordTokenSeen = true;
                continue;
              }
              const encoded = percentEncodeString(ch, userinfoSet);
              if (passwordTokenSeen) url.password += encoded;
              else url.username += encoded;
            }
            buffer = "";
          } else if (c === undefined || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
            if (atSignSeen && buffer === "") return FAILURE;
            pointer -= Array.from(buffer).length + 1;
            buffer = "";
            state = S.HOST;
          } else {
            buffer += cpString(c);
          }
          break;

        case S.HOST:
        case S.HOSTNAME:
          if (stateOverride && url.scheme === "file") {
            pointer--;
            state = S.FILE_HOST;
          } else if (c === 0x3a && !insideBrackets) {
            if (buffer === "") return FAILURE;
            if (stateOverride === S.HOSTNAME) return FAILURE;
            const host = parseHost(buffer, !special);
            if (host === null) return FAILURE;
            url.host = host;
            buffer = "";
            state = S.PORT;
          } else if (c === undefined || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
            pointer--;
            if (special && buffer === "") return FAILURE;
            if (stateOverride && buffer === "" && (includesCredentials(url) || url.port !== null)) return FAILURE;
            const host = parseHost(buffer, !special);
            if (host === null) return FAILURE;
            url.host = host;
            buffer = "";
            state = S.PATH_START;
            if (stateOverride) return url;
          } else {
            if (c === 0x5b) insideBrackets = true;
            if (c === 0x5d) insideBrackets = false;
            buffer += cpString(c);
          }
          break;

        case S.PORT:
          if (isDigit(c)) {
            buffer += cpString(c);
          } else if (c === undefined || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c) ||
            stateOverride) {
            if (buffer !== "") {
              const port = parseInt(buffer, 10);
              if (port > 65535) return FAILURE;
              url.port = port === specialPorts[url.scheme] ? null : port;
              buffer = "";
            }
            if (stateOverride) return url;
            state = S.PATH_START;
            pointer--;
          } else {
            return FAILURE;
          }
          break;

        case S.FILE:
          url.scheme = "file";
          url.host = "";
          if (c === 0x2f || c === 0x5c) {
            state = S.FILE_SLASH;
          } else if (base !== null && base.scheme === "file") {
            url.host = base.host;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === 0x3f) {
              url.query = "";
              state = S.QUERY;
            } else if (c === 0x23) {
              url.fragment = "";
              state = S.FRAGMENT;
            } else if (c !== undefined) {
              url.query = null;
              if (!startsWithWindowsDriveLetter(cps, pointer)) shortenPath(url);
              else url.path = [];
              state = S.PATH;
              pointer--;
            }
          } else {
            state = S.PATH;
            pointer--;
          }
          break;

        case S.FILE_SLASH:
          if (c === 0x2f || c === 0x5c) {
            state = S.FILE_HOST;
          } else {
            if (base !== null && base.scheme === "file") {
              url.host = base.host;
              if (!startsWithWindowsDriveLetter(cps, pointer) && base.path.length > 0 &&
                isNormalizedWindowsDriveLetter(base.path[0])) {
                url.path.push(base.path[0]);
              }
            }
            state = S.PATH;
            pointer--;
          }
          break;

        case S.FILE_HOST:
          if (c === undefined || c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) {
            pointer--;
            if (!stateOverride && isWindowsDriveLetter(buffer)) {
              state = S.PATH;
            } else if (buffer === "") {
              url.host = "";
              if (stateOverride) return url;
              state = S.PATH_START;
            } else {
              let host = parseHost(buffer, !special);
              if (host === null) return FAILURE;
              if (host === "localhost") host = "";
              url.host = host;
              if (stateOverride) return url;
              buffer = "";
              state = S.PATH_START;
            }
          } else {
            buffer += cpString(c);
          }
          break;

        case S.PATH_START:
          if (special) {
            state = S.PATH;
            if (c !== 0x2f && c !== 0x5c) pointer--;
          } else if (!stateOverride && c === 0x3f) {
            url.query = "";
            state = S.QUERY;
          } else if (!stateOverride && c === 0x23) {
            url.fragment = "";
            state = S.FRAGMENT;
          } else if (c !== undefined) {
            state = S.PATH;
            if (c !== 0x2f) pointer--;
          } else if (stateOverride && url.host === null) {
            url.path.push("");
          }
          break;

        case S.PATH: {
          const slash = c === 0x2f || (special && c === 0x5c);
          if (c === undefined || slash || (!stateOverride && (c === 0x3f || c === 0x23))) {
            if (isDoubleDot(buffer)) {
              shortenPath(url);
              if (!slash) url.path.push("");
            } else if (isSingleDot(buffer) && !slash) {
              url.path.push("");
            } else if (!isSingleDot(buffer)) {
              if (url.scheme === "file" && url.path.length === 0 && isWindowsDriveLetter(buffer)) {
                buffer = buffer[0] + ":";
              }
              url.path.push(buffer);
            }
            buffer = "";
            if (c === 0x3f) {
              url.query = "";
              state = S.QUERY;
            }
            if (c === 0x23) {
              url.fragment = "";
              state = S.FRAGMENT;
            }
          } else {
            buffer += encodeCp(c, pathSet);
          }
          break;
        }

        case S.OPAQUE_PATH:
          if (c === 0x3f) {
            url.query = "";
            state = S.QUERY;
          } else if (c === 0x23) {
            url.fragment = "";
            state = S.FRAGMENT;
          } else if (c !== undefined) {
            url.path += encodeCp(c, isC0Control);
          }
          break;

        case S.QUERY:
          if (c === undefined || (!stateOverride && c === 0x23)) {
            url.query += percentEncodeString(buffer, special ? specialQuerySet : querySet);
            buffer = "";
            if (c === 0x23) {
              url.fragment = "";
              state = S.FRAGMENT;
            }
          } else {
            buffer += cpString(c);
          }
          break;

        case S.FRAGMENT:
          if (c !== undefined) url.fragment += encodeCp(c, fragmentSet);
          break;
      }
      if (pointer >= cps.length) break;
      pointer++;
    }
    return url;
  }

  function serializePath(url) {
    if (hasOpaquePath(url)) return url.path;
    let out = "";
    for (const segment of url.path) out += "/" + segment;
    return out;
  }

  function serialize(url, excludeFragment = false) {
    let out = url.scheme + ":";
    if (url.host !== null) {
      out += "//";
      if (includesCredentials(url)) {
        out += url.username;
        if (url.password !== "") out += ":" + url.password;
        out += "@";
      }
      out += url.host;
      if (url.port !== null) out += ":" + url.port;
    } else if (!hasOpaquePath(url) && url.path.length > 1 && url.path[0] === "") {
      out += "/.";
    }
    out += serializePath(url);
    if (url.query !== null) out += "?" + url.query;
    if (!excludeFragment && url.fragment !== null) out += "#" + url.fragment;
    return out;
  }

  function origin(url) {
    if (url.scheme === "blob") {
      const inner = typeof url.path === "string" ? basicParse(url.path) : null;
      if (inner !== null && (inner.scheme === "http" || inner.scheme === "https")) return origin(inner);
      return "null";
    }
    if (isSpecialScheme(url.scheme) && url.scheme !== "file") {
      return `${url.scheme}://${url.host}${url.port === null ? "" : ":" + url.port}`;
    }
    return "null";
  }

  internal.urlParser = {
    S, basicParse, serialize, serializePath, origin, hasOpaquePath, includesCredentials, cannotHaveCredentialsOrPort,
    userinfoSet,
  };
})();
