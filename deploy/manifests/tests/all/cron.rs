//! CronJobs: one per cron trigger, named and shaped as the original's, with a restricted pod.

use serde_json::{Value, json};
use tntc_manifests::{PodSpec, pss_restricted_violations};

use super::support::{bundle, names, object, render, workflow};

fn job_pod(cron: &Value) -> Value {
    cron["spec"]["jobTemplate"]["spec"]["template"].clone()
}

#[test]
fn one_cron_trigger_is_wf_cron_posting_its_name() {
    let dir = bundle(&workflow(
        "daily",
        "  - type: cron\n    name: morning\n    schedule: \"0 7 * * 1-5\"\n  - type: manual\n",
        "",
    ));
    let manifests = render(dir.path());
    let cron = object(&manifests, "CronJob", "daily-cron");
    assert_eq!(cron["spec"]["schedule"], "0 7 * * 1-5");
    assert_eq!(cron["spec"]["concurrencyPolicy"], "Forbid");
    assert_eq!(cron["spec"]["successfulJobsHistoryLimit"], 3);
    assert_eq!(cron["spec"]["failedJobsHistoryLimit"], 3);
    let pod = job_pod(&cron);
    assert_eq!(
        pod["metadata"]["labels"],
        json!({"app.kubernetes.io/managed-by": "tentacular", "tentacular.dev/role": "trigger", "tentacular.dev/workflow": "daily"}),
        "never the name label the Service selects"
    );
    let container = &pod["spec"]["containers"][0];
    assert_eq!(container["image"], tntc_manifests::TRIGGER_IMAGE);
    assert_eq!(container["command"], json!(["curl"]));
    assert_eq!(
        container["args"],
        json!([
            "-sSf",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            "{\"trigger\":\"morning\"}",
            "http://daily.team-a.svc:8080/run"
        ])
    );
    assert_eq!(
        container["resources"]["limits"],
        json!({"cpu": "100m", "memory": "32Mi"})
    );
    assert_eq!(pod["spec"]["restartPolicy"], "OnFailure");
    let spec: PodSpec = serde_json::from_value(pod["spec"].clone()).expect("pod spec");
    assert_eq!(pss_restricted_violations(&spec), []);
}

#[test]
fn several_cron_triggers_are_numbered_and_an_unnamed_one_posts_an_empty_object() {
    let dir = bundle(&workflow(
        "multi",
        "  - type: cron\n    schedule: \"@hourly\"\n  - type: manual\n  - type: cron\n    name: nightly\n    schedule: \"0 2 * * *\"\n",
        "",
    ));
    let manifests = render(dir.path());
    assert_eq!(
        names(&manifests)
            .into_iter()
            .filter(|n| n.starts_with("CronJob/"))
            .collect::<Vec<_>>(),
        ["CronJob/multi-cron-0", "CronJob/multi-cron-1"]
    );
    let body = |name: &str| {
        job_pod(&object(&manifests, "CronJob", name))["spec"]["containers"][0]["args"][6].clone()
    };
    assert_eq!(body("multi-cron-0"), "{}");
    assert_eq!(body("multi-cron-1"), "{\"trigger\":\"nightly\"}");
}
