//! The typed workflow spec: what `workflow.yaml` means once it is valid.

use std::time::Duration;

use ipnet::IpNet;
use serde::Serialize;

use crate::source::Span;

/// A valid workflow.
#[derive(Clone, Debug, Serialize)]
pub struct Workflow {
    /// Kebab-case name (`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`).
    pub name: String,
    /// `MAJOR.MINOR`, kept as written (`"1.0"`).
    pub version: String,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How runs start; at least one.
    pub triggers: Vec<Trigger>,
    /// The nodes, in document order.
    pub nodes: Vec<NodeSpec>,
    /// Data flow between nodes, in document order (input resolution depends on it).
    pub edges: Vec<Edge>,
    /// The open `config:` block with its typed fields.
    pub config: Config,
    /// Where it deploys.
    pub deployment: Deployment,
    /// Declared external dependencies and egress, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
}

impl Workflow {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeSpec> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The contract dependency with this name.
    pub fn dependency(&self, name: &str) -> Option<&Dependency> {
        self.contract
            .as_ref()?
            .dependencies
            .iter()
            .find(|d| d.name == name)
    }
}

/// How a run is started.
#[derive(Clone, Debug, Serialize)]
pub struct Trigger {
    /// Optional name (`^[a-z][a-z0-9_-]*$`), unique; cron jobs POST `{"trigger": name}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The kind and its required field.
    #[serde(flatten)]
    pub kind: TriggerKind,
    /// Span of the trigger's item.
    #[serde(skip)]
    pub span: Span,
}

/// The kinds of trigger and what each needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum TriggerKind {
    /// `POST /run`.
    Manual,
    /// A Kubernetes CronJob on a 5-field schedule.
    Cron {
        /// The schedule, as written.
        schedule: String,
    },
    /// A NATS subscription.
    Queue {
        /// The NATS subject.
        subject: String,
    },
    /// An HTTP webhook path (roadmap in the original).
    Webhook {
        /// The path, as written.
        path: String,
    },
}

impl TriggerKind {
    /// `manual`, `cron`, `queue` or `webhook`.
    pub fn type_name(&self) -> &'static str {
        match self {
            TriggerKind::Manual => "manual",
            TriggerKind::Cron { .. } => "cron",
            TriggerKind::Queue { .. } => "queue",
            TriggerKind::Webhook { .. } => "webhook",
        }
    }
}

/// One node of the DAG.
#[derive(Clone, Debug, Serialize)]
pub struct NodeSpec {
    /// The node id (its key under `nodes:`).
    pub id: String,
    /// Path of the TypeScript file, as written, relative to the workflow directory.
    pub path: String,
    /// Legacy per-node capabilities (`net: "api.example.com"`), kept as written.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub capabilities: serde_json::Map<String, serde_json::Value>,
    /// Hosts from `capabilities.net`, split and trimmed.
    #[serde(skip)]
    pub net: Vec<String>,
    /// Contract dependencies this node may use (tntc extension). `None`: the whole contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
    /// Memory limit for this node's sandbox in bytes (tntc extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Per-attempt timeout overriding `config.timeout` (tntc extension).
    #[serde(skip_serializing_if = "Option::is_none", with = "duration_ms_opt")]
    pub timeout: Option<Duration>,
    /// Span of the node's key.
    #[serde(skip)]
    pub span: Span,
    /// Span of the `path` value.
    #[serde(skip)]
    pub path_span: Span,
}

/// A `from -> to` edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// Upstream node.
    pub from: String,
    /// Downstream node.
    pub to: String,
    /// Span of the edge item.
    #[serde(skip)]
    pub span: Span,
}

/// How the executor schedules nodes (tntc extension `config.scheduling`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheduling {
    /// As the original: stage after stage, the nodes of a stage concurrently.
    #[default]
    Stages,
    /// A node starts as soon as all its predecessors finished.
    Dataflow,
}

