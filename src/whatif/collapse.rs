//! Collapsing sets of scenario-matrix combinations into exact boxes, fast.
//!
//! Contract: the result is exactly the one of the reference merge described
//! in [`super::coverage`]'s module docs ("Collapsing"): start from one box
//! per combination; for each dimension, innermost first, merge the boxes
//! that agree on every other dimension by uniting their values along it;
//! repeat the round until it merges nothing. The boxes are disjoint, hold
//! exactly the input, and come sorted by their smallest combination (each
//! box's per-dimension smallest value). [`Layout::persona`] + [`Layout::finish`] do the same in two steps so the
//! first step runs per persona in parallel (`collapse`, for the tests, does
//! both on any combinations). Pure, never panics.
//!
//! # Why it is the same result, and cheaper
//!
//! - A round's pass along dimension `d` partitions the boxes by everything
//!   but `d` and unites each part along `d`: the result does not depend on
//!   the order the boxes come in, so any data structure may hold them.
//! - In the first round, before the pass along `d`, every dimension before
//!   `d` is still a single value (nothing merged along it yet), so boxes of
//!   different personas never merge before the pass along the persona: the
//!   first round's passes along every other dimension run per persona
//!   ([`Layout::persona`]), and only the persona pass and later rounds see
//!   every persona at once ([`Layout::finish`]).
//! - The combinations of one persona arrive in matrix order, so the first
//!   pass (along the innermost dimension) is a scan of adjacent runs.
//! - A box is one flat run of `u64` words (one bitset per dimension, no
//!   allocation per box), grouped with an open-addressing table over a hash
//!   of the words outside the merged dimension.

use super::coverage::Mask;
use super::matrix::{Combo, DIMS};

/// Where each dimension's bitset sits inside a box.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Values per dimension.
    lens: [usize; DIMS],
    /// Word offset of each dimension's bitset; `off[DIMS]` is the stride.
    off: [usize; DIMS + 1],
}

/// Boxes stored flat, [`Layout`]'s stride words each.
#[derive(Debug, Clone, Default)]
pub(crate) struct Boxes {
    words: Vec<u64>,
}

impl Layout {
    /// The layout for a matrix with `lens` values per dimension (a zero
    /// length counts as one, so an empty dimension never divides by zero).
    pub(crate) fn new(lens: [usize; DIMS]) -> Layout {
        let lens = lens.map(|l| l.max(1));
        let mut off = [0; DIMS + 1];
        for d in 0..DIMS {
            off[d + 1] = off[d] + lens[d].div_ceil(64);
        }
        Layout { lens, off }
    }

    fn stride(&self) -> usize {
        self.off[DIMS]
    }

    fn len(&self, b: &Boxes) -> usize {
        b.words.len() / self.stride()
    }

    /// The combinations of one persona after the first round's passes
    /// along every dimension but the persona. `cells` are the combinations'
    /// positions among the persona's combinations in matrix order
    /// ([`super::matrix::Matrix::combos_for`]), ascending.
    pub(crate) fn persona(&self, persona: usize, cells: &[usize]) -> Boxes {
        let w = self.stride();
        let inner = self.lens[DIMS - 1];
        let mut boxes = Boxes {
            words: Vec::with_capacity(cells.len().div_ceil(inner) * w),
        };
        // The pass along the innermost dimension: cells that differ only
        // there are adjacent (and the input is sorted, so runs are whole).
        let mut last: Option<usize> = None;
        for &cell in cells {
            let (prefix, v) = (cell / inner, cell % inner);
            if last != Some(prefix) {
                last = Some(prefix);
                let start = boxes.words.len();
                boxes.words.resize(start + w, 0);
                let b = &mut boxes.words[start..];
                set(&mut b[self.off[0]..], persona);
                let mut rest = prefix;
                for d in (1..DIMS - 1).rev() {
                    set(&mut b[self.off[d]..], rest % self.lens[d]);
                    rest /= self.lens[d];
                }
            }
            let start = boxes.words.len() - w;
            set(&mut boxes.words[start + self.off[DIMS - 1]..], v);
        }
        for d in (1..DIMS - 1).rev() {
            boxes = self.pass(&boxes, d);
        }
        boxes
    }

