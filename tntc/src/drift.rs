//! Contract drift: the dependencies a node's code uses against what workflow.yaml declares.
//!
//! Two tools look for it. `tntc validate` reads the code: every `ctx.dependency("<name>")`
//! named by a string literal (the compiler front end records where). `tntc test` watches the
//! nodes run: the test-mode context records each dependency a node asks for, and a node that
//! asks for one outside its view throws the original's "not declared in contract" message.
//! Both classify a use with [`Drift::check`], so they agree on what is wrong and what to do.
//!
//! A use is drift when, at run time, `ctx.dependency(name)` would throw:
//! - the contract does not declare `name` (an error);
//! - the node lists its dependencies (`nodes.<id>.dependencies`) without `name` (an error: the
//!   host gives the node only the listed ones);
//! - the workflow has no contract at all (a warning: the original's test runner mocks every
//!   dependency of such a workflow, so its fixtures keep passing, but runs throw).
//!
//! The reverse, a declared dependency no node used, is [`unused`]: only a warning, and only
//! meaningful when every node ran.

use std::collections::BTreeSet;

use tntc_compiler::{Location, TranspiledNode};
use tntc_spec::{NodeSpec, Workflow};

/// Why a dependency use would fail at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriftKind {
    /// `contract.dependencies` does not declare it.
    Undeclared,
    /// The contract declares it, but `nodes.<id>.dependencies` does not list it.
    NotListed,
    /// The workflow has no contract.
    NoContract,
}

impl DriftKind {
    /// What `-o json` names it.
    pub fn report(self) -> tntc_report::test::DriftKind {
        match self {
            DriftKind::Undeclared => tntc_report::test::DriftKind::Undeclared,
            DriftKind::NotListed => tntc_report::test::DriftKind::NotListed,
            DriftKind::NoContract => tntc_report::test::DriftKind::NoContract,
        }
    }
}

/// One dependency a node uses that it would not get at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// The node.
    pub node: String,
    /// The dependency name it uses.
    pub dependency: String,
    /// What is missing.
    pub kind: DriftKind,
}

impl Drift {
    /// Classifies `node`'s use of dependency `name`; `None` when the node gets it at run time.
    pub fn check(workflow: &Workflow, node: &NodeSpec, name: &str) -> Option<Drift> {
        let kind = if workflow.contract.is_none() {
            DriftKind::NoContract
        } else if workflow.dependency(name).is_none() {
            DriftKind::Undeclared
        } else if node
            .dependencies
            .as_ref()
            .is_some_and(|listed| !listed.iter().any(|d| d == name))
        {
            DriftKind::NotListed
        } else {
            return None;
        };
        Some(Drift {
            node: node.id.clone(),
            dependency: name.to_string(),
            kind,
        })
    }

    /// Whether this fails validation and tests (everything but a missing contract).
    pub fn is_error(&self) -> bool {
        self.kind != DriftKind::NoContract
    }

    /// One sentence: what is wrong.
    pub fn message(&self) -> String {
        let (node, name) = (&self.node, &self.dependency);
        match self.kind {
            DriftKind::Undeclared => format!(
                "node \"{node}\" uses dependency \"{name}\", which contract.dependencies does not declare"
            ),
            DriftKind::NotListed => format!(
                "node \"{node}\" uses dependency \"{name}\", which nodes.{node}.dependencies does not list"
            ),
            DriftKind::NoContract => format!(
                "node \"{node}\" uses dependency \"{name}\", but the workflow has no contract"
            ),
        }
    }

    /// A short label for the code it points at.
    pub fn label(&self) -> &'static str {
        match self.kind {
            DriftKind::Undeclared => "not in contract.dependencies",
            DriftKind::NotListed => "not in the node's dependencies",
            DriftKind::NoContract => "no contract declares it",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        let (node, name) = (&self.node, &self.dependency);
        match self.kind {
            DriftKind::Undeclared => format!(
                "declare it under contract.dependencies in workflow.yaml: at run time ctx.dependency(\"{name}\") throws"
            ),
            DriftKind::NotListed => format!(
                "add \"{name}\" to nodes.{node}.dependencies: at run time the node sees only the dependencies listed there"
            ),
            DriftKind::NoContract => format!(
                "add `contract: {{version: \"1\", dependencies: {{{name}: {{protocol: https, host: ...}}}}}}`: tests mock every dependency of a workflow without a contract, but at run time ctx.dependency(\"{name}\") throws"
            ),
        }
    }
}

