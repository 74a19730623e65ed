use super::*;
use serde_json::json;
use tntc_spec::SourceFile;

fn workflow(triggers: &str, config: &str) -> Workflow {
    let text = format!(
        "name: queued\nversion: \"1.0\"\ntriggers:\n{triggers}\nnodes:\n  only:\n    path: nodes/only.ts\n{config}"
    );
    // No base directory: node paths are not checked against the file system.
    tntc_spec::check(&SourceFile::new("workflow.yaml", text), None)
        .unwrap_or_else(|d| panic!("test workflow is invalid: {d:?}"))
        .workflow
}

fn secrets(value: serde_json::Value) -> Secrets {
    serde_json::from_value(value).expect("secrets")
}

#[test]
fn queue_triggers_with_url_and_token_are_planned_with_their_labels() {
    let wf = workflow(
        "  - type: manual\n  - type: queue\n    subject: orders.new\n    name: orders\n  - type: queue\n    subject: jobs.>",
        "config:\n  nats_url: tls://nats.example:4222\n",
    );
    let plan = plan(&wf, &secrets(json!({"nats": {"token": "t0k"}})));
    assert_eq!(
        plan,
        QueuePlan::Connect {
            url: "tls://nats.example:4222".into(),
            token: "t0k".into(),
            triggers: vec![
                QueueTrigger {
                    subject: "orders.new".into(),
                    label: "orders".into()
                },
                QueueTrigger {
                    subject: "jobs.>".into(),
                    label: "jobs.>".into()
                },
            ],
        }
    );
    assert!(
        !format!("{plan:?}").contains("t0k"),
        "the token must not show in debug output"
    );
}

#[test]
fn missing_url_or_token_skips_the_queue_triggers_with_a_reason() {
    let wf = workflow("  - type: queue\n    subject: a", "");
    let with_token = secrets(json!({"nats": {"token": "t"}}));
    assert!(
        matches!(plan(&wf, &with_token), QueuePlan::Skip { reason } if reason.contains("config.nats_url"))
    );
    let wf = workflow(
        "  - type: queue\n    subject: a",
        "config:\n  nats_url: nats://x:4222\n",
    );
    assert!(
        matches!(plan(&wf, &Secrets::new()), QueuePlan::Skip { reason } if reason.contains("nats.token"))
    );
}

#[test]
fn a_workflow_without_queue_triggers_needs_nothing() {
    let wf = workflow(
        "  - type: manual\n  - type: cron\n    schedule: \"0 * * * *\"",
        "",
    );
    assert_eq!(plan(&wf, &Secrets::new()), QueuePlan::Nothing);
}

#[test]
fn payloads_become_inputs_as_the_original_made_them() {
    assert_eq!(
        trigger_input(br#"{"id": 7}"#, "orders"),
        json!({"id": 7, "trigger": "orders"})
    );
    assert_eq!(
        trigger_input(br#"{"trigger": "spoofed"}"#, "orders"),
        json!({"trigger": "orders"})
    );
    assert_eq!(trigger_input(b"[1, 2]", "orders"), json!([1, 2]));
    assert_eq!(trigger_input(b"42", "orders"), json!(42));
    assert_eq!(
        trigger_input(b"plain text", "jobs.run"),
        json!({"data": "plain text", "trigger": "jobs.run"})
    );
    assert_eq!(
        trigger_input(b"", "jobs.run"),
        json!({"data": "", "trigger": "jobs.run"})
    );
}
