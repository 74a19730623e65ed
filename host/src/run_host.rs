//! The host side of one node run ([`tntc_sandbox::NodeHost`]): logging with the node's id
//! and secrets redacted, `fetch` through the node's egress policy and PostgreSQL through
//! its postgresql dependencies, both bounded by the run's deadline.

use std::sync::Arc;
use std::time::Instant;

use tntc_fetch::{EgressPolicy, FetchClient};
use tntc_postgres::RunSessions;
use tntc_sandbox::{BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost, PgCall};

use crate::logs::LogSink;
use crate::secrets::Secrets;

/// One run's host. Cheap to build: everything is shared.
pub(crate) struct RunHost {
    pub node: Arc<str>,
    pub policy: Arc<EgressPolicy>,
    pub client: FetchClient,
    /// The run's PostgreSQL sessions (returned to the pools when the run's host is dropped).
    pub postgres: Arc<RunSessions>,
    pub deadline: Instant,
    pub logs: Arc<dyn LogSink>,
    /// The whole workflow's secrets: a node may leak any of them into a log line or URL, so
    /// redaction uses all of them, not just the node's view.
    pub redact: Arc<Secrets>,
}

impl NodeHost for RunHost {
    fn log(&self, level: LogLevel, message: &str) {
        self.logs
            .node_log(&self.node, level, &self.redact.redact(message));
    }

    fn fetch(&self, request: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>> {
        let client = self.client.clone();
        let policy = self.policy.clone();
        let redact = self.redact.clone();
        let deadline = self.deadline;
        Box::pin(async move {
            let request = tntc_fetch::FetchRequest {
                url: request.url,
                method: request.method,
                headers: request.headers,
                body: request.body,
                timeout: request.timeout,
            };
            match client.fetch(&policy, request, deadline).await {
                Ok(r) => Ok(FetchResponse {
                    status: r.status,
                    status_text: r.status_text,
                    headers: r.headers,
                    url: r.url,
                    redirected: r.redirected,
                    body: r.body,
                }),
                Err(err) => Err(redact.redact(&err.to_string())),
            }
        })
    }

    fn postgres(&self, call: PgCall) -> BoxFuture<'static, Result<String, String>> {
        let future = match call {
            PgCall::Connect(request) => self.postgres.connect(&request),
            PgCall::Query(request) => self.postgres.query(&request),
            PgCall::End(session) => self.postgres.end(session),
        };
        let redact = self.redact.clone();
        Box::pin(async move {
            future.await.map_err(|mut error| {
                error.message = redact.redact(&error.message);
                if let Some(fields) = &mut error.fields {
                    fields.message = redact.redact(&fields.message);
                    fields.detail = fields.detail.as_deref().map(|d| redact.redact(d));
                }
                error.to_json()
            })
        })
    }
}
