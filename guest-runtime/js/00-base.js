// tntc JS prelude, part 1: shared internals, DOMException, Event/EventTarget.
//
// Every file in this folder is evaluated once, as a classic script, in file-name order, when the runtime
// initializes (then snapshotted). Files share private state through `globalThis.__tntc_internal`, which
// `runtime.js` (last in order) removes from the global object: node code never sees it.
"use strict";

(() => {
  /** Private state shared by the prelude files (removed from globalThis by runtime.js). */
  const internal = {
    /** The host bridge installed by the runtime's Rust side. Looked up lazily so evaluation order does not matter. */
    native() {
      const native = globalThis.__tntc_native;
      if (native === undefined || native === null) {
        throw new Error("tntc runtime: __tntc_native is not installed (the host bridge is missing)");
      }
      return native;
    },
    /** Pending host operations: handle -> function(ok, meta, body). Filled by timers and fetch. */
    pending: new Map(),
    /**
     * Reports an error nobody can catch (a throwing timer callback or event listener). Deno ends the
     * process on these; runtime.js replaces this to fail the running node with the error instead.
     */
    reportError(error) {
      globalThis.console.error("Uncaught", error);
    },
    /** Defines non-enumerable, writable, configurable globals like Web IDL does. */
    defineGlobal(name, value) {
      Object.defineProperty(globalThis, name, { value, writable: true, enumerable: false, configurable: true });
    },
    /** Makes class methods/getters non-enumerable names print nicely: `[Symbol.toStringTag]`. */
    setToStringTag(klass, tag) {
      Object.defineProperty(klass.prototype, Symbol.toStringTag, { value: tag, configurable: true });
    },
    /** Deno's TypeError for a call with too few arguments (it carries code ERR_MISSING_ARGS). */
    missingArgs(message) {
      const error = new TypeError(message);
      error.code = "ERR_MISSING_ARGS";
      return error;
    },
    /** Method a prelude class defines to give `console.log` its Deno view: returns `{ name, value }`. */
    inspectSymbol: Symbol("tntc.inspect"),
  };
  Object.defineProperty(globalThis, "__tntc_internal", { value: internal, configurable: true, writable: false });

  // ---------------------------------------------------------------------------------------------------------
  // DOMException (QuickJS-NG has one, but Javy's context does not install it).
  const legacyCodes = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
    SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
    QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  const constantNames = {
    INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
    INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7, NOT_FOUND_ERR: 8,
    NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11, SYNTAX_ERR: 12,
    INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15, VALIDATION_ERR: 16,
    TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20, URL_MISMATCH_ERR: 21,
    QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25,
  };

  if (typeof globalThis.DOMException !== "function") {
    const names = new WeakMap();
    class DOMException extends Error {
      constructor(message = "", name = "Error") {
        super(String(message));
        // Error's own `message` would be enumerable-false already; the spec keeps name/message on getters.
        names.set(this, { name: String(name), message: String(message) });
        delete this.message;
      }
      get name() {
        const state = names.get(this);
        if (state === undefined) throw new TypeError("Illegal invocation");
        return state.name;
      }
      get message() {
        const state = names.get(this);
        if (state === undefined) throw new TypeError("Illegal invocation");
        return state.message;
      }
      get code() {
        const state = names.get(this);
        if (state === undefined) throw new TypeError("Illegal invocation");
        return legacyCodes[state.name] ?? 0;
      }
    }
    for (const [key, value] of Object.entries(constantNames)) {
      Object.defineProperty(DOMException, key, { value, enumerable: true });
      Object.defineProperty(DOMException.prototype, key, { value, enumerable: true });
    }
    internal.setToStringTag(DOMException, "DOMException");
    internal.defineGlobal("DOMException", DOMException);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Event and EventTarget: what AbortSignal needs, with the browser's dispatch rules for a target with no tree.
  const eventState = new WeakMap();
  class Event {
    constructor(type, init = undefined) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
      }
      const options = init ?? {};
      eventState.set(this, {
        type: String(type),
        bubbles: Boolean(options.bubbles),
        cancelable: Boolean(options.cancelable),
        composed: Boolean(options.composed),
        target: null,
        currentTarget: null,
        defaultPrevented: false,
        stop: false,
        stopImmediate: false,
        phase: 0,
        timeStamp: Date.now(),
      });
    }
    get type() { return eventState.get(this).type; }
    get bubbles() { return eventState.get(this).bubbles; }
    get cancelable() { return eventState.get(this).cancelable; }
    get composed() { return eventState.get(this).composed; }
    get target() { return eventState.get(this).target; }
    get srcElement() { return eventState.get(this).target; }
    get currentTarget() { return eventState.get(this).currentTarget; }
    get defaultPrevented() { return eventState.get(this).defaultPrevented; }
    get eventPhase() { return eventState.get(this).phase; }
    get timeStamp() { return eventState.get(this).timeStamp; }
    get isTrusted() { return false; }
    get returnValue() { return !eventState.get(this).defaultPrevented; }
    get cancelBubble() { return eventState.get(this).stop; }
    set cancelBubble(value) { if (value) eventState.get(this).stop = true; }
    composedPath() {
      const state = eventState.get(this);
      return state.currentTarget ? [state.currentTarget] : [];
    }
    preventDefault() {
      const state = eventState.get(this);
      if (state.cancelable) state.defaultPrevented = true;
    }
    stopPropagation() { eventState.get(this).stop = true; }
    stopImmediatePropagation() {
      const state = eventState.get(this);
      state.stop = true;
      state.stopImmediate = true;
    }
  }
  for (const [key, value] of Object.entries({ NONE: 0, CAPTURING_PHASE: 1, AT_TARGET: 2, BUBBLING_PHASE: 3 })) {
    Object.defineProperty(Event, key, { value, enumerable: true });
    Object.defineProperty(Event.prototype, key, { value, enumerable: true });
  }
  internal.setToStringTag(Event, "Event");

  const listenersOf = new WeakMap();
  class EventTarget {
    constructor() {
      listenersOf.set(this, new Map());
    }
    addEventListener(type, callback, options = undefined) {
      if (callback === null || callback === undefined) return;
      const listeners = listenersFor(this);
      const opts = typeof options === "boolean" ? { capture: options } : (options ?? {});
      const capture = Boolean(opts.capture);
      const signal = opts.signal;
      if (signal !== undefined && signal.aborted) return;
      const key = String(type);
      let list = listeners.get(key);
      if (!list) {
        list = [];
        listeners.set(key, list);
      }
      if (list.some((l) => l.callback === callback && l.capture === capture)) return;
      const entry = { callback, capture, once: Boolean(opts.once), removed: false };
      list.push(entry);
      if (signal !== undefined) {
        signal.addEventListener("abort", () => this.removeEventListener(key, callback, { capture }));
      }
    }
    removeEventListener(type, callback, options = undefined) {
      const listeners = listenersFor(this);
      const capture = typeof options === "boolean" ? options : Boolean(options?.capture);
      const list = listeners.get(String(type));
      if (!list) return;
      const index = list.findIndex((l) => l.callback === callback && l.capture === capture);
      if (index >= 0) {
        list[index].removed = true;
        list.splice(index, 1);
      }
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) {
        throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      }
      const state = eventState.get(event);
      state.target = this;
      state.currentTarget = this;
      state.phase = 2;
      const list = listenersFor(this).get(state.type);
      if (list) {
        for (const entry of list.slice()) {
          if (entry.removed) continue;
          if (entry.once) this.removeEventListener(state.type, entry.callback, { capture: entry.capture });
          try {
            if (typeof entry.callback === "function") {
              entry.callback.call(this, event);
            } else if (typeof entry.callback.handleEvent === "function") {
              entry.callback.handleEvent(event);
            }
          } catch (error) {
            internal.reportError(error);
          }
          if (state.stopImmediate) break;
        }
      }
      state.currentTarget = null;
      state.phase = 0;
      return !state.defaultPrevented;
    }
  }
  function listenersFor(target) {
    let listeners = listenersOf.get(target);
    if (!listeners) {
      // A subclass constructed without calling EventTarget's constructor still works.
      listeners = new Map();
      listenersOf.set(target, listeners);
    }
    return listeners;
  }
  internal.setToStringTag(EventTarget, "EventTarget");

  /** Calls the `on<type>` attribute handler of `target` (AbortSignal.onabort and friends). */
  internal.defineEventHandler = (klass, type) => {
    const handlers = new WeakMap();
    Object.defineProperty(klass.prototype, `on${type}`, {
      get() { return handlers.get(this)?.handler ?? null; },
      set(handler) {
        let slot = handlers.get(this);
        if (!slot) {
          slot = { handler: null };
          handlers.set(this, slot);
          this.addEventListener(type, (event) => {
            if (typeof slot.handler === "function") slot.handler.call(this, event);
          });
        }
        slot.handler = typeof handler === "function" || (typeof handler === "object" && handler !== null)
          ? handler : null;
      },
      enumerable: true,
      configurable: true,
    });
  };

  class CustomEvent extends Event {
    #detail;
    constructor(type, init = undefined) {
      super(type, init);
      this.#detail = init?.detail ?? null;
    }
    get detail() { return this.#detail; }
  }
  internal.setToStringTag(CustomEvent, "CustomEvent");

  internal.defineGlobal("Event", Event);
  internal.defineGlobal("EventTarget", EventTarget);
  internal.defineGlobal("CustomEvent", CustomEvent);
  internal.defineGlobal("reportError", (error) => internal.reportError(error));
})();