/// The `config:` block: typed fields plus every key as written.
#[derive(Clone, Debug, Serialize)]
pub struct Config {
    /// Per-attempt node timeout (default 30 s).
    #[serde(with = "duration_ms")]
    pub timeout: Duration,
    /// Extra attempts after a failure (default 0).
    pub retries: u32,
    /// Default sandbox memory limit in bytes (tntc extension `config.memory`, e.g. `128Mi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Optional CPU budget per node attempt, in wasmtime fuel units (tntc extension `config.fuel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Executor scheduling (tntc extension).
    pub scheduling: Scheduling,
    /// The whole block as written: what nodes see as `ctx.config`.
    pub raw: serde_json::Map<String, serde_json::Value>,
}

impl Config {
    /// Default per-attempt timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
}

impl Default for Config {
    fn default() -> Config {
        Config {
            timeout: Config::DEFAULT_TIMEOUT,
            retries: 0,
            memory: None,
            fuel: None,
            scheduling: Scheduling::Stages,
            raw: serde_json::Map::new(),
        }
    }
}

/// The `deployment:` block.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Deployment {
    /// Target namespace (CLI `-n` wins over it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The `contract:` block.
#[derive(Clone, Debug, Serialize)]
pub struct Contract {
    /// Always `"1"`.
    pub version: String,
    /// Declared dependencies, in document order.
    pub dependencies: Vec<Dependency>,
    /// Extra egress for the NetworkPolicy.
    #[serde(rename = "additionalEgress")]
    pub additional_egress: Vec<EgressRule>,
}

/// A declared external dependency.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// Its name under `contract.dependencies`.
    pub name: String,
    /// `https`, `postgresql`, `nats`, `blob`, ...
    pub protocol: String,
    /// Host name (absent for dynamic targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port as written, if any; see [`Dependency::port`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// PostgreSQL database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// PostgreSQL user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// PostgreSQL TLS mode (tntc extension): `disable`, `prefer` (the default: TLS when
    /// the server offers it, without certificate checks, as libpq), `require` (TLS, no
    /// certificate checks) or `verify-full` (TLS, certificate chain and host name checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sslmode: Option<String>,
    /// NATS subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Blob container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// For `type: dynamic-target`: the allowed network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic: Option<DynamicTarget>,
    /// Span of the dependency's key.
    #[serde(skip)]
    pub span: Span,
}

impl Dependency {
    /// The port, defaulted by protocol: https 443, postgresql 5432, nats 4222, else 443.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.protocol.as_str() {
            "postgresql" => 5432,
            "nats" => 4222,
            _ => 443,
        })
    }
}

/// `auth:` of a dependency.
#[derive(Clone, Debug, Serialize)]
pub struct Auth {
    /// Any string (`bearer-token`, `api-key`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the credential lives in the secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretRef>,
}

/// A `service.key` reference into the secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretRef {
    /// The service (first part).
    pub service: String,
    /// The key (second part).
    pub key: String,
}

/// A dependency whose address is only known at run time, bounded by a CIDR and ports.
#[derive(Clone, Debug, Serialize)]
pub struct DynamicTarget {
    /// The network the resolved address must be in.
    pub cidr: IpNet,
    /// Allowed ports.
    pub ports: Vec<PortSpec>,
}

/// `443/TCP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PortSpec {
    /// The port number.
    pub port: u16,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: PortProtocol,
}

impl std::fmt::Display for PortSpec {
    /// `443/TCP`, as written in workflow.yaml.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let protocol = match self.protocol {
            PortProtocol::Tcp => "TCP",
            PortProtocol::Udp => "UDP",
            PortProtocol::Sctp => "SCTP",
        };
        write!(f, "{}/{protocol}", self.port)
    }
}

/// Transport protocol of a [`PortSpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PortProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

/// One `networkPolicy.additionalEgress` item.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressRule {
    /// Destination network.
    #[serde(rename = "toCIDR")]
    pub to_cidr: IpNet,
    /// Allowed ports (all when empty).
    pub ports: Vec<PortSpec>,
    /// Why it is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

mod duration_ms {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }
}

mod duration_ms_opt {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::duration_ms::serialize(d, s),
            None => s.serialize_none(),
        }
    }
}
