//! Many waiting fetches cost no threads.

use std::sync::Arc;

use tntc_fetch::{SystemResolver, TcpConnector};

use crate::support::*;

/// Runs on the single-threaded test runtime: 100 requests to a server that answers none
/// until it has all of them complete together, because each waiting fetch is only a future.
/// (Held on a count, not timed: "100 one-second waits took under 5 s" is a window a loaded
/// machine can miss; fetches that could not wait at once would never be answered, and
/// fail at their 10 s deadline.)
#[tokio::test]
async fn a_hundred_waiting_fetches_wait_at_once_on_one_thread() {
    let server = Server::http(|_| Reply::ok("slow").once_seen(100)).await;
    let policy = Arc::new(policy(&[&format!("127.0.0.1:{}", server.port())], &[]));
    let client = client(Arc::new(SystemResolver), Arc::new(TcpConnector));
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let (client, policy, url) =
                (client.clone(), policy.clone(), server.url(&format!("/{i}")));
            tokio::spawn(async move { get(&client, &policy, &url).await })
        })
        .collect();
    for task in tasks {
        let response = task.await.expect("task").expect("fetch");
        assert_eq!(text(&response), "slow");
    }
    assert_eq!(server.hits(), 100);
}
