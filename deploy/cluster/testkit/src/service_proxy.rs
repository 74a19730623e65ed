//! A stand-in for the API server's **service proxy**, the one part of the `run` path the
//! real API server here cannot serve: it proxies only to Endpoints addresses, and refuses
//! loopback ones (`may not be in the loopback range`), while every test server listens on
//! 127.0.0.1. [`ServiceProxy`] answers
//! `POST /api/v1/namespaces/{ns}/services/{name}:8080/proxy/{path}` as the real proxy does:
//! the request body goes to the engine's `/{path}` and the engine's status, content type and
//! body come back unchanged. Anything else gets the API server's 404 Status. What the real
//! server answers when there is no endpoint (its 404/503 Status) is tested against the real
//! server.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// A plain-HTTP server on 127.0.0.1 standing in for the API server's service proxy.
pub struct ServiceProxy {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl ServiceProxy {
    /// Forwards proxied requests to the engine on 127.0.0.1:`engine_port`.
    pub fn start(engine_port: u16) -> ServiceProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = serve(stream, engine_port);
                });
            }
        });
        ServiceProxy { url }
    }
}

/// One request: head and body (by content-length).
fn read_request(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok((String::new(), Vec::new()));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((head, buf[head_end..].to_vec()))
}

fn serve(mut stream: TcpStream, engine_port: u16) -> std::io::Result<()> {
    let (head, body) = read_request(&mut stream)?;
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let target = words.next().unwrap_or("/").to_owned();
    let parts: Vec<&str> = target.trim_start_matches('/').splitn(8, '/').collect();
    let proxied = match parts.as_slice() {
        [
            "api",
            "v1",
            "namespaces",
            _ns,
            "services",
            service,
            "proxy",
            rest,
        ] if service.ends_with(":8080") => Some(format!("/{rest}")),
        _ => None,
    };
    let Some(path) = proxied else {
        let status = serde_json::json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "the server could not find the requested resource", "reason": "NotFound",
            "details": {}, "code": 404
        })
        .to_string();
        return respond(&mut stream, 404, "application/json", status.as_bytes());
    };
    // The engine, as the API server's proxy transport would call it.
    let mut engine = TcpStream::connect(("127.0.0.1", engine_port))?;
    write!(
        engine,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{engine_port}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    engine.write_all(&body)?;
    let mut answer = Vec::new();
    engine.read_to_end(&mut answer)?;
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |e| e + 4);
    let head = String::from_utf8_lossy(&answer[..head_end]).into_owned();
    let code: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(502);
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| "application/json".into());
    respond(&mut stream, code, &content_type, &answer[head_end..])
}

fn respond(
    stream: &mut TcpStream,
    code: u16,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {code} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)
}
