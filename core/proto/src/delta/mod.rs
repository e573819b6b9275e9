//! Fossil delta decoding, for subscriptions with delta compression (PROTOCOL.md §9).
//!
//! When a subscription negotiates `delta: "fossil"`, the server may send a publication as a delta
//! against the previous payload of that subscription instead of the full payload. [`apply`]
//! rebuilds the full payload and verifies its length and checksum; [`DeltaState`] keeps the
//! previous payload of one subscription and decides between full data and delta.
//!
//! ## Format
//!
//! Integers are written in base 64, most significant digit first, with the digits `0-9` (0-9),
//! `A-Z` (10-35), `_` (36), `a-z` (37-62) and `~` (63); a number ends at the first byte that is not
//! a digit. A delta is:
//!
//! ```text
//! <target length>\n
//! then commands, any number of:
//!   <count>@<offset>,   copy `count` bytes of the base starting at `offset`
//!   <count>:<bytes>     append the `count` bytes that follow
//! and finally:
//!   <checksum>;         end: the output has the target length and this checksum
//! ```
//!
//! The checksum is the wrapping 32-bit sum of the output read as big-endian 32-bit words, the last
//! partial word padded with zero bytes on the right ([`checksum`]). Bytes after the final `;` are
//! ignored, as the reference implementations do.
//!
//! Decoding runs in time linear in the size of the delta plus the output and never panics: any
//! malformed or inconsistent delta is a [`DeltaError`]. The output is never larger than the
//! target length announced in the header (checked before each copy or literal), and that length
//! can be capped with [`apply_with_limit`].
//!
//! ## Payload encoding with delta
//!
//! * Protobuf: `Publication.data` is the bytes of the full payload (`delta == false`) or of the
//!   delta (`delta == true`).
//! * JSON: once delta is negotiated, every `Publication.data` of the subscription (recovered ones
//!   included) is a JSON *string* holding the full JSON text or the delta. Unwrap it with
//!   [`json_string_bytes`] before feeding [`DeltaState::next`]; the result is JSON text.

use bytes::Bytes;

use crate::wire::Payload;

/// Why a delta cannot be applied. Offsets (`at`) are byte positions in the delta.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeltaError {
    /// The delta does not start with `<target length>\n`.
    #[error("bad delta header (expected `<length>\\n`)")]
    BadHeader,
    /// A command does not start with a number, or a number does not fit in 64 bits.
    #[error("bad number at byte {at} of the delta")]
    BadNumber {
        /// Where the number was expected.
        at: usize,
    },
    /// A number is followed by a byte that is not a command (`@`, `:` or `;`), or a copy command
    /// is not terminated by `,`.
    #[error("bad delta operator {byte:?} at byte {at}")]
    BadOperator {
        /// Position of the offending byte.
        at: usize,
        /// The offending byte, as a character for display (`\u{fffd}` past the end).
        byte: char,
    },
    /// A copy command reads past the end of the base.
    #[error("copy of {len} bytes at offset {offset} reads past the end of the {base_len}-byte base")]
    CopyOutOfRange {
        /// Offset in the base.
        offset: u64,
        /// Number of bytes to copy.
        len: u64,
        /// Length of the base.
        base_len: usize,
    },
    /// A literal command announces more bytes than the delta has left.
    #[error("literal of {len} bytes at byte {at} runs past the end of the delta")]
    LiteralOverflow {
        /// Position of the literal bytes.
        at: usize,
        /// Announced number of bytes.
        len: u64,
    },
    /// A command would make the output longer than the target length of the header.
    #[error("command at byte {at} makes the output exceed the target length {target_len}")]
    OutputOverflow {
        /// Position of the command.
        at: usize,
        /// Target length from the header.
        target_len: u64,
    },
    /// The delta ends without the final `<checksum>;`.
    #[error("delta ends without its checksum terminator")]
    Unterminated,
    /// The output length differs from the target length of the header.
    #[error("output is {actual} bytes, the delta announced {expected}")]
    SizeMismatch {
        /// Target length from the header.
        expected: u64,
        /// Length produced.
        actual: usize,
    },
    /// The checksum of the output differs from the one in the delta.
    #[error("checksum mismatch: delta says {expected:#010x}, output has {actual:#010x}")]
    ChecksumMismatch {
        /// Checksum from the delta (values over 32 bits can never match).
        expected: u64,
        /// Checksum of the output.
        actual: u32,
    },
    /// The target length is over the caller's limit ([`apply_with_limit`]).
    #[error("target length {target_len} is over the limit of {limit} bytes")]
    TooLarge {
        /// Target length from the header.
        target_len: u64,
        /// The caller's limit.
        limit: usize,
    },
    /// A delta arrived but there is no previous payload to apply it to ([`DeltaState`]).
    #[error("delta publication without a previous full payload")]
    NoBase,
    /// In JSON mode, publication data of a delta subscription is not a JSON string.
    #[error("publication data is not a JSON string: {0}")]
    NotAJsonString(String),
}

