//! Queue triggers: NATS subscriptions that run the workflow, as the original engine did.
//!
//! With a `queue` trigger in workflow.yaml, the host connects to `config.nats_url` with the
//! token `secrets.nats.token` over TLS, subscribes to each queue trigger's subject and runs
//! the workflow once per message ([`trigger_input`]: the payload as JSON, else
//! `{"data": "<payload>"}`; an object gets `trigger` = the trigger's name, else its
//! subject). A message with a reply subject is answered with the compact JSON
//! `ExecutionResult` (`{"error": ...}` when the host itself failed, as on `/run`).
//!
//! Without `nats_url` or the token the queue triggers are skipped with a warning and HTTP is
//! still served ([`plan`]). The connection is retried in the background, so a NATS server
//! that comes up after the pod only delays the first message. Messages run concurrently, each
//! on the deployment current when it arrives. [`Subscriptions::drain`] (on SIGTERM, before
//! the HTTP server stops) unsubscribes, runs what was already delivered and sends its replies.
//! Subscriptions are made at start-up: a reload (`--watch`) changes what messages run, not
//! which subjects are subscribed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::{Client, ConnectOptions, Message, Subscriber};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tntc_spec::{TriggerKind, Workflow};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::live::WorkflowRunner;
use crate::secrets::Secrets;

/// One queue trigger of the workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueTrigger {
    /// The NATS subject.
    pub subject: String,
    /// What `trigger` is set to in object inputs: the trigger's name, else its subject.
    pub label: String,
}

/// What to do about the workflow's queue triggers.
#[derive(Clone, PartialEq, Eq)]
pub enum QueuePlan {
    /// The workflow has no queue trigger.
    Nothing,
    /// It has some, but they cannot be served; `reason` says why (logged as a warning).
    Skip {
        /// What is missing, and where to set it.
        reason: String,
    },
    /// Connect and subscribe.
    Connect {
        /// `config.nats_url`.
        url: String,
        /// `secrets.nats.token`.
        token: String,
        /// Every queue trigger, in workflow order.
        triggers: Vec<QueueTrigger>,
    },
}

impl std::fmt::Debug for QueuePlan {
    // The token is a secret: never in a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueuePlan::Nothing => f.write_str("Nothing"),
            QueuePlan::Skip { reason } => f.debug_struct("Skip").field("reason", reason).finish(),
            QueuePlan::Connect { url, triggers, .. } => f
                .debug_struct("Connect")
                .field("url", url)
                .field("token", &"<redacted>")
                .field("triggers", triggers)
                .finish(),
        }
    }
}

/// Reads the workflow's queue triggers and what serving them needs.
pub fn plan(workflow: &Workflow, secrets: &Secrets) -> QueuePlan {
    let triggers: Vec<QueueTrigger> = workflow
        .triggers
        .iter()
        .filter_map(|trigger| match &trigger.kind {
            TriggerKind::Queue { subject } => Some(QueueTrigger {
                subject: subject.clone(),
                label: trigger.name.clone().unwrap_or_else(|| subject.clone()),
            }),
            _ => None,
        })
        .collect();
    if triggers.is_empty() {
        return QueuePlan::Nothing;
    }
    let url = workflow
        .config
        .raw
        .get("nats_url")
        .and_then(Value::as_str)
        .filter(|url| !url.trim().is_empty());
    let token = secrets
        .get("nats", "token")
        .and_then(Value::as_str)
        .filter(|token| !token.is_empty());
    match (url, token) {
        (Some(url), Some(token)) => QueuePlan::Connect {
            url: url.to_string(),
            token: token.to_string(),
            triggers,
        },
        (None, _) => QueuePlan::Skip {
            reason: "config.nats_url is not set in workflow.yaml".into(),
        },
        (Some(_), None) => QueuePlan::Skip {
            reason: "the secret nats.token is missing (add it to the secrets: nats: {token: ...})"
                .into(),
        },
    }
}

/// The workflow input for a message: its payload as JSON, else `{"data": "<payload>"}`; an
/// object gets `trigger: label`.
pub fn trigger_input(payload: &[u8], label: &str) -> Value {
    let mut input = crate::json_text::to_value(payload)
        .unwrap_or_else(|_| json!({"data": String::from_utf8_lossy(payload)}));
    if let Value::Object(object) = &mut input {
        object.insert("trigger".into(), Value::String(label.to_string()));
    }
    input
}

/// A failure to set up the subscriptions.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The NATS URL or options were refused before any connection attempt.
    #[error("cannot connect to NATS at {url}: {reason}")]
    Connect {
        /// `config.nats_url`.
        url: String,
        /// The client's reason.
        reason: String,
    },
    /// Subscribing failed.
    #[error("cannot subscribe to NATS subject {subject:?}: {reason}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// The client's reason.
        reason: String,
    },
}

