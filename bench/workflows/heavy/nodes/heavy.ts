import type { Context } from "tentacular";

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Tight recursion plus an allocation-heavy sort: the kind of code an interpreter pays most for. */
export default async function run(
  _ctx: Context,
  _input: unknown,
): Promise<{ fib: number; smallest: number; largest: number }> {
  const numbers: number[] = [];
  let seed = 42;
  for (let i = 0; i < 100000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    numbers.push(seed);
  }
  numbers.sort((a, b) => a - b);
  return { fib: fib(25), smallest: numbers[0], largest: numbers[numbers.length - 1] };
}
