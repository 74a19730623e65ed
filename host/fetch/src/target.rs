//! URLs as the client understands them: parsed once, checked, connected to and sent.
//!
//! There is exactly one parse of a URL (or a redirect's `Location`) into a [`Target`],
//! and the policy check, the address lookup, TLS SNI, the `Host` header and the request
//! line all read that one value: no second parser can see a different host. The parser
//! follows the WHATWG URL standard where a difference could matter (numeric IPv4 forms
//! such as `127.1` or `0x7f.0.0.1` are IPv4 addresses, dot segments are removed, tabs and
//! newlines are dropped) and is stricter elsewhere: credentials (`user@`), percent-encoded
//! or non-ASCII hosts, backslashes in the authority, zone ids and port 0 are errors.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::address::normalize;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain-text HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// The port used when a URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A URL's host: a lower-case DNS name (no trailing dot) or an IP address
/// (IPv4-mapped IPv6 already normalised to IPv4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name.
    Domain(String),
    /// An IP literal.
    Ip(IpAddr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ip(IpAddr::V4(v4)) => write!(f, "{v4}"),
            Host::Ip(IpAddr::V6(v6)) => write!(f, "[{v6}]"),
        }
    }
}

/// Parses a host as written in a URL authority or a rule (`[v6]` brackets included).
pub(crate) fn parse_host(raw: &str) -> Result<Host, String> {
    if let Some(inner) = raw.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| "unterminated [IPv6] host".to_owned())?;
        if inner.contains('%') {
            return Err("IPv6 zone identifiers are not allowed".to_owned());
        }
        let v6: Ipv6Addr = inner
            .parse()
            .map_err(|_| "invalid IPv6 address in host".to_owned())?;
        return Ok(Host::Ip(normalize(IpAddr::V6(v6))));
    }
    if raw.is_empty() {
        return Err("empty host".to_owned());
    }
    if !raw.is_ascii() {
        return Err("non-ASCII host; use its punycode (xn--) form".to_owned());
    }
    if let Some(bad) = raw
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(format!("character {bad:?} is not allowed in a host"));
    }
    let lower = raw.to_ascii_lowercase();
    let name = lower.strip_suffix('.').unwrap_or(&lower);
    if name.is_empty() || name.len() > 253 {
        return Err("host name is empty or longer than 253 characters".to_owned());
    }
    if name.split('.').any(|l| l.is_empty() || l.len() > 63) {
        return Err("host name has an empty or over-long label".to_owned());
    }
    if ends_in_a_number(name) {
        return parse_whatwg_ipv4(name)
            .map(|v4| Host::Ip(IpAddr::V4(v4)))
            .ok_or_else(|| "host looks numeric but is not a valid IPv4 address".to_owned());
    }
    Ok(Host::Domain(name.to_owned()))
}

/// WHATWG "ends in a number": the last label is decimal digits or `0x` hex.
fn ends_in_a_number(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    match last.strip_prefix("0x").or_else(|| last.strip_prefix("0X")) {
        Some(hex) => hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// WHATWG IPv4 parser: 1-4 parts, each decimal, `0x` hex or `0` octal, the last part
/// filling the remaining bytes (`127.1` is `127.0.0.1`).
fn parse_whatwg_ipv4(name: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        numbers.push(parse_ipv4_number(part)?);
    }
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|n| *n > 255) {
        return None;
    }
    let remaining_bytes = 4 - init.len() as u32;
    if *last >= 256u64.pow(remaining_bytes) {
        return None;
    }
    let mut value = *last;
    for (i, n) in init.iter().enumerate() {
        value += n << (8 * (3 - i));
    }
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

fn parse_ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x").or(part.strip_prefix("0X")) {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    // Longer than any 32-bit number in any radix: reject before u64 overflow.
    if digits.len() > 32 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// One parsed request destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The scheme.
    pub scheme: Scheme,
    /// The host.
    pub host: Host,
    /// The effective port (the scheme's default when the URL names none).
    pub port: u16,
    /// Origin-form request target: `/path?query` (never empty, no fragment).
    pub path_and_query: String,
}

