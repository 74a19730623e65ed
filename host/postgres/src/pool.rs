//! The per-dependency pool: idle, authenticated connections kept for later runs, each
//! reset before it is kept.
//!
//! A connection goes back to the pool only after `ROLLBACK` (an open or failed transaction
//! the run left) and `DISCARD ALL` (temporary tables, session settings, prepared
//! statements, advisory locks, `LISTEN`s) both succeeded within the reset timeout, so no run
//! ever sees what another run did to its session. A connection whose statement was still
//! running when its run ended (a deadline, a node that did not await) is cancelled on the
//! server and closed, never reused. Targets are keyed by everything the contract says,
//! secret included: a changed secret is a different pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::connect::{self, Conn};
use crate::error::CallError;
use crate::policy::PgTarget;
use crate::tls::TlsConfigs;

/// Limits and settings shared by every run of a process.
#[derive(Clone, Debug)]
pub struct PgConfig {
    /// Idle connections kept per dependency.
    pub max_idle_per_target: usize,
    /// Largest result one query may return (the bytes of its values as the server sent
    /// them); past it the query fails, it is never truncated.
    pub max_result_bytes: usize,
    /// Sessions one run may have open at once.
    pub max_sessions_per_run: usize,
    /// Time allowed to reset a connection before it is closed instead of kept.
    pub reset_timeout: Duration,
    /// PEM certificates trusted (besides the system roots) for `sslmode: verify-full`.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl Default for PgConfig {
    fn default() -> Self {
        PgConfig {
            max_idle_per_target: 4,
            max_result_bytes: 16 << 20,
            max_sessions_per_run: 16,
            reset_timeout: Duration::from_secs(5),
            extra_ca_pem: None,
        }
    }
}

/// The connection pools of a process. Cheap to clone.
#[derive(Clone)]
pub struct PgPools {
    pub(crate) inner: Arc<PoolsInner>,
}

pub(crate) struct PoolsInner {
    idle: Mutex<HashMap<Arc<PgTarget>, Idle>>,
    /// Signalled whenever a reset ends (its connection kept or closed).
    reset_done: tokio::sync::Notify,
    pub(crate) tls: TlsConfigs,
    pub(crate) config: PgConfig,
}

/// One target's connections between runs.
#[derive(Default)]
struct Idle {
    /// Reset and ready.
    ready: Vec<Conn>,
    /// Being reset: a run that finds none ready waits for these rather than paying a new
    /// connection (TCP, TLS, SCRAM) while one is a round trip away from being ready.
    resetting: usize,
}

impl std::fmt::Debug for PgPools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgPools")
            .field("config", &self.inner.config)
            .field("idle", &self.idle_connections())
            .finish()
    }
}

impl PgPools {
    /// Pools with `config`; fails only on an unreadable extra CA.
    pub fn new(config: PgConfig) -> Result<Self, String> {
        let tls = TlsConfigs::new(config.extra_ca_pem.as_deref())?;
        Ok(PgPools {
            inner: Arc::new(PoolsInner {
                idle: Mutex::new(HashMap::new()),
                reset_done: tokio::sync::Notify::new(),
                tls,
                config,
            }),
        })
    }

    /// The settings.
    pub fn config(&self) -> &PgConfig {
        &self.inner.config
    }

    /// Idle connections over all targets (a diagnostic, and what tests wait for).
    pub fn idle_connections(&self) -> usize {
        self.lock().values().map(|idle| idle.ready.len()).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<PgTarget>, Idle>> {
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An idle connection to `target`, else a new one, within `deadline`.
    pub(crate) async fn checkout(
        &self,
        target: &Arc<PgTarget>,
        tls_enforce: bool,
        deadline: Instant,
    ) -> Result<Conn, CallError> {
        loop {
            // Registered before looking, so a reset ending in between is not missed.
            let reset_ended = self.inner.reset_done.notified();
            let (conn, resetting) = {
                let mut idle = self.lock();
                let entry = idle.entry(target.clone()).or_default();
                (entry.ready.pop(), entry.resetting)
            };
            match conn {
                Some(conn) if conn.client.is_closed() => continue,
                Some(conn) if tls_enforce && !conn.tls => continue,
                Some(conn) => return Ok(conn),
                None if resetting > 0 => {
                    let wait = tokio::time::timeout_at(deadline.into(), reset_ended);
                    if wait.await.is_err() {
                        break;
                    }
                }
                None => break,
            }
        }
        tokio::time::timeout_at(
            deadline.into(),
            connect::open(target, &self.inner.tls, tls_enforce),
        )
        .await
        .unwrap_or_else(|_| {
            Err(CallError::new(format!(
                "cannot connect to PostgreSQL dependency \"{}\" at {}:{}: the node's timeout \
                 passed first",
                target.dependency, target.host, target.port
            )))
        })
    }

    /// Takes a connection back from a run: reset and kept when `reusable`, else its
    /// running statement cancelled and the connection closed. Needs a Tokio runtime (without
    /// one the connection is simply closed).
    pub(crate) fn give_back(&self, conn: Conn, reusable: bool) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let pools = self.clone();
        if reusable {
            pools
                .lock()
                .entry(conn.target.clone())
                .or_default()
                .resetting += 1;
        }
        runtime.spawn(async move {
            if !reusable {
                let _ = tokio::time::timeout(
                    pools.inner.config.reset_timeout,
                    connect::cancel(&conn, &pools.inner.tls),
                )
                .await;
                return;
            }
            // Two Query messages sent together (one round trip): DISCARD ALL may not run in
            // the implicit transaction of a multi-statement query.
            let reset = async {
                let (rollback, discard) = futures_util::future::join(
                    conn.client.batch_execute("ROLLBACK"),
                    conn.client.batch_execute("DISCARD ALL"),
                )
                .await;
                rollback.and(discard)
            };
            let clean = matches!(
                tokio::time::timeout(pools.inner.config.reset_timeout, reset).await,
                Ok(Ok(()))
            );
            {
                let mut idle = pools.lock();
                let entry = idle.entry(conn.target.clone()).or_default();
                entry.resetting -= 1;
                if clean
                    && !conn.client.is_closed()
                    && entry.ready.len() < pools.inner.config.max_idle_per_target
                {
                    entry.ready.push(conn);
                }
            }
            pools.inner.reset_done.notify_waiters();
        });
    }
}
