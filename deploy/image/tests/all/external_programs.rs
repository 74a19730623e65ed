//! Programs the tests start but do not build (today `nats-server`): found on `PATH` or in
//! the sbin directories Debian installs servers to.
//!
//! A test whose program is missing is skipped with the reason on stderr, so `cargo test`
//! passes on a machine without it. In CI (`CI` set, as `.ci/run` does) a missing program
//! fails the test instead: `scripts/setup` installs every one of them, and a skip there
//! would hide a broken setup behind a green run.

use std::io::Write;
use std::path::PathBuf;

/// Where Debian puts server binaries, which are not on every user's `PATH`.
const SBIN: [&str; 3] = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/// `program` on `PATH` or in an sbin directory.
pub fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(SBIN.iter().map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `program`, or `None` after printing why the calling test is skipped; panics instead
/// when running in CI. `install` says how to get it, e.g. `apt-get install nats-server`.
pub fn find_or_skip(program: &str, install: &str) -> Option<PathBuf> {
    // Straight to the process's stderr: the test harness captures `eprintln!` of passing
    // tests, and a skip must be visible in a passing run.
    find_or_skip_when(program, install, in_ci(), &mut std::io::stderr())
}

fn find_or_skip_when(
    program: &str,
    install: &str,
    ci: bool,
    skipped: &mut dyn Write,
) -> Option<PathBuf> {
    if let Some(found) = find(program) {
        return Some(found);
    }
    let reason = format!(
        "{program} not found on PATH or in {}: run scripts/setup ({install})",
        SBIN.join(", ")
    );
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if ci {
        panic!("{test} cannot run, {reason} (in CI a missing program fails its tests)");
    }
    let _ = writeln!(skipped, "skipped {test}: {reason}");
    None
}

/// Whether this is a CI run, where nothing may be skipped (`CI=true`, also set by most CI
/// services; `CI=false` or `CI=0` is a local run).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"))
}

const MISSING: &str = "tntc-test-no-such-program";

#[test]
fn a_missing_program_skips_the_test_and_says_why_and_how_to_install_it() {
    let mut skipped = Vec::new();
    assert_eq!(
        find_or_skip_when(MISSING, "apt-get install it", false, &mut skipped),
        None
    );
    let message = String::from_utf8(skipped).expect("utf-8");
    assert!(
        message.starts_with("skipped ")
            && message.contains("a_missing_program_skips_the_test")
            && message.contains(&format!(
                "{MISSING} not found on PATH or in /usr/local/sbin"
            ))
            && message.contains("run scripts/setup (apt-get install it)"),
        "{message}"
    );
}

#[test]
#[should_panic(
    expected = "cannot run, tntc-test-no-such-program not found on PATH or in /usr/local/sbin, /usr/sbin, /sbin: run scripts/setup (apt-get install it) (in CI a missing program fails its tests)"
)]
fn a_missing_program_fails_the_test_in_ci() {
    find_or_skip_when(MISSING, "apt-get install it", true, &mut std::io::sink());
}

#[test]
fn a_program_that_is_there_is_found_without_a_message() {
    let mut skipped = Vec::new();
    let sh = find_or_skip_when("sh", "-", true, &mut skipped).expect("sh is on every PATH");
    assert!(sh.ends_with("sh") && sh.is_file(), "{}", sh.display());
    assert!(skipped.is_empty());
}
