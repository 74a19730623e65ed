//! The DAG compiler: nodes and edges -> execution stages.
//!
//! Kahn's algorithm with the ready queue kept in lexicographic order, so the same workflow
//! always yields the same order. `stage(n) = 1 + max(stage(predecessors))` (roots are stage 1):
//! the nodes of a stage only depend on earlier stages and may run concurrently. Each node's
//! predecessors are also kept in the order the edges are listed, because a node with several
//! inputs receives `{ "<predecessor>": output, ... }` in that order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// Why a graph is not a DAG.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DagError {
    /// An edge names a node that does not exist.
    #[error("edge {from} -> {to} refers to unknown node \"{missing}\"")]
    UnknownNode {
        /// Edge source.
        from: String,
        /// Edge target.
        to: String,
        /// The end that is not a node.
        missing: String,
    },
    /// An edge from a node to itself.
    #[error("node \"{0}\" has an edge to itself")]
    SelfLoop(String),
    /// The edges form a cycle; the nodes are listed in cycle order, first repeated at the end.
    #[error("cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
}

/// A compiled DAG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dag {
    /// Every node in topological order (Kahn, lexicographic tie-break).
    pub order: Vec<String>,
    /// Nodes grouped by stage; each stage sorted.
    pub stages: Vec<Vec<String>>,
    /// Each node's predecessors, in edge order, without duplicates.
    pub predecessors: BTreeMap<String, Vec<String>>,
    /// Each node's successors, in edge order, without duplicates.
    pub successors: BTreeMap<String, Vec<String>>,
}

impl Dag {
    /// Compiles nodes and `(from, to)` edges.
    pub fn compile<'a>(
        nodes: impl IntoIterator<Item = &'a str>,
        edges: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Dag, DagError> {
        let mut predecessors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut successors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for node in nodes {
            predecessors.entry(node.to_string()).or_default();
            successors.entry(node.to_string()).or_default();
        }
        for (from, to) in edges {
            for end in [from, to] {
                if !predecessors.contains_key(end) {
                    return Err(DagError::UnknownNode {
                        from: from.into(),
                        to: to.into(),
                        missing: end.into(),
                    });
                }
            }
            if from == to {
                return Err(DagError::SelfLoop(from.into()));
            }
            let preds = predecessors.get_mut(to).expect("checked above");
            if !preds.iter().any(|p| p == from) {
                preds.push(from.into());
                successors
                    .get_mut(from)
                    .expect("checked above")
                    .push(to.into());
            }
        }

        let mut in_degree: BTreeMap<&str, usize> = predecessors
            .iter()
            .map(|(n, p)| (n.as_str(), p.len()))
            .collect();
        let mut ready: BTreeSet<&str> = in_degree
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(n, _)| *n)
            .collect();
        let mut order = Vec::with_capacity(in_degree.len());
        let mut stage_of: BTreeMap<&str, usize> = BTreeMap::new();
        while let Some(node) = ready.pop_first() {
            let stage = predecessors[node]
                .iter()
                .map(|p| stage_of[p.as_str()] + 1)
                .max()
                .unwrap_or(0);
            stage_of.insert(node, stage);
            order.push(node.to_string());
            for next in &successors[node] {
                let d = in_degree.get_mut(next.as_str()).expect("known node");
                *d -= 1;
                if *d == 0 {
                    ready.insert(next);
                }
            }
        }
        if order.len() < predecessors.len() {
            let stuck: BTreeSet<&str> = in_degree
                .iter()
                .filter(|(n, _)| !stage_of.contains_key(*n))
                .map(|(n, _)| *n)
                .collect();
            return Err(DagError::Cycle(find_cycle(&stuck, &predecessors)));
        }

        let stage_count = stage_of.values().max().map_or(0, |s| s + 1);
        let mut stages = vec![Vec::new(); stage_count];
        for node in &order {
            stages[stage_of[node.as_str()]].push(node.clone());
        }
        for stage in &mut stages {
            stage.sort();
        }
        Ok(Dag {
            order,
            stages,
            predecessors,
            successors,
        })
    }

    /// Nodes without predecessors: they receive the trigger input.
    pub fn roots(&self) -> impl Iterator<Item = &str> {
        self.order
            .iter()
            .filter(|n| self.predecessors[n.as_str()].is_empty())
            .map(String::as_str)
    }

    /// Nodes without successors: their outputs are the workflow's results.
    pub fn leaves(&self) -> impl Iterator<Item = &str> {
        self.order
            .iter()
            .filter(|n| self.successors[n.as_str()].is_empty())
            .map(String::as_str)
    }

    /// 1-based stage of a node.
    pub fn stage_of(&self, node: &str) -> Option<usize> {
        self.stages
            .iter()
            .position(|s| s.iter().any(|n| n == node))
            .map(|i| i + 1)
    }
}

