//! One CronJob per cron trigger, as in the original: named `<wf>-cron` when there is one,
//! `<wf>-cron-<i>` (0-based, in trigger order) when there are several; `Forbid`, history
//! 3/3; its pod POSTs `{"trigger": "<name>"}` (`{}` for an unnamed trigger) to the
//! workflow's Service.
//!
//! The trigger pod runs curl ([`TRIGGER_IMAGE`], a pinned release of the original's
//! `curlimages/curl`) under the same restricted securityContext as the workflow's pod, so
//! the namespace can enforce Pod Security Standards *restricted* for everything tntc makes.
//! Its labels are `tentacular.dev/role: trigger`, managed-by and [`WORKFLOW_LABEL`]: never
//! the name label, or the Service would send requests to it.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, PodSecurityContext, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use tntc_spec::{Trigger, TriggerKind, Workflow};

use crate::workload::{NOBODY, resources, restricted_container_context, runtime_default_seccomp};
use crate::{
    CronJob, MANAGED_BY, MANAGED_BY_LABEL, PORT, ROLE_LABEL, TRIGGER_IMAGE, TRIGGER_ROLE,
    WORKFLOW_LABEL,
};

/// A CronJob name is at most 52 characters: its Jobs get an 11-character suffix.
pub(crate) const NAME_LIMIT: usize = 52;

/// A cron trigger and the name of its CronJob.
pub(crate) struct CronTrigger<'a> {
    /// `<wf>-cron` or `<wf>-cron-<i>`.
    pub job_name: String,
    /// The schedule.
    pub schedule: &'a str,
    /// The trigger.
    pub trigger: &'a Trigger,
}

/// The cron triggers of `wf`, in trigger order, each with its CronJob's name.
pub(crate) fn cron_triggers(wf: &Workflow) -> Vec<CronTrigger<'_>> {
    let crons: Vec<(&Trigger, &str)> = wf
        .triggers
        .iter()
        .filter_map(|t| match &t.kind {
            TriggerKind::Cron { schedule } => Some((t, schedule.as_str())),
            _ => None,
        })
        .collect();
    let alone = crons.len() == 1;
    crons
        .into_iter()
        .enumerate()
        .map(|(i, (trigger, schedule))| CronTrigger {
            job_name: if alone {
                format!("{}-cron", wf.name)
            } else {
                format!("{}-cron-{i}", wf.name)
            },
            schedule,
            trigger,
        })
        .collect()
}

/// The body a trigger POSTs: `{"trigger":"<name>"}`, or `{}` when unnamed.
pub(crate) fn trigger_body(trigger: &Trigger) -> String {
    match &trigger.name {
        Some(name) => serde_json::json!({ "trigger": name }).to_string(),
        None => "{}".to_owned(),
    }
}

/// The Service URL of the workflow's `/run`. `<svc>.<ns>.svc` resolves through the pod's
/// DNS search path on every cluster domain (the original wrote `.svc.cluster.local`).
pub(crate) fn run_url(workflow: &str, namespace: &str) -> String {
    format!("http://{workflow}.{namespace}.svc:{PORT}/run")
}

/// The CronJob of one cron trigger (`meta` names it).
pub(crate) fn cron_job(
    meta: ObjectMeta,
    wf: &Workflow,
    cron: &CronTrigger<'_>,
    namespace: &str,
) -> CronJob {
    let trigger = cron.trigger;
    let pod_labels = BTreeMap::from([
        (ROLE_LABEL.to_owned(), TRIGGER_ROLE.to_owned()),
        (MANAGED_BY_LABEL.to_owned(), MANAGED_BY.to_owned()),
        (WORKFLOW_LABEL.to_owned(), wf.name.clone()),
    ]);
    let container = Container {
        name: "trigger".into(),
        image: Some(TRIGGER_IMAGE.into()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["curl".into()]),
        // -f: a failed run (HTTP 500) fails the Job; -sS: quiet, but errors are logged.
        args: Some(
            [
                "-sSf",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                &trigger_body(trigger),
                &run_url(&wf.name, namespace),
            ]
            .map(String::from)
            .to_vec(),
        ),
        security_context: Some(restricted_container_context()),
        resources: Some(resources(("16Mi", "10m"), ("32Mi", "100m"))),
        ..Container::default()
    };
    let pod = PodSpec {
        restart_policy: Some("OnFailure".into()),
        automount_service_account_token: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(NOBODY),
            run_as_group: Some(NOBODY),
            seccomp_profile: Some(runtime_default_seccomp()),
            ..PodSecurityContext::default()
        }),
        containers: vec![container],
        ..PodSpec::default()
    };
    CronJob {
        metadata: meta,
        spec: Some(CronJobSpec {
            schedule: cron.schedule.to_owned(),
            concurrency_policy: Some("Forbid".into()),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(JobSpec {
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(pod_labels),
                            ..ObjectMeta::default()
                        }),
                        spec: Some(pod),
                    },
                    ..JobSpec::default()
                }),
            },
            ..CronJobSpec::default()
        }),
        status: None,
    }
}
