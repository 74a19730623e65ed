//! Embeds the JavaScript prelude: every `js/*.js` file (not subfolders), sorted by file
//! name, becomes an entry of `PRELUDE` in `$OUT_DIR/prelude.rs`. `initialize-runtime`
//! evaluates them in that order as classic scripts named after their files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let js_dir = manifest_dir.join("js");
    // Watching the folder catches added and removed files; each file is watched too.
    println!("cargo:rerun-if-changed={}", js_dir.display());

    let mut files = match fs::read_dir(&js_dir) {
        Ok(entries) => entries
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", js_dir.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("cannot list {}: {e}", js_dir.display()),
    };
    files.retain(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "js"));
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));

    let mut source =
        String::from("/// The prelude files, in evaluation order: (file name, source).\n");
    source.push_str("pub const PRELUDE: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = file_name(path);
        writeln!(
            source,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    source.push_str("];\n");

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("prelude.rs");
    fs::write(&out, source).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_else(|| panic!("{} is not valid UTF-8", path.display()))
        .to_string()
}