/// Among nodes left over by Kahn's algorithm, finds a cycle and returns it closed and in edge
/// direction (`a -> b -> a`). Every leftover node still has a leftover predecessor (otherwise
/// its in-degree would have reached zero), so walking predecessors must revisit a node.
fn find_cycle(stuck: &BTreeSet<&str>, predecessors: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let Some(&start) = stuck.first() else {
        return Vec::new();
    };
    let mut path: Vec<&str> = vec![start];
    let mut current = start;
    loop {
        // The smallest leftover predecessor keeps the reported cycle stable.
        let Some(prev) = predecessors[current]
            .iter()
            .map(String::as_str)
            .filter(|p| stuck.contains(p))
            .min()
        else {
            return path.into_iter().map(String::from).collect();
        };
        if let Some(i) = path.iter().position(|n| *n == prev) {
            let mut cycle: Vec<String> = path[i..].iter().rev().map(|s| s.to_string()).collect();
            // Rotate so the smallest node leads, then close the loop.
            let smallest = cycle
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.cmp(b.1))
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(smallest);
            cycle.push(cycle[0].clone());
            return cycle;
        }
        path.push(prev);
        current = prev;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dag(nodes: &[&str], edges: &[(&str, &str)]) -> Result<Dag, DagError> {
        Dag::compile(nodes.iter().copied(), edges.iter().copied())
    }

    fn stages(d: &Dag) -> Vec<Vec<&str>> {
        d.stages
            .iter()
            .map(|s| s.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn single_node_is_one_stage() {
        let d = dag(&["only"], &[]).unwrap();
        assert_eq!(stages(&d), [["only"]]);
        assert_eq!(d.roots().collect::<Vec<_>>(), ["only"]);
        assert_eq!(d.leaves().collect::<Vec<_>>(), ["only"]);
    }

    #[test]
    fn chain_is_one_node_per_stage() {
        let d = dag(&["c", "b", "a"], &[("a", "b"), ("b", "c")]).unwrap();
        assert_eq!(stages(&d), [["a"], ["b"], ["c"]]);
        assert_eq!(d.order, ["a", "b", "c"]);
    }

    #[test]
    fn fan_out_puts_siblings_in_one_sorted_stage() {
        let d = dag(
            &["src", "z", "y", "x"],
            &[("src", "z"), ("src", "x"), ("src", "y")],
        )
        .unwrap();
        assert_eq!(stages(&d), vec![vec!["src"], vec!["x", "y", "z"]]);
    }

    #[test]
    fn fan_in_keeps_predecessors_in_edge_order() {
        let d = dag(&["a", "b", "sink"], &[("b", "sink"), ("a", "sink")]).unwrap();
        assert_eq!(stages(&d), vec![vec!["a", "b"], vec!["sink"]]);
        assert_eq!(d.predecessors["sink"], ["b", "a"]);
    }

    #[test]
    fn diamond_matches_the_original_example() {
        let d = dag(
            &["fetch", "transform", "enrich", "notify"],
            &[
                ("fetch", "transform"),
                ("fetch", "enrich"),
                ("transform", "notify"),
                ("enrich", "notify"),
            ],
        )
        .unwrap();
        assert_eq!(
            stages(&d),
            vec![vec!["fetch"], vec!["enrich", "transform"], vec!["notify"]]
        );
    }

    #[test]
    fn stage_is_one_more_than_the_deepest_predecessor() {
        let d = dag(
            &["a", "b", "c", "d"],
            &[("a", "b"), ("b", "c"), ("a", "d"), ("c", "d")],
        )
        .unwrap();
        assert_eq!(stages(&d), [["a"], ["b"], ["c"], ["d"]]);
        assert_eq!(d.stage_of("d"), Some(4));
    }

    #[test]
    fn two_independent_chains_interleave_by_depth() {
        let d = dag(
            &["a1", "a2", "b1", "b2", "b3"],
            &[("a1", "a2"), ("b1", "b2"), ("b2", "b3")],
        )
        .unwrap();
        assert_eq!(
            stages(&d),
            vec![vec!["a1", "b1"], vec!["a2", "b2"], vec!["b3"]]
        );
        assert_eq!(d.order, ["a1", "a2", "b1", "b2", "b3"]);
    }

    #[test]
    fn cycle_error_names_the_nodes_on_the_cycle() {
        let err = dag(
            &["start", "a", "b", "c"],
            &[("start", "a"), ("a", "b"), ("b", "c"), ("c", "a")],
        )
        .unwrap_err();
        assert_eq!(
            err,
            DagError::Cycle(vec!["a".into(), "b".into(), "c".into(), "a".into()])
        );
        assert_eq!(err.to_string(), "cycle: a -> b -> c -> a");
    }

    #[test]
    fn nodes_behind_a_cycle_do_not_hide_it() {
        let err = dag(&["a", "b", "x"], &[("a", "b"), ("b", "a"), ("b", "x")]).unwrap_err();
        assert_eq!(
            err,
            DagError::Cycle(vec!["a".into(), "b".into(), "a".into()])
        );
    }

    #[test]
    fn self_loop_is_rejected() {
        assert_eq!(
            dag(&["a"], &[("a", "a")]).unwrap_err(),
            DagError::SelfLoop("a".into())
        );
    }

    #[test]
    fn unknown_node_is_rejected() {
        let err = dag(&["a"], &[("a", "ghost")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "edge a -> ghost refers to unknown node \"ghost\""
        );
    }

    #[test]
    fn duplicate_edges_count_once() {
        let d = dag(&["a", "b"], &[("a", "b"), ("a", "b")]).unwrap();
        assert_eq!(d.predecessors["b"], ["a"]);
        assert_eq!(stages(&d), [["a"], ["b"]]);
    }

    #[test]
    fn order_is_deterministic_whatever_the_input_order() {
        let edges = [("r", "m"), ("r", "k"), ("k", "z"), ("m", "z")];
        let a = dag(&["z", "m", "k", "r"], &edges).unwrap();
        let mut reversed = edges;
        reversed.reverse();
        let b = dag(&["r", "k", "m", "z"], &reversed).unwrap();
        assert_eq!(a.order, b.order);
        assert_eq!(a.stages, b.stages);
    }
}
