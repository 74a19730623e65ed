//! Integration tests of the image layout and the registry client against the real tools:
//! `skopeo` and `umoci` read the layout, Debian's `docker-registry` (started per test on
//! 127.0.0.1, filesystem storage in a temporary directory, stopped by pid) takes the push.
//! The inputs are stand-ins (a static busybox as the "host", fixed cache files): the real
//! host in the image is tested end to end in `tntc/tests/all/image.rs`.

// The host's skip-or-fail rule for programs the tests start, shared rather than copied.
#[path = "../../../../host/tests/all/external_programs.rs"]
mod external_programs;
mod layout;
mod registry;
mod registry_server;
mod support;