/// The drift in the literal `ctx.dependency("<name>")` calls of transpiled nodes, each with
/// where its name is first used; nodes in the order given, names sorted.
pub fn in_code<'a>(workflow: &Workflow, nodes: &'a [TranspiledNode]) -> Vec<(Drift, &'a Location)> {
    let mut found = Vec::new();
    for node in nodes {
        let Some(spec) = workflow.nodes.iter().find(|n| n.id == node.node_id) else {
            continue;
        };
        for (name, at) in &node.dependency_use.literal_locations {
            if let Some(drift) = Drift::check(workflow, spec, name) {
                found.push((drift, at));
            }
        }
    }
    found
}

/// The dependency name in the message `ctx.dependency` throws for a name outside the node's
/// view (`Dependency "<name>" not declared in contract. ...`, or `... is declared in the
/// contract but not available to node ...` for a name its scope leaves out).
pub fn thrown_dependency(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("Dependency \"")?;
    let (name, tail) = rest.split_once('"')?;
    (tail.starts_with(" not declared in contract.")
        || tail.starts_with(" is declared in the contract but not available to node"))
    .then_some(name)
}

/// Contract dependencies that are not in `used`, in declaration order.
pub fn unused(workflow: &Workflow, used: &BTreeSet<String>) -> Vec<String> {
    workflow
        .contract
        .iter()
        .flat_map(|c| c.dependencies.iter())
        .filter(|d| !used.contains(&d.name))
        .map(|d| d.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(yaml: &str) -> Workflow {
        let source = tntc_spec::SourceFile::new("workflow.yaml", yaml);
        match tntc_spec::check(&source, None) {
            Ok(checked) => checked.workflow,
            Err(diagnostics) => panic!("invalid test workflow: {diagnostics:?}"),
        }
    }

    const CONTRACT: &str = "name: d\nversion: \"1.0\"\ntriggers: [{type: manual}]\nnodes:\n  free: {path: ./a.ts}\n  listed: {path: ./b.ts, dependencies: [api]}\ncontract:\n  version: \"1\"\n  dependencies:\n    api: {protocol: https, host: api.example.com}\n    db: {protocol: https, host: db.example.com}\n";

    fn node<'a>(wf: &'a Workflow, id: &str) -> &'a NodeSpec {
        wf.nodes.iter().find(|n| n.id == id).expect("node")
    }

    #[test]
    fn uses_are_classified_against_the_contract_and_the_node_list() {
        let wf = workflow(CONTRACT);
        assert_eq!(Drift::check(&wf, node(&wf, "free"), "db"), None);
        assert_eq!(Drift::check(&wf, node(&wf, "listed"), "api"), None);
        let kind = |n: &str, d: &str| Drift::check(&wf, node(&wf, n), d).map(|d| d.kind);
        assert_eq!(kind("free", "github"), Some(DriftKind::Undeclared));
        assert_eq!(kind("listed", "db"), Some(DriftKind::NotListed));
    }

    #[test]
    fn without_a_contract_every_use_is_only_a_warning() {
        let wf = workflow(
            "name: d\nversion: \"1.0\"\ntriggers: [{type: manual}]\nnodes:\n  free: {path: ./a.ts}\n",
        );
        let drift = Drift::check(&wf, node(&wf, "free"), "api").expect("drift");
        assert_eq!(drift.kind, DriftKind::NoContract);
        assert!(!drift.is_error());
    }

    #[test]
    fn the_name_is_read_back_from_the_thrown_message() {
        let message = "Dependency \"git-hub\" not declared in contract. Add it to workflow.yaml contract.dependencies.";
        assert_eq!(thrown_dependency(message), Some("git-hub"));
        assert_eq!(thrown_dependency("Dependency \"x\" failed"), None);
        assert_eq!(thrown_dependency("boom"), None);
    }

    #[test]
    fn unused_lists_declared_names_in_contract_order() {
        let wf = workflow(CONTRACT);
        let used = BTreeSet::from(["api".to_string()]);
        assert_eq!(unused(&wf, &used), ["db"]);
    }
}
