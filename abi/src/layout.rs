//! Where canonical-ABI values sit in the runtime's linear memory (wasm32, little endian),
//! as `guest-runtime/src/exports.rs` and `guest-runtime/src/host.rs` lay them out.

/// Size of the return area of `compile`, `load-node` and `run`:
/// `result<T, string>` with `T` a string, a list or nothing, as
/// `{ discriminant: u8 @0, ptr: u32 @4, len: u32 @8 }` (alignment 4).
pub const RESULT_AREA_LEN: usize = 12;

/// Size of `option<completion>` as `wait` stores it: discriminant u8 @0, handle u32 @4,
/// ok u8 @8, meta (ptr u32, len u32) @12, body (ptr u32, len u32) @20 (alignment 4).
pub const COMPLETION_AREA_LEN: usize = 28;

/// A decoded result return area: `ok` or `err`, and where its payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResultArea {
    /// The `ok` case (else `err`, whose payload is a [`crate::GuestError`]).
    pub ok: bool,
    /// Address of the payload.
    pub ptr: u32,
    /// Its length in bytes.
    pub len: u32,
}

/// A return area held something no result can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("result discriminant {0} (0 is ok, 1 is err)")]
pub struct BadDiscriminant(pub u8);

impl ResultArea {
    /// Decodes the 12 bytes of a return area.
    pub fn decode(area: &[u8; RESULT_AREA_LEN]) -> Result<ResultArea, BadDiscriminant> {
        let ok = match area[0] {
            0 => true,
            1 => false,
            other => return Err(BadDiscriminant(other)),
        };
        let word =
            |at: usize| u32::from_le_bytes([area[at], area[at + 1], area[at + 2], area[at + 3]]);
        Ok(ResultArea {
            ok,
            ptr: word(4),
            len: word(8),
        })
    }
}

/// A completion as `wait` delivers it, with its `meta` and `body` already copied into the
/// guest at `(ptr, len)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletionArea {
    /// The handle `fetch` or `timer` returned.
    pub handle: u32,
    /// False when a fetch failed.
    pub ok: bool,
    /// `(ptr, len)` of the meta text.
    pub meta: (u32, u32),
    /// `(ptr, len)` of the body.
    pub body: (u32, u32),
}

impl CompletionArea {
    /// `some(completion)`, encoded.
    pub fn encode(&self) -> [u8; COMPLETION_AREA_LEN] {
        let mut area = [0u8; COMPLETION_AREA_LEN];
        area[0] = 1;
        area[4..8].copy_from_slice(&self.handle.to_le_bytes());
        area[8] = u8::from(self.ok);
        area[12..16].copy_from_slice(&self.meta.0.to_le_bytes());
        area[16..20].copy_from_slice(&self.meta.1.to_le_bytes());
        area[20..24].copy_from_slice(&self.body.0.to_le_bytes());
        area[24..28].copy_from_slice(&self.body.1.to_le_bytes());
        area
    }

    /// `none` (nothing pending): only the discriminant is meaningful.
    pub const NONE: [u8; 1] = [0];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_area_decodes_its_case_and_payload() {
        let mut area = [0u8; RESULT_AREA_LEN];
        area[0] = 1;
        area[4..8].copy_from_slice(&0x1000u32.to_le_bytes());
        area[8..12].copy_from_slice(&7u32.to_le_bytes());
        assert_eq!(
            ResultArea::decode(&area),
            Ok(ResultArea {
                ok: false,
                ptr: 0x1000,
                len: 7
            })
        );
        area[0] = 2;
        assert_eq!(ResultArea::decode(&area), Err(BadDiscriminant(2)));
    }

    #[test]
    fn a_completion_encodes_each_field_at_its_offset() {
        let area = CompletionArea {
            handle: 3,
            ok: true,
            meta: (16, 2),
            body: (32, 5),
        }
        .encode();
        assert_eq!(area[0], 1);
        assert_eq!(&area[4..8], &3u32.to_le_bytes());
        assert_eq!(area[8], 1);
        assert_eq!(&area[12..16], &16u32.to_le_bytes());
        assert_eq!(&area[20..24], &32u32.to_le_bytes());
        assert_eq!(&area[24..28], &5u32.to_le_bytes());
    }
}
