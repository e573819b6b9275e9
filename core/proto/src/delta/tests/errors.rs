//! Typed errors and limits.

use super::encoder::*;
use crate::delta::*;

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
