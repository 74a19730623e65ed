//! The logs of every pod of a workflow, through the API server (which asks each pod's
//! kubelet), optionally followed; lines of several pods are interleaved as they come.

use futures_util::{AsyncBufReadExt, StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::LogParams;

use crate::{Cluster, ClusterError, Op};

/// What to fetch.
#[derive(Clone, Copy, Debug)]
pub struct LogOptions {
    /// Lines from the end of each pod's log.
    pub tail: i64,
    /// Keep streaming new lines until the pods' logs end (or the caller stops).
    pub follow: bool,
}

/// One line of one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// The pod.
    pub pod: String,
    /// The line, without its newline.
    pub line: String,
}

impl Cluster {
    /// The pods' names (running ones first), then every line through `sink`. Errors when
    /// the workflow has no pods.
    pub async fn logs(
        &self,
        namespace: &str,
        name: &str,
        options: LogOptions,
        mut start: impl FnMut(&[String]),
        mut sink: impl FnMut(LogLine),
    ) -> Result<(), ClusterError> {
        let pods: Vec<String> = self
            .pods(namespace, name)
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect();
        if pods.is_empty() {
            let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
                Api::namespaced(self.client.clone(), namespace);
            let get = Op::on("get", crate::Kind::Deployment, namespace).named(name);
            if deployments
                .get_opt(name)
                .await
                .map_err(|e| self.err(e, &get))?
                .is_none()
            {
                return Err(self.not_found(namespace, name).await);
            }
            return Err(ClusterError::NoPods {
                name: name.to_owned(),
                namespace: namespace.to_owned(),
            });
        }
        start(&pods);
        let api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let params = LogParams {
            follow: options.follow,
            tail_lines: Some(options.tail),
            ..LogParams::default()
        };
        let mut streams = Vec::new();
        for pod in &pods {
            let op = Op::new("get", "pods/log", namespace).named(pod);
            let reader = api
                .log_stream(pod, &params)
                .await
                .map_err(|e| self.err(e, &op))?;
            let pod = pod.clone();
            let server = self.server.clone();
            streams.push(reader.lines().map(move |line| {
                line.map(|line| LogLine {
                    pod: pod.clone(),
                    line,
                })
                .map_err(|e| ClusterError::Unreachable {
                    server: server.clone(),
                    op: op.clone(),
                    reason: e.to_string(),
                })
            }));
        }
        let mut merged = stream::select_all(streams);
        while let Some(line) = merged.try_next().await? {
            sink(line);
        }
        Ok(())
    }
}
