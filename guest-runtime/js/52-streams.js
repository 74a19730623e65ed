// tntc JS prelude: a small ReadableStream (default readers, async iteration, tee, from) so `response.body`
// and stream request bodies work. Bodies are fully buffered by the host, so a body stream has one chunk.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const streamState = new WeakMap();

  class ReadableStreamDefaultController {
    #stream;
    constructor(stream) { this.#stream = stream; }
    get desiredSize() {
      const s = streamState.get(this.#stream);
      return s.state === "readable" ? Math.max(1 - s.queue.length, 0) : s.state === "closed" ? 0 : null;
    }
    enqueue(chunk) {
      const s = streamState.get(this.#stream);
      if (s.state !== "readable" || s.closeRequested) throw new TypeError("Cannot enqueue a chunk into a closed stream.");
      if (s.waiting.length > 0) s.waiting.shift().resolve({ value: chunk, done: false });
      else s.queue.push(chunk);
    }
    close() {
      const s = streamState.get(this.#stream);
      if (s.state !== "readable" || s.closeRequested) throw new TypeError("The stream is already closing or closed.");
      s.closeRequested = true;
      if (s.queue.length === 0) finishClose(s);
    }
    error(reason = undefined) {
      const s = streamState.get(this.#stream);
      if (s.state !== "readable") return;
      s.state = "errored";
      s.storedError = reason;
      s.queue = [];
      for (const waiter of s.waiting.splice(0)) waiter.reject(reason);
      s.closedReject(reason);
    }
  }
  internal.setToStringTag(ReadableStreamDefaultController, "ReadableStreamDefaultController");

  function finishClose(s) {
    s.state = "closed";
    for (const waiter of s.waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
    s.closedResolve(undefined);
  }

  class ReadableStream {
    constructor(source = {}, strategy = {}) {
      // Byte sources (`type: "bytes"`) are read through default readers too: there are no BYOB readers.
      const underlying = source ?? {};
      let closedResolve;
      let closedReject;
      const closed = new Promise((resolve, reject) => {
        closedResolve = resolve;
        closedReject = reject;
      });
      closed.catch(() => {});
      const s = {
        state: "readable", queue: [], waiting: [], closeRequested: false, storedError: undefined,
        reader: null, disturbed: false, source: underlying, started: false, pulling: false,
        closed, closedResolve, closedReject, onRead: null,
      };
      streamState.set(this, s);
      s.controller = new ReadableStreamDefaultController(this);
      void strategy;
      const start = typeof underlying.start === "function" ? underlying.start.call(underlying, s.controller) : undefined;
      Promise.resolve(start).then(() => {
        s.started = true;
        if (s.waiting.length > 0) pull(s);
      }, (error) => s.controller.error(error));
    }
    get locked() { return stateOf(this).reader !== null; }
    cancel(reason = undefined) {
      const s = stateOf(this);
      if (s.reader !== null) return Promise.reject(new TypeError("Cannot cancel a locked ReadableStream."));
      return cancelStream(s, reason);
    }
    getReader(options = undefined) {
      if (options?.mode === "byob") throw new TypeError("BYOB readers are not supported.");
      return new ReadableStreamDefaultReader(this);
    }
    tee() {
      const reader = this.getReader();
      const branches = [];
      const controllers = [];
      let reading = null;
      const pullBoth = () => {
        if (reading) return reading;
        reading = reader.read().then(({ value, done }) => {
          reading = null;
          for (const controller of controllers) {
            try {
              if (done) controller.close();
              else controller.enqueue(value);
            } catch {
              // That branch was cancelled.
            }
          }
        });
        return reading;
      };
      for (let i = 0; i < 2; i++) {
        branches.push(new ReadableStream({
          start(controller) { controllers.push(controller); },
          pull: pullBoth,
        }));
      }
      return branches;
    }
    async *values(options = undefined) {
      const reader = this.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        if (!options?.preventCancel) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    }
    static from(iterable) {
      const iterator = typeof iterable[Symbol.asyncIterator] === "function"
        ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
      return new ReadableStream({
        async pull(controller) {
          const { value, done } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        async cancel(reason) {
          if (typeof iterator.return === "function") await iterator.return(reason);
        },
      });
    }
    [internal.inspectSymbol]() {
      const s = stateOf(this);
      return { name: "ReadableStream", value: { locked: s.reader !== null, state: s.state, supportsBYOB: false } };
    }
  }
  ReadableStream.prototype[Symbol.asyncIterator] = ReadableStream.prototype.values;
  internal.setToStringTag(ReadableStream, "ReadableStream");

  function stateOf(stream) {
    const s = streamState.get(stream);
    if (s === undefined) throw new TypeError("Illegal invocation");
    return s;
  }

  function pull(s) {
    if (!s.started || s.pulling || s.state !== "readable" || s.closeRequested) return;
    if (typeof s.source.pull !== "function") return;
    s.pulling = true;
    Promise.resolve()
      .then(() => s.source.pull.call(s.source, s.controller))
      .then(() => {
        s.pulling = false;
        if (s.waiting.length > 0) pull(s);
      }, (error) => {
        s.pulling = false;
        s.controller.error(error);
      });
  }

  function cancelStream(s, reason) {
    s.disturbed = true;
    if (s.state === "closed") return Promise.resolve(undefined);
    if (s.state === "errored") return Promise.reject(s.storedError);
    s.queue = [];
    finishClose(s);
    const cancel = typeof s.source.cancel === "function" ? s.source.cancel.call(s.source, reason) : undefined;
    return Promise.resolve(cancel).then(() => undefined);
  }

  class ReadableStreamDefaultReader {
    #stream;
    constructor(stream) {
      const s = stateOf(stream);
      if (s.reader !== null) throw new TypeError("ReadableStream is locked.");
      s.reader = this;
      this.#stream = stream;
    }
    get closed() {
      return this.#stream ? stateOf(this.#stream).closed : Promise.reject(new TypeError("The reader is released."));
    }
    read() {
      if (!this.#stream) return Promise.reject(new TypeError("The reader is released."));
      const s = stateOf(this.#stream);
      s.disturbed = true;
      if (s.onRead) s.onRead();
      if (s.queue.length > 0) {
        const value = s.queue.shift();
        if (s.closeRequested && s.queue.length === 0) finishClose(s);
        return Promise.resolve({ value, done: false });
      }
      if (s.state === "closed") return Promise.resolve({ value: undefined, done: true });
      if (s.state === "errored") return Promise.reject(s.storedError);
      const promise = new Promise((resolve, reject) => s.waiting.push({ resolve, reject }));
      pull(s);
      return promise;
    }
    releaseLock() {
      if (!this.#stream) return;
      const s = stateOf(this.#stream);
      for (const waiter of s.waiting.splice(0)) waiter.reject(new TypeError("The reader was released."));
      s.reader = null;
      this.#stream = null;
    }
    cancel(reason = undefined) {
      if (!this.#stream) return Promise.reject(new TypeError("The reader is released."));
      return cancelStream(stateOf(this.#stream), reason);
    }
  }
  internal.setToStringTag(ReadableStreamDefaultReader, "ReadableStreamDefaultReader");

  /** A stream holding `bytes` as one chunk; `onRead` runs on the first read (marks a body used). */
  internal.streamOfBytes = (bytes, onRead = null) => {
    const stream = new ReadableStream({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
    if (onRead) {
      const s = stateOf(stream);
      s.onRead = () => {
        s.onRead = null;
        onRead();
      };
    }
    return stream;
  };
  internal.isReadableStream = (value) => streamState.has(value);
  internal.streamUnusable = (stream) => {
    const s = stateOf(stream);
    return s.disturbed || s.reader !== null;
  };
  /** Reads a whole stream of byte chunks (or strings) into one Uint8Array. */
  internal.readAllBytes = async (stream) => {
    const reader = stream.getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const chunk = typeof value === "string" ? internal.utf8Encode(value) : internal.toBytes(value);
      chunks.push(chunk);
      total += chunk.length;
    }
    reader.releaseLock();
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  };

  internal.defineGlobal("ReadableStream", ReadableStream);
  internal.defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
  internal.defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);
})();