impl Target {
    /// Parses an absolute `http:` or `https:` URL.
    pub fn parse(url: &str) -> Result<Target, UrlError> {
        let cleaned = clean(url);
        let Some((scheme, rest)) = split_scheme(&cleaned) else {
            return Err(UrlError::Invalid(
                "not an absolute URL (expected https://host/...)".into(),
            ));
        };
        let scheme = match scheme.as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => return Err(UrlError::Scheme(scheme)),
        };
        let Some(rest) = rest.strip_prefix("//") else {
            return Err(UrlError::Invalid(format!(
                "expected {}://host after the scheme",
                scheme.as_str()
            )));
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = parse_authority(authority, scheme)?;
        Ok(Target {
            scheme,
            host,
            port,
            path_and_query: normalize_path_and_query(tail, "")?,
        })
    }

    /// Resolves a redirect's `Location` (absolute or relative, RFC 3986 section 5) against
    /// this target.
    pub fn join(&self, location: &str) -> Result<Target, UrlError> {
        let reference = clean(location);
        if split_scheme(&reference).is_some() {
            return Target::parse(&reference);
        }
        if reference.starts_with("//") {
            return Target::parse(&format!("{}:{reference}", self.scheme.as_str()));
        }
        let base_path = self
            .path_and_query
            .split('?')
            .next()
            .unwrap_or("/")
            .to_owned();
        let path_and_query = if reference.starts_with('/') {
            normalize_path_and_query(&reference, "")?
        } else if reference.is_empty() || reference.starts_with('#') {
            self.path_and_query.clone()
        } else if reference.starts_with('?') {
            normalize_path_and_query(&reference, &base_path)?
        } else {
            let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
            normalize_path_and_query(&format!("{dir}{reference}"), "")?
        };
        Ok(Target {
            path_and_query,
            ..self.clone()
        })
    }

    /// `host:port` with the port always present, for messages.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The `Host` header value: the port appears only when it is not the default.
    pub fn host_header(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host.to_string()
        } else {
            self.authority()
        }
    }

    /// Same scheme, host and port.
    pub fn same_origin(&self, other: &Target) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.host_header(),
            self.path_and_query
        )
    }
}

/// Why a URL could not be used. The messages never quote the URL (its path or query may
/// carry a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Malformed URL.
    Invalid(String),
    /// A scheme other than http/https (lower-cased, as written).
    Scheme(String),
}

/// WHATWG: leading/trailing C0 controls and spaces are trimmed; tab, LF and CR removed.
fn clean(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// Splits `scheme:rest` when the text starts with a syntactically valid scheme.
fn split_scheme(url: &str) -> Option<(String, &str)> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some((scheme.to_ascii_lowercase(), &url[colon + 1..]))
}

fn parse_authority(authority: &str, scheme: Scheme) -> Result<(Host, u16), UrlError> {
    if authority.contains('@') {
        return Err(UrlError::Invalid(
            "URLs with credentials (user:password@host) are not allowed; send an Authorization header instead"
                .into(),
        ));
    }
    if authority.contains('\\') {
        return Err(UrlError::Invalid("backslash in the URL authority".into()));
    }
    let (host_part, port_part) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(close) => {
                let (h, rest) = authority.split_at(close + 1);
                match rest.strip_prefix(':') {
                    Some(p) => (h, Some(p)),
                    None if rest.is_empty() => (h, None),
                    None => return Err(UrlError::Invalid("unexpected text after ]".into())),
                }
            }
            None => return Err(UrlError::Invalid("unterminated [IPv6] host".into())),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host = parse_host(host_part).map_err(UrlError::Invalid)?;
    let port = match port_part {
        None | Some("") => scheme.default_port(),
        Some(p) => parse_port(p).map_err(UrlError::Invalid)?,
    };
    Ok((host, port))
}

