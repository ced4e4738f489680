//! Deterministic randomness for the generator: seeded ChaCha streams and the
//! few sampling primitives the generator needs, written against the raw
//! `next_u64` output so that the roll stays byte-identical for a seed even if
//! `rand`'s own distribution algorithms change in a later release.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random number generator used everywhere in the generator.
pub type GenRng = ChaCha8Rng;

/// Independent streams: one per purpose (stations plan, each station's voters).
pub(crate) const DOMAIN_PLAN: u64 = 1;
/// Stream of one station's voters; the index is the station's position.
pub(crate) const DOMAIN_STATION: u64 = 2;

/// A ChaCha stream keyed by the seed, a purpose and an index. ChaCha is a good
/// pseudo-random function, so structured keys give independent streams.
pub(crate) fn stream_rng(seed: u64, domain: u64, index: u64) -> GenRng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&domain.to_le_bytes());
    key[16..24].copy_from_slice(&index.to_le_bytes());
    key[24..].copy_from_slice(b"voterGen");
    GenRng::from_seed(key)
}

/// SplitMix64 finaliser: a stable 64-bit mixing function, used to turn a
/// rank into the parts of a composed name.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a over bytes: a stable hash (unlike `std`'s, which may change between
/// Rust releases) for decisions that must depend only on a row's content.
pub(crate) fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // Separator, so that ("AB", "C") and ("A", "BC") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Sampling helpers on any `rand` generator.
pub(crate) trait Draw: Rng {
    /// Uniform in `[0, 1)` with 53 bits of precision.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift; the bias is below
    /// 2^-40 for the sizes used here.
    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "below(0)");
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo) as usize + 1) as u32
    }

    /// True with probability `p` (never for `p <= 0`, always for `p >= 1`).
    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// One element of a non-empty slice, uniformly.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

impl<R: Rng + ?Sized> Draw for R {}

/// A discrete distribution over items given with weights.
#[derive(Debug, Clone)]
pub(crate) struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Weighted<T> {
    /// Builds the table; items with a non-positive weight are dropped.
    pub(crate) fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Self {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (item, weight) in pairs {
            if weight > 0.0 {
                total += weight;
                items.push(item);
                cumulative.push(total);
            }
        }
        assert!(
            !items.is_empty(),
            "a weighted table needs one positive weight"
        );
        Weighted { items, cumulative }
    }

    /// One item, with probability proportional to its weight.
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> &T {
        self.at(rng.unit())
    }

    /// The item at quantile `u` in `[0, 1)` of the distribution.
    pub(crate) fn at(&self, u: f64) -> &T {
        let total = *self.cumulative.last().expect("table is never empty");
        let target = u * total;
        let index = self.cumulative.partition_point(|&c| c <= target);
        &self.items[index.min(self.items.len() - 1)]
    }
}

/// A continuous power law over ranks `0..universe`, density proportional to
/// `(rank + offset)^-exponent`, sampled by inverting its distribution function.
/// It models how surnames are shared: a few very common ones, a very long tail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PowerLaw {
    exponent: f64,
    offset: f64,
    low: f64,
    span: f64,
    universe: u64,
}

impl PowerLaw {
    /// `exponent` must differ from 1 (the inversion below divides by `1 - s`).
    pub(crate) fn new(exponent: f64, offset: f64, universe: u64) -> Self {
        assert!((exponent - 1.0).abs() > 1e-6, "exponent 1 is not supported");
        let power = 1.0 - exponent;
        let low = offset.powf(power);
        let high = (universe as f64 + offset).powf(power);
        PowerLaw {
            exponent,
            offset,
            low,
            span: high - low,
            universe,
        }
    }

    /// A rank in `0..universe`.
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let u = rng.unit();
        let x = (self.low + u * self.span).powf(1.0 / (1.0 - self.exponent)) - self.offset;
        (x.max(0.0) as u64).min(self.universe - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draw = |mut rng: GenRng| -> Vec<u64> { (0..4).map(|_| rng.next_u64()).collect() };
        assert_eq!(draw(stream_rng(7, 1, 0)), draw(stream_rng(7, 1, 0)));
        assert_ne!(draw(stream_rng(7, 1, 0)), draw(stream_rng(7, 1, 1)));
        assert_ne!(draw(stream_rng(7, 1, 0)), draw(stream_rng(8, 1, 0)));
    }

    #[test]
    fn power_law_favours_low_ranks_and_stays_in_range() {
        let law = PowerLaw::new(0.9, 10.0, 1000);
        let mut rng = stream_rng(1, 0, 0);
        let mut low = 0;
        for _ in 0..10_000 {
            let rank = law.sample(&mut rng);
            assert!(rank < 1000);
            if rank < 100 {
                low += 1;
            }
        }
        // Ranks below 100 are a tenth of the range but far more of the mass.
        assert!(low > 3_000, "{low}");
    }

    #[test]
    fn weighted_respects_weights() {
        let table = Weighted::new([("a", 9.0), ("b", 1.0), ("never", 0.0)]);
        let mut rng = stream_rng(2, 0, 0);
        let a = (0..10_000)
            .filter(|_| *table.sample(&mut rng) == "a")
            .count();
        assert!((8_700..9_300).contains(&a), "{a}");
    }
}
