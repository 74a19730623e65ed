//! Import and export declarations: what each module imports, and the forms that are refused.
//!
//! Checks run on the module as written (before types are stripped), so even an import that
//! TypeScript would elide is reported: the author meant it. Relative imports are resolved
//! later, from the stripped module, so only value imports become bundle edges.

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::{
    ExportSpecifier, ImportSpecifier, Module, ModuleDecl, ModuleItem, Str, TsModuleRef,
};

use crate::error::{CompileError, ErrorKind};
use crate::parse::LoadedFile;
use crate::resolve::{check_non_relative, is_relative};

/// The text of a string literal (lossy for lone surrogates, which no path contains).
pub(crate) fn str_value(literal: &Str) -> String {
    literal.value.to_string_lossy().into_owned()
}

/// An import or re-export as written.
#[derive(Debug, Clone)]
pub(crate) struct DeclaredImport {
    pub(crate) specifier: String,
    /// The specifier string literal's span.
    pub(crate) span: Span,
    /// `import type`, `export type ... from`, or every specifier marked `type`.
    pub(crate) type_only: bool,
}

/// Every import and re-export of `module` with a source, in source order.
pub(crate) fn declared_imports(module: &Module) -> Vec<DeclaredImport> {
    let declared = |source: &Str, type_only: bool| DeclaredImport {
        specifier: str_value(source),
        span: source.span,
        type_only,
    };
    module
        .body
        .iter()
        .filter_map(|item| match item {
            ModuleItem::ModuleDecl(ModuleDecl::Import(import)) => {
                let all_specifiers_type_only = !import.specifiers.is_empty()
                    && import
                        .specifiers
                        .iter()
                        .all(|s| matches!(s, ImportSpecifier::Named(named) if named.is_type_only));
                Some(declared(
                    &import.src,
                    import.type_only || all_specifiers_type_only,
                ))
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(export)) => {
                let source = export.src.as_deref()?;
                let all_specifiers_type_only = !export.specifiers.is_empty()
                    && export
                        .specifiers
                        .iter()
                        .all(|s| matches!(s, ExportSpecifier::Named(named) if named.is_type_only));
                Some(declared(
                    source,
                    export.type_only || all_specifiers_type_only,
                ))
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportAll(export)) => {
                Some(declared(&export.src, export.type_only))
            }
            _ => None,
        })
        .collect()
}

/// Checks every non-relative import/re-export of `module` as written, and removes the
/// CommonJS-style TypeScript forms (`import x = require(...)`, `export = x`) after
/// reporting them. Relative imports are checked by resolving them.
pub(crate) fn check_declared_imports(file: &LoadedFile, module: &mut Module) -> Vec<CompileError> {
    let mut errors = Vec::new();
    for import in declared_imports(module) {
        if is_relative(&import.specifier) {
            continue;
        }
        if let Some(problem) = check_non_relative(&import.specifier, import.type_only) {
            errors.push(file.error(
                problem.kind,
                import.span,
                problem.message,
                problem.label,
                Some(problem.hint),
            ));
        }
    }
    for item in &module.body {
        let (span, message, hint) = match item {
            ModuleItem::ModuleDecl(ModuleDecl::TsImportEquals(import))
                if matches!(import.module_ref, TsModuleRef::TsExternalModuleRef(_))
                    && !import.is_type_only =>
            {
                (
                    import.span,
                    "`import x = require(...)` is CommonJS and is not supported",
                    "write `import x from \"./x.ts\"` (ES module syntax)",
                )
            }
            ModuleItem::ModuleDecl(ModuleDecl::TsExportAssignment(export)) => (
                export.span(),
                "`export =` is CommonJS and is not supported",
                "write `export default ...` (ES module syntax)",
            ),
            _ => continue,
        };
        errors.push(file.error(
            ErrorKind::UnsupportedImport,
            span,
            message,
            "CommonJS module syntax",
            Some(hint.into()),
        ));
    }
    module.body.retain(|item| match item {
        ModuleItem::ModuleDecl(ModuleDecl::TsExportAssignment(_)) => false,
        ModuleItem::ModuleDecl(ModuleDecl::TsImportEquals(import)) => {
            !matches!(import.module_ref, TsModuleRef::TsExternalModuleRef(_))
        }
        _ => true,
    });
    errors
}

/// A value import left after types are stripped: a bundle edge.
#[derive(Debug, Clone)]
pub(crate) struct ValueImport {
    pub(crate) specifier: String,
}

/// The value imports and re-exports of a stripped module, in source order.
pub(crate) fn value_imports(module: &Module) -> Vec<ValueImport> {
    module
        .body
        .iter()
        .filter_map(|item| match item {
            ModuleItem::ModuleDecl(ModuleDecl::Import(import)) if !import.type_only => {
                Some(&*import.src)
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(export)) if !export.type_only => {
                export.src.as_deref()
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportAll(export)) if !export.type_only => {
                Some(&*export.src)
            }
            _ => None,
        })
        .map(|source| ValueImport {
            specifier: str_value(source),
        })
        .collect()
}
