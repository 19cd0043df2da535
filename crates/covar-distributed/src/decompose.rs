//! Domain decomposition: the particles of all ranks cut into `size`
//! consecutive ranges of the Morton curve, of equal work, and moved to the
//! rank that owns their range.
//!
//! Every rank computes the same cuts: the Morton grid spans the global
//! bounding cube (a min and a max reduction), and each cut is found by
//! bisection on the key, 63 rounds of one sum reduction of `size - 1`
//! integers (the work below each candidate cut), as exafmm-t cuts a global
//! histogram of its keys. Work is an integer per particle (pair
//! interactions, or 1 each), so the sums are exact and the cuts the same
//! whatever the order of the reductions. A rank's work then exceeds the
//! mean by less than the work of the particles that share one key.

use covar_store::morton::BoundingCube;
use covar_store::{Particle, ParticleStore};
use glam::DVec3;

use crate::comm::Comm;
use crate::error::DistributedError;

/// Bits of a Morton key: keys lie in `0 .. 2^63`.
const KEY_END: u64 = 1 << 63;

/// Values per particle in an exchange: position, momentum, mass, charge.
const RECORD: usize = 8;

/// Which rank owns which range of the Morton curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Decomposition {
    cube: BoundingCube,
    /// `size + 1` keys: rank `r` owns `cuts[r] .. cuts[r + 1]`.
    cuts: Vec<u64>,
}

impl Decomposition {
    /// Cuts the curve so that every rank gets the same share of `work`
    /// (one integer per local particle of `store`, e.g. its pair
    /// interactions in the last evaluation; all 1 to balance counts).
    /// Collective.
    ///
    /// # Errors
    ///
    /// [`DistributedError::WorkLength`] if `work` and `store` differ in
    /// length on this rank.
    ///
    /// # Examples
    ///
    /// ```
    /// use covar_distributed::{Decomposition, Single};
    /// use covar_store::ic::UniformCube;
    /// let store = UniformCube::new(100, 1).generate()?;
    /// let d = Decomposition::balanced(&Single, &store, &vec![1; 100])?;
    /// assert_eq!(d.owner(store.position(7)), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn balanced(
        comm: &impl Comm,
        store: &ParticleStore,
        work: &[u64],
    ) -> Result<Self, DistributedError> {
        if work.len() != store.len() {
            return Err(DistributedError::WorkLength {
                rank: comm.rank(),
                particles: store.len(),
                work: work.len(),
            });
        }
        let cube = global_cube(comm, store);
        let mut keyed: Vec<(u64, u64)> = (0..store.len())
            .map(|i| (cube.key(store.position(i)), work[i]))
            .collect();
        keyed.sort_unstable();
        let keys: Vec<u64> = keyed.iter().map(|k| k.0).collect();
        // below[i]: the work of the first i particles in key order.
        let below: Vec<u64> = std::iter::once(0)
            .chain(keyed.iter().scan(0u64, |acc, k| {
                *acc += k.1;
                Some(*acc)
            }))
            .collect();
        let local_below = |key: u64| below[keys.partition_point(|&k| k < key)];
        let mut total = [below[keys.len()]];
        comm.sum_u64(&mut total);
        let size = comm.size();
        // Cut c is the smallest key with at least c / size of the work below it.
        let share = |c: usize| (u128::from(total[0]) * c as u128 / size as u128) as u64;
        let mut lo = vec![0u64; size - 1];
        let mut hi = vec![KEY_END; size - 1];
        for _ in 0..64 {
            if lo.iter().zip(&hi).all(|(l, h)| h - l <= 1) {
                break;
            }
            let mid: Vec<u64> = lo.iter().zip(&hi).map(|(l, h)| l + (h - l) / 2).collect();
            let mut at: Vec<u64> = mid.iter().map(|&m| local_below(m)).collect();
            comm.sum_u64(&mut at);
            for c in 0..size - 1 {
                if hi[c] - lo[c] <= 1 {
                    continue;
                }
                if at[c] >= share(c + 1) {
                    hi[c] = mid[c];
                } else {
                    lo[c] = mid[c];
                }
            }
        }
        // A cut whose share is 0 sits at key 0 (all the work is above it).
        let inner = (0..size - 1).map(|c| if share(c + 1) == 0 { 0 } else { hi[c] });
        let cuts = std::iter::once(0)
            .chain(inner)
            .chain(std::iter::once(u64::MAX))
            .collect();
        Ok(Self { cube, cuts })
    }

    /// The rank that owns a point.
    pub fn owner(&self, position: DVec3) -> usize {
        self.owner_of_key(self.cube.key(position))
    }

    fn owner_of_key(&self, key: u64) -> usize {
        self.cuts.partition_point(|&c| c <= key) - 1
    }

    /// The cube the Morton grid spans (the same on every rank).
    pub fn cube(&self) -> BoundingCube {
        self.cube
    }

    /// The `size + 1` cut keys: rank `r` owns keys `cuts[r] .. cuts[r + 1]`.
    pub fn cuts(&self) -> &[u64] {
        &self.cuts
    }

    /// Moves every particle of `store` to the rank that owns it (one
    /// all-to-all exchange of values, one of ids); returns this rank's
    /// particles in id order. Collective.
    pub fn redistribute(&self, comm: &impl Comm, store: &ParticleStore) -> ParticleStore {
        let size = comm.size();
        let owners: Vec<usize> = (0..store.len())
            .map(|i| self.owner(store.position(i)))
            .collect();
        let mut order: Vec<usize> = (0..store.len()).collect();
        order.sort_by_key(|&i| owners[i]);
        let mut counts = vec![0; size];
        for &o in &owners {
            counts[o] += 1;
        }
        let mut values = Vec::with_capacity(RECORD * store.len());
        let mut ids = Vec::with_capacity(store.len());
        for &i in &order {
            let p = store.particle(i);
            values.extend_from_slice(&p.values());
            ids.push(p.id);
        }
        let value_counts: Vec<usize> = counts.iter().map(|c| RECORD * c).collect();
        let (values, _) = comm.exchange_f64(&values, &value_counts);
        let (ids, _) = comm.exchange_u64(&ids, &counts);
        let mut arrived: Vec<(u64, usize)> = ids.iter().copied().zip(0..).collect();
        arrived.sort_unstable();
        let mut out = ParticleStore::with_capacity(arrived.len());
        for (id, k) in arrived {
            let v = values[RECORD * k..RECORD * (k + 1)]
                .try_into()
                .expect("a whole record");
            out.push_keeping_id(Particle::from_values(v, id));
        }
        out
    }

    /// Checks that every particle is on the rank that owns it, that no id
    /// is held twice, and that the ranks hold `total` particles together.
    /// Collective: every rank gets the same answer.
    ///
    /// # Errors
    ///
    /// [`DistributedError::Ownership`] describing the first violation.
    pub fn check(
        &self,
        comm: &impl Comm,
        store: &ParticleStore,
        total: u64,
    ) -> Result<(), DistributedError> {
        let (rank, size) = (comm.rank(), comm.size());
        let mut problems = Vec::new();
        if let Some(i) = (0..store.len()).find(|&i| self.owner(store.position(i)) != rank) {
            problems.push(format!(
                "rank {rank} holds particle {} of rank {}",
                store.id(i),
                self.owner(store.position(i))
            ));
        }
        // Ids go to rank id % size, which looks for repeats.
        let ids = store.ids();
        let mut by_rank: Vec<u64> = ids.to_vec();
        by_rank.sort_unstable_by_key(|&id| (id % size as u64, id));
        let mut counts = vec![0; size];
        for &id in ids {
            counts[(id % size as u64) as usize] += 1;
        }
        let (mut mine, _) = comm.exchange_u64(&by_rank, &counts);
        mine.sort_unstable();
        if let Some(w) = mine.windows(2).find(|w| w[0] == w[1]) {
            problems.push(format!("particle {} is held by two ranks", w[0]));
        }
        let mut held = [store.len() as u64, problems.len() as u64];
        comm.sum_u64(&mut held);
        if held[0] != total {
            problems.push(format!("the ranks hold {} particles, not {total}", held[0]));
        }
        // Every rank learns whether any rank found a violation.
        let (flags, _) = comm.gather_u64(&[u64::from(!problems.is_empty())]);
        match flags.iter().position(|&f| f != 0) {
            None => Ok(()),
            Some(r) if r == rank => Err(DistributedError::Ownership(problems.join("; "))),
            Some(r) => Err(DistributedError::Ownership(format!(
                "rank {r} found a violation"
            ))),
        }
    }
}

