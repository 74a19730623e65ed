//! Splitter seeds: a sticky twin of every regex literal in a node, built at compile time.
//!
//! `"a b".split(/\s+/)` does not use the regex it is given: the specification has `split`
//! construct a new one from the same pattern with the sticky flag (its "splitter"), and
//! QuickJS compiles that pattern from its source text at every call. For a pattern with
//! Unicode property classes (`/[^\p{L}\p{N}']+/u`) that is about 45 us, more than the rest
//! of a small node's run; the runtime's prelude reuses a splitter within a run
//! (`guest-runtime/js/16-regexp.js`), but every run is a fresh sandbox. A regex *literal*,
//! on the other hand, is compiled once, when the node is built, into the bytecode. So the
//! bundle starts with a statement handing the runtime `/pattern/flags+y` for each distinct
//! literal a `split` is given, and the prelude's split uses such a seed instead of
//! compiling the same splitter again. The seed is exactly the regex the specification would
//! have built (same pattern text, same flags), so results cannot differ; patterns built at
//! run time (`new RegExp(text)`) still compile as before.
//!
//! Which literals: those passed to a `.split(...)` call directly (`s.split(/,\s*/)`) or
//! through a variable declared with one (`const WORD = /\w+/; s.split(WORD)`; names are
//! matched without scope analysis: a wrong guess only costs or misses one seed). A seed
//! costs every run of the node a regex object (measured: ~1.5 us per seed, against ~45 us
//! of compiling a `\p{L}` splitter), so literals used only by `test`, `replace` or `exec`
//! get none.

use std::collections::BTreeMap;

use swc_core::ecma::ast::{
    CallExpr, Callee, Expr, Lit, MemberProp, Module, Pat, Regex, VarDeclarator,
};
use swc_core::ecma::visit::{Visit, VisitWith};

/// The runtime function that takes the seeds (defined by the prelude, not enumerable).
pub(crate) const SEEDS_FUNCTION: &str = "__tntc_regexp_seeds";

/// At most this many seeds per node: each costs a small allocation at every load.
const MAX_SEEDS: usize = 64;

/// Flags in the order `RegExp.prototype.flags` prints them.
const FLAG_ORDER: &str = "dgimsuvy";

