use std::collections::HashMap;

use super::*;

const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

// ---- a small fossil-style encoder, to produce deltas for any pair -------------------------

fn put_int(out: &mut Vec<u8>, mut v: u64) {
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

fn put_literal(out: &mut Vec<u8>, bytes: &[u8], rng: &mut fastrand::Rng) {
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

fn put_copy(out: &mut Vec<u8>, offset: usize, len: usize, rng: &mut fastrand::Rng) {
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
fn encode(base: &[u8], target: &[u8], window: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
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
fn random_bytes(rng: &mut fastrand::Rng, len: usize) -> Vec<u8> {
    let alphabet = if rng.bool() { 4 } else { 256 };
    (0..len).map(|_| rng.u32(..alphabet) as u8).collect()
}

/// `base` with a few random edits (replacements, insertions, deletions).
fn mutate(rng: &mut fastrand::Rng, base: &[u8]) -> Vec<u8> {
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
fn reference_checksum(z: &[u8]) -> u32 {
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

// ---- checksum ----------------------------------------------------------------------------

#[test]
fn checksum_vectors() {
    assert_eq!(checksum(b""), 0);
    assert_eq!(checksum(b"a"), 0x6100_0000);
    assert_eq!(checksum(b"abcd"), 0x6162_6364);
    assert_eq!(checksum(b"abcde"), 0x6162_6364 + 0x6500_0000);
    assert_eq!(checksum(b"abcdefg"), 0x6162_6364 + 0x6566_6700);
    // Wraps around.
    assert_eq!(checksum(&[0xff; 8]), 0xffff_fffe);
    let mut rng = fastrand::Rng::with_seed(7);
    for len in 0..300 {
        let data = random_bytes(&mut rng, len);
        assert_eq!(checksum(&data), reference_checksum(&data), "{data:?}");
    }
}

// ---- vectors from a real fossil encoder --------------------------------------------------

/// Deltas made by the `fossil-delta` npm package (2.0.0), a port of fossil's encoder.
#[test]
fn applies_deltas_from_the_reference_encoder() {
    let cases: [(&[u8], &[u8], &[u8]); 6] = [
        (
            br#"{"price":100,"symbol":"ACME","ts":1700000000}"#,
            br#"{"price":101,"symbol":"ACME","ts":1700000001}"#,
            b"i\nB@0,1:1V@C,2:1}19W5OO;",
        ),
        (b"", b"hello", b"5\n5:hello3NPMmh;"),
        (b"hello world", b"", b"0\n0:0;"),
        (
            b"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789",
            b"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789!",
            b"19\n18@0,1:!3isaeb;",
        ),
        (
            b"The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.",
            b"The quick brown cat jumps over the lazy dog. The quick brown fox leaps over the lazy dog!",
            b"1P\nG@0,3:catP@10,1: K@0,O:leaps over the lazy dog!3Lf3qF;",
        ),
        (b"same", b"same", b"4\n4:same1oOMqa;"),
    ];
    for (base, target, delta) in cases {
        assert_eq!(apply(base, delta).unwrap(), target, "{:?}", String::from_utf8_lossy(delta));
    }

    // Binary data: bytes 100..110 of a 300-byte base replaced by ten new bytes.
    let bin1: Vec<u8> = (0..300u32).map(|i| ((i * 7 + 3) & 255) as u8).collect();
    let bin2: Vec<u8> = (0..310usize)
        .map(|i| match i {
            0..100 => bin1[i],
            100..110 => (0xff - i) as u8,
            _ => bin1[i - 10],
        })
        .collect();
    let delta = b"4r\n1_@0,A:\x9b\x9a\x99\x98\x97\x96\x95\x94\x93\x9238@1_,B5XVx;";
    assert_eq!(apply(&bin1, delta).unwrap(), bin2);

    // Newline-separated JSON rows, every seventh value changed.
    let (mut lines1, mut lines2) = (String::new(), String::new());
    for i in 0..40 {
        lines1 += &format!("{{\"row\":{i},\"value\":\"v{i}\"}}\n");
        let v = if i % 7 == 0 { format!("X{i}") } else { i.to_string() };
        lines2 += &format!("{{\"row\":{i},\"value\":\"v{v}\"}}\n");
    }
    let delta = b"FQ\nJ@0,1:X2X@J,1:X2f@2p,1:X2k@5U,1:X2k@8D,1:X2k@Ax,1:X1e@Dg,1ZObR0;";
    assert_eq!(apply(lines1.as_bytes(), delta).unwrap(), lines2.as_bytes());
}

// ---- hand-written deltas -----------------------------------------------------------------

fn delta_for(target: &[u8], commands: &str) -> Vec<u8> {
    let mut out = Vec::new();
    put_int(&mut out, target.len() as u64);
    out.push(b'\n');
    out.extend_from_slice(commands.as_bytes());
    put_int(&mut out, u64::from(checksum(target)));
    out.push(b';');
    out
}

#[test]
fn hand_written_deltas() {
    let base = b"0123456789";
    let cases: [(&str, &[u8]); 7] = [
        ("3@0,", b"012"),
        ("3@7,2:ab", b"789ab"),
        ("2:xy5@5,0:1@0,", b"xy567890"),
        ("A@0,", b"0123456789"),
        ("0@A,", b""), // an empty copy at the very end of the base is in range
        ("", b""),
        ("1:\n1:;1:@", b"\n;@"), // literal bytes are data, even when they look like syntax
    ];
    for (commands, target) in cases {
        let delta = delta_for(target, commands);
        assert_eq!(apply(base, &delta).unwrap(), target, "{commands:?}");
    }
}

#[test]
fn number_alphabet() {
    // One literal of 64 bytes ("10" in base 64) with every digit value in its checksum position.
    let target = vec![b'x'; 64];
    let delta = delta_for(&target, &format!("10:{}", "x".repeat(64)));
    assert_eq!(apply(b"", &delta).unwrap(), target);
    for (digit, value) in ALPHABET.iter().zip(0u64..) {
        let mut r = Reader { buf: &[*digit, b';'], pos: 0 };
        assert_eq!(r.number(), Some(Ok(value)));
        assert_eq!(r.pos, 1);
    }
    let mut r = Reader { buf: b"~~", pos: 0 };
    assert_eq!(r.number(), Some(Ok(4095)));
    let mut r = Reader { buf: b"F~~~~~~~~~~", pos: 0 }; // exactly 2^64 - 1
    assert_eq!(r.number(), Some(Ok(u64::MAX)));
    let mut r = Reader { buf: b"G0000000000", pos: 0 }; // 2^64
    assert_eq!(r.number(), Some(Err(())));
    for not_digit in [b'!', b'-', b'@', b':', b';', b',', b'\n', b'{', 0x80, 0xff] {
        assert_eq!(DIGITS[usize::from(not_digit)], -1);
    }
}

// ---- errors ------------------------------------------------------------------------------

#[test]
fn typed_errors() {
    let base = b"0123456789";
    let target = b"0123";
    let good = delta_for(target, "4@0,");
    assert_eq!(apply(base, &good).unwrap(), target);
    let sum = checksum(target);
    let cases: Vec<(Vec<u8>, DeltaError)> = vec![
        (b"".to_vec(), DeltaError::BadHeader),
        (b"\n4@0,".to_vec(), DeltaError::BadHeader),
        (b"4".to_vec(), DeltaError::BadHeader),
        (b"4;".to_vec(), DeltaError::BadHeader),
        (b"G0000000000\n".to_vec(), DeltaError::BadHeader),
        (b"4\n".to_vec(), DeltaError::Unterminated),
        (b"4\n4@0,".to_vec(), DeltaError::Unterminated),
        (b"4\n4".to_vec(), DeltaError::Unterminated),
        (b"4\n@0,".to_vec(), DeltaError::BadNumber { at: 2 }),
        (b"4\n4@,".to_vec(), DeltaError::BadNumber { at: 4 }),
        (b"4\nG0000000000:".to_vec(), DeltaError::BadNumber { at: 2 }),
        (b"4\n4!".to_vec(), DeltaError::BadOperator { at: 3, byte: '!' }),
        (b"4\n4@0;".to_vec(), DeltaError::BadOperator { at: 5, byte: ';' }),
        (b"4\n4@0".to_vec(), DeltaError::BadOperator { at: 5, byte: '\u{fffd}' }),
        (b"4\n4@7,".to_vec(), DeltaError::CopyOutOfRange { offset: 7, len: 4, base_len: 10 }),
        (
            b"4\n1@~~~~~~~~~~,".to_vec(),
            DeltaError::CopyOutOfRange { offset: (1 << 60) - 1, len: 1, base_len: 10 },
        ),
        (b"4\n5@0,".to_vec(), DeltaError::OutputOverflow { at: 2, target_len: 4 }),
        (b"4\n2@0,3:abc".to_vec(), DeltaError::OutputOverflow { at: 6, target_len: 4 }),
        (b"4\n4:ab".to_vec(), DeltaError::LiteralOverflow { at: 4, len: 4 }),
        (
            format!("4\n3@0,{};", put(u64::from(checksum(b"012")))).into_bytes(),
            DeltaError::SizeMismatch { expected: 4, actual: 3 },
        ),
        (
            format!("4\n4@0,{};", put(u64::from(sum) ^ 1)).into_bytes(),
            DeltaError::ChecksumMismatch { expected: u64::from(sum) ^ 1, actual: sum },
        ),
        (
            format!("4\n4@0,{};", put(u64::from(sum) + (1 << 32))).into_bytes(),
            DeltaError::ChecksumMismatch { expected: u64::from(sum) + (1 << 32), actual: sum },
        ),
    ];
    for (delta, expected) in cases {
        let got = apply(base, &delta);
        assert_eq!(got, Err(expected), "{:?}", String::from_utf8_lossy(&delta));
        // Every error has a readable message.
        assert!(!got.unwrap_err().to_string().is_empty());
    }
    // Bytes after the final `;` are ignored.
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"garbage");
    assert_eq!(apply(base, &trailing).unwrap(), target);
}

fn put(v: u64) -> String {
    let mut out = Vec::new();
    put_int(&mut out, v);
    String::from_utf8(out).unwrap()
}

#[test]
fn target_length_limit_and_huge_headers() {
    let delta = delta_for(b"0123", "4@0,");
    assert_eq!(apply_with_limit(b"0123456789", &delta, 4).unwrap(), b"0123");
    assert_eq!(
        apply_with_limit(b"0123456789", &delta, 3),
        Err(DeltaError::TooLarge { target_len: 4, limit: 3 })
    );
    // A header announcing 2^60 bytes allocates nothing of the sort and fails cleanly.
    assert_eq!(
        apply(b"", b"10000000000\n0:0;"),
        Err(DeltaError::SizeMismatch { expected: 1 << 60, actual: 0 })
    );
    assert_eq!(
        apply(b"0123456789", b"10000000000\nA@0,A@0,A@0,0;"),
        Err(DeltaError::SizeMismatch { expected: 1 << 60, actual: 30 })
    );
}

// ---- random round trips and fuzzing --------------------------------------------------------

#[test]
fn random_pairs_round_trip() {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for case in 0..3000 {
        let base = {
            let n = rng.usize(0..400);
            random_bytes(&mut rng, n)
        };
        let target = match case % 4 {
            0 => {
                let n = rng.usize(0..400);
                random_bytes(&mut rng, n)
            }
            _ => mutate(&mut rng, &base),
        };
        let window = rng.usize(1..=8);
        let delta = encode(&base, &target, window, &mut rng);
        assert_eq!(apply(&base, &delta).unwrap(), target, "case {case}");
    }
}

#[test]
fn no_panic_on_random_or_corrupted_deltas() {
    let mut rng = fastrand::Rng::with_seed(42);
    for case in 0..20_000 {
        let base = {
            let n = rng.usize(0..64);
            random_bytes(&mut rng, n)
        };
        let delta = match case % 3 {
            // Pure noise, biased towards delta syntax.
            0 => (0..rng.usize(0..64))
                .map(|_| match rng.u8(..4) {
                    0 => b"@:;,\n"[rng.usize(..5)],
                    1 => ALPHABET[rng.usize(..64)],
                    _ => rng.u8(..),
                })
                .collect(),
            // A valid delta with a few bytes changed, inserted or removed.
            _ => {
                let target = mutate(&mut rng, &base);
                let mut delta = encode(&base, &target, rng.usize(1..=4), &mut rng);
                for _ in 0..rng.usize(1..4) {
                    let at = rng.usize(..=delta.len());
                    match rng.u8(..3) {
                        0 if at < delta.len() => delta[at] = rng.u8(..),
                        1 => delta.insert(at, rng.u8(..)),
                        _ if at < delta.len() => {
                            delta.remove(at);
                        }
                        _ => {}
                    }
                }
                delta
            }
        };
        if let Ok(out) = apply(&base, &delta) {
            // Whatever is accepted is self-consistent.
            let mut r = Reader { buf: &delta, pos: 0 };
            assert_eq!(r.number(), Some(Ok(out.len() as u64)));
        }
    }
}

#[test]
fn every_truncation_fails() {
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..200 {
        let base = {
            let n = rng.usize(0..100);
            random_bytes(&mut rng, n)
        };
        let target = mutate(&mut rng, &base);
        let delta = encode(&base, &target, 4, &mut rng);
        for cut in 0..delta.len() {
            assert!(apply(&base, &delta[..cut]).is_err(), "{:?}", &delta[..cut]);
        }
    }
}

#[test]
fn large_inputs_take_linear_time() {
    // 200 000 one-byte literals and 200 000 one-byte copies out of a 1 MiB base: a quadratic
    // decoder would take minutes here.
    let base: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let mut target = Vec::new();
    let mut commands = String::new();
    for i in 0..200_000u32 {
        let b = (i % 26) as u8 + b'a';
        target.push(b);
        commands.push_str("1:");
        commands.push(char::from(b));
        let offset = (i as usize * 5) % base.len();
        target.push(base[offset]);
        commands.push_str("1@");
        commands.push_str(&put(offset as u64));
        commands.push(',');
    }
    let delta = delta_for(&target, &commands);
    assert_eq!(apply(&base, &delta).unwrap(), target);
    // And one big copy of the whole base.
    let delta = delta_for(&base, &format!("{}@0,", put(base.len() as u64)));
    assert_eq!(apply(&base, &delta).unwrap(), base);
}

// ---- per-subscription state and the JSON string quirk ----------------------------------------

#[test]
fn state_follows_a_delta_chain() {
    let mut state = DeltaState::new();
    assert_eq!(state.next(Bytes::from_static(b"x"), true), Err(DeltaError::NoBase));
    let v1 = Bytes::from_static(br#"{"price":100,"symbol":"ACME","ts":1700000000}"#);
    assert_eq!(state.next(v1.clone(), false).unwrap(), v1);
    let d2 = Bytes::from_static(b"i\nB@0,1:1V@C,2:1}19W5OO;");
    let v2 = state.next(d2, true).unwrap();
    assert_eq!(&v2[..], br#"{"price":101,"symbol":"ACME","ts":1700000001}"#);
    assert_eq!(state.prev(), Some(&v2));

    // A corrupt delta leaves the base untouched.
    let bad = Bytes::from_static(b"i\nB@0,1:2V@C,2:1}19W5OO;");
    assert!(matches!(state.next(bad, true), Err(DeltaError::ChecksumMismatch { .. })));
    assert_eq!(state.prev(), Some(&v2));

    let mut rng = fastrand::Rng::with_seed(11);
    let mut prev = v2.to_vec();
    for _ in 0..100 {
        let next = mutate(&mut rng, &prev);
        let delta = encode(&prev, &next, 3, &mut rng);
        assert_eq!(&state.next(Bytes::from(delta), true).unwrap()[..], &next[..]);
        prev = next;
    }
    state.reset();
    assert_eq!(state.prev(), None);
}

#[test]
fn json_mode_data_is_a_string() {
    // Full payload: the JSON text inside a JSON string. Without escapes: no copy.
    let data = Payload::from_json_str(r#""abc""#).unwrap();
    let bytes = json_string_bytes(&data).unwrap();
    assert_eq!(&bytes[..], b"abc");
    assert_eq!(bytes.as_ptr(), data.as_bytes()[1..].as_ptr());

    // A full JSON payload and then a delta, as a Centrifugo JSON connection sends them.
    let mut state = DeltaState::new();
    let full = Payload::from_json_str(r#""{\"price\":100,\"symbol\":\"ACME\",\"ts\":1700000000}""#).unwrap();
    let v1 = state.next(json_string_bytes(&full).unwrap(), false).unwrap();
    assert_eq!(&v1[..], br#"{"price":100,"symbol":"ACME","ts":1700000000}"#);
    let delta = Payload::from_json_str(r#""i\nB@0,1:1V@C,2:1}19W5OO;""#).unwrap();
    let v2 = state.next(json_string_bytes(&delta).unwrap(), true).unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&v2).unwrap();
    assert_eq!(parsed["price"], 101);

    let unicode = Payload::from_json_str(r#""\u00e9\ud83d\ude00""#).unwrap();
    assert_eq!(&json_string_bytes(&unicode).unwrap()[..], "é😀".as_bytes());
    for not_a_string in [r#"{"a":1}"#, "12", "null", "[\"a\"]"] {
        let p = Payload::from_json_str(not_a_string).unwrap();
        assert!(matches!(json_string_bytes(&p), Err(DeltaError::NotAJsonString(_))), "{not_a_string}");
    }
    for raw in [&b"\"\xff\""[..], b"\"abc", b""] {
        let p = Payload::from_raw(Bytes::copy_from_slice(raw));
        assert!(matches!(json_string_bytes(&p), Err(DeltaError::NotAJsonString(_))), "{raw:?}");
    }
}
