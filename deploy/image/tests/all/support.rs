//! Inputs for the tests and the commands they run.

use std::path::{Path, PathBuf};
use std::process::Command;

use tntc_image::layout::{self, ImageInputs, Written};

use crate::external_programs::find_or_skip;

/// Image inputs with a real static executable as the host (Debian's busybox-static when
/// present, else this machine's smallest static file is not guessed: the test skips).
pub fn inputs() -> Option<ImageInputs> {
    let busybox = find_or_skip("busybox", "apt-get install busybox-static")?;
    Some(ImageInputs {
        host_binary: std::fs::read(busybox).expect("read busybox"),
        ca_certificates: b"-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n".to_vec(),
        runtime_cache: vec![
            ("runtime-abc.cwasm".into(), vec![7u8; 4096]),
            ("node-def.cwasm".into(), vec![9u8; 100]),
        ],
        version: "0.1.0".into(),
    })
}

/// Writes the image for `inputs` into `dir` with tag `dev`.
pub fn write(dir: &Path, inputs: &ImageInputs) -> Written {
    layout::write(dir, inputs, "dev").expect("write the layout")
}

/// Runs `program args`, panicking with its stderr unless it succeeds; returns stdout.
pub fn run(program: &Path, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        output.status.success(),
        "{} {args:?} failed ({}): {}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// `skopeo`, or a skip.
pub fn skopeo() -> Option<PathBuf> {
    find_or_skip("skopeo", "apt-get install skopeo")
}