    /// Every persona's [`Layout::persona`] result (`raw`: how many
    /// combinations they came from) through the rest of the merge, as
    /// (masks in [`super::matrix::Dim::ALL`] order, smallest combination),
    /// sorted by the latter.
    pub(crate) fn finish(&self, parts: &[Boxes], raw: usize) -> Vec<(Vec<Mask>, Combo)> {
        let mut boxes = Boxes {
            words: parts.iter().flat_map(|p| p.words.iter().copied()).collect(),
        };
        // The first round's last pass, then whole rounds until one merges
        // nothing.
        boxes = self.pass(&boxes, 0);
        let mut before = raw;
        while self.len(&boxes) != before {
            before = self.len(&boxes);
            for d in (0..DIMS).rev() {
                boxes = self.pass(&boxes, d);
            }
        }
        let mut out: Vec<(Vec<Mask>, Combo)> = boxes
            .words
            .chunks_exact(self.stride())
            .map(|b| {
                let mut example = [0; DIMS];
                let masks = (0..DIMS)
                    .map(|d| {
                        let bits = &b[self.off[d]..self.off[d + 1]];
                        example[d] = first(bits);
                        Mask::from_words(bits)
                    })
                    .collect();
                (masks, Combo(example))
            })
            .collect();
        out.sort_unstable_by_key(|(_, c)| *c);
        out
    }

    /// One pass along `d`: boxes equal outside `d` become one, united
    /// along `d`.
    fn pass(&self, boxes: &Boxes, d: usize) -> Boxes {
        let w = self.stride();
        let n = self.len(boxes);
        let (a, b) = (self.off[d], self.off[d + 1]);
        let cap = (n * 2).next_power_of_two().max(16);
        let bits = cap.trailing_zeros();
        let mut table = vec![usize::MAX; cap];
        let mut out = Boxes {
            words: Vec::with_capacity(n * w),
        };
        for bx in boxes.words.chunks_exact(w) {
            let mut slot = hash_outside(bx, a, b, bits);
            loop {
                let j = table[slot];
                if j == usize::MAX {
                    table[slot] = out.words.len() / w;
                    out.words.extend_from_slice(bx);
                    break;
                }
                let other = &mut out.words[j * w..(j + 1) * w];
                if other[..a] == bx[..a] && other[b..] == bx[b..] {
                    for (o, x) in other[a..b].iter_mut().zip(&bx[a..b]) {
                        *o |= x;
                    }
                    break;
                }
                slot = (slot + 1) & (cap - 1);
            }
        }
        out
    }
}

/// Sets bit `i` of a bitset that starts at `words[0]`.
fn set(words: &mut [u64], i: usize) {
    words[i / 64] |= 1 << (i % 64);
}

/// The lowest set bit (0 for an empty set, which a box never has).
fn first(words: &[u64]) -> usize {
    words
        .iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map_or(0, |(i, w)| i * 64 + w.trailing_zeros() as usize)
}

