//! Deterministic randomness for the demo generator: ChaCha8 seeded from a `u64`, with our own
//! seed expansion and range reduction, so the same seed gives byte-identical files on every
//! machine and with any version of the `rand` crates (only the ChaCha8 stream itself is used).

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random source. Rates are given in parts per million (ppm) or per mille (‰).
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// A generator for `seed`; different `stream`s give independent sequences for the same seed.
    pub fn new(seed: u64, stream: u64) -> Rng {
        // SplitMix64 expands (seed, stream) into a 32-byte ChaCha key.
        let mut state = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes());
        }
        Rng(ChaCha8Rng::from_seed(key))
    }

    /// Uniform integer in `0..n`; `0` when `n == 0`. Multiply-shift reduction (bias below 2⁻³² for
    /// the ranges used here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform `usize` in `0..n`; `0` when `n == 0`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform integer in `lo..=hi`; `lo` when `hi < lo`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `per_mille / 1000`.
    pub fn permille(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// True with probability `ppm / 1_000_000`.
    pub fn ppm(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }

    /// One element of `items`, uniformly; `None` for an empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.index(items.len());
        items.get(i)
    }

    /// An index into `weights`, with probability proportional to its weight; `0` when all are zero.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }

    /// One element of `(weight, value)` pairs, with probability proportional to the weight.
    pub fn weighted_pick<T: Copy>(&mut self, table: &[(u32, T)], default: T) -> T {
        let weights: Vec<u32> = table.iter().map(|(w, _)| *w).collect();
        table
            .get(self.weighted(&weights))
            .map_or(default, |(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_streams_differ() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(7, 0);
                move |_| r.below(1_000_000)
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(7, 0);
                move |_| r.below(1_000_000)
            })
            .collect();
        let c: Vec<u64> = (0..8)
            .map({
                let mut r = Rng::new(7, 1);
                move |_| r.below(1_000_000)
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn ranges_and_weights_stay_in_bounds() {
        let mut r = Rng::new(1, 0);
        let mut seen = [0u32; 3];
        for _ in 0..3000 {
            let x = r.range(-1, 1);
            assert!((-1..=1).contains(&x));
            seen[(x + 1) as usize] += 1;
            assert_eq!(r.weighted(&[0, 5, 0]), 1);
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(5, 2), 5);
        assert_eq!(r.pick::<u8>(&[]), None);
    }
}
