//! `tntc secrets check -o json` and `tntc secrets init -o json`.

pub mod check;
pub mod init;
