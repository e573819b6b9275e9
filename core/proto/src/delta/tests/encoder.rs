//! A small fossil-style encoder, to produce deltas for any pair, and the helpers that build inputs
//! for it: random bytes, random edits, hand-written deltas, a reference checksum.

use std::collections::HashMap;

use crate::delta::checksum;

pub(super) const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

// ---- a small fossil-style encoder, to produce deltas for any pair -------------------------

pub(super) fn put_int(out: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    let start = out.len();
    while v > 0 {
        out.push(ALPHABET[(v & 63) as usize]);
        v >>= 6;
    }
    out[start..].reverse();
}

pub(super) fn put_literal(out: &mut Vec<u8>, bytes: &[u8], rng: &mut fastrand::Rng) {
    // Sometimes split a literal into several commands, sometimes add an empty one.
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = if rng.u8(..) < 64 { rng.usize(1..=rest.len()) } else { rest.len() };
        put_int(out, n as u64);
        out.push(b':');
        out.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
    }
    if rng.u8(..) < 8 {
        out.extend_from_slice(b"0:");
    }
}

pub(super) fn put_copy(out: &mut Vec<u8>, offset: usize, len: usize, rng: &mut fastrand::Rng) {
    // Sometimes split a copy in two.
    let first = if len > 1 && rng.u8(..) < 64 { rng.usize(1..len) } else { len };
    for (o, n) in [(offset, first), (offset + first, len - first)] {
        if n > 0 {
            put_int(out, n as u64);
            out.push(b'@');
            put_int(out, o as u64);
            out.push(b',');
        }
    }
}

/// Greedy encoder: copies of matches found through an index of `window`-byte substrings of the
/// base, literals for the rest. Produces the same command syntax as fossil's encoder.
pub(super) fn encode(base: &[u8], target: &[u8], window: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut index: HashMap<&[u8], usize> = HashMap::new();
    if base.len() >= window {
        for i in 0..=base.len() - window {
            index.entry(&base[i..i + window]).or_insert(i);
        }
    }
    let mut out = Vec::new();
    put_int(&mut out, target.len() as u64);
    out.push(b'\n');
    let (mut literal_start, mut i) = (0, 0);
    while i < target.len() {
        let found = target.get(i..i + window).and_then(|w| index.get(w).copied());
        let Some(j) = found else {
            i += 1;
            continue;
        };
        let mut len = window;
        while j + len < base.len() && i + len < target.len() && base[j + len] == target[i + len] {
            len += 1;
        }
        put_literal(&mut out, &target[literal_start..i], rng);
        put_copy(&mut out, j, len, rng);
        i += len;
        literal_start = i;
    }
    put_literal(&mut out, &target[literal_start..], rng);
    put_int(&mut out, u64::from(checksum(target)));
    out.push(b';');
    out
}

/// Random bytes over a small alphabet (so that substrings repeat) or over all byte values.
pub(super) fn random_bytes(rng: &mut fastrand::Rng, len: usize) -> Vec<u8> {
    let alphabet = if rng.bool() { 4 } else { 256 };
    (0..len).map(|_| rng.u32(..alphabet) as u8).collect()
}

/// `base` with a few random edits (replacements, insertions, deletions).
pub(super) fn mutate(rng: &mut fastrand::Rng, base: &[u8]) -> Vec<u8> {
    let mut out = base.to_vec();
    for _ in 0..rng.usize(0..6) {
        let at = rng.usize(..=out.len());
        let run_len = rng.usize(0..20);
        let run = random_bytes(rng, run_len);
        match rng.u8(..3) {
            0 => {
                let end = (at + run.len()).min(out.len());
                out.splice(at..end, run);
            }
            1 => {
                out.splice(at..at, run);
            }
            _ => {
                let end = (at + rng.usize(0..20)).min(out.len());
                out.drain(at..end);
            }
        }
    }
    out
}

/// Fossil's own checksum loop (four byte-lane accumulators), as a reference.
pub(super) fn reference_checksum(z: &[u8]) -> u32 {
    let (mut s0, mut s1, mut s2, mut s3) = (0u32, 0u32, 0u32, 0u32);
    let mut chunks = z.chunks_exact(4);
    for c in &mut chunks {
        s0 = s0.wrapping_add(u32::from(c[0]));
        s1 = s1.wrapping_add(u32::from(c[1]));
        s2 = s2.wrapping_add(u32::from(c[2]));
        s3 = s3.wrapping_add(u32::from(c[3]));
    }
    s3 = s3.wrapping_add(s2 << 8).wrapping_add(s1 << 16).wrapping_add(s0 << 24);
    let rest = chunks.remainder();
    for (i, &b) in rest.iter().enumerate() {
        s3 = s3.wrapping_add(u32::from(b) << (24 - 8 * i));
    }
    s3
}

pub(super) fn delta_for(target: &[u8], commands: &str) -> Vec<u8> {
    let mut out = Vec::new();
    put_int(&mut out, target.len() as u64);
    out.push(b'\n');
    out.extend_from_slice(commands.as_bytes());
    put_int(&mut out, u64::from(checksum(target)));
    out.push(b';');
    out
}

pub(super) fn put(v: u64) -> String {
    let mut out = Vec::new();
    put_int(&mut out, v);
    String::from_utf8(out).unwrap()
}
