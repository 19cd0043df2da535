//! Writes seeded measurement data with planted clusters, for `covar fit`:
//! 20 000 time steps of 60 binary variables (six clusters of 6 to 12
//! members on a cube of side 4, flip probability 0.05, and 8 independent
//! variables; `covar_infer::synth::Planted::example`), and prints what was
//! planted.
//!
//! `cargo run --release -p covar-examples --example planted -- planted.csv [ROWS] [SEED]`

use covar::infer::synth::Planted;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "planted.csv".into());
    let rows: usize = args.next().map_or(Ok(20_000), |s| s.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    let planted = Planted::example(seed);
    let sample = planted.generate(rows)?;
    std::fs::write(&path, sample.to_csv())?;
    let t = &sample.truth;
    println!(
        "{path}: {rows} rows x {} variables (seed {seed})",
        sample.variables
    );
    println!(
        "{:>8} {:>8} {:>10} {:>10}  {:<18} members",
        "cluster", "size", "mass", "charge", "position"
    );
    for (a, &size) in planted.sizes.iter().enumerate() {
        let members: Vec<String> = (0..sample.variables)
            .filter(|&k| t.cluster_of[k] == Some(a))
            .map(|k| format!("{}{k}", if t.sign[k] > 0 { "+" } else { "-" }))
            .collect();
        let p = planted.positions[a];
        println!(
            "{a:>8} {size:>8} {:>10.3} {:>10.3}  ({:>4}, {:>4}, {:>4})  {}",
            t.masses[a],
            t.charges[a],
            p[0],
            p[1],
            p[2],
            members.join(" ")
        );
    }
    let free: Vec<String> = (0..sample.variables)
        .filter(|&k| t.cluster_of[k].is_none())
        .map(|k| k.to_string())
        .collect();
    println!("unclustered: {}", free.join(" "));
    Ok(())
}
