//! One run's sessions: what `pg-connect`, `pg-query` and `pg-end` do.
//!
//! A [`RunSessions`] lives as long as the run's host. Each session holds one pooled
//! connection; its queries run one at a time (as the driver sends them), each bounded by
//! the run's deadline and the result cap. Ending a session, or the run ending with the
//! session still open, gives the connection back to the pool, which resets it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::StreamExt;
use tntc_abi::postgres::{PgColumn, PgConnectRequest, PgConnected, PgQueryRequest, PgQueryResult};
use tokio_postgres::SimpleQueryMessage;

use crate::connect::Conn;
use crate::error::CallError;
use crate::policy::PgPolicy;
use crate::pool::PgPools;
use crate::sql;
use crate::values::{ColumnKind, Raw, TextParam};

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The sessions of one node run.
pub struct RunSessions {
    pools: PgPools,
    policy: Arc<PgPolicy>,
    deadline: Instant,
    sessions: Mutex<HashMap<u32, Arc<Session>>>,
    next: AtomicU32,
}

struct Session {
    conn: tokio::sync::Mutex<Option<Conn>>,
    pools: PgPools,
    /// A statement was sent and its result not yet read: the connection's state is unknown.
    busy: AtomicBool,
    secret: Option<String>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.get_mut().take() {
            self.pools
                .give_back(conn, !self.busy.load(Ordering::Relaxed));
        }
    }
}