/// A decimal port 1-65535.
pub(crate) fn parse_port(p: &str) -> Result<u16, String> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the port must be a number".to_owned());
    }
    match p.trim_start_matches('0').parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ if p.len() < 12 && p.bytes().all(|b| b == b'0') => {
            Err("port 0 is not allowed".to_owned())
        }
        _ => Err("the port must be between 1 and 65535".to_owned()),
    }
}

/// Turns `tail` (`/path?query#fragment`, possibly empty) into an origin-form request
/// target; `base_path` replaces an empty path (a `?query`-only reference).
fn normalize_path_and_query(tail: &str, base_path: &str) -> Result<String, UrlError> {
    let without_fragment = tail.split('#').next().unwrap_or("");
    let (path, query) = match without_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (without_fragment, None),
    };
    let path = if path.is_empty() {
        if base_path.is_empty() { "/" } else { base_path }
    } else {
        path
    };
    // WHATWG: in http(s) URLs a backslash in the path is a slash.
    let path = remove_dot_segments(&path.replace('\\', "/"));
    let mut out = String::with_capacity(without_fragment.len() + 8);
    percent_encode_into(&path, &mut out);
    if let Some(q) = query {
        out.push('?');
        percent_encode_into(q, &mut out);
    }
    http::uri::PathAndQuery::try_from(out.as_str()).map_err(|_| {
        UrlError::Invalid("the path or query has characters HTTP cannot carry".into())
    })?;
    Ok(out)
}

