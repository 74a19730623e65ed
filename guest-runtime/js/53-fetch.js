// tntc JS prelude: Request, Response and fetch(). A fetch is one host operation: `__tntc_native.fetch(request
// JSON, body bytes)` returns a handle; `__tntc_runtime.complete` later delivers the status line, headers and the
// whole body (or an error message). Aborting the request's signal cancels the handle and rejects with the reason.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const H = internal.headers;

  const nullBodyStatus = new Set([101, 103, 204, 205, 304]);
  const redirectStatus = new Set([301, 302, 303, 307, 308]);
  const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

  // -------------------------------------------------------------------------------------------------------
  // Bodies

  /** Extracts a body init: { bytes, stream, contentType } (bytes null when the body is a stream). */
  function extractBody(body) {
    if (typeof body === "string") return { bytes: internal.utf8Encode(body), stream: null, contentType: "text/plain;charset=UTF-8" };
    if (internal.isURLSearchParams(body)) {
      return {
        bytes: internal.utf8Encode(body.toString()), stream: null,
        contentType: "application/x-www-form-urlencoded;charset=UTF-8",
      };
    }
    if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
      return { bytes: internal.toBytes(body).slice(), stream: null, contentType: null };
    }
    if (internal.isBlob(body)) {
      return { bytes: internal.blobBytes(body).slice(), stream: null, contentType: body.type || null };
    }
    if (internal.isFormData(body)) {
      const { bytes, contentType } = internal.encodeFormData(body);
      return { bytes, stream: null, contentType };
    }
    if (internal.isReadableStream(body)) {
      if (internal.streamUnusable(body)) throw new TypeError("The body has already been consumed.");
      return { bytes: null, stream: body, contentType: null };
    }
    return { bytes: internal.utf8Encode(String(body)), stream: null, contentType: "text/plain;charset=UTF-8" };
  }

  const bodyState = new WeakMap();

  function initBody(target, extracted) {
    bodyState.set(target, {
      bytes: extracted ? extracted.bytes : null,
      stream: extracted ? extracted.stream : null,
      hasBody: extracted !== null,
      used: false,
    });
  }

  function bodyOf(target) {
    const state = bodyState.get(target);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state;
  }

  function bodyUsed(state) {
    return state.used || (state.stream !== null && internal.streamUnusable(state.stream) && state.bytes === null);
  }

  async function consume(target) {
    const state = bodyOf(target);
    if (bodyUsed(state) || (state.stream !== null && internal.streamUnusable(state.stream))) {
      throw new TypeError("Body already consumed");
    }
    state.used = true;
    if (!state.hasBody) return new Uint8Array(0);
    if (state.bytes !== null) return state.bytes;
    return internal.readAllBytes(state.stream);
  }

  /** The Body mixin shared by Request and Response. */
  const bodyMixin = {
    get body() {
      const state = bodyOf(this);
      if (!state.hasBody) return null;
      if (state.stream === null) {
        state.stream = internal.streamOfBytes(state.bytes, () => {
          state.used = true;
        });
      }
      return state.stream;
    },
    get bodyUsed() {
      const state = bodyOf(this);
      return state.used || (state.stream !== null && internal.streamUnusable(state.stream));
    },
    async arrayBuffer() {
      return (await consume(this)).slice().buffer;
    },
    async bytes() {
      return (await consume(this)).slice();
    },
    async text() {
      return internal.utf8Decode(await consume(this));
    },
    async json() {
      return JSON.parse(internal.utf8Decode(await consume(this)));
    },
    async blob() {
      const bytes = (await consume(this)).slice();
      return internal.makeBlob(bytes, this.headers.get("content-type") ?? "");
    },
    async formData() {
      const bytes = await consume(this);
      return internal.decodeFormData(bytes, this.headers.get("content-type"));
    },
  };

  function mixBody(klass) {
    for (const key of Object.keys(bodyMixin)) {
      Object.defineProperty(klass.prototype, key, {
        ...Object.getOwnPropertyDescriptor(bodyMixin, key),
        enumerable: false,
      });
    }
  }

  function cloneBody(state) {
    if (state.stream !== null && state.bytes === null) {
      const [a, b] = state.stream.tee();
      state.stream = a;
      return { bytes: null, stream: b, hasBody: true, used: false };
    }
    return { bytes: state.bytes, stream: null, hasBody: state.hasBody, used: false };
  }

  // -------------------------------------------------------------------------------------------------------
  // Request

  const requestState = new WeakMap();
  const normalizedMethods = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

  function normalizeMethod(method) {
    const string = String(method);
    if (!tokenPattern.test(string)) throw new TypeError("Method is not valid");
    const upper = string.toUpperCase();
    if (upper === "CONNECT" || upper === "TRACE" || upper === "TRACK") throw new TypeError("Method is forbidden");
    return normalizedMethods.includes(upper) ? upper : string;
  }

  class Request {
    constructor(input, init = {}) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
      }
      const options = init ?? {};
      const source = requestState.get(input);
      let url;
      let method = "GET";
      let headersInit;
      let signal = null;
      let inherited = {};
      if (source === undefined) {
        url = internal.parseURL(input);
        if (url === null) throw new TypeError(`Invalid URL: '${String(input)}'`);
      } else {
        url = source.url;
        method = source.method;
        headersInit = input.headers;
        signal = source.signal;
        inherited = source;
      }
      if (options.method !== undefined) method = normalizeMethod(options.method);
      if (options.signal !== undefined) signal = options.signal;
      if (signal !== null && !internal.isAbortSignal(signal)) {
        throw new TypeError("Failed to construct 'Request': member signal is not of type AbortSignal.");
      }
      if (options.headers !== undefined) headersInit = options.headers;
      const headers = new Headers(headersInit);

      let extracted = null;
      if (options.body !== undefined && options.body !== null) {
        if (method === "GET" || method === "HEAD") throw new TypeError("Request with GET/HEAD method cannot have body");
        extracted = extractBody(options.body);
        if (extracted.contentType !== null && !headers.has("content-type")) {
          H.appendUnguarded(headers, "content-type", extracted.contentType);
        }
      }
      if (extracted === null && source !== undefined) {
        const inputBody = bodyOf(input);
        if (inputBody.hasBody) {
          if (bodyUsed(inputBody)) throw new TypeError("Cannot construct a Request with a Request object that has already been used.");
          bodyState.set(this, cloneBody(inputBody));
          inputBody.used = true;
        }
      }
      if (!bodyState.has(this)) initBody(this, extracted);

      const controller = new AbortController();
      if (signal !== null) {
        if (signal.aborted) controller.abort(signal.reason);
        else internal.onAbort(signal, (reason) => controller.abort(reason));
      }
      requestState.set(this, {
        url,
        method,
        headers,
        signal: controller.signal,
        redirect: options.redirect ?? inherited.redirect ?? "follow",
        cache: options.cache ?? inherited.cache ?? "default",
        credentials: options.credentials ?? inherited.credentials ?? "same-origin",
        mode: options.mode ?? inherited.mode ?? "cors",
        referrer: options.referrer ?? inherited.referrer ?? "about:client",
        referrerPolicy: options.referrerPolicy ?? inherited.referrerPolicy ?? "",
        integrity: options.integrity ?? inherited.integrity ?? "",
        keepalive: Boolean(options.keepalive ?? inherited.keepalive ?? false),
      });
    }
    get url() { return reqOf(this).url; }
    get method() { return reqOf(this).method; }
    get headers() { return reqOf(this).headers; }
    get signal() { return reqOf(this).signal; }
    get redirect() { return reqOf(this).redirect; }
    get cache() { return reqOf(this).cache; }
    get credentials() { return reqOf(this).credentials; }
    get mode() { return reqOf(this).mode; }
    get referrer() { return reqOf(this).referrer; }
    get referrerPolicy() { return reqOf(this).referrerPolicy; }
    get integrity() { return reqOf(this).integrity; }
    get keepalive() { return reqOf(this).keepalive; }
    get destination() { return ""; }
    get duplex() { return "half"; }
    get isHistoryNavigation() { return false; }
    clone() {
      if (this.bodyUsed) throw new TypeError("Body has already been consumed.");
      return new Request(this);
    }
    [internal.inspectSymbol]() {
      return {
        name: "Request",
        value: {
          bodyUsed: this.bodyUsed, headers: this.headers, method: this.method, redirect: this.redirect, url: this.url,
        },
      };
    }
  }
  mixBody(Request);
  internal.setToStringTag(Request, "Request");

  function reqOf(request) {
    const state = requestState.get(request);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state;
  }

  // -------------------------------------------------------------------------------------------------------
  // Response

  const responseState = new WeakMap();
  const internalInit = Symbol("tntc.response-init");

  class Response {
    constructor(body = null, init = {}, secret = undefined) {
      if (secret === internalInit) return;
      const options = init ?? {};
      const status = options.status === undefined ? 200 : Number(options.status) | 0;
      if (options.status !== undefined && (status < 200 || status > 599) && status !== 101) {
        throw new RangeError(`The status provided (${status}) is not equal to 101 and outside the range [200, 599]`);
      }
      const statusText = options.statusText === undefined ? "" : String(options.statusText);
      if (statusText !== "" && !/^[\t\x20-\x7e\x80-\xff]*$/.test(statusText)) {
        throw new TypeError(`Invalid status text: "${statusText}"`);
      }
      const headers = new Headers(options.headers);
      let extracted = null;
      if (body !== null && body !== undefined) {
        if (nullBodyStatus.has(status)) throw new TypeError("Response with null body status cannot have body");
        extracted = extractBody(body);
        if (extracted.contentType !== null && !headers.has("content-type")) {
          H.appendUnguarded(headers, "content-type", extracted.contentType);
        }
      }
      initBody(this, extracted);
      responseState.set(this, { type: "default", status, statusText, headers, url: "", redirected: false });
    }
    static json(data, init = {}) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError("Value is not JSON serializable");
      const response = new Response(text, init);
      const headers = resOf(response).headers;
      if (!(init?.headers && new Headers(init.headers).has("content-type"))) {
        headers.set("content-type", "application/json");
      }
      return response;
    }
    static redirect(url, status = 302) {
      const parsed = internal.parseURL(url);
      if (parsed === null) throw new TypeError(`Invalid URL: '${String(url)}'`);
      const code = Number(status);
      if (!redirectStatus.has(code)) throw new RangeError(`Invalid redirect status code: ${status}`);
      const response = new Response(null, { status: code });
      const headers = resOf(response).headers;
      headers.set("location", parsed);
      H.setGuard(headers, "immutable");
      return response;
    }
    static error() {
      const response = new Response(null, {}, internalInit);
      initBody(response, null);
      const headers = new Headers();
      H.setGuard(headers, "immutable");
      responseState.set(response, { type: "error", status: 0, statusText: "", headers, url: "", redirected: false });
      return response;
    }
    get type() { return resOf(this).type; }
    get url() { return resOf(this).url; }
    get redirected() { return resOf(this).redirected; }
    get status() { return resOf(this).status; }
    get ok() {
      const status = resOf(this).status;
      return status >= 200 && status <= 299;
    }
    get statusText() { return resOf(this).statusText; }
    get headers() { return resOf(this).headers; }
    clone() {
      if (this.bodyUsed) throw new TypeError("Body has already been consumed.");
      const state = resOf(this);
      const copy = new Response(null, {}, internalInit);
      bodyState.set(copy, cloneBody(bodyOf(this)));
      const headers = new Headers(state.headers);
      H.setGuard(headers, H.guardOf(state.headers));
      responseState.set(copy, { ...state, headers });
      return copy;
    }
    [internal.inspectSymbol]() {
      return {
        name: "Response",
        value: {
          body: this.body, bodyUsed: this.bodyUsed, headers: this.headers, ok: this.ok, redirected: this.redirected,
          status: this.status, statusText: this.statusText, url: this.url,
        },
      };
    }
  }
  mixBody(Response);
  internal.setToStringTag(Response, "Response");

  function resOf(response) {
    const state = responseState.get(response);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state;
  }

  function makeFetchedResponse(meta, body, isHead) {
    const response = new Response(null, {}, internalInit);
    const status = Number(meta.status) | 0;
    const headers = H.fromPairs(meta.headers, "immutable");
    const hasBody = !isHead && !nullBodyStatus.has(status);
    initBody(response, hasBody ? { bytes: body instanceof Uint8Array ? body : new Uint8Array(0), stream: null } : null);
    responseState.set(response, {
      type: "basic",
      status,
      statusText: typeof meta.statusText === "string" ? meta.statusText : "",
      headers,
      url: typeof meta.url === "string" ? meta.url.replace(/#.*$/, "") : "",
      redirected: Boolean(meta.redirected),
    });
    return response;
  }

  // -------------------------------------------------------------------------------------------------------
  // fetch

  function dataURLResponse(url) {
    const comma = url.indexOf(",");
    if (comma === -1) throw new TypeError("Invalid data URL");
    let mediaType = url.slice(5, comma).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "");
    let bytes = internal.urlEncoding.percentDecodeString(url.slice(comma + 1).replace(/#.*$/, ""));
    if (/;[\x20]*base64$/i.test(mediaType)) {
      mediaType = mediaType.replace(/;[\x20]*base64$/i, "");
      const binary = atob(String.fromCharCode.apply(null, Array.from(bytes)));
      bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    }
    if (mediaType.startsWith(";")) mediaType = "text/plain" + mediaType;
    if (mediaType === "") mediaType = "text/plain;charset=US-ASCII";
    return makeFetchedResponse(
      { status: 200, statusText: "OK", headers: [["content-type", mediaType]], url, redirected: false },
      bytes,
      false,
    );
  }

  function fetch(input, init = undefined) {
    return new Promise((resolve, reject) => {
      let request;
      try {
        request = new Request(input, init);
      } catch (error) {
        reject(error);
        return;
      }
      const state = reqOf(request);
      const signal = state.signal;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const scheme = state.url.slice(0, state.url.indexOf(":"));
      if (scheme === "data") {
        try {
          resolve(dataURLResponse(state.url));
        } catch (error) {
          reject(error);
        }
        return;
      }
      if (scheme !== "http" && scheme !== "https") {
        reject(new TypeError(`Url scheme '${scheme}' not supported`));
        return;
      }
      const send = (bytes) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const headers = H.list(state.headers).map(([name, value]) => [name, value]);
        if (!headers.some(([name]) => name === "accept")) headers.push(["accept", "*/*"]);
        const description = JSON.stringify({ url: state.url.replace(/#.*$/, ""), method: state.method, headers });
        let handle;
        try {
          handle = internal.native().fetch(description, bytes);
        } catch (error) {
          reject(new TypeError(`fetch failed: ${error?.message ?? String(error)}`));
          return;
        }
        const removeAbort = internal.onAbort(signal, (reason) => {
          internal.cancelHandle(handle);
          reject(reason);
        });
        internal.pending.set(handle, (ok, meta, body) => {
          removeAbort();
          if (!ok) {
            reject(new TypeError(meta || `error sending request for url (${state.url})`));
            return;
          }
          let parsed;
          try {
            parsed = JSON.parse(meta);
          } catch {
            reject(new TypeError(`the host returned an unreadable response for ${state.url}`));
            return;
          }
          resolve(makeFetchedResponse(parsed, body, state.method === "HEAD"));
        });
      };
      const body = bodyOf(request);
      if (!body.hasBody) {
        send(new Uint8Array(0));
      } else if (body.bytes !== null) {
        body.used = true;
        send(body.bytes);
      } else {
        consume(request).then(send, reject);
      }
    });
  }

  internal.defineGlobal("Request", Request);
  internal.defineGlobal("Response", Response);
  internal.defineGlobal("fetch", fetch);
})();
