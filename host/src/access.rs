//! What one node may reach and see: its egress policy, its PostgreSQL policy, its view of
//! the secrets, and the `dependencies` its `ctx.dependency(...)` can return.
//!
//! A node's **scope** is, in order of precedence:
//! 1. the dependencies workflow.yaml lists for it (`nodes.<id>.dependencies`, a tntc extension);
//! 2. the dependencies `tntc build` found in its code (string-literal `ctx.dependency("x")`
//!    calls), unless the code names a dependency or a secrets service with a non-literal
//!    expression;
//! 3. the whole contract, as in the original.
//!
//! A scoped node reaches only its dependencies' hosts (plus its own `capabilities.net`) and
//! sees only the secrets those dependencies reference; an inferred scope adds the services
//! its code names (legacy `ctx.fetch(service, ...)` calls, `ctx.secrets.<service>` reads),
//! and the postgresql dependencies whose `auth.secret` service the code reads.
//! Another node's secrets are simply not in its sandbox: there is nothing to steal.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use tntc_abi::DependencyView;
use tntc_fetch::{EgressPolicy, PolicyError};
use tntc_postgres::{PgPolicy, PgTarget, SslMode};
use tntc_spec::{Dependency, NodeSpec, Workflow};

use crate::secrets::Secrets;

pub use tntc_bundle::CodeUses;

/// How a node's scope was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `nodes.<id>.dependencies` in workflow.yaml.
    Declared,
    /// Found in the node's code at build time.
    Inferred,
    /// The whole contract (no declaration, or the code names dependencies dynamically).
    WholeContract,
}

/// The result of scoping one node.
#[derive(Debug)]
pub struct NodeAccess {
    /// Where the node's fetches may go.
    pub policy: EgressPolicy,
    /// The databases the node's `jsr:@db/postgres` clients may reach.
    pub postgres: PgPolicy,
    /// The secrets in the node's sandbox (`ctx.secrets`).
    pub secrets: Secrets,
    /// `ctx.dependency(name)` data for the dependencies in scope, secrets resolved.
    pub dependencies: BTreeMap<String, DependencyView>,
    /// How the scope was decided.
    pub scope: Scope,
    /// The dependency names in scope.
    pub in_scope: Vec<String>,
    /// Contract dependencies outside the scope (named, so `ctx.dependency` can say why it
    /// refuses them; nothing else about them reaches the sandbox).
    pub out_of_scope: Vec<String>,
}

