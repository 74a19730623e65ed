//! What one ConfigMap can hold: the limit, and a bundle's files with their sizes.

/// The most bytes of files one ConfigMap carries, as in the original (Kubernetes' hard
/// limit is 1 MiB for the whole object, metadata included).
pub const CONFIGMAP_LIMIT: u64 = 921_600;

/// One file of the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundlePart {
    /// Its path in the bundle (and under `/app/workflow` in the pod): `nodes/count.wasm`.
    pub path: String,
    /// Its ConfigMap key: `nodes__count.wasm`.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}
