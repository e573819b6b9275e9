//! Random round trips and fuzzing.

use super::encoder::*;
use crate::delta::*;

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
