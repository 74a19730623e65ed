//! The running host: the current [`Deployment`], swapped atomically when the workflow is
//! reloaded. A run takes the deployment that is current when it starts and keeps it to the
//! end, so in-flight runs finish on the old version while new runs get the new one.

use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::deployment::Deployment;
use crate::executor::BoxFuture;
use crate::result::ExecutionResult;
use crate::server::Engine;

/// The serving side of the host.
#[derive(Debug, Default)]
pub struct Host {
    current: RwLock<Option<Arc<Deployment>>>,
}

impl Host {
    /// A host serving `deployment`.
    pub fn new(deployment: Arc<Deployment>) -> Host {
        Host {
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

impl Engine for Host {
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
