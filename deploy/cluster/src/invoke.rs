//! Running a deployed workflow once through the API server's service proxy:
//! `POST /api/v1/namespaces/{ns}/services/{name}:8080/proxy/run`. The original started a curl
//! pod for this and printed its log; the proxy needs no pod, no image pull and no cleanup,
//! and returns the engine's answer as it is (200 with the ExecutionResult, or 500 with the
//! failed one).

use std::time::Duration;

use serde_json::Value;

use crate::{Cluster, ClusterError, Op};

impl Cluster {
    /// POSTs `input` to the workflow's `/run` and returns the engine's ExecutionResult JSON
    /// (with `success: false` when a node failed: that is an answer, not an error).
    pub async fn invoke(
        &self,
        namespace: &str,
        name: &str,
        input: &Value,
        timeout: Duration,
    ) -> Result<Value, ClusterError> {
        let path = format!("/api/v1/namespaces/{namespace}/services/{name}:8080/proxy/run");
        let op = Op::new("create", "services/proxy", namespace).named(name);
        let request = http::Request::post(&path)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(kube::client::Body::from(input.to_string().into_bytes()))
            .expect("a valid request");
        let exchange = async {
            let response = self
                .client
                .send(request)
                .await
                .map_err(|e| self.err(e, &op))?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect_bytes()
                .await
                .map_err(|e| self.err(e, &op))?;
            Ok::<_, ClusterError>((status, body))
        };
        let (status, body) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| ClusterError::RunTimedOut {
                name: name.to_owned(),
                seconds: timeout.as_secs(),
            })??;
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        match json {
            // The engine answered (200 success, 500 a failed run): its ExecutionResult.
            Some(result) if result.get("success").is_some() => Ok(result),
            // The API server answered for itself: a Status.
            Some(status_json)
                if status_json.get("kind").and_then(Value::as_str) == Some("Status") =>
            {
                let status: kube::core::Status = serde_json::from_value(status_json)
                    .unwrap_or_else(|_| kube::core::Status::failure("unreadable Status", ""));
                Err(self.proxy_refusal(namespace, name, status, &op).await)
            }
            _ => Err(ClusterError::RunUnavailable {
                name: name.to_owned(),
                namespace: namespace.to_owned(),
                message: format!(
                    "the answer ({status}) is not an ExecutionResult: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(300)
                        .collect::<String>()
                ),
                help: format!("`tntc logs {name}` shows what the engine did"),
            }),
        }
    }

    async fn proxy_refusal(
        &self,
        namespace: &str,
        name: &str,
        status: kube::core::Status,
        op: &Op,
    ) -> ClusterError {
        match status.code {
            // No Service, or a Service without an Endpoints object yet.
            404 => {
                let message = status.message.clone();
                let err = self.err(kube::Error::Api(Box::new(status)), op);
                if matches!(err, ClusterError::NamespaceMissing { .. }) {
                    return err;
                }
                let deployments: kube::Api<k8s_openapi::api::apps::v1::Deployment> =
                    kube::Api::namespaced(self.client.clone(), namespace);
                match deployments.get_opt(name).await {
                    Ok(Some(_)) => ClusterError::RunUnavailable {
                        name: name.to_owned(),
                        namespace: namespace.to_owned(),
                        message,
                        help: format!(
                            "no pod of {name} is ready to take the run: `tntc status {name}` shows why"
                        ),
                    },
                    _ => self.not_found(namespace, name).await,
                }
            }
            503 => ClusterError::RunUnavailable {
                name: name.to_owned(),
                namespace: namespace.to_owned(),
                message: status.message,
                help: format!(
                    "no pod of {name} is ready to take the run: `tntc status {name}` shows why"
                ),
            },
            _ => self.err(kube::Error::Api(Box::new(status)), op),
        }
    }
}
