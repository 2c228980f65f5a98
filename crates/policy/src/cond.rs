//! Compiled conditions: a disjunction of conjunctions over the fact bits. A conjunction requires
//! all bits of `all`, none of `none`, and at least one bit of each mask in `any` (an enumerated
//! fact's allowed values, or an `or` of plain facts). Evaluating one is a few AND instructions.

/// One conjunction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conj {
    pub all: u64,
    pub none: u64,
    pub any: Vec<u64>,
}

impl Conj {
    #[inline]
    pub fn holds(&self, f: u64) -> bool {
        f & self.all == self.all && f & self.none == 0 && self.any.iter().all(|m| f & m != 0)
    }

    fn contradictory(&self) -> bool {
        self.all & self.none != 0 || self.any.iter().any(|m| m & !self.none == 0)
    }

    fn merge(&self, o: &Conj) -> Conj {
        let mut any = self.any.clone();
        for m in &o.any {
            if !any.contains(m) {
                any.push(*m);
            }
        }
        Conj {
            all: self.all | o.all,
            none: self.none | o.none,
            any,
        }
    }

    /// A conjunction that is just "at least one of these bits".
    fn as_single_any(&self) -> Option<u64> {
        match (self.all, self.none, self.any.as_slice()) {
            (a, 0, []) if a.count_ones() == 1 => Some(a),
            (0, 0, [m]) => Some(*m),
            _ => None,
        }
    }
}

/// A condition in disjunctive normal form. No conjunctions = false; one empty conjunction = true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    pub conjs: Vec<Conj>,
}

/// Above this many conjunctions a condition is refused as too complex (it would be slow).
pub const MAX_CONJS: usize = 256;

impl Cond {
    pub fn constant(b: bool) -> Cond {
        Cond {
            conjs: if b { vec![Conj::default()] } else { vec![] },
        }
    }

    pub fn bit(b: u8, positive: bool) -> Cond {
        let m = 1u64 << b;
        let c = if positive {
            Conj {
                all: m,
                ..Default::default()
            }
        } else {
            Conj {
                none: m,
                ..Default::default()
            }
        };
        Cond { conjs: vec![c] }
    }

    /// "at least one of `mask`" (positive) or "none of `mask`" (negative).
    pub fn mask(mask: u64, positive: bool) -> Cond {
        if positive {
            if mask == 0 {
                return Cond::constant(false);
            }
            let c = if mask.count_ones() == 1 {
                Conj {
                    all: mask,
                    ..Default::default()
                }
            } else {
                Conj {
                    any: vec![mask],
                    ..Default::default()
                }
            };
            Cond { conjs: vec![c] }
        } else {
            Cond {
                conjs: vec![Conj {
                    none: mask,
                    ..Default::default()
                }],
            }
        }
    }

    /// Index of the first conjunction that holds.
    #[inline]
    pub fn first_match(&self, f: u64) -> Option<usize> {
        self.conjs.iter().position(|c| c.holds(f))
    }

    #[inline]
    pub fn holds(&self, f: u64) -> bool {
        self.conjs.iter().any(|c| c.holds(f))
    }

    pub fn and(self, o: Cond) -> Result<Cond, usize> {
        let mut out = Vec::new();
        for a in &self.conjs {
            for b in &o.conjs {
                let c = a.merge(b);
                if !c.contradictory() && !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        if out.len() > MAX_CONJS {
            return Err(out.len());
        }
        Ok(Cond { conjs: out })
    }

    pub fn or(self, o: Cond) -> Result<Cond, usize> {
        let mut conjs = self.conjs;
        conjs.extend(o.conjs);
        // Merge the plain "one of these bits" conjunctions into a single mask.
        let mut merged = 0u64;
        let mut rest = Vec::new();
        for c in conjs {
            match c.as_single_any() {
                Some(m) => merged |= m,
                None => {
                    if !rest.contains(&c) {
                        rest.push(c)
                    }
                }
            }
        }
        if merged != 0 {
            let mut first = Cond::mask(merged, true).conjs;
            first.extend(rest);
            rest = first;
        }
        if rest
            .iter()
            .any(|c| c.all == 0 && c.none == 0 && c.any.is_empty())
        {
            return Ok(Cond::constant(true));
        }
        if rest.len() > MAX_CONJS {
            return Err(rest.len());
        }
        Ok(Cond { conjs: rest })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_or_truth_table() {
        // (a or b) and not c, over bits a=0, b=1, c=2
        let ab = Cond::bit(0, true).or(Cond::bit(1, true)).ok();
        assert_eq!(
            ab.as_ref().map(|c| c.conjs.len()),
            Some(1),
            "merged into one mask"
        );
        let e = ab.and_then(|ab| ab.and(Cond::bit(2, false)).ok());
        let Some(e) = e else { panic!("compile failed") };
        for f in 0u64..8 {
            let (a, b, c) = (f & 1 != 0, f & 2 != 0, f & 4 != 0);
            assert_eq!(e.holds(f), (a || b) && !c, "f={f:03b}");
        }
    }

    #[test]
    fn contradictions_vanish_and_constants_work() {
        let e = Cond::bit(0, true).and(Cond::bit(0, false)).ok();
        assert_eq!(e, Some(Cond::constant(false)));
        let t = Cond::constant(true).and(Cond::bit(3, true)).ok();
        assert_eq!(t, Some(Cond::bit(3, true)));
        let t = Cond::bit(1, true).or(Cond::constant(true)).ok();
        assert_eq!(t.map(|c| c.holds(0)), Some(true));
    }
}
