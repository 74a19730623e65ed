//! Finding the cluster: kubeconfig (`KUBECONFIG`, `~/.kube/config`) with a context, else the
//! pod's service account.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

use crate::{Cluster, ClusterError};

/// How to connect.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// `--context`: a context of the kubeconfig instead of its current one.
    pub context: Option<String>,
    /// `--kubeconfig`: this file instead of `KUBECONFIG` / `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
}

/// A connection attempt gives up after this long (a black-holed address would otherwise hang
/// for the client's 30 s default).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Cluster {
    /// Reads the kubeconfig (or the in-cluster service account) and makes a client. Does not
    /// contact the server: the first operation does, and says so when it cannot.
    pub async fn connect(options: &ConnectOptions) -> Result<Cluster, ClusterError> {
        let mut config = match kubeconfig(options.kubeconfig.as_deref())? {
            Some(kubeconfig) => {
                if let Some(context) = &options.context
                    && !kubeconfig.contexts.iter().any(|c| &c.name == context)
                {
                    let available: Vec<&str> = kubeconfig
                        .contexts
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect();
                    return Err(ClusterError::NoSuchContext {
                        context: context.clone(),
                        available: if available.is_empty() {
                            "no contexts".into()
                        } else {
                            available.join(", ")
                        },
                    });
                }
                let kube_options = KubeConfigOptions {
                    context: options.context.clone(),
                    ..KubeConfigOptions::default()
                };
                kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                    .await
                    .map_err(boxed)?
            }
            None if options.context.is_none() && in_cluster() => {
                kube::Config::incluster().map_err(boxed)?
            }
            None => {
                return Err(ClusterError::NoKubeconfig {
                    looked: looked_at(),
                });
            }
        };
        config.connect_timeout = Some(CONNECT_TIMEOUT);
        let server = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_owned();
        let client = kube::Client::try_from(config).map_err(boxed)?;
        Ok(Cluster {
            client,
            server,
            cronjob_version: Default::default(),
        })
    }
}

/// The merged kubeconfig, `None` when there is none to read.
fn kubeconfig(path: Option<&std::path::Path>) -> Result<Option<Kubeconfig>, ClusterError> {
    if let Some(path) = path {
        return Kubeconfig::read_from(path).map(Some).map_err(boxed);
    }
    match Kubeconfig::read() {
        Ok(config) => Ok(Some(config)),
        Err(KubeconfigError::FindPath) => Ok(None),
        Err(KubeconfigError::ReadConfig(err, _)) if err.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(other) => Err(boxed(other)),
    }
}

fn in_cluster() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
        && std::path::Path::new("/var/run/secrets/kubernetes.io/serviceaccount/token").exists()
}

fn looked_at() -> String {
    match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(value) => format!("KUBECONFIG ({})", value.to_string_lossy()),
        None => std::env::home_dir()
            .map(|home| home.join(".kube").join("config"))
            .unwrap_or_else(|| PathBuf::from("~/.kube/config"))
            .display()
            .to_string(),
    }
}

fn boxed(err: impl std::error::Error + Send + Sync + 'static) -> ClusterError {
    ClusterError::Kubeconfig {
        source: Box::new(err),
    }
}
