//! Builds the guest runtime (`guest-runtime/`, a `wasm32-wasip1` cdylib in its own cargo
//! workspace) with a nested `cargo build --release`, and embeds the result: the module is
//! copied to `$OUT_DIR/tntc_guest_runtime.wasm` and its SHA-256 is exported as
//! `TNTC_RUNTIME_SHA256`.
//!
//! The nested build uses `<outer target dir>/guest-runtime-<hash of the checkout path>` as
//! its target directory, so it is incremental, never waits on the outer build's lock, and
//! worktrees sharing a target directory do not overwrite each other's runtime. The C toolchain settings
//! (clang 16 wrapper, wasi-libc, no wasi-sdk download) come from the repository's
//! `.cargo/config.toml`, found because the nested cargo runs in `guest-runtime/`.
//!
//! `TNTC_GUEST_RUNTIME_WASM=<path>` skips the nested build and embeds a prebuilt module
//! (for machines without the wasm toolchain).

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const GUEST_TARGET: &str = "wasm32-wasip1";
const ARTIFACT: &str = "tntc_guest_runtime.wasm";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let repo = manifest_dir.join("../..");
    let guest = repo.join("guest-runtime");

    println!("cargo:rerun-if-env-changed=TNTC_GUEST_RUNTIME_WASM");
    println!(
        "cargo:rustc-env=TNTC_WASMTIME_VERSION={}",
        wasmtime_version(&repo)
    );
    let wasm = match env::var_os("TNTC_GUEST_RUNTIME_WASM") {
        Some(prebuilt) => {
            let prebuilt = PathBuf::from(prebuilt);
            println!("cargo:rerun-if-changed={}", prebuilt.display());
            prebuilt
        }
        None => build_guest(&repo, &guest, &out_dir),
    };

    let bytes =
        fs::read(&wasm).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", wasm.display())));
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let embedded = out_dir.join(ARTIFACT);
    fs::write(&embedded, &bytes)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", embedded.display())));
    println!("cargo:rustc-env=TNTC_RUNTIME_SHA256={digest}");
}

fn build_guest(repo: &Path, guest: &Path, out_dir: &Path) -> PathBuf {
    for watched in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "src",
        "js",
        "toolchain",
    ] {
        println!("cargo:rerun-if-changed={}", guest.join(watched).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        repo.join(".cargo/config.toml").display()
    );

    check_toolchain();
    // One guest target directory per source checkout: cargo gives every worktree sharing
    // a target directory the same OUT_DIR for this crate, and a shared guest directory
    // would let one worktree embed another's runtime.
    let source_tag: String = Sha256::digest(
        guest
            .canonicalize()
            .unwrap_or_else(|_| guest.to_path_buf())
            .as_os_str()
            .as_encoded_bytes(),
    )
    .iter()
    .take(4)
    .map(|b| format!("{b:02x}"))
    .collect();
    let target_dir = outer_target_dir(out_dir).join(format!("guest-runtime-{source_tag}"));
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(guest)
        .args(["build", "--release", "--locked", "--target", GUEST_TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's settings are not the guest's: flags, target, profile overrides,
    // jobserver, and clippy's wrapper (`cargo clippy` of the host must not lint the guest).
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let leaks = matches!(
            key,
            "RUSTFLAGS"
                | "RUSTDOCFLAGS"
                | "RUSTC_WORKSPACE_WRAPPER"
                | "CARGO_ENCODED_RUSTFLAGS"
                | "CARGO_ENCODED_RUSTDOCFLAGS"
                | "CARGO_TARGET_DIR"
                | "CARGO_MAKEFLAGS"
                | "MAKEFLAGS"
                | "MFLAGS"
                | "TARGET"
                | "HOST"
                | "OUT_DIR"
                | "PROFILE"
                | "OPT_LEVEL"
                | "DEBUG"
                | "NUM_JOBS"
        ) || key.starts_with("CARGO_BUILD_")
            || key.starts_with("CARGO_PROFILE_")
            || key.starts_with("CARGO_CFG_")
            || key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || key.starts_with("CARGO_TARGET_")
            || key.starts_with("DEP_");
        if leaks {
            command.env_remove(key);
        }
    }
    let status = command
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run cargo for the guest runtime: {e}")));
    if !status.success() {
        fail(&format!(
            "building the guest runtime failed ({status}); its output is above. To reproduce: \
             cd {} && cargo build --release --target {GUEST_TARGET}",
            guest.display()
        ));
    }
    target_dir.join(GUEST_TARGET).join("release").join(ARTIFACT)
}

/// Cargo's target directory, from `OUT_DIR` = `<target>[/<triple>]/<profile>/build/<pkg>/out`
/// (for a cross build this is `<target>/<triple>`, still shared by every profile).
fn outer_target_dir(out_dir: &Path) -> PathBuf {
    let ancestors: Vec<&Path> = out_dir.ancestors().collect();
    match ancestors.get(2..=4) {
        Some([build, _profile, target]) if build.file_name().is_some_and(|n| n == "build") => {
            target.to_path_buf()
        }
        _ => out_dir.to_path_buf(),
    }
}

/// Names every missing piece of the wasm toolchain at once, with how to install it.
fn check_toolchain() {
    let mut missing = Vec::new();
    let on_path = |program: &str| {
        env::var_os("PATH")
            .map(|path| env::split_paths(&path).any(|dir| dir.join(program).is_file()))
            .unwrap_or(false)
    };
    if !on_path("clang-16") {
        missing.push("clang-16 (apt-get install clang-16 lld-16)");
    }
    if !on_path("llvm-ar-16") {
        missing.push("llvm-ar-16 (apt-get install llvm-16)");
    }
    if !Path::new("/usr/include/wasm32-wasi/stdlib.h").is_file() {
        missing.push("wasi-libc headers (apt-get install wasi-libc)");
    }
    if !Path::new("/usr/lib/llvm-16/lib/clang/16/lib/wasi").is_dir() {
        missing.push("clang's wasm32 runtime library (apt-get install libclang-rt-16-dev-wasm32)");
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let has_target = sysroot
        .map(|sysroot| {
            sysroot
                .join("lib/rustlib")
                .join(GUEST_TARGET)
                .join("lib")
                .is_dir()
        })
        .unwrap_or(false);
    if !has_target {
        missing.push("the Rust wasm32-wasip1 target (rustup target add wasm32-wasip1)");
    }
    if !missing.is_empty() {
        fail(&format!(
            "the guest runtime needs a WebAssembly toolchain; missing:\n  - {}\n\
             Install them (Debian/Ubuntu: apt-get install -y clang-16 lld-16 llvm-16 wasi-libc \
             libclang-rt-16-dev-wasm32; rustup target add wasm32-wasip1), or set \
             TNTC_GUEST_RUNTIME_WASM to a prebuilt runtime module.",
            missing.join("\n  - ")
        ));
    }
}

/// The wasmtime version in the workspace's Cargo.lock (part of the runtime cache key).
fn wasmtime_version(repo: &Path) -> String {
    let lock = repo.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let Ok(text) = fs::read_to_string(&lock) else {
        return "unknown".into();
    };
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasmtime\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return version.trim_matches('"').to_string();
        }
    }
    "unknown".into()
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    panic!("{message}");
}
