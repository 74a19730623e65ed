//! The names of a workflow's objects, and the limits Kubernetes puts on them.

use crate::Service;
use crate::error::ManifestError;
use k8s_openapi::Resource as _;

/// The names of a workflow's objects.
pub(crate) struct Names {
    /// The ConfigMap: `<wf>-code`.
    pub code: String,
    /// The Secret: `<wf>-secrets`.
    pub secrets: String,
    /// The NetworkPolicy: `<wf>-netpol`.
    pub netpol: String,
}

impl Names {
    /// A Service name is a DNS-1035 label (63 characters), and so is the name label.
    const WORKFLOW_LIMIT: usize = 63;

    pub(crate) fn of(workflow: &str) -> Result<Names, ManifestError> {
        let names = Names {
            code: format!("{workflow}-code"),
            secrets: format!("{workflow}-secrets"),
            netpol: format!("{workflow}-netpol"),
        };
        names.check(Service::KIND, workflow, Names::WORKFLOW_LIMIT)?;
        Ok(names)
    }

    pub(crate) fn check(
        &self,
        kind: &'static str,
        name: &str,
        limit: usize,
    ) -> Result<(), ManifestError> {
        if name.len() > limit {
            return Err(ManifestError::NameTooLong {
                kind,
                name: name.to_owned(),
                limit,
            });
        }
        Ok(())
    }
}
