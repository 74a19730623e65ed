//! Embeds the JavaScript prelude: every `js/*.js` file (not subfolders), sorted by file
//! name, becomes an entry of `PRELUDE` in `$OUT_DIR/prelude.rs`. `initialize-runtime`
//! evaluates them in that order as classic scripts named after their files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// The shadow stack (C and Rust locals, QuickJS's `alloca`d frames) in linear memory.
/// QuickJS's own recursion check is compiled out for WASI, so deep recursion ends when a
/// stack runs out: it must be the host's native wasm stack (a clean `StackOverflow`
/// failure), not this one (an out-of-bounds trap, as the stack sits first in memory).
/// A JavaScript frame takes about 700 bytes of native stack and 2-4 times less of this,
/// so matching the host's default native stack (4 MiB, about 5000 frames) keeps that
/// order. Untouched pages cost nothing: the host resets only the pages a run dirtied.
/// The extra 64 KiB move the stack's top (the only part a typical run touches) past the
/// 4 MiB boundary, into the same 2 MiB page-table range as the heap: the host's dirty-page
/// scan at teardown then walks one page table instead of two (-0.25 us per run, measured
/// with interleaved runs of `examples/run_bench.rs`).
const SHADOW_STACK_BYTES: u32 = 4 * 1024 * 1024 + 64 * 1024;

fn main() {
    println!("cargo:rustc-link-arg-cdylib=-zstack-size={SHADOW_STACK_BYTES}");
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
