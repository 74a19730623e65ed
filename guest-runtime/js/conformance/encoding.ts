// TextEncoder/TextDecoder (UTF-8, streaming, fatal, BOM, latin1, UTF-16) and atob/btoa.
import type { Context } from "tentacular";

const attempt = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}${(e as DOMException).code ? ` (${(e as DOMException).code})` : ""}`;
  }
};

export default async function run(_ctx: Context, _input: unknown) {
  const te = new TextEncoder();
  const buf = new Uint8Array(5);
  const into = te.encodeInto("aé😀", buf);
  const stream = new TextDecoder();
  const streamed = [stream.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), stream.decode(new Uint8Array([0xac]))];
  return {
    encode: [...te.encode("héllo €😀"), ...te.encode()],
    loneSurrogate: [...te.encode("\ud800x")],
    encodeInto: { into, bytes: [...buf] },
    encoding: [te.encoding, new TextDecoder().encoding, new TextDecoder("latin1").encoding, new TextDecoder("UTF8").encoding],
    decode: [
      new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0x28, 0xe0, 0x80, 0xf0, 0x9f, 0x98])),
      new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])),
      new TextDecoder().decode(new Uint8Array([104, 105]).buffer),
      new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105, 0]).buffer, 1, 2)),
      new TextDecoder().decode(),
      new TextDecoder("latin1").decode(new Uint8Array([0x80, 0xe9])),
      new TextDecoder("utf-16le").decode(new Uint8Array([0x61, 0, 0x3d, 0xd8, 0x00, 0xde])),
    ],
    streamed,
    errors: [
      attempt(() => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff]))),
      attempt(() => new TextDecoder("foo")),
      attempt(() => btoa("é€")),
      attempt(() => atob("abc*")),
      attempt(() => atob("a")),
      attempt(() => atob("ab=c")),
      attempt(() => atob("YQ=")),
    ],
    base64: [atob(" YW Jj\nZA== "), atob("YWJjZA"), atob("YQ=="), btoa(""), btoa("\xff\xfe"), btoa(null as unknown as string),
      btoa(12 as unknown as string), btoa("hello world"), atob(btoa("\x00\x01\x02\xff"))],
  };
}
