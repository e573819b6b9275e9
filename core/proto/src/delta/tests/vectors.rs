//! Known answers: the checksum, deltas from a real fossil encoder and hand-written deltas.

use super::encoder::*;
use crate::delta::*;

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