/// The seed statement for `module`'s regex literals, as JavaScript source; `None` when
/// there are none.
pub(crate) fn statement(module: &Module) -> Option<String> {
    let mut collector = Collector::default();
    module.visit_with(&mut collector);
    let mut seeds: Vec<(String, String)> = Vec::new();
    let named = collector
        .split_names
        .iter()
        .filter_map(|name| collector.declared.get(name))
        .flatten();
    for regex in collector.split_literals.iter().chain(named) {
        let Some(flags) = sticky_flags(&regex.flags) else {
            continue;
        };
        let seed = (regex.exp.to_string(), flags);
        if seeds.len() < MAX_SEEDS && !seeds.contains(&seed) {
            seeds.push(seed);
        }
    }
    if seeds.is_empty() {
        return None;
    }
    let list = seeds
        .iter()
        .map(|(pattern, flags)| format!("/{pattern}/{flags}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!("globalThis.{SEEDS_FUNCTION}?.([{list}]);"))
}

/// `flags` plus `y`, in canonical order; `None` for a flag QuickJS would not know or a
/// repeated one (the literal itself is then an error the runtime's compiler reports).
fn sticky_flags(flags: &str) -> Option<String> {
    let mut present = [false; FLAG_ORDER.len()];
    for flag in flags.chars() {
        let index = FLAG_ORDER.find(flag)?;
        if std::mem::replace(&mut present[index], true) {
            return None;
        }
    }
    present[FLAG_ORDER.len() - 1] = true;
    Some(
        FLAG_ORDER
            .chars()
            .zip(present)
            .filter_map(|(flag, on)| on.then_some(flag))
            .collect(),
    )
}

/// Regex literals given to `split`, and the names whose regex may be.
#[derive(Default)]
struct Collector {
    /// Literals passed to `.split(...)` directly, in source order.
    split_literals: Vec<Regex>,
    /// Identifiers passed to `.split(...)`, in source order.
    split_names: Vec<String>,
    /// Variables initialised with a regex literal (every declaration of a name).
    declared: BTreeMap<String, Vec<Regex>>,
}

fn regex_literal(expr: &Expr) -> Option<&Regex> {
    match expr {
        Expr::Lit(Lit::Regex(regex)) => Some(regex),
        Expr::Paren(paren) => regex_literal(&paren.expr),
        _ => None,
    }
}

fn is_split_call(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(member) = &**callee else {
        return false;
    };
    match &member.prop {
        MemberProp::Ident(name) => name.sym == *"split",
        MemberProp::Computed(computed) => {
            matches!(&*computed.expr, Expr::Lit(Lit::Str(s)) if s.value == *"split")
        }
        MemberProp::PrivateName(_) => false,
    }
}

impl Visit for Collector {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        if is_split_call(call)
            && let Some(first) = call.args.first()
            && first.spread.is_none()
        {
            if let Some(regex) = regex_literal(&first.expr) {
                self.split_literals.push(regex.clone());
            } else if let Expr::Ident(name) = &*first.expr {
                self.split_names.push(name.sym.to_string());
            }
        }
        call.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&declarator.name, &declarator.init)
            && let Some(regex) = regex_literal(init)
        {
            self.declared
                .entry(name.id.sym.to_string())
                .or_default()
                .push(regex.clone());
        }
        declarator.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(source: &str) -> Module {
        let cm = swc_core::common::SourceMap::default();
        let file = cm.new_source_file(
            swc_core::common::sync::Lrc::new(swc_core::common::FileName::Anon),
            source.to_owned(),
        );
        let mut errors = Vec::new();
        swc_core::ecma::parser::parse_file_as_module(
            &file,
            Default::default(),
            swc_core::ecma::ast::EsVersion::Es2022,
            None,
            &mut errors,
        )
        .expect("test source parses")
    }

    #[test]
    fn every_distinct_split_literal_gets_a_sticky_twin_in_canonical_flag_order() {
        let source = r#"
            const WORD = /[^\p{L}\p{N}']+/u;
            const UNUSED = /never split/;
            export default function (ctx, input) {
                const a = input.text.split(/[^\p{L}\p{N}']+/u);
                const b = input.text.split(WORD, 3);
                const c = input.csv["split"]((/,\s*/gi));
                const d = input.x.split(/\//y);
                const e = input.x.split(input.separator);
                return { a, b, c, d, e, f: /x/ug.test("x"), g: "a".replace(/a/, "b") };
            }
        "#;
        assert_eq!(
            statement(&module(source)).as_deref(),
            Some(r#"globalThis.__tntc_regexp_seeds?.([/[^\p{L}\p{N}']+/uy, /,\s*/giy, /\//y]);"#)
        );
    }

    #[test]
    fn a_variable_split_by_name_is_seeded_with_each_of_its_declarations() {
        let source = r#"
            function a(s) { const SEP = /,/; return s.split(SEP); }
            function b(s) { const SEP = /;/i; return s.split(SEP); }
            export default (ctx, input) => [a(input), b(input)];
        "#;
        assert_eq!(
            statement(&module(source)).as_deref(),
            Some(r#"globalThis.__tntc_regexp_seeds?.([/,/y, /;/iy]);"#)
        );
    }

    #[test]
    fn no_split_literal_means_no_statement() {
        let source = r#"export default (ctx, input) =>
            [new RegExp(input.p).test("a/b"), input.s.split(","), /x/.exec(input.s)];"#;
        assert_eq!(statement(&module(source)), None);
    }

    #[test]
    fn unknown_or_repeated_flags_get_no_seed() {
        assert_eq!(sticky_flags("gg"), None);
        assert_eq!(sticky_flags("q"), None);
        assert_eq!(sticky_flags("").as_deref(), Some("y"));
        assert_eq!(sticky_flags("yusmigd").as_deref(), Some("dgimsuy"));
    }

    #[test]
    fn seeds_stop_at_the_cap() {
        let literals: Vec<String> = (0..100).map(|i| format!("s.split(/a{i}/)")).collect();
        let source = format!("export default (ctx, s) => [{}];", literals.join(", "));
        let statement = statement(&module(&source)).expect("seeds");
        assert_eq!(statement.matches("/y").count(), MAX_SEEDS);
    }
}