/// Percent-encodes what may not appear raw in an HTTP request target (controls, space,
/// quotes, angle brackets, braces, non-ASCII), leaving existing escapes alone.
fn percent_encode_into(text: &str, out: &mut String) {
    for b in text.bytes() {
        let raw_ok = b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'`' | b'{' | b'}');
        if raw_ok {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// RFC 3986 section 5.2.4, also treating `%2e` as `.` (as WHATWG does).
fn remove_dot_segments(path: &str) -> String {
    let is_dot = |s: &str| s == "." || s.eq_ignore_ascii_case("%2e");
    let is_dotdot = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            ".." | ".%2e" | "%2e." | "%2e%2e"
        )
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, seg) in segments.iter().enumerate() {
        if is_dot(seg) {
            trailing_slash = i == last;
        } else if is_dotdot(seg) {
            out.pop();
            trailing_slash = i == last;
        } else {
            out.push(seg);
            trailing_slash = false;
        }
    }
    let mut result = String::with_capacity(path.len());
    for seg in &out {
        result.push('/');
        result.push_str(seg);
    }
    if trailing_slash || result.is_empty() {
        result.push('/');
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(url: &str) -> Target {
        Target::parse(url).unwrap_or_else(|e| panic!("{url}: {e:?}"))
    }

    #[test]
    fn absolute_urls_parse_into_scheme_host_port_and_path() {
        let a = t("https://API.GitHub.com/repos?x=1#frag");
        assert_eq!(a.scheme, Scheme::Https);
        assert_eq!(a.host, Host::Domain("api.github.com".into()));
        assert_eq!(a.port, 443);
        assert_eq!(a.path_and_query, "/repos?x=1");
        assert_eq!(a.to_string(), "https://api.github.com/repos?x=1");
        let b = t("http://127.0.0.1:8080");
        assert_eq!(b.port, 8080);
        assert_eq!(b.path_and_query, "/");
        assert_eq!(b.host_header(), "127.0.0.1:8080");
        assert_eq!(t("http://h:80/").host_header(), "h");
        assert_eq!(t("HTTP://h.").host, Host::Domain("h".into()));
    }

    #[test]
    fn numeric_hosts_follow_whatwg_ipv4_parsing() {
        let ip = |u: &str| match t(u).host {
            Host::Ip(ip) => ip.to_string(),
            Host::Domain(d) => panic!("{u} parsed as domain {d}"),
        };
        assert_eq!(ip("http://127.1/"), "127.0.0.1");
        assert_eq!(ip("http://0x7f.0.0.1/"), "127.0.0.1");
        assert_eq!(ip("http://2130706433/"), "127.0.0.1");
        assert_eq!(ip("http://0251.0376.0251.0376/"), "169.254.169.254");
        assert_eq!(ip("http://169.254.169.254./"), "169.254.169.254");
        assert_eq!(ip("http://[::ffff:a9fe:a9fe]/"), "169.254.169.254");
        assert_eq!(ip("http://[::1]:81/"), "::1");
        assert!(Target::parse("http://1.2.3.256/").is_err());
        assert!(Target::parse("http://foo.0x/").is_err());
        assert!(Target::parse("http://0x.foo/").is_ok());
        assert!(Target::parse("http://foo.09/").is_err());
    }

    #[test]
    fn confusing_authorities_are_rejected() {
        for url in [
            "http://good.com@evil.com/",
            "http://user:pw@good.com/",
            "http://evil.com\\@good.com/",
            "http://%65vil.com/",
            "http://ex ample.com/",
            "http://exämple.com/",
            "http://[fe80::1%25eth0]/",
            "http://h:0/",
            "http://h:65536/",
            "http://h:1:2/",
            "http:/h/",
            "http://",
            "example.com/path",
        ] {
            assert!(
                matches!(Target::parse(url), Err(UrlError::Invalid(_))),
                "{url}"
            );
        }
        assert_eq!(
            Target::parse("file:///etc/passwd"),
            Err(UrlError::Scheme("file".into()))
        );
        assert_eq!(
            Target::parse("ftp://x/"),
            Err(UrlError::Scheme("ftp".into()))
        );
    }

    #[test]
    fn whitespace_is_cleaned_like_whatwg() {
        assert_eq!(
            t("  http://exa\tmple.com/a\nb  ").to_string(),
            "http://example.com/ab"
        );
    }

    #[test]
    fn paths_are_normalised_and_encoded() {
        assert_eq!(t("http://h/a/./b/../c").path_and_query, "/a/c");
        assert_eq!(t("http://h/a/%2e%2E/b/").path_and_query, "/b/");
        assert_eq!(t("http://h/../../x").path_and_query, "/x");
        assert_eq!(
            t("http://h/a b?q=ü \"").path_and_query,
            "/a%20b?q=%C3%BC%20%22"
        );
        assert_eq!(t("http://h/a\\b").path_and_query, "/a/b");
        assert_eq!(t("http://h?x").path_and_query, "/?x");
        assert_eq!(t("http://h/a/..").path_and_query, "/");
    }

    #[test]
    fn redirect_locations_resolve_against_the_current_target() {
        let base = t("https://api.example.com/v1/items/list?page=2");
        let j = |l: &str| {
            base.join(l)
                .unwrap_or_else(|e| panic!("{l}: {e:?}"))
                .to_string()
        };
        assert_eq!(j("/v2/x"), "https://api.example.com/v2/x");
        assert_eq!(
            j("next?page=3"),
            "https://api.example.com/v1/items/next?page=3"
        );
        assert_eq!(j("../up"), "https://api.example.com/v1/up");
        assert_eq!(j("?page=3"), "https://api.example.com/v1/items/list?page=3");
        assert_eq!(j("//other.example.com/p"), "https://other.example.com/p");
        assert_eq!(
            j("http://plain.example.com:8080/"),
            "http://plain.example.com:8080/"
        );
        assert_eq!(j(""), "https://api.example.com/v1/items/list?page=2");
        assert!(matches!(
            base.join("javascript:alert(1)"),
            Err(UrlError::Scheme(_))
        ));
        assert!(base.join("//user@evil.com/").is_err());
    }

    #[test]
    fn ports_are_decimal_between_1_and_65535() {
        assert_eq!(parse_port("0080"), Ok(80));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert!(parse_port("0").is_err());
        assert!(parse_port("-1").is_err());
        assert!(parse_port("99999999999999999999").is_err());
    }
}
