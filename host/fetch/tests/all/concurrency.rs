//! Many waiting fetches cost no threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tntc_fetch::{SystemResolver, TcpConnector};

use crate::support::*;

/// Runs on the single-threaded test runtime: 100 requests to a server that answers after
/// one second finish together, because each waiting fetch is only a future.
#[tokio::test]
async fn a_hundred_slow_fetches_complete_concurrently_on_one_thread() {
    let server = Server::http(|_| Reply::ok("slow").delayed(Duration::from_secs(1))).await;
    let policy = Arc::new(policy(&[&format!("127.0.0.1:{}", server.port())], &[]));
    let client = client(Arc::new(SystemResolver), Arc::new(TcpConnector));
    let started = Instant::now();
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
    let elapsed = started.elapsed();
    assert_eq!(server.hits(), 100);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}
