// setTimeout/setInterval/clear*, queueMicrotask and promise ordering (real waiting through host timers).
import type { Context } from "tentacular";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export default async function run(_ctx: Context, _input: unknown) {
  const order: string[] = [];
  setTimeout(() => order.push("timeout 20"), 20);
  setTimeout(() => order.push("timeout 0"), 0);
  setTimeout((a: string, b: number) => order.push(`timeout args ${a} ${b}`), 5, "x", 7);
  const cancelled = setTimeout(() => order.push("cancelled (must not run)"), 10);
  clearTimeout(cancelled);
  queueMicrotask(() => order.push("microtask"));
  Promise.resolve().then(() => order.push("promise"));
  order.push("sync");
  let ticks = 0;
  const interval = setInterval(() => {
    ticks++;
    order.push(`interval ${ticks}`);
    if (ticks === 3) clearInterval(interval);
  }, 4);
  await sleep(40);

  const nested: string[] = [];
  await new Promise<void>((resolve) => {
    setTimeout(() => {
      nested.push("outer");
      Promise.resolve().then(() => nested.push("outer microtask"));
      setTimeout(() => {
        nested.push("inner");
        resolve();
      }, 0);
    }, 1);
  });

  const started = Date.now();
  await sleep(30);
  const waited = Date.now() - started >= 25;

  const ids = [setTimeout(() => {}, 1), setTimeout(() => {}, 1)];
  ids.forEach(clearTimeout);
  clearTimeout(undefined);
  clearInterval(123456);

  const raced = await Promise.race([sleep(50).then(() => "slow"), sleep(5).then(() => "fast")]);
  const all = await Promise.all([1, 2, 3].map((n) => sleep(10 - n * 3).then(() => n * 2)));
  const settled = await Promise.allSettled([Promise.reject(new Error("no")), sleep(1).then(() => "yes")]);
  return {
    order,
    nested,
    waited,
    distinctIds: ids[0] !== ids[1],
    raced,
    all,
    settled: settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message)),
  };
}
