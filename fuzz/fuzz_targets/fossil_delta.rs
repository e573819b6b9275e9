//! Fossil delta on any base and delta: a result within the size limit or a `DeltaError`, never a
//! panic, an overflow or an allocation larger than the limit. The first input byte says where the
//! base ends.
#![no_main]

use ceaseless_proto::delta::{apply_with_limit, checksum};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(split).min(rest.len());
    let (base, delta) = rest.split_at(split);
    if let Ok(out) = apply_with_limit(base, delta, LIMIT) {
        assert!(out.len() <= LIMIT, "the limit holds");
        let _ = checksum(&out);
    }
});
