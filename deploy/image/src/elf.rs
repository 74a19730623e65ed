//! Whether a binary can be the image's only program: an ELF executable for x86-64 Linux
//! with no program interpreter (statically linked: the image has no libc, no loader).
//!
//! Reads only the ELF header and the program headers; a static-pie executable (Rust's
//! musl default) has a `PT_DYNAMIC` segment but no `PT_INTERP`, and needs nothing else.

use std::path::Path;

use crate::ImageError;

const EM_X86_64: u16 = 62;
const PT_INTERP: u32 = 3;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;

/// How to build a binary that passes [`check_static_x86_64`].
pub const BUILD_HELP: &str = "build the host for the image with `rustup target add x86_64-unknown-linux-musl && cargo build --profile pod --target x86_64-unknown-linux-musl -p tntc-host` (needs Debian's musl-tools), or pass its path with --host-binary";

/// `Ok` when `bytes` (the file at `path`) is a static x86-64 Linux executable.
pub fn check_static_x86_64(path: &Path, bytes: &[u8]) -> Result<(), ImageError> {
    let unfit = |reason: String| ImageError::UnfitBinary {
        path: path.to_path_buf(),
        reason,
        help: BUILD_HELP.into(),
    };
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" {
        return Err(unfit("it is not an ELF executable".into()));
    }
    if bytes[4] != 2 || bytes[5] != 1 {
        return Err(unfit(
            "it is not a 64-bit little-endian ELF file (the image is linux/amd64)".into(),
        ));
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]));
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    let kind = u16_at(16);
    if kind != ET_EXEC && kind != ET_DYN {
        return Err(unfit(format!("it is not an executable (ELF type {kind})")));
    }
    let machine = u16_at(18);
    if machine != EM_X86_64 {
        return Err(unfit(format!(
            "it is built for ELF machine {machine}, not x86-64 (the image is linux/amd64)"
        )));
    }
    let (phoff, phentsize, phnum) = (u64_at(32) as usize, u16_at(54) as usize, u16_at(56));
    for i in 0..phnum as usize {
        let at = phoff + i * phentsize;
        if at + 4 > bytes.len() {
            return Err(unfit("its program headers are truncated".into()));
        }
        if u32_at(at) == PT_INTERP {
            return Err(unfit(
                "it is dynamically linked (it names a program interpreter, and the image has no libc)"
                    .into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(machine: u16, interp: bool) -> Vec<u8> {
        let mut b = vec![0u8; 64 + 56 * 2];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = 2;
        b[5] = 1;
        b[16..18].copy_from_slice(&ET_DYN.to_le_bytes());
        b[18..20].copy_from_slice(&machine.to_le_bytes());
        b[32..40].copy_from_slice(&64u64.to_le_bytes());
        b[54..56].copy_from_slice(&56u16.to_le_bytes());
        b[56..58].copy_from_slice(&2u16.to_le_bytes());
        b[64..68].copy_from_slice(&1u32.to_le_bytes());
        let second = if interp { PT_INTERP } else { 2 };
        b[120..124].copy_from_slice(&second.to_le_bytes());
        b
    }

    #[test]
    fn a_static_x86_64_executable_passes_and_others_say_why_not() {
        let path = Path::new("tntc-host");
        assert!(check_static_x86_64(path, &elf(EM_X86_64, false)).is_ok());
        let dynamic = check_static_x86_64(path, &elf(EM_X86_64, true)).unwrap_err();
        assert!(
            dynamic.to_string().contains("dynamically linked"),
            "{dynamic}"
        );
        assert!(
            dynamic.to_string().contains("x86_64-unknown-linux-musl"),
            "{dynamic}"
        );
        let arm = check_static_x86_64(path, &elf(183, false)).unwrap_err();
        assert!(arm.to_string().contains("not x86-64"), "{arm}");
        let script = check_static_x86_64(path, b"#!/bin/sh\necho hi\n").unwrap_err();
        assert!(script.to_string().contains("not an ELF"), "{script}");
    }

    #[test]
    fn the_binary_running_this_test_is_judged_by_how_it_was_linked() {
        let exe = std::env::current_exe().unwrap();
        let bytes = std::fs::read(&exe).unwrap();
        let result = check_static_x86_64(&exe, &bytes);
        if cfg!(all(target_arch = "x86_64", target_env = "gnu")) {
            assert!(
                result
                    .unwrap_err()
                    .to_string()
                    .contains("dynamically linked")
            );
        }
    }
}