impl RunSessions {
    /// Sessions for a run of a node with `policy`, ending at `deadline`.
    pub fn new(pools: PgPools, policy: Arc<PgPolicy>, deadline: Instant) -> Arc<Self> {
        Arc::new(RunSessions {
            pools,
            policy,
            deadline,
            sessions: Mutex::new(HashMap::new()),
            next: AtomicU32::new(1),
        })
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Arc<Session>>> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn session(&self, id: u32) -> Result<Arc<Session>, CallError> {
        self.sessions().get(&id).cloned().ok_or_else(|| {
            CallError::new(format!(
                "PostgreSQL session {id} is not open: connect() first, and do not use a client after end()"
            ))
        })
    }

    /// `pg-connect`: picks the target the options name (refusing before any connection)
    /// and opens a session; the `meta` JSON (PgConnected) on success.
    pub fn connect(self: &Arc<Self>, request: &str) -> BoxFuture<Result<String, CallError>> {
        let this = self.clone();
        let parsed = serde_json::from_str::<PgConnectRequest>(request)
            .map_err(|e| CallError::new(format!("malformed pg-connect request: {e}")));
        Box::pin(async move {
            let options = parsed?;
            let target = this
                .policy
                .select(&options)
                .map_err(|refused| CallError::new(refused.0))?;
            let limit = this.pools.config().max_sessions_per_run;
            if this.sessions().len() >= limit {
                return Err(CallError::new(format!(
                    "a node run may have at most {limit} PostgreSQL sessions open at once; end() clients it no longer uses"
                )));
            }
            let conn = this
                .pools
                .checkout(&target, options.tls_enforce, this.deadline)
                .await?;
            let tls = conn.tls;
            let id = this.next.fetch_add(1, Ordering::Relaxed);
            this.sessions().insert(
                id,
                Arc::new(Session {
                    conn: tokio::sync::Mutex::new(Some(conn)),
                    pools: this.pools.clone(),
                    busy: AtomicBool::new(false),
                    secret: target.password.clone(),
                }),
            );
            let meta = PgConnected {
                session: id,
                dependency: target.dependency.clone(),
                tls,
            };
            Ok(serde_json::to_string(&meta).unwrap_or_default())
        })
    }

    /// `pg-query`: runs one query; the `meta` JSON (PgQueryResult) on success.
    pub fn query(self: &Arc<Self>, request: &str) -> BoxFuture<Result<String, CallError>> {
        let this = self.clone();
        let parsed = serde_json::from_str::<PgQueryRequest>(request)
            .map_err(|e| CallError::new(format!("malformed pg-query request: {e}")));
        Box::pin(async move {
            let request = parsed?;
            let session = this.session(request.session)?;
            let guard = session.conn.lock().await;
            let Some(conn) = guard.as_ref() else {
                return Err(CallError::new("the PostgreSQL client has ended"));
            };
            let max = this.pools.config().max_result_bytes;
            session.busy.store(true, Ordering::Relaxed);
            let outcome =
                tokio::time::timeout_at(this.deadline.into(), run_query(conn, &request, max))
                    .await
                    .unwrap_or_else(|_| {
                        Err(CallError::new(
                            "PostgreSQL query did not finish within the node's timeout",
                        ))
                    });
            // Finished (either way) with the protocol in a known state; a timeout leaves it
            // busy, so the connection is cancelled and closed rather than reused.
            if !matches!(&outcome, Err(e) if e.message.contains("within the node's timeout")) {
                session.busy.store(false, Ordering::Relaxed);
            }
            let result = outcome.map_err(|e| e.redact(session.secret.as_deref()))?;
            Ok(serde_json::to_string(&result).unwrap_or_default())
        })
    }

    /// `pg-end`: closes a session; its connection goes back to the pool (reset). Ending a
    /// session twice is not an error.
    pub fn end(self: &Arc<Self>, session: u32) -> BoxFuture<Result<String, CallError>> {
        let removed = self.sessions().remove(&session);
        Box::pin(async move {
            if let Some(session) = removed {
                // Wait for a query in flight: the connection goes back after it.
                let conn = session.conn.lock().await.take();
                if let Some(conn) = conn {
                    session
                        .pools
                        .give_back(conn, !session.busy.load(Ordering::Relaxed));
                }
            }
            Ok(String::new())
        })
    }
}

/// Runs one query on `conn`.
async fn run_query(
    conn: &Conn,
    request: &PgQueryRequest,
    max_bytes: usize,
) -> Result<PgQueryResult, CallError> {
    let too_big = || {
        let limit = if max_bytes >= 1 << 20 {
            format!("{} MiB", max_bytes >> 20)
        } else {
            format!("{max_bytes} bytes")
        };
        CallError::new(format!(
            "the query's result is larger than the {limit} limit; select fewer rows (LIMIT) or columns"
        ))
    };
    let failed = |e: tokio_postgres::Error| CallError::from_pg(&e, "PostgreSQL query failed");
    let command = sql::command(&request.text);
    if request.params.is_empty() && sql::has_several_statements(&request.text) {
        // Several statements: the simple query protocol, values as text (as the driver sends
        // a query without arguments); the last statement's rows are the result.
        let messages = conn
            .client
            .simple_query(&request.text)
            .await
            .map_err(failed)?;
        let mut result = PgQueryResult {
            command,
            ..PgQueryResult::default()
        };
        let mut bytes = 0usize;
        for message in messages {
            match message {
                SimpleQueryMessage::RowDescription(columns) => {
                    result.rows.clear();
                    result.columns = columns
                        .iter()
                        .map(|c| PgColumn {
                            name: c.name().to_owned(),
                            type_oid: 0,
                            kind: "text".into(),
                        })
                        .collect();
                }
                SimpleQueryMessage::Row(row) => {
                    let values = (0..row.len())
                        .map(|i| {
                            let v = row.get(i);
                            bytes += v.map_or(0, str::len);
                            v.map_or(serde_json::Value::Null, serde_json::Value::from)
                        })
                        .collect();
                    if bytes > max_bytes {
                        return Err(too_big());
                    }
                    result.rows.push(values);
                }
                SimpleQueryMessage::CommandComplete(n) => result.row_count = Some(n),
                _ => {}
            }
        }
        return Ok(result);
    }

    let statement = conn.client.prepare(&request.text).await.map_err(failed)?;
    let expected = statement.params().len();
    if expected != request.params.len() {
        return Err(CallError::new(format!(
            "the query has {expected} placeholder(s) ($1...) but {} argument(s) were given",
            request.params.len()
        )));
    }
    let mut kinds = Vec::new();
    let mut columns = Vec::new();
    for column in statement.columns() {
        let kind = ColumnKind::of(column.name(), column.type_()).map_err(CallError::new)?;
        kinds.push(kind);
        columns.push(PgColumn {
            name: column.name().to_owned(),
            type_oid: column.type_().oid(),
            kind: kind.name(),
        });
    }
    let stream = conn
        .client
        .query_raw(
            &statement,
            request.params.iter().map(|p| TextParam(p.as_deref())),
        )
        .await
        .map_err(failed)?;
    let mut stream = std::pin::pin!(stream);
    let mut rows = Vec::new();
    let mut bytes = 0usize;
    while let Some(row) = stream.next().await {
        let row = row.map_err(failed)?;
        let mut values = Vec::with_capacity(kinds.len());
        for (i, kind) in kinds.iter().enumerate() {
            let raw: Raw<'_> = row.try_get(i).map_err(failed)?;
            values.push(match raw.0 {
                None => serde_json::Value::Null,
                Some(b) => {
                    bytes += b.len();
                    kind.decode(b).map_err(|reason| {
                        CallError::new(format!(
                            "cannot decode column \"{}\": {reason}",
                            columns[i].name
                        ))
                    })?
                }
            });
        }
        bytes += 8 * kinds.len();
        if bytes > max_bytes {
            return Err(too_big());
        }
        rows.push(values);
    }
    let row_count = stream
        .rows_affected()
        .or_else(|| (command == "SELECT").then_some(rows.len() as u64));
    Ok(PgQueryResult {
        command,
        row_count,
        columns,
        rows,
    })
}