/// Computes `node`'s access.
pub fn node_access(
    workflow: &Workflow,
    node: &NodeSpec,
    uses: Option<&CodeUses>,
    secrets: &Secrets,
) -> Result<NodeAccess, PolicyError> {
    let contract: Vec<&Dependency> = workflow
        .contract
        .iter()
        .flat_map(|c| c.dependencies.iter())
        .collect();
    let (scope, names): (Scope, Vec<String>) = match (
        &node.dependencies,
        uses.and_then(|u| u.dependencies.as_ref()),
    ) {
        (Some(declared), _) => (Scope::Declared, declared.clone()),
        (None, Some(found)) => {
            // Only names the contract declares: an undeclared name fails in the node with the
            // original's message, and `tntc validate` reports it.
            let mut names: Vec<String> = found
                .iter()
                .filter(|n| contract.iter().any(|d| &d.name == *n))
                .cloned()
                .collect();
            // A postgresql dependency whose secret the code reads (`ctx.secrets.postgres`, as
            // the original's nodes connect with `password: ctx.secrets.postgres.password`) is
            // used by that code even though it never calls `ctx.dependency`.
            let services = uses.map(|u| &u.services);
            for dep in &contract {
                let reads_its_secret = dep.protocol == "postgresql"
                    && dep
                        .auth
                        .as_ref()
                        .and_then(|a| a.secret.as_ref())
                        .is_some_and(|s| services.is_some_and(|set| set.contains(&s.service)));
                if reads_its_secret && !names.contains(&dep.name) {
                    names.push(dep.name.clone());
                }
            }
            (Scope::Inferred, names)
        }
        (None, None) => (
            Scope::WholeContract,
            contract.iter().map(|d| d.name.clone()).collect(),
        ),
    };
    let visible: Vec<&Dependency> = contract
        .iter()
        .copied()
        .filter(|d| names.contains(&d.name))
        .collect();

    let mut policy = EgressPolicy::new(node.id.clone());
    for dep in &visible {
        if let Some(dynamic) = &dep.dynamic {
            let ports: Vec<String> = dynamic.ports.iter().map(ToString::to_string).collect();
            policy.allow_dynamic_target(&dynamic.cidr.to_string(), &ports)?;
        } else if dep.protocol == "https"
            && let Some(host) = &dep.host
        {
            policy.allow_https_dependency(host, dep.port)?;
        }
    }
    for entry in &node.net {
        policy.allow_capability_net(entry)?;
    }

    let secrets_view = match scope {
        Scope::WholeContract => secrets.clone(),
        Scope::Declared | Scope::Inferred => {
            let mut services: BTreeSet<String> = visible
                .iter()
                .filter_map(|d| d.auth.as_ref()?.secret.as_ref().map(|s| s.service.clone()))
                .collect();
            // A declared scope is what workflow.yaml grants, whatever the code names: code
            // that reads `ctx.secrets.other` must not widen it. An inferred scope is the
            // code's own reads and legacy `ctx.fetch` services.
            if let (Scope::Inferred, Some(uses)) = (scope, uses) {
                services.extend(uses.services.iter().cloned());
            }
            secrets.restrict(services)
        }
    };

    let dependencies: BTreeMap<String, DependencyView> = visible
        .iter()
        .map(|d| (d.name.clone(), dependency_view(d, &secrets_view)))
        .collect();
    let mut postgres = PgPolicy::new(node.id.clone());
    for dep in &contract {
        if dep.protocol != "postgresql" || dep.dynamic.is_some() {
            continue;
        }
        let (Some(host), Some(database), Some(user)) = (&dep.host, &dep.database, &dep.user) else {
            // `tntc validate` reports the missing field; such a dependency reaches nothing.
            continue;
        };
        let Some(view) = dependencies.get(&dep.name) else {
            postgres.out_of_scope(dep.name.clone());
            continue;
        };
        postgres.allow(PgTarget {
            dependency: dep.name.clone(),
            host: host.clone(),
            port: dep.port(),
            database: database.clone(),
            user: user.clone(),
            password: view.secret.clone(),
            // An unknown mode is a validation error; if one gets here, insist on TLS.
            sslmode: SslMode::parse(dep.sslmode.as_deref()).unwrap_or(SslMode::Require),
        });
    }
    Ok(NodeAccess {
        policy,
        postgres,
        secrets: secrets_view,
        dependencies,
        scope,
        in_scope: visible.iter().map(|d| d.name.clone()).collect(),
        out_of_scope: contract
            .iter()
            .filter(|d| !names.contains(&d.name))
            .map(|d| d.name.clone())
            .collect(),
    })
}

/// What `ctx.dependency(name)` returns, minus `fetch` (added in the guest for https).
fn dependency_view(dep: &Dependency, secrets: &Secrets) -> DependencyView {
    let secret = dep
        .auth
        .as_ref()
        .and_then(|a| a.secret.as_ref())
        .and_then(|s| secrets.get(&s.service, &s.key))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    DependencyView {
        protocol: dep.protocol.to_string(),
        port: dep.port(),
        host: dep.host.clone(),
        auth_type: dep.auth.as_ref().map(|a| a.kind.clone()),
        secret,
        database: dep.database.clone(),
        user: dep.user.clone(),
        subject: dep.subject.clone(),
        container: dep.container.clone(),
    }
}

#[cfg(test)]
mod tests;