/// A table slot (`bits` wide) from the words outside `a..b`.
fn hash_outside(words: &[u64], a: usize, b: usize, bits: u32) -> usize {
    let mut h: u64 = 0;
    for w in words[..a].iter().chain(&words[b..]) {
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    // Fold the high bits in: the multiply leaves the low bits weak.
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 32;
    (h as usize) & ((1usize << bits) - 1)
}

/// Collapses any combinations (duplicates allowed, any order) into exact
/// boxes with their smallest combination, sorted by it: the two steps in
/// one, for the tests that compare them with the reference merge.
#[cfg(test)]
pub(crate) fn collapse(raw: &[Combo]) -> Vec<(Vec<Mask>, Combo)> {
    let mut lens = [1; DIMS];
    for c in raw {
        for (l, v) in lens.iter_mut().zip(c.0) {
            *l = (*l).max(v + 1);
        }
    }
    let layout = Layout::new(lens);
    let mut sorted = raw.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut cells: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let persona = sorted[i].0[0];
        cells.clear();
        while i < sorted.len() && sorted[i].0[0] == persona {
            // The position among the persona's combinations in matrix order
            // (no overflow: it is below the number of combinations).
            cells.push((1..DIMS).fold(0, |acc, d| acc * layout.lens[d] + sorted[i].0[d]));
            i += 1;
        }
        parts.push(layout.persona(persona, &cells));
    }
    layout.finish(&parts, sorted.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The reference merge, as the module docs (and `caac` before this
    /// module) state it: one box per combination, `HashMap` passes.
    fn reference(raw: &[Combo]) -> Vec<(Vec<Mask>, Combo)> {
        let mut boxes: Vec<(Vec<Mask>, Combo)> = raw
            .iter()
            .map(|c| (c.0.iter().map(|i| Mask::one(*i)).collect(), *c))
            .collect();
        loop {
            let before = boxes.len();
            for d in (0..DIMS).rev() {
                let mut index: HashMap<Vec<Mask>, usize> = HashMap::new();
                let mut merged: Vec<(Vec<Mask>, Combo)> = Vec::with_capacity(boxes.len());
                for g in boxes {
                    let mut key = g.0.clone();
                    key[d] = Mask::from_words(&[]);
                    match index.get(&key) {
                        Some(&i) => {
                            let into = &mut merged[i];
                            into.0[d].union(&g.0[d]);
                            into.1 = into.1.min(g.1);
                        }
                        None => {
                            index.insert(key, merged.len());
                            merged.push(g);
                        }
                    }
                }
                boxes = merged;
            }
            if boxes.len() == before {
                break;
            }
        }
        boxes.sort_by_key(|g| g.1);
        boxes
    }

    /// xorshift.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Every combination of `lens` that `keep` keeps, in matrix order.
    fn all(lens: [usize; DIMS], mut keep: impl FnMut(&Combo) -> bool) -> Vec<Combo> {
        let mut out = Vec::new();
        let total: usize = lens.iter().product();
        for mut n in 0..total {
            let mut c = [0; DIMS];
            for d in (0..DIMS).rev() {
                c[d] = n % lens[d];
                n /= lens[d];
            }
            if keep(&Combo(c)) {
                out.push(Combo(c));
            }
        }
        out
    }

    #[test]
    fn agrees_with_the_reference_on_random_sets() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..200 {
            let mut lens = [1; DIMS];
            for l in &mut lens {
                *l = 1 + (rng.next() % 3) as usize;
            }
            // Wide personas and targets now and then (bitsets past one word).
            if round % 10 == 0 {
                lens[0] = 60 + (rng.next() % 30) as usize;
                lens[1] = 1 + (rng.next() % 70) as usize;
                lens[2..].iter_mut().for_each(|l| *l = 1);
            }
            // Structured sets (unions of random boxes) and noise.
            let boxes: Vec<Vec<u64>> = (0..1 + rng.next() % 4)
                .map(|_| (0..DIMS).map(|_| rng.next() | rng.next()).collect())
                .collect();
            let noise = rng.next() % 5;
            let raw = all(lens, |c| {
                boxes
                    .iter()
                    .any(|b| (0..DIMS).all(|d| b[d] >> (c.0[d] % 64) & 1 == 1))
                    || rng.next() % 16 < noise
            });
            assert_eq!(
                collapse(&raw),
                reference(&raw),
                "round {round}, lens {lens:?}"
            );
            // Order and duplicates do not matter.
            let mut shuffled = raw.clone();
            shuffled.extend(raw.iter().step_by(3));
            shuffled.reverse();
            assert_eq!(collapse(&shuffled), reference(&raw), "round {round}");
        }
    }

    #[test]
    fn nothing_collapses_to_nothing() {
        assert!(collapse(&[]).is_empty());
    }

    #[test]
    fn a_full_matrix_is_one_box() {
        let lens = [3, 2, 2, 1, 2, 1, 1, 3, 2];
        let raw = all(lens, |_| true);
        let out = collapse(&raw);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1, Combo([0; DIMS]));
        assert_eq!(
            out[0].0.iter().map(Mask::count).collect::<Vec<_>>(),
            lens.to_vec()
        );
    }
}
