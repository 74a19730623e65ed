//! Workflow directories on disk, error rendering, and running bundles in QuickJS-ng.

use std::path::{Path, PathBuf};

use rquickjs::{CatchResultExt, CaughtError, Context, Function, Module, Runtime, Value};
use tntc_compiler::{CompileError, TranspiledNode, compile_node};

/// A temporary workflow directory holding the given files.
pub struct Flow {
    dir: tempfile::TempDir,
}

impl Flow {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, text).expect("write");
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn try_compile(&self, node: &str) -> Result<TranspiledNode, Vec<CompileError>> {
        compile_node(self.path(), "node", Path::new(node))
    }

    /// Compiles, failing the test with the rendered errors when there are any.
    pub fn compile(&self, node: &str) -> TranspiledNode {
        match self.try_compile(node) {
            Ok(compiled) => compiled,
            Err(errors) => panic!("{node} did not compile:\n{}", render(&errors)),
        }
    }

    /// The rendered errors of a node that must not compile.
    pub fn errors(&self, node: &str) -> String {
        match self.try_compile(node) {
            Ok(compiled) => panic!("{node} compiled:\n{}", compiled.js),
            Err(errors) => render(&errors),
        }
    }

    pub fn file(&self, path: &str) -> PathBuf {
        self.path().join(path)
    }
}

/// Every error, rendered the way the CLI prints them without colour.
pub fn render(errors: &[CompileError]) -> String {
    errors
        .iter()
        .map(|e| e.render(false))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The part of a bundle after the shared loader: the module registry and the export; the
/// whole text for a node emitted without the loader (one module, no relative imports).
pub fn modules_part(js: &str) -> &str {
    match js.find("const __tntc_modules") {
        Some(start) => &js[start..],
        None => js,
    }
}

/// Evaluates `node`'s bundle in QuickJS-ng as an ES module named after its filename,
/// calls the default export with a small stand-in `ctx` and `input`, awaits it, and returns
/// the JSON of the result, or the error's `message` and `stack`.
pub fn run(node: &TranspiledNode, input: &str) -> Result<String, String> {
    let runtime = Runtime::new().expect("runtime");
    let context = Context::full(&runtime).expect("context");
    context.with(|ctx| {
        let outcome = (|| {
            let (module, evaluated) = Module::declare(ctx.clone(), node.filename.as_str(), node.js.as_str())?.eval()?;
            evaluated.finish::<()>()?;
            let run: Function = module.get("default")?;
            let stand_in: Value = ctx.eval(
                r#"({ log: { info() {}, warn() {}, error() {}, debug() {} }, config: {}, secrets: {},
                     dependency(name) { return { name }; }, fetch(service, path) { return { service, path }; } })"#,
            )?;
            let input = ctx.json_parse(input)?;
            let result: Value = run.call((stand_in, input))?;
            let result = match result.clone().into_promise() {
                Some(promise) => promise.finish::<Value>()?,
                None => result,
            };
            let json = ctx.json_stringify(result)?;
            Ok::<_, rquickjs::Error>(json.map(|s| s.to_string()).transpose()?.unwrap_or_default())
        })();
        outcome.catch(&ctx).map_err(|error| match error {
            CaughtError::Exception(exception) => format!(
                "{}\n{}",
                exception.message().unwrap_or_default(),
                exception.stack().unwrap_or_default()
            ),
            other => other.to_string(),
        })
    })
}
