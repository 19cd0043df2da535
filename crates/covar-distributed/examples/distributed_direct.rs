//! Times the distributed direct sum: N particles in a cube (dealt round
//! robin, then balanced), nd 4, potentials and gradients, the best of
//! `reps` evaluations. Rank 0 prints the wall time, this rank's split into
//! exchange and sums, and the bytes received.
//!
//! ```text
//! cargo build --release -p covar-distributed --features mpi --example distributed_direct
//! RAYON_NUM_THREADS=1 mpirun -np 2 target/release/examples/distributed_direct 100000 3
//! RAYON_NUM_THREADS=2 mpirun -np 1 target/release/examples/distributed_direct 100000 3
//! ```

use std::time::Instant;

use covar_distributed::{Comm, Decomposition, DistributedDirect};
use covar_kernel::{Direct, LaplaceSum, Outputs, Points, Problem};
use covar_store::ParticleStore;
use covar_store::ic::UniformCube;

fn main() {
    let (_universe, comm) = covar_distributed::initialize().expect("MPI initialises");
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(100_000, |a| a.parse().expect("N"));
    let reps: usize = args.next().map_or(3, |a| a.parse().expect("reps"));
    let nd = 4;
    let all = UniformCube::new(n, 1).generate().expect("cube");
    let mut dealt = ParticleStore::new();
    for i in (comm.rank()..n).step_by(comm.size()) {
        dealt.push_keeping_id(all.particle(i));
    }
    let d = Decomposition::balanced(&comm, &dealt, &vec![1; dealt.len()]).expect("cuts");
    let mine = d.redistribute(&comm, &dealt);
    let backend = DistributedDirect::new(&comm, Direct::new());
    backend.set_particles(mine.ids()).expect("layout");
    let m = mine.len();
    let ch: Vec<f64> = (0..nd)
        .flat_map(|c| mine.charges().iter().map(move |q| q * (c as f64 + 1.0)))
        .collect();
    let (mut pot, mut grad) = (vec![0.0; nd * m], vec![0.0; 3 * nd * m]);
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let mut t = [0.0];
        let start = Instant::now();
        backend
            .evaluate(
                &Problem::at_sources(Points::new(mine.x(), mine.y(), mine.z()), &ch, nd, 0.0),
                Outputs::with_gradient(&mut pot, &mut grad),
            )
            .expect("sums");
        // The slowest rank's time.
        t[0] = start.elapsed().as_secs_f64();
        comm.max_f64(&mut t);
        best = best.min(t[0]);
    }
    let s = backend.stats();
    if comm.rank() == 0 {
        println!(
            "ranks {} threads {} n {n} nd {nd}: best {best:.3} s; rank 0: exchange {:.4} s, sums {:.3} s, received {} bytes",
            comm.size(),
            rayon::current_num_threads(),
            s.exchange.as_secs_f64(),
            s.compute.as_secs_f64(),
            s.bytes_received
        );
    }
}