/// The bounding cube of the particles of every rank (the same on all).
/// Collective.
pub fn global_cube(comm: &impl Comm, store: &ParticleStore) -> BoundingCube {
    let cols = [store.x(), store.y(), store.z()];
    let fold = |c: &[f64], start: f64, f: fn(f64, f64) -> f64| {
        c.iter().copied().filter(|v| v.is_finite()).fold(start, f)
    };
    let mut lo = cols.map(|c| fold(c, f64::INFINITY, f64::min));
    let mut hi = cols.map(|c| fold(c, f64::NEG_INFINITY, f64::max));
    comm.min_f64(&mut lo);
    comm.max_f64(&mut hi);
    if lo.iter().any(|v| !v.is_finite()) {
        return BoundingCube {
            min: DVec3::ZERO,
            side: 0.0,
        };
    }
    let side = (0..3).map(|d| hi[d] - lo[d]).fold(0.0, f64::max);
    BoundingCube {
        min: DVec3::from_array(lo),
        side: if side.is_finite() { side } else { 0.0 },
    }
}

/// The work each rank holds and how far the busiest is above the mean.
#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    /// Work per rank, in rank order.
    pub per_rank: Vec<u64>,
}

impl Balance {
    /// Gathers every rank's work (the sum of `work`). Collective.
    pub fn measure(comm: &impl Comm, work: &[u64]) -> Self {
        let (per_rank, _) = comm.gather_u64(&[work.iter().sum()]);
        Self { per_rank }
    }

    /// The busiest rank's work over the mean (1 is perfect balance; 0 work
    /// in all counts as balanced).
    pub fn imbalance(&self) -> f64 {
        let total: u64 = self.per_rank.iter().sum();
        if total == 0 {
            return 1.0;
        }
        let max = self.per_rank.iter().copied().max().unwrap_or(0);
        max as f64 * self.per_rank.len() as f64 / total as f64
    }
}
