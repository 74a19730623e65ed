//! Redirects: followed hop by hop, each hop re-checked; method, body and credential rules.

use std::sync::Arc;

use tntc_fetch::{FetchClient, FetchError, FetchRequest, SystemResolver, TcpConnector};

use crate::support::*;

fn default_client() -> FetchClient {
    client(Arc::new(SystemResolver), Arc::new(TcpConnector))
}

fn with_credentials(url: String, method: &str, body: &[u8]) -> FetchRequest {
    FetchRequest {
        url,
        method: method.into(),
        headers: vec![
            ("Authorization".into(), "Bearer sk-live-123".into()),
            ("X-API-Key".into(), "key-456".into()),
            ("Cookie".into(), "session=789".into()),
            ("X-Trace".into(), "t1".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: body.to_vec(),
        timeout: None,
    }
}

#[tokio::test]
async fn a_redirect_within_the_policy_is_followed_and_reported() {
    let server = Server::http(|seen| match seen.target.as_str() {
        "/start" => Reply::redirect(302, "final?x=1"),
        _ => Reply::ok("final"),
    })
    .await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let response = get(&default_client(), &policy, &server.url("/start"))
        .await
        .expect("fetch");
    assert_eq!(text(&response), "final");
    assert!(response.redirected);
    assert_eq!(response.url, server.url("/final?x=1"));
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_redirect_to_an_undeclared_destination_is_refused_and_never_reached() {
    let target = Server::http(|_| Reply::ok("should not be reached")).await;
    let location = target.url("/steal");
    let first = Server::http(move |_| Reply::redirect(302, &location)).await;
    let policy = policy(&[&format!("127.0.0.1:{}", first.port())], &[]);
    let err = get(&default_client(), &policy, &first.url("/"))
        .await
        .expect_err("redirect followed to an undeclared port");
    assert!(matches!(err, FetchError::Refused(_)), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("127.0.0.1:{} refused", target.port())),
        "{err}"
    );
    assert_eq!(first.hits(), 1);
    assert_eq!(target.connections(), 0);
}

#[tokio::test]
async fn a_redirect_to_a_forbidden_address_is_refused_without_connecting() {
    let first =
        Server::http(|_| Reply::redirect(307, "http://metadata.test/latest/meta-data")).await;
    let resolver = StubResolver::with(&[("metadata.test", &["169.254.169.254"])]);
    let connector = RecordingConnector::new();
    let client = client(resolver, connector.clone());
    let policy = policy(
        &[&format!("127.0.0.1:{}", first.port()), "metadata.test"],
        &[],
    );
    let err = get(&client, &policy, &first.url("/"))
        .await
        .expect_err("metadata reached");
    assert!(err.to_string().contains("cloud metadata"), "{err}");
    assert_eq!(connector.calls(), [first.addr]);
}

#[tokio::test]
async fn credentials_are_dropped_when_a_redirect_changes_origin() {
    let second = Server::http(|_| Reply::ok("second")).await;
    let location = second.url("/landing");
    let first = Server::http(move |seen| match seen.target.as_str() {
        "/same" => Reply::redirect(307, "/cross"),
        _ => Reply::redirect(307, &location),
    })
    .await;
    let policy = policy(
        &[
            &format!("127.0.0.1:{}", first.port()),
            &format!("127.0.0.1:{}", second.port()),
        ],
        &[],
    );
    let response = default_client()
        .fetch(
            &policy,
            with_credentials(first.url("/same"), "GET", b""),
            in_secs(10),
        )
        .await
        .expect("fetch");
    assert_eq!(text(&response), "second");
    for seen in first.seen() {
        assert_eq!(
            seen.header("authorization"),
            Some("Bearer sk-live-123"),
            "{}",
            seen.target
        );
        assert_eq!(seen.header("x-api-key"), Some("key-456"));
    }
    let landed = &second.seen()[0];
    assert_eq!(landed.header("authorization"), None);
    assert_eq!(landed.header("x-api-key"), None);
    assert_eq!(landed.header("cookie"), None);
    assert_eq!(landed.header("x-trace"), Some("t1"));
}

#[tokio::test]
async fn see_other_turns_a_post_into_a_get_without_body() {
    let server = Server::http(|seen| match seen.target.as_str() {
        "/submit" => Reply::redirect(303, "/result"),
        _ => Reply::ok("done"),
    })
    .await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    default_client()
        .fetch(
            &policy,
            with_credentials(server.url("/submit"), "POST", b"{\"a\":1}"),
            in_secs(10),
        )
        .await
        .expect("fetch");
    let seen = server.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].body.as_slice()),
        ("POST", &b"{\"a\":1}"[..])
    );
    assert_eq!(seen[1].method, "GET");
    assert!(seen[1].body.is_empty());
    assert_eq!(seen[1].header("content-type"), None);
    assert_eq!(seen[1].header("content-length"), None);
    assert_eq!(seen[1].header("authorization"), Some("Bearer sk-live-123"));
}

#[tokio::test]
async fn moved_and_found_turn_post_into_get_but_temporary_and_permanent_keep_it() {
    for (status, method_after, body_after) in [
        (301, "GET", ""),
        (302, "GET", ""),
        (307, "POST", "payload"),
        (308, "POST", "payload"),
    ] {
        let server = Server::http(move |seen| match seen.target.as_str() {
            "/r" => Reply::redirect(status, "/next"),
            _ => Reply::ok("ok"),
        })
        .await;
        let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
        let request = FetchRequest {
            url: server.url("/r"),
            method: "POST".into(),
            body: b"payload".to_vec(),
            ..FetchRequest::default()
        };
        default_client()
            .fetch(&policy, request, in_secs(10))
            .await
            .expect("fetch");
        let next = &server.seen()[1];
        assert_eq!(next.method, method_after, "{status}");
        assert_eq!(String::from_utf8_lossy(&next.body), body_after, "{status}");
    }
}

#[tokio::test]
async fn more_than_the_redirect_limit_fails() {
    let server = Server::http(|_| Reply::redirect(302, "/again")).await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let err = get(&default_client(), &policy, &server.url("/"))
        .await
        .expect_err("loop");
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 10, .. }),
        "{err}"
    );
    assert_eq!(server.hits(), 11);
}

#[tokio::test]
async fn a_redirect_without_location_or_to_another_scheme_is_not_followed() {
    let server = Server::http(|seen| match seen.target.as_str() {
        "/bare" => Reply {
            headers: vec![],
            ..Reply::redirect(302, "")
        },
        _ => Reply::redirect(302, "file:///etc/passwd"),
    })
    .await;
    let policy = policy(&[&format!("127.0.0.1:{}", server.port())], &[]);
    let bare = get(&default_client(), &policy, &server.url("/bare"))
        .await
        .expect("returned as is");
    assert_eq!(bare.status, 302);
    assert!(!bare.redirected);
    let err = get(&default_client(), &policy, &server.url("/file"))
        .await
        .expect_err("file scheme");
    assert!(matches!(err, FetchError::InvalidRedirect { .. }), "{err}");
}