/// Applies a fossil `delta` to `base` and returns the target, after checking its length and
/// checksum.
pub fn apply(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaError> {
    apply_with_limit(base, delta, usize::MAX)
}

/// Like [`apply`], but refuses (with [`DeltaError::TooLarge`]) a delta whose target length is over
/// `limit` bytes, before producing any output.
///
/// Without a limit the output is bounded only by the target length announced by the delta, and a
/// small delta can legitimately describe a large output (each copy command may copy the whole
/// base), so a receiver may want to cap it at its largest acceptable payload.
pub fn apply_with_limit(base: &[u8], delta: &[u8], limit: usize) -> Result<Vec<u8>, DeltaError> {
    let mut reader = Reader { buf: delta, pos: 0 };
    let target_len = match reader.number() {
        Some(Ok(n)) => n,
        _ => return Err(DeltaError::BadHeader),
    };
    if reader.byte() != Some(b'\n') {
        return Err(DeltaError::BadHeader);
    }
    let fits = usize::try_from(target_len).ok().filter(|&n| n <= limit);
    let Some(target) = fits else {
        return Err(DeltaError::TooLarge { target_len, limit });
    };
    // Do not trust the header for the allocation: a corrupt one may announce any length.
    let mut out = Vec::with_capacity(target.min(base.len().saturating_add(delta.len())));
    loop {
        let at = reader.pos;
        let count = match reader.number() {
            Some(Ok(n)) => n,
            Some(Err(())) => return Err(DeltaError::BadNumber { at }),
            None if reader.pos == delta.len() => return Err(DeltaError::Unterminated),
            None => return Err(DeltaError::BadNumber { at }),
        };
        let op_at = reader.pos;
        match reader.byte() {
            Some(b'@') => {
                let offset_at = reader.pos;
                let offset = match reader.number() {
                    Some(Ok(n)) => n,
                    _ => return Err(DeltaError::BadNumber { at: offset_at }),
                };
                let comma_at = reader.pos;
                match reader.byte() {
                    Some(b',') => {}
                    other => return Err(bad_operator(comma_at, other)),
                }
                let end =
                    grown(out.len(), count, target).ok_or(DeltaError::OutputOverflow { at, target_len })?;
                let range = usize::try_from(offset)
                    .ok()
                    .and_then(|start| Some(start..start.checked_add(end - out.len())?))
                    .filter(|r| r.end <= base.len());
                let Some(range) = range else {
                    return Err(DeltaError::CopyOutOfRange { offset, len: count, base_len: base.len() });
                };
                out.extend_from_slice(&base[range]);
            }
            Some(b':') => {
                let end =
                    grown(out.len(), count, target).ok_or(DeltaError::OutputOverflow { at, target_len })?;
                let literal_at = reader.pos;
                let literal = reader
                    .take(end - out.len())
                    .ok_or(DeltaError::LiteralOverflow { at: literal_at, len: count })?;
                out.extend_from_slice(literal);
            }
            Some(b';') => {
                if out.len() != target {
                    return Err(DeltaError::SizeMismatch { expected: target_len, actual: out.len() });
                }
                let actual = checksum(&out);
                if count != u64::from(actual) {
                    return Err(DeltaError::ChecksumMismatch { expected: count, actual });
                }
                return Ok(out);
            }
            None => return Err(DeltaError::Unterminated),
            other => return Err(bad_operator(op_at, other)),
        }
    }
}

/// The fossil checksum: the wrapping sum of `data` read as big-endian `u32` words, the final
/// partial word padded with zero bytes on the right.
pub fn checksum(data: &[u8]) -> u32 {
    let mut words = data.chunks_exact(4);
    let mut sum = 0u32;
    for word in &mut words {
        sum = sum.wrapping_add(u32::from_be_bytes([word[0], word[1], word[2], word[3]]));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 4];
        last[..rest.len()].copy_from_slice(rest);
        sum = sum.wrapping_add(u32::from_be_bytes(last));
    }
    sum
}

