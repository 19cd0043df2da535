//! The distributed layer's checks under `mpirun -np K` (run by
//! `tests/mpirun.rs` for K = 1 to 4): uneven starts balanced, the
//! ownership invariant after every exchange, and distributed direct sums
//! bit for bit equal to one process's. Prints one line per check on rank 0
//! and exits non-zero (through a panic, which aborts the MPI job) on the
//! first failure.

use covar_distributed::{Balance, Comm, Decomposition, DistributedDirect, MpiComm};
use covar_kernel::{Direct, LaplaceSum, Outputs, Points, Problem, Softening, SofteningKernel};
use covar_store::ParticleStore;
use covar_store::ic::{Plummer, UniformCube};

/// A rank's work may exceed the mean by this factor after balancing (the
/// particles that share a Morton key cannot be split).
const THRESHOLD: f64 = 1.01;

fn main() {
    let (_universe, comm) = covar_distributed::initialize().expect("MPI initialises");
    let say = |line: String| {
        if comm.rank() == 0 {
            println!("{line}");
        }
    };
    let n = 2000;
    // Start 1: every particle on rank 0.
    let all = UniformCube::new(n, 11).generate().expect("cube");
    let start = if comm.rank() == 0 {
        all.clone()
    } else {
        ParticleStore::new()
    };
    let mine = balance(&comm, &start, |_| 1, n as u64);
    say(format!(
        "all on rank 0: balanced over {} ranks",
        comm.size()
    ));
    invariant_catches_violations(&comm, &start, &mine, n as u64);
    say(
        "the ownership check fails on every rank for a lost, a doubled or a misplaced particle"
            .into(),
    );
    sums_match_one_process(&comm, &all, &mine);
    say("cube: distributed direct sums equal one process's, bit for bit".into());
    // Start 2: a Plummer sphere dealt round robin, with uneven work.
    let all = Plummer::new(n, 5).generate().expect("plummer");
    let dealt = dealt(&all, comm.rank(), comm.size());
    let work = |id: u64| 1 + id % 7;
    let mine = balance(&comm, &dealt, work, n as u64);
    say("plummer, uneven work: balanced".into());
    // Moving again from a balanced state keeps every particle once.
    let again = balance(&comm, &mine, |_| 1, n as u64);
    sums_match_one_process(&comm, &all, &again);
    say("plummer: distributed direct sums equal one process's, bit for bit".into());
    say(format!("ok: {} ranks", comm.size()));
}

/// Particles `rank, rank + size, ...` of `all`.
fn dealt(all: &ParticleStore, rank: usize, size: usize) -> ParticleStore {
    let mut out = ParticleStore::new();
    for i in (rank..all.len()).step_by(size) {
        out.push_keeping_id(all.particle(i));
    }
    out
}

/// Decomposes by `work`, moves, checks the invariant and the balance.
fn balance(
    comm: &MpiComm,
    start: &ParticleStore,
    work: impl Fn(u64) -> u64,
    total: u64,
) -> ParticleStore {
    let w: Vec<u64> = start.ids().iter().map(|&id| work(id)).collect();
    let d = Decomposition::balanced(comm, start, &w).expect("decomposition");
    let mine = d.redistribute(comm, start);
    d.check(comm, &mine, total).expect("ownership invariant");
    let w: Vec<u64> = mine.ids().iter().map(|&id| work(id)).collect();
    let b = Balance::measure(comm, &w);
    if comm.rank() == 0 {
        println!(
            "  work per rank {:?}, imbalance {:.4}",
            b.per_rank,
            b.imbalance()
        );
    }
    assert!(
        b.imbalance() <= THRESHOLD,
        "imbalance {} over {THRESHOLD}: work per rank {:?}",
        b.imbalance(),
        b.per_rank
    );
    mine
}

/// The checker is not blind: a particle lost, held twice, or on the wrong
/// rank makes it fail, on every rank.
fn invariant_catches_violations(
    comm: &MpiComm,
    start: &ParticleStore,
    mine: &ParticleStore,
    total: u64,
) {
    let w: Vec<u64> = start.ids().iter().map(|_| 1).collect();
    let d = Decomposition::balanced(comm, start, &w).expect("decomposition");
    let last = comm.size() - 1;
    let mut lost = ParticleStore::new();
    let mut doubled = mine.clone();
    for i in 0..mine.len() {
        if comm.rank() != last || i > 0 {
            lost.push_keeping_id(mine.particle(i));
        }
    }
    if comm.rank() == last {
        doubled.push_keeping_id(mine.particle(0));
    }
    // Rank 0's particles, shifted outside its range, stay on rank 0.
    let mut misplaced = mine.clone();
    if comm.size() > 1 && comm.rank() == 0 {
        misplaced = start.clone();
    }
    for (what, store) in [
        ("lost", &lost),
        ("doubled", &doubled),
        ("misplaced", &misplaced),
    ] {
        if what == "misplaced" && comm.size() == 1 {
            continue;
        }
        let r = d.check(comm, store, total);
        assert!(
            r.is_err(),
            "rank {}: a {what} particle passed the check",
            comm.rank()
        );
    }
}

/// Channel `c` of particle `id`: a fixed function of both, so that every
/// rank knows every particle's values.
fn channel(c: usize, id: u64) -> f64 {
    ((id as f64 + 1.0) * (c as f64 + 0.7)).sin()
}

/// Evaluates at this rank's particles over all ranks, and over all
/// particles in one process, for nd 1 and 4 and three softenings; the bits
/// must agree.
fn sums_match_one_process(comm: &MpiComm, all: &ParticleStore, mine: &ParticleStore) {
    let backend = DistributedDirect::new(comm, Direct::new());
    backend.set_particles(mine.ids()).expect("layout");
    let softenings = [
        Softening::NONE,
        Softening::new(SofteningKernel::Plummer, 0.01),
        Softening::new(SofteningKernel::Spline, 0.05),
    ];
    for nd in [1, 4] {
        for s in softenings {
            let ch = |store: &ParticleStore| -> Vec<f64> {
                (0..nd)
                    .flat_map(|c| store.ids().iter().map(move |&id| channel(c, id)))
                    .collect()
            };
            let (ch_all, ch_mine) = (ch(all), ch(mine));
            let eval = |b: &dyn LaplaceSum, store: &ParticleStore, channels: &[f64]| {
                let m = store.len();
                let (mut pot, mut grad) = (vec![0.0; nd * m], vec![0.0; 3 * nd * m]);
                let points = Points::new(store.x(), store.y(), store.z());
                b.evaluate(
                    &Problem::at_sources(points, channels, nd, s),
                    Outputs::with_gradient(&mut pot, &mut grad),
                )
                .expect("sums");
                (pot, grad)
            };
            let (pot_all, grad_all) = eval(&Direct::new(), all, &ch_all);
            let (pot, grad) = eval(&backend, mine, &ch_mine);
            let (n, m) = (all.len(), mine.len());
            for (k, &id) in mine.ids().iter().enumerate() {
                let i = id as usize;
                for c in 0..nd {
                    assert_eq!(
                        pot[c * m + k].to_bits(),
                        pot_all[c * n + i].to_bits(),
                        "rank {}: potential of particle {id}, channel {c}, nd {nd}, s {s}",
                        comm.rank()
                    );
                    for d in 0..3 {
                        assert_eq!(
                            grad[(3 * c + d) * m + k].to_bits(),
                            grad_all[(3 * c + d) * n + i].to_bits(),
                            "rank {}: gradient {d} of particle {id}, channel {c}, nd {nd}, s {s}",
                            comm.rank()
                        );
                    }
                }
            }
        }
    }
}
