// crypto.subtle: SHA digests and HMAC (known vectors), key properties, errors.
import type { Context } from "tentacular";

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const text = (s: string) => new TextEncoder().encode(s);
const failure = async (f: () => Promise<unknown>) => {
  try {
    await f();
    return "no error";
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const inputs = ["", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "é".repeat(200)];
  const digests: Record<string, string[]> = {};
  for (const name of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
    digests[name] = await Promise.all(inputs.map(async (s) => hex(await crypto.subtle.digest(name, text(s)))));
  }
  const viaObject = hex(await crypto.subtle.digest({ name: "sha-256" }, text("abc").buffer));
  const hmacs: string[] = [];
  for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
    for (const [key, data] of [["key", "The quick brown fox jumps over the lazy dog"], ["k".repeat(200), "long key"], ["k", ""]]) {
      const k = await crypto.subtle.importKey("raw", text(key), { name: "HMAC", hash }, true, ["sign", "verify"]);
      hmacs.push(hex(await crypto.subtle.sign("HMAC", k, text(data))));
    }
  }
  const key = await crypto.subtle.importKey("raw", text("secret"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const signature = await crypto.subtle.sign({ name: "HMAC" }, key, text("payload"));
  const generated = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  return {
    digests,
    viaObject,
    hmacs,
    verify: [await crypto.subtle.verify("HMAC", key, signature, text("payload")), await crypto.subtle.verify("HMAC", key, signature, text("tampered"))],
    key: [key.type, key.extractable, key.algorithm, key.usages, String(key)],
    generated: [(generated as CryptoKey).algorithm, (await crypto.subtle.exportKey("raw", generated as CryptoKey)).byteLength],
    errors: [
      await failure(() => crypto.subtle.digest("MD5", text("x"))),
      await failure(() => crypto.subtle.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])),
      await failure(() => crypto.subtle.exportKey("raw", key)),
      await failure(async () => crypto.subtle.sign("HMAC", await crypto.subtle.importKey("raw", text("k"), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]), text("x"))),
    ],
  };
}
