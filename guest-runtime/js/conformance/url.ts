// URL: WHATWG parsing (special, file, opaque, IPv4/IPv6, IDNA), relative resolution, setters, searchParams link.
import type { Context } from "tentacular";

const fields = (u: URL) =>
  [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash];

const parse = (input: string, base?: string) => {
  try {
    return fields(new URL(input, base));
  } catch (e) {
    return `ERR ${(e as Error).name}: ${(e as Error).message}`;
  }
};

const cases: [string, string?][] = [
  ["https://example.com"], ["HTTPS://EXAMPLE.com:443/"], ["http://a:80/"], ["http://a:8080/"], ["ws://h:80/"],
  ["wss://h:443/x"], ["ftp://h:21/f"], ["https://user:pass@host.com:8443/p/a/t/h?query=string#hash"],
  ["http://user:pa:ss@h/"], ["https://us er:p@ss@a/"], ["https://a/b/../c/./d/%2e%2E/e"], ["https://a/b c"],
  ["https://a/^`{}|\"<> x"], ["https://a/?^`{}|'\"<> x#^`{}|'\"<> x"], ["foo://a/?'"], ["https://[::1]:8080/x"],
  ["http://[1:0:0:2::3:0]/"], ["http://[::ffff:1.2.3.4]/"], ["https://0x7f.1/"], ["http://1.2.3.4.5/"],
  ["http://0300.0250.1.1/"], ["http://4294967295/"], ["http://4294967296/"], ["https://münchen.de/ä?ö=ü#ß"],
  ["https://EXAMPLE.COM./"], ["https://%41.com/"], ["http://%zz/"], ["https://a b/"], ["http://[::1/"], ["https://"],
  ["foo"], ["https://a:99999/"], ["file:///C:/x/../.."], ["file:///etc/passwd"], ["file://localhost/x"],
  ["file://host/share/x"], ["data:text/plain,a b #x"], ["data:text/plain,a b ?x"], ["mailto:a b"],
  ["javascript:alert(1)"], ["blob:https://a.b/uuid"], ["foo://h/p/../q"], ["foo:/p/../q"], ["foo://"],
  ["https://a/\\b\\c"], ["  https://a/  "], ["https://a\t/\nb"], ["https://x/?a=1&b=2 3"], ["urn:isbn:0451450523"],
  ["../x?y#z", "https://a/b/c/d"], ["//h/p", "https://a/"], ["?q", "https://a/b?c#d"], ["#f", "https://a/b?c#d"],
  ["", "https://a/b?c#d"], ["https:a/b", "https://x/y"], ["https:a/b"], ["/abs", "https://a/b/c"],
  ["g;x?y#s", "http://a/b/c/d;p?q"], ["../../../g", "http://a/b/c/d;p?q"], ["/./g", "http://a/b/c/d;p?q"],
  ["g.", "http://a/b/c/d;p?q"], ["..g", "http://a/b/c/d;p?q"], ["./../g", "http://a/b/c/d;p?q"],
  ["x", "mailto:a@b"], ["#x", "mailto:a@b"], ["x", "not a url"], ["path", "file:///dir/file"],
];

export default async function run(_ctx: Context, _input: unknown) {
  const parsed = cases.map(([input, base]) => parse(input, base));

  const u = new URL("https://user:pw@example.com:8080/a/b?x=1&y=2#frag");
  const setters: unknown[] = [];
  const apply = (name: string, value: string) => {
    const copy = new URL(u.href);
    try {
      (copy as unknown as Record<string, string>)[name] = value;
      setters.push([name, value, copy.href]);
    } catch (e) {
      setters.push([name, value, `ERR ${(e as Error).name}: ${(e as Error).message}`]);
    }
  };
  for (const [name, values] of Object.entries({
    protocol: ["http", "HTTP:", "ftp:", "foo", "1bad", "file"], username: ["", "new user", "a@b"],
    password: ["", "p:w"], host: ["other.org", "other.org:99", "[::2]", "", "a b", "h:443"],
    hostname: ["x.y", "x.y:1", ""], port: ["", "443", "1234", "99999", "12ab", "-1"],
    pathname: ["", "/new/path", "no-slash", "/a/../b", "/sp ace?q"], search: ["", "?", "a=b c", "??x"],
    hash: ["", "#", "h sp", "##x"], href: ["https://h/", "not a url"],
  })) {
    for (const value of values) apply(name, value);
  }
  const opaque = new URL("mailto:someone@example.com");
  opaque.host = "x.com";
  opaque.pathname = "other";
  opaque.search = "?subject=hi there";

  const linked = new URL("https://a/p?b=2&a=1");
  linked.searchParams.append("c", "3 4");
  const afterAppend = linked.href;
  linked.searchParams.sort();
  const afterSort = linked.href;
  linked.search = "?z=9";
  const params = [...linked.searchParams];
  linked.searchParams.delete("z");
  const afterDelete = linked.href;

  const spaces = new URL("data:text/plain,a b #frag");
  spaces.hash = "";
  return {
    parsed,
    setters,
    opaque: opaque.href,
    linked: { afterAppend, afterSort, params, afterDelete },
    opaqueSpaces: spaces.href,
    canParse: [URL.canParse("https://a"), URL.canParse("nope"), URL.canParse("/x", "https://a")],
    json: JSON.stringify({ u: new URL("https://a/b") }),
    string: String(new URL("https://a/b?c")),
    noArgs: (() => {
      try {
        // @ts-ignore deliberate misuse
        new URL();
        return "ok";
      } catch (e) {
        return `${(e as Error).name}`;
      }
    })(),
    instance: [typeof URL.prototype.toJSON, Object.prototype.toString.call(u), u instanceof URL],
  };
}
