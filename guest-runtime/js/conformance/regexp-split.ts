// String.prototype.split with regexes: the compiler seeds a sticky twin of every regex literal
// (compiler/src/bundle/seeds.rs) and the prelude's split uses it instead of compiling a splitter
// (js/16-regexp.js). Whatever the seeds, every result must be what V8 returns.
import type { Context } from "tentacular";

class Words extends RegExp {
  override [Symbol.split](text: string, limit?: number) {
    return super[Symbol.split](text, limit).map((part) => part.toUpperCase());
  }
}

export default async function run(_ctx: Context, _input: unknown) {
  const words = /[^\p{L}\p{N}']+/u;
  const text = "Héllo, wörld! It's 2024 — ünïcode ok? 👍🏽 emoji 𝒳 math";
  const own = /,/;
  Object.defineProperty(own, "flags", { value: "g" });
  const dynamic = new RegExp("\\s*;\\s*");
  return {
    unicode: text.split(words),
    unicodeTwice: [text.split(words), "a b  c".split(words)],
    withLimit: [text.split(words, 3), "a,b,c".split(/,/, 0), "a,b,c".split(/,/, -1)],
    captures: ["a1b22c333d".split(/(\d+)/), "2024-01-15".split(/(?<sep>-)/), "x".split(/(x)?/)],
    empty: ["abc".split(/(?:)/), "".split(/,/), "".split(/(?:)/), "a".split(/a/), "ab".split(/$/), "ab".split(/^/m)],
    flags: ["aXbxc".split(/x/i), "a,b;c".split(/[,;]/g), "a,b,c".split(/,/y), "l1\nl2".split(/^/m), "a.b".split(/./s)],
    // As code points: a non-Unicode split cuts surrogate pairs, and lone surrogates are not JSON-portable.
    surrogates: ["👍🏽x👍🏽".split(/(?:)/u), "👍🏽x👍🏽".split(/(?:)/), "a𝒳b".split(/𝒳/u), "a𝒳b".split(/\udcb3/)]
      .map((parts) => parts.map((part) => [...part].map((c) => c.codePointAt(0)))),
    lookaround: ["camelCaseWords".split(/(?=[A-Z])/), "1,000,000".split(/(?<=\d),(?=\d{3})/), "aaa".split(/(?!a$)/)],
    backreference: ["abcabcXabc".split(/(abc)\1/)],
    sameLiteralAgain: ["p q", "r s", "t u"].map((s) => s.split(/\s/)),
    dynamic: "a ; b;c  ;d".split(dynamic),
    ownFlags: "a,b,c".split(own),
    subclass: "one two".split(new Words("\\s")),
    lastIndexUntouched: (() => {
      const sticky = /-/gy;
      sticky.lastIndex = 2;
      const parts = "a-b-c".split(sticky);
      return [parts, sticky.lastIndex];
    })(),
    nested: "a1b|c2d".split(/\|/).map((part) => part.split(/\d/)),
  };
}
