// tntc JS prelude: crypto.subtle for what workflow nodes use: digest (SHA-1/256/384/512) and HMAC keys (raw
// import/export, generateKey, sign, verify), in plain JS. Other algorithms reject with NotSupportedError.
"use strict";

(() => {
  const internal = globalThis.__tntc_internal;
  const DOMExceptionClass = globalThis.DOMException;

  // ---------------------------------------------------------------------------------------------------------
  // Hash functions over Uint8Array -> Uint8Array.

  function pad(bytes, blockSize, lengthBytes) {
    const bitLength = bytes.length * 8;
    const total = Math.ceil((bytes.length + 1 + lengthBytes) / blockSize) * blockSize;
    const out = new Uint8Array(total);
    out.set(bytes);
    out[bytes.length] = 0x80;
    const view = new DataView(out.buffer);
    view.setUint32(total - 4, bitLength >>> 0);
    view.setUint32(total - 8, Math.floor(bitLength / 0x100000000));
    return out;
  }

  function sha1(bytes) {
    const data = pad(bytes, 64, 8);
    const view = new DataView(data.buffer);
    let [h0, h1, h2, h3, h4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const w = new Uint32Array(80);
    for (let offset = 0; offset < data.length; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 80; i++) {
        const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = (x << 1) | (x >>> 31);
      }
      let [a, b, c, d, e] = [h0, h1, h2, h3, h4];
      for (let i = 0; i < 80; i++) {
        const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
        const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
        const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) >>> 0;
        e = d;
        d = c;
        c = (b << 30) | (b >>> 2);
        b = a;
        a = t;
      }
      h0 = (h0 + a) >>> 0;
      h1 = (h1 + b) >>> 0;
      h2 = (h2 + c) >>> 0;
      h3 = (h3 + d) >>> 0;
      h4 = (h4 + e) >>> 0;
    }
    const out = new DataView(new ArrayBuffer(20));
    [h0, h1, h2, h3, h4].forEach((h, i) => out.setUint32(i * 4, h));
    return new Uint8Array(out.buffer);
  }

  const K256 = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ]);

  function sha256(bytes) {
    const data = pad(bytes, 64, 8);
    const view = new DataView(data.buffer);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let offset = 0; offset < data.length; offset += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const ch = (e & f) ^ (~e & g);
        const t1 = (hh + S1 + ch + K256[i] + w[i]) >>> 0;
        const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) >>> 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) >>> 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    const out = new DataView(new ArrayBuffer(32));
    h.forEach((x, i) => out.setUint32(i * 4, x));
    return new Uint8Array(out.buffer);
  }

  const K512 = [
    "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc", "3956c25bf348b538", "59f111f1b605d019",
    "923f82a4af194f9b", "ab1c5ed5da6d8118", "d807aa98a3030242", "12835b0145706fbe", "243185be4ee4b28c", "550c7dc3d5ffb4e2",
    "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235", "c19bf174cf692694", "e49b69c19ef14ad2", "efbe4786384f25e3",
    "0fc19dc68b8cd5b5", "240ca1cc77ac9c65", "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5",
    "983e5152ee66dfab", "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4", "c6e00bf33da88fc2", "d5a79147930aa725",
    "06ca6351e003826f", "142929670a0e6e70", "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed", "53380d139d95b3df",
    "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b", "a2bfe8a14cf10364", "a81a664bbc423001",
    "c24b8b70d0f89791", "c76c51a30654be30", "d192e819d6ef5218", "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8",
    "19a4c116b8d2d0c8", "1e376c085141ab53", "2748774cdf8eeb99", "34b0bcb5e19b48a8", "391c0cb3c5c95a63", "4ed8aa4ae3418acb",
    "5b9cca4f7763e373", "682e6ff3d6b2b8a3", "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
    "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b", "ca273eceea26619c", "d186b8c721c0c207",
    "eada7dd6cde0eb1e", "f57d4f7fee6ed178", "06f067aa72176fba", "0a637dc5a2c898a6", "113f9804bef90dae", "1b710b35131c471b",
    "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc", "431d67c49c100d4c", "4cc5d4becb3e42b6", "597f299cfc657e2a",
    "5fcb6fab3ad6faec", "6c44198c4a475817",
  ].map((x) => BigInt("0x" + x));
  const MASK64 = (1n << 64n) - 1n;

  function sha512(bytes, initial, outLength) {
    const data = pad(bytes, 128, 16);
    const view = new DataView(data.buffer);
    const h = initial.map((x) => BigInt("0x" + x));
    const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & MASK64;
    const w = new Array(80);
    for (let offset = 0; offset < data.length; offset += 128) {
      for (let i = 0; i < 16; i++) w[i] = view.getBigUint64(offset + i * 8);
      for (let i = 16; i < 80; i++) {
        const s0 = rotr(w[i - 15], 1n) ^ rotr(w[i - 15], 8n) ^ (w[i - 15] >> 7n);
        const s1 = rotr(w[i - 2], 19n) ^ rotr(w[i - 2], 61n) ^ (w[i - 2] >> 6n);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & MASK64;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 80; i++) {
        const S1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
        const ch = (e & f) ^ (~e & MASK64 & g);
        const t1 = (hh + S1 + ch + K512[i] + w[i]) & MASK64;
        const S0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) & MASK64;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) & MASK64;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) & MASK64;
      }
      [a, b, c, d, e, f, g, hh].forEach((x, i) => {
        h[i] = (h[i] + x) & MASK64;
      });
    }
    const out = new DataView(new ArrayBuffer(64));
    h.forEach((x, i) => out.setBigUint64(i * 8, x));
    return new Uint8Array(out.buffer, 0, outLength).slice();
  }

  const hashes = {
    "SHA-1": { fn: sha1, block: 64 },
    "SHA-256": { fn: sha256, block: 64 },
    "SHA-384": {
      fn: (b) => sha512(b, ["cbbb9d5dc1059ed8", "629a292a367cd507", "9159015a3070dd17", "152fecd8f70e5939",
        "67332667ffc00b31", "8eb44a8768581511", "db0c2e0d64f98fa7", "47b5481dbefa4fa4"], 48),
      block: 128,
    },
    "SHA-512": {
      fn: (b) => sha512(b, ["6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
        "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179"], 64),
      block: 128,
    },
  };

  // ---------------------------------------------------------------------------------------------------------

  function unsupported(name) {
    return new DOMExceptionClass(`Algorithm '${name}' is not supported`, "NotSupportedError");
  }

  function normalize(algorithm) {
    const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
    if (typeof name !== "string") throw new TypeError("Algorithm: Missing or invalid name");
    return { ...(typeof algorithm === "object" ? algorithm : {}), name: name.toUpperCase() };
  }

  function hashOf(hash) {
    const requested = typeof hash === "string" ? hash : hash?.name;
    const name = normalize(hash).name;
    const known = hashes[name];
    if (known === undefined) throw unsupported(requested);
    return { name, ...known };
  }

  function hmac(hash, key, data) {
    let k = key.length > hash.block ? hash.fn(key) : key;
    const padded = new Uint8Array(hash.block);
    padded.set(k);
    k = padded;
    const inner = new Uint8Array(hash.block + data.length);
    const outer = new Uint8Array(hash.block + hash.fn(new Uint8Array(0)).length);
    for (let i = 0; i < hash.block; i++) {
      inner[i] = k[i] ^ 0x36;
      outer[i] = k[i] ^ 0x5c;
    }
    inner.set(data, hash.block);
    outer.set(hash.fn(inner), hash.block);
    return hash.fn(outer);
  }

  const keyData = new WeakMap();
  class CryptoKey {
    constructor(secret = undefined) {
      if (secret !== internal) throw new TypeError("Illegal constructor");
    }
    get type() { return keyData.get(this).type; }
    get extractable() { return keyData.get(this).extractable; }
    get algorithm() { return keyData.get(this).algorithm; }
    get usages() { return keyData.get(this).usages.slice(); }
  }
  internal.setToStringTag(CryptoKey, "CryptoKey");

  function makeHmacKey(bytes, hash, extractable, usages) {
    const key = new CryptoKey(internal);
    keyData.set(key, {
      type: "secret", extractable: Boolean(extractable), usages: Array.from(usages ?? []),
      algorithm: { name: "HMAC", length: bytes.length * 8, hash: { name: hash.name } }, bytes, hash,
    });
    return key;
  }

  function usableKey(key, usage) {
    const data = keyData.get(key);
    if (data === undefined) throw new TypeError("Key must be a CryptoKey");
    if (!data.usages.includes(usage)) {
      throw new DOMExceptionClass("The requested operation is not valid for the provided key", "InvalidAccessError");
    }
    return data;
  }

  const toBytes = (data) => internal.toBytes(data).slice();

  class SubtleCrypto {
    constructor(secret = undefined) {
      if (secret !== internal) throw new TypeError("Illegal constructor");
    }
    async digest(algorithm, data) {
      const hash = hashOf(algorithm);
      return hash.fn(toBytes(data)).buffer;
    }
    async importKey(format, keyBytes, algorithm, extractable, usages) {
      const alg = normalize(algorithm);
      if (alg.name !== "HMAC") throw unsupported(typeof algorithm === "string" ? algorithm : algorithm?.name);
      if (format !== "raw") throw new DOMExceptionClass(`Unsupported key format '${format}'`, "NotSupportedError");
      const bytes = toBytes(keyBytes);
      if (bytes.length === 0) throw new DOMExceptionClass("Key length is zero", "DataError");
      return makeHmacKey(bytes, hashOf(alg.hash), extractable, usages);
    }
    async generateKey(algorithm, extractable, usages) {
      const alg = normalize(algorithm);
      if (alg.name !== "HMAC") throw unsupported(typeof algorithm === "string" ? algorithm : algorithm?.name);
      const hash = hashOf(alg.hash);
      const bytes = new Uint8Array(alg.length ? Math.ceil(alg.length / 8) : hash.block);
      internal.crypto.getRandomValues(bytes);
      return makeHmacKey(bytes, hash, extractable, usages);
    }
    async exportKey(format, key) {
      const data = keyData.get(key);
      if (data === undefined) throw new TypeError("Key must be a CryptoKey");
      if (!data.extractable) throw new DOMExceptionClass("Key is not extractable", "InvalidAccessError");
      if (format !== "raw") throw new DOMExceptionClass(`Unsupported key format '${format}'`, "NotSupportedError");
      return data.bytes.slice().buffer;
    }
    async sign(algorithm, key, data) {
      const alg = normalize(algorithm);
      if (alg.name !== "HMAC") throw unsupported(typeof algorithm === "string" ? algorithm : algorithm?.name);
      const k = usableKey(key, "sign");
      return hmac(k.hash, k.bytes, toBytes(data)).buffer;
    }
    async verify(algorithm, key, signature, data) {
      const alg = normalize(algorithm);
      if (alg.name !== "HMAC") throw unsupported(typeof algorithm === "string" ? algorithm : algorithm?.name);
      const k = usableKey(key, "verify");
      const expected = hmac(k.hash, k.bytes, toBytes(data));
      const given = toBytes(signature);
      if (given.length !== expected.length) return false;
      let diff = 0;
      for (let i = 0; i < given.length; i++) diff |= given[i] ^ expected[i];
      return diff === 0;
    }
  }
  internal.setToStringTag(SubtleCrypto, "SubtleCrypto");

  const subtle = new SubtleCrypto(internal);
  Object.defineProperty(Object.getPrototypeOf(internal.crypto), "subtle", {
    get: () => subtle, enumerable: true, configurable: true,
  });
  internal.defineGlobal("CryptoKey", CryptoKey);
  internal.defineGlobal("SubtleCrypto", SubtleCrypto);
})();
