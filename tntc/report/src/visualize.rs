//! `tntc visualize -o json`: the DAG as data.

use serde::{Deserialize, Serialize};

/// The workflow's graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The workflow's name.
    pub name: String,
    /// Its version, as written.
    pub version: String,
    /// How runs start, in document order.
    pub triggers: Vec<Trigger>,
    /// The nodes without predecessors, in topological order: where every trigger enters.
    pub entry_nodes: Vec<String>,
    /// Every node, in topological order.
    pub nodes: Vec<Node>,
    /// The edges, in document order.
    pub edges: Vec<Edge>,
    /// The node ids of each stage, in order.
    pub stages: Vec<Vec<String>>,
}

/// A trigger: `{"type": "cron", "name": ..., "schedule": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Its name, when it has one (cron jobs POST `{"trigger": name}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The kind and its field.
    #[serde(flatten)]
    pub kind: TriggerKind,
}

/// The kinds of trigger, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum TriggerKind {
    /// `POST /run`.
    Manual,
    /// A CronJob.
    Cron {
        /// The 5-field schedule, as written.
        schedule: String,
    },
    /// A NATS subscription.
    Queue {
        /// The subject.
        subject: String,
    },
    /// An HTTP webhook.
    Webhook {
        /// The path, as written.
        path: String,
    },
}

/// A node and its stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The node id.
    pub id: String,
    /// Its TypeScript file, as written in workflow.yaml.
    pub path: String,
    /// Its stage, 1-based.
    pub stage: usize,
}

/// A `from -> to` edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    /// Upstream node.
    pub from: String,
    /// Downstream node.
    pub to: String,
}
