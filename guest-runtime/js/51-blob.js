// tntc JS prelude: Blob, File and FormData (with multipart/form-data encoding for request bodies).
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const blobBytes = new WeakMap();

  function partBytes(part) {
    if (blobBytes.has(part)) return blobBytes.get(part);
    if (part instanceof ArrayBuffer || ArrayBuffer.isView(part)) return internal.toBytes(part).slice();
    return internal.utf8Encode(String(part));
  }

  function normalizeType(type) {
    const string = String(type);
    return /[^\x20-\x7e]/.test(string) ? "" : string.toLowerCase();
  }

  class Blob {
    #type;
    constructor(parts = [], options = {}) {
      if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
        throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
      }
      const chunks = Array.from(parts, partBytes);
      const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      blobBytes.set(this, bytes);
      this.#type = options?.type === undefined ? "" : normalizeType(options.type);
    }
    get size() { return bytesOf(this).length; }
    get type() { return this.#type; }
    slice(start = 0, end = undefined, contentType = undefined) {
      const bytes = bytesOf(this);
      const size = bytes.length;
      const clamp = (value, fallback) => {
        if (value === undefined) return fallback;
        const n = Math.trunc(Number(value)) || 0;
        return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
      };
      const from = clamp(start, 0);
      const to = clamp(end, size);
      const blob = new Blob([], { type: contentType === undefined ? "" : contentType });
      blobBytes.set(blob, bytes.slice(from, Math.max(from, to)));
      return blob;
    }
    async text() { return internal.utf8Decode(bytesOf(this)); }
    async arrayBuffer() { return bytesOf(this).slice().buffer; }
    async bytes() { return bytesOf(this).slice(); }
    stream() { return internal.streamOfBytes(bytesOf(this).slice()); }
    [internal.inspectSymbol]() {
      return { name: this instanceof File ? "File" : "Blob", value: { size: this.size, type: this.type } };
    }
  }
  internal.setToStringTag(Blob, "Blob");

  function bytesOf(blob) {
    const bytes = blobBytes.get(blob);
    if (bytes === undefined) throw new TypeError("Illegal invocation");
    return bytes;
  }
  internal.blobBytes = (blob) => blobBytes.get(blob);
  internal.isBlob = (value) => blobBytes.has(value);
  internal.makeBlob = (bytes, type) => {
    const blob = new Blob([], { type });
    blobBytes.set(blob, bytes);
    return blob;
  };

  class File extends Blob {
    #name;
    #lastModified;
    constructor(parts, name, options = {}) {
      if (arguments.length < 2) {
        throw new TypeError(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
      }
      super(parts, options);
      this.#name = String(name);
      this.#lastModified = options?.lastModified === undefined ? Date.now() : Number(options.lastModified);
    }
    get name() { return this.#name; }
    get lastModified() { return this.#lastModified; }
  }
  internal.setToStringTag(File, "File");

  // ---------------------------------------------------------------------------------------------------------
  const formEntries = new WeakMap();

  function entryValue(value, filename) {
    if (!blobBytes.has(value)) return String(value);
    if (value instanceof File && filename === undefined) return value;
    const name = filename !== undefined ? String(filename) : value instanceof File ? value.name : "blob";
    return new File([value], name, { type: value.type, lastModified: value instanceof File ? value.lastModified : undefined });
  }

  class FormData {
    constructor(form = undefined) {
      if (form !== undefined) throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
      formEntries.set(this, []);
    }
    append(name, value, filename = undefined) {
      entriesOf(this).push([String(name), entryValue(value, filename)]);
    }
    delete(name) {
      const key = String(name);
      formEntries.set(this, entriesOf(this).filter(([n]) => n !== key));
    }
    get(name) {
      const key = String(name);
      const found = entriesOf(this).find(([n]) => n === key);
      return found === undefined ? null : found[1];
    }
    getAll(name) {
      const key = String(name);
      return entriesOf(this).filter(([n]) => n === key).map(([, v]) => v);
    }
    has(name) {
      const key = String(name);
      return entriesOf(this).some(([n]) => n === key);
    }
    set(name, value, filename = undefined) {
      const key = String(name);
      const entry = [key, entryValue(value, filename)];
      const list = entriesOf(this);
      const index = list.findIndex(([n]) => n === key);
      if (index === -1) list.push(entry);
      else formEntries.set(this, list.filter(([n], i) => i < index || n !== key).map((e, i) => (i === index ? entry : e)));
    }
    forEach(callback, thisArg = undefined) {
      for (const [name, value] of entriesOf(this)) callback.call(thisArg, value, name, this);
    }
    *entries() {
      const list = entriesOf(this);
      for (let i = 0; i < list.length; i++) yield [list[i][0], list[i][1]];
    }
    *keys() {
      for (const [name] of this.entries()) yield name;
    }
    *values() {
      for (const [, value] of this.entries()) yield value;
    }
  }
  FormData.prototype[Symbol.iterator] = FormData.prototype.entries;
  internal.setToStringTag(FormData, "FormData");

  function entriesOf(form) {
    const list = formEntries.get(form);
    if (list === undefined) throw new TypeError("Illegal invocation");
    return list;
  }
  internal.isFormData = (value) => formEntries.has(value);

  /** multipart/form-data encoding of a FormData: { bytes, contentType }. */
  internal.encodeFormData = (form) => {
    const random = new Uint8Array(16);
    internal.native().randomFill(random);
    const boundary = "----" + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
    const escape = (s) => s.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
    const normalizeNewlines = (s) => s.replace(/\r\n|\r|\n/g, "\r\n");
    const chunks = [];
    for (const [name, value] of entriesOf(form)) {
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escape(normalizeNewlines(name))}"`;
      if (typeof value === "string") {
        chunks.push(internal.utf8Encode(`${head}\r\n\r\n${normalizeNewlines(value)}\r\n`));
      } else {
        head += `; filename="${escape(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`;
        chunks.push(internal.utf8Encode(head), blobBytes.get(value), internal.utf8Encode("\r\n"));
      }
    }
    chunks.push(internal.utf8Encode(`--${boundary}--`));
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
  };

  /** Parses an application/x-www-form-urlencoded or multipart/form-data body into FormData. */
  internal.decodeFormData = (bytes, contentType) => {
    const form = new FormData();
    const type = (contentType ?? "").toLowerCase();
    if (type.startsWith("application/x-www-form-urlencoded")) {
      for (const [name, value] of new URLSearchParams(internal.utf8Decode(bytes))) form.append(name, value);
      return form;
    }
    const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
    if (!type.startsWith("multipart/form-data") || !match) {
      throw new TypeError("Body can not be decoded as form data");
    }
    const boundary = match[1] ?? match[2];
    // Latin-1 view keeps byte offsets equal to string offsets.
    let latin = "";
    for (let i = 0; i < bytes.length; i += 8192) latin += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    const parts = latin.split(`--${boundary}`);
    for (const part of parts.slice(1)) {
      if (part.startsWith("--")) break;
      const headerEnd = part.indexOf("\r\n\r\n");
      if (headerEnd === -1) continue;
      const headerText = part.slice(2, headerEnd);
      let body = part.slice(headerEnd + 4);
      if (body.endsWith("\r\n")) body = body.slice(0, -2);
      const disposition = /content-disposition:[^\r\n]*/i.exec(headerText)?.[0] ?? "";
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      if (name === undefined) continue;
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const partType = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1] ?? "";
      const partBytesValue = Uint8Array.from(body, (ch) => ch.charCodeAt(0));
      const decodedName = internal.utf8Decode(Uint8Array.from(name, (ch) => ch.charCodeAt(0)));
      if (filename !== undefined) {
        const file = new File([partBytesValue], internal.utf8Decode(Uint8Array.from(filename, (ch) => ch.charCodeAt(0))), { type: partType });
        form.append(decodedName, file);
      } else {
        form.append(decodedName, internal.utf8Decode(partBytesValue));
      }
    }
    return form;
  };

  internal.defineGlobal("Blob", Blob);
  internal.defineGlobal("File", File);
  internal.defineGlobal("FormData", FormData);
})();
