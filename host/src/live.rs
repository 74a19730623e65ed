//! What serving runs: [`WorkflowRunner`], the seam the HTTP API ([`crate::server`]) and the
//! queue triggers ([`crate::queue`]) call, and [`LiveDeployment`], the current
//! [`Deployment`] swapped atomically when the workflow is reloaded. A run takes the
//! deployment that is current when it starts and keeps it to the end, so in-flight runs
//! finish on the old version while new runs get the new one.

use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::deployment::Deployment;
use crate::executor::BoxFuture;
use crate::result::ExecutionResult;

/// What the server and the queue triggers run: the current workflow (swappable under them
/// for hot reload).
pub trait WorkflowRunner: Send + Sync + 'static {
    /// Runs the workflow once on `input`; `Err` is an internal failure, not a node's.
    fn execute(&self, input: Value) -> BoxFuture<Result<ExecutionResult, String>>;

    /// Whether runs can be served (workflow loaded, runtime compiled).
    fn ready(&self) -> bool;
}

/// The deployment being served, replaced whole on reload.
#[derive(Debug, Default)]
pub struct LiveDeployment {
    current: RwLock<Option<Arc<Deployment>>>,
}

impl LiveDeployment {
    /// Serving `deployment`.
    pub fn new(deployment: Arc<Deployment>) -> LiveDeployment {
        LiveDeployment {
            current: RwLock::new(Some(deployment)),
        }
    }

    /// The deployment new runs get.
    pub fn current(&self) -> Option<Arc<Deployment>> {
        self.current.read().ok().and_then(|d| d.clone())
    }

    /// Makes `deployment` current; returns the previous one (still running its in-flight runs).
    pub fn swap(&self, deployment: Arc<Deployment>) -> Option<Arc<Deployment>> {
        match self.current.write() {
            Ok(mut current) => current.replace(deployment),
            Err(poisoned) => poisoned.into_inner().replace(deployment),
        }
    }
}

impl WorkflowRunner for LiveDeployment {
    fn execute(&self, input: Value) -> BoxFuture<Result<ExecutionResult, String>> {
        let current = self.current();
        Box::pin(async move {
            match current {
                Some(deployment) => Ok(deployment.execute(input).await),
                None => Err("no workflow is loaded".to_string()),
            }
        })
    }

    fn ready(&self) -> bool {
        self.current().is_some()
    }
}
