// Unbounded recursion of a function with many locals: QuickJS keeps them on the runtime's in-memory (shadow) stack,
// so each call takes much more of it than plain recursion does.
import type { Context } from "tentacular";

function down(depth: number): number {
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = v;
  const [q, r, s, t, u, w, x, y, z, aa, bb, cc, dd, ee, ff, gg] = v;
  return down(depth + 1) + a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r + s + t + u + w +
    x + y + z + aa + bb + cc + dd + ee + ff + gg;
}

export default async function run(_ctx: Context, _input: unknown) {
  return down(0);
}