/// `len + count` if it stays within `target`.
fn grown(len: usize, count: u64, target: usize) -> Option<usize> {
    let end = len.checked_add(usize::try_from(count).ok()?)?;
    (end <= target).then_some(end)
}

fn bad_operator(at: usize, byte: Option<u8>) -> DeltaError {
    DeltaError::BadOperator { at, byte: byte.map_or(char::REPLACEMENT_CHARACTER, char::from) }
}

/// Value of each byte as a base-64 digit, or -1.
const DIGITS: [i8; 256] = {
    let mut table = [-1i8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as i8;
        i += 1;
    }
    let mut i = 0;
    while i < 26 {
        table[b'A' as usize + i] = 10 + i as i8;
        table[b'a' as usize + i] = 37 + i as i8;
        i += 1;
    }
    table[b'_' as usize] = 36;
    table[b'~' as usize] = 63;
    table
};

/// A cursor over the delta.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads a base-64 number: `None` if there is no digit here, `Some(Err(()))` if it overflows
    /// 64 bits.
    fn number(&mut self) -> Option<Result<u64, ()>> {
        let start = self.pos;
        let mut value = 0u64;
        let mut overflow = false;
        while let Some(&byte) = self.buf.get(self.pos) {
            let digit = DIGITS[usize::from(byte)];
            if digit < 0 {
                break;
            }
            match value.checked_mul(64) {
                Some(v) => value = v | digit as u64,
                None => overflow = true,
            }
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        Some(if overflow { Err(()) } else { Ok(value) })
    }

    fn byte(&mut self) -> Option<u8> {
        let byte = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.buf.len())?;
        let slice = &self.buf[self.pos..end];
        self.pos = end;
        Some(slice)
    }
}

/// The delta state of one subscription: the last full payload.
///
/// Feed every publication of the subscription, in order, to [`DeltaState::next`] (in JSON mode
/// after unwrapping the string with [`json_string_bytes`]). Keep the state across a *successful*
/// recovery; [`reset`](DeltaState::reset) it when the subscription starts over without recovery
/// (`recovered: false`, error 112, unsubscribe 2502, disconnect 3014) or stops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeltaState {
    prev: Option<Bytes>,
}

impl DeltaState {
    /// A state with no previous payload.
    pub fn new() -> DeltaState {
        DeltaState::default()
    }

    /// Returns the full payload of a publication whose data is `data` and whose delta flag is
    /// `is_delta`, and remembers it as the base of the next delta.
    ///
    /// On error the state is left unchanged: drop the publication and resubscribe with recovery.
    pub fn next(&mut self, data: Bytes, is_delta: bool) -> Result<Bytes, DeltaError> {
        let full = if is_delta {
            let base = self.prev.as_ref().ok_or(DeltaError::NoBase)?;
            Bytes::from(apply(base, &data)?)
        } else {
            data
        };
        self.prev = Some(full.clone());
        Ok(full)
    }

    /// Forgets the previous payload.
    pub fn reset(&mut self) {
        self.prev = None;
    }

    /// The last full payload, if any.
    pub fn prev(&self) -> Option<&Bytes> {
        self.prev.as_ref()
    }
}

/// In JSON mode with delta negotiated, the bytes held by the JSON string `data` (the full JSON text
/// of the payload or a fossil delta). Without escapes in the string this is a slice of `data`, not a
/// copy.
pub fn json_string_bytes(data: &Payload) -> Result<Bytes, DeltaError> {
    let bytes = data.bytes();
    let raw = bytes.trim_ascii();
    if let [b'"', inner @ .., b'"'] = raw
        && !inner.iter().any(|&b| b == b'\\' || b == b'"' || b < 0x20)
    {
        std::str::from_utf8(inner).map_err(|e| DeltaError::NotAJsonString(e.to_string()))?;
        return Ok(bytes.slice_ref(inner));
    }
    match serde_json::from_slice::<String>(raw) {
        Ok(s) => Ok(Bytes::from(s)),
        Err(e) => Err(DeltaError::NotAJsonString(e.to_string())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