/// Connection settings beyond the plan.
#[derive(Clone, Debug)]
pub struct QueueOptions {
    /// Extra CA certificates (PEM file) to trust for the NATS server, besides the system roots.
    pub extra_ca: Option<PathBuf>,
    /// How long [`Subscriptions::drain`] waits for the runs already started.
    pub drain_timeout: Duration,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            extra_ca: None,
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// The live subscriptions.
pub struct Subscriptions {
    client: Client,
    stop: watch::Sender<bool>,
    loops: Vec<JoinHandle<()>>,
    drain_timeout: Duration,
}

/// Connects (retrying in the background) and subscribes to every trigger's subject; each
/// message runs `engine`.
pub async fn subscribe(
    url: &str,
    token: &str,
    triggers: &[QueueTrigger],
    engine: Arc<dyn WorkflowRunner>,
    options: QueueOptions,
) -> Result<Subscriptions, QueueError> {
    let mut connect = ConnectOptions::with_token(token.to_string())
        .name("tntc-host")
        .require_tls(true)
        .retry_on_initial_connect()
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Connected => tracing::info!("connected to NATS"),
                async_nats::Event::Disconnected => {
                    tracing::warn!("disconnected from NATS; reconnecting")
                }
                // The end of a drain, at shutdown.
                async_nats::Event::Closed => tracing::info!("NATS connection closed"),
                other => tracing::warn!(event = %other, "NATS"),
            }
        });
    if let Some(ca) = &options.extra_ca {
        connect = connect.add_root_certificates(ca.clone());
    }
    let client = connect
        .connect(url)
        .await
        .map_err(|e| QueueError::Connect {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    let (stop, stopped) = watch::channel(false);
    let mut loops = Vec::with_capacity(triggers.len());
    for trigger in triggers {
        let subscriber = client
            .subscribe(trigger.subject.clone())
            .await
            .map_err(|e| QueueError::Subscribe {
                subject: trigger.subject.clone(),
                reason: e.to_string(),
            })?;
        tracing::info!(subject = %trigger.subject, trigger = %trigger.label, "subscribed");
        loops.push(tokio::spawn(serve(
            subscriber,
            client.clone(),
            trigger.clone(),
            engine.clone(),
            stopped.clone(),
        )));
    }
    Ok(Subscriptions {
        client,
        stop,
        loops,
        drain_timeout: options.drain_timeout,
    })
}

impl Subscriptions {
    /// Unsubscribes, runs the messages already delivered, sends their replies and closes
    /// the connection, all within the drain timeout. Not connected (the server is down or
    /// was never reached): nothing can be unsubscribed or answered, so the subscriptions
    /// simply stop.
    pub async fn drain(self) {
        let _ = self.stop.send(true);
        if self.client.connection_state() != async_nats::connection::State::Connected {
            for task in &self.loops {
                task.abort();
            }
            return;
        }
        let client = self.client.clone();
        let loops = self.loops;
        let drained = async move {
            futures_util::future::join_all(loops).await;
            client.flush().await
        };
        match tokio::time::timeout(self.drain_timeout, drained).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "could not flush the last NATS replies"),
            Err(_) => tracing::warn!("queue runs did not finish within the grace period"),
        }
    }
}

/// Delivers one subscription's messages until told to stop, then drains it.
async fn serve(
    mut subscriber: Subscriber,
    client: Client,
    trigger: QueueTrigger,
    engine: Arc<dyn WorkflowRunner>,
    mut stop: watch::Receiver<bool>,
) {
    let trigger = Arc::new(trigger);
    let mut runs = JoinSet::new();
    let mut draining = false;
    loop {
        tokio::select! {
            message = subscriber.next() => match message {
                Some(message) => {
                    runs.spawn(run(message, client.clone(), trigger.clone(), engine.clone()));
                }
                None => break,
            },
            changed = stop.changed(), if !draining => {
                draining = true;
                if changed.is_err() || *stop.borrow() {
                    // The stream ends once what was delivered before the unsubscribe is read.
                    if let Err(err) = subscriber.drain().await {
                        tracing::warn!(subject = %trigger.subject, error = %err, "NATS drain failed");
                        break;
                    }
                }
            }
            Some(_) = runs.join_next(), if !runs.is_empty() => {}
        }
    }
    while runs.join_next().await.is_some() {}
}

/// Runs the workflow for one message and answers its reply subject.
async fn run(
    message: Message,
    client: Client,
    trigger: Arc<QueueTrigger>,
    engine: Arc<dyn WorkflowRunner>,
) {
    let started = Instant::now();
    let input = trigger_input(&message.payload, &trigger.label);
    let outcome = engine.execute(input).await;
    match &outcome {
        Ok(result) => {
            let failed: Vec<&String> = result.errors.keys().collect();
            tracing::info!(
                subject = %message.subject,
                trigger = %trigger.label,
                success = result.success,
                duration_ms = started.elapsed().as_millis() as u64,
                failed_nodes = ?failed,
                "queue run finished"
            );
        }
        Err(error) => {
            tracing::error!(subject = %message.subject, error = %error, "queue run failed inside the host");
        }
    }
    let Some(reply) = message.reply else { return };
    let body = crate::result::response_body(&outcome);
    if let Err(err) = client.publish(reply, body.into()).await {
        tracing::warn!(subject = %message.subject, error = %err, "could not send the reply");
    }
}

#[cfg(test)]
mod tests;
