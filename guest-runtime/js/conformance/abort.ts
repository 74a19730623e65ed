// AbortController/AbortSignal: abort reasons, events, onabort, timeout, any, throwIfAborted; DOMException.
import type { Context } from "tentacular";

const describe = (reason: unknown) =>
  reason instanceof DOMException
    ? { domException: true, name: reason.name, message: reason.message, code: reason.code, isError: reason instanceof Error }
    : reason;

export default async function run(_ctx: Context, _input: unknown) {
  const events: string[] = [];
  const c = new AbortController();
  c.signal.onabort = (e) => events.push(`onabort ${e.type} ${e.target === c.signal}`);
  c.signal.addEventListener("abort", () => events.push("listener once"), { once: true });
  c.signal.addEventListener("abort", { handleEvent: (e: Event) => events.push(`handleEvent ${e.type}`) });
  const before = [c.signal.aborted, c.signal.reason];
  c.abort();
  c.abort("second abort is ignored");
  const defaultReason = describe(c.signal.reason);

  let thrown: unknown;
  try {
    AbortSignal.abort("why").throwIfAborted();
  } catch (e) {
    thrown = e;
  }
  let illegal = "";
  try {
    // @ts-ignore deliberate misuse
    new AbortSignal();
  } catch (e) {
    illegal = `${(e as Error).name}: ${(e as Error).message}`;
  }

  const timeout = AbortSignal.timeout(10);
  const timeoutReason = await new Promise((resolve) => timeout.addEventListener("abort", () => resolve(describe(timeout.reason))));

  const c1 = new AbortController();
  const c2 = new AbortController();
  const any = AbortSignal.any([c1.signal, c2.signal]);
  const anyEvents: string[] = [];
  any.onabort = () => anyEvents.push(`any aborted: ${any.reason}`);
  c2.abort("from c2");
  c1.abort("from c1");
  const alreadyAborted = AbortSignal.any([AbortSignal.abort("pre")]);

  const removed = new AbortController();
  const removedLog: string[] = [];
  const listener = () => removedLog.push("should not run");
  removed.signal.addEventListener("abort", listener);
  removed.signal.removeEventListener("abort", listener);
  removed.abort(new Error("custom error"));

  const target = new EventTarget();
  const targetLog: string[] = [];
  target.addEventListener("ping", (e) => targetLog.push(`ping ${(e as CustomEvent).detail}`));
  target.addEventListener("ping", (e) => {
    targetLog.push("second stops");
    e.stopImmediatePropagation();
  });
  target.addEventListener("ping", () => targetLog.push("third never"));
  const notCancelled = target.dispatchEvent(new CustomEvent("ping", { detail: 42 }));
  const cancelable = new Event("x", { cancelable: true });
  cancelable.preventDefault();

  return {
    events,
    before,
    defaultReason,
    thrown,
    illegal,
    staticAbort: describe(AbortSignal.abort().reason),
    timeoutReason,
    anyEvents,
    anyReason: any.reason,
    alreadyAborted: [alreadyAborted.aborted, alreadyAborted.reason],
    removed: [removedLog, (removed.signal.reason as Error).message],
    targetLog,
    notCancelled,
    event: [cancelable.defaultPrevented, cancelable.type, cancelable.bubbles, cancelable.eventPhase, String(cancelable)],
    domException: [
      describe(new DOMException("m", "AbortError")), describe(new DOMException()), describe(new DOMException("x", "Custom")),
      JSON.stringify(new DOMException("x")), String(new DOMException("msg", "NotFoundError")), DOMException.ABORT_ERR,
      Object.prototype.toString.call(new DOMException("x")),
    ],
    tags: [String(c.signal), Object.prototype.toString.call(c), String(new EventTarget())],
  };
}
