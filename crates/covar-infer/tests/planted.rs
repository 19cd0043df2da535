//! Planted clusters (known members, signs, masses, and covariances from
//! known charges and positions) recovered from seeded synthetic data.

use covar_infer::data::{encode_npy_i8, read_csv, read_npy};
use covar_infer::fit::{FitParams, fit};
use covar_infer::synth::{Planted, Sample};

const ROWS: usize = 20_000;

fn sample(seed: u64) -> Sample {
    Planted::example(seed).generate(ROWS).unwrap()
}

/// Maps each recovered cluster to the planted one of its reference member,
/// and checks that members and relative signs agree exactly.
fn matched_clusters(sample: &Sample, f: &covar_infer::fit::Fit) -> Vec<usize> {
    let t = &sample.truth;
    let planted = t.masses.len();
    assert_eq!(
        f.clustering.clusters.len(),
        planted,
        "one cluster per planted cluster"
    );
    let mut seen = vec![false; planted];
    let mut map = Vec::new();
    for c in &f.clustering.clusters {
        let reference = c.members[0];
        let a = t.cluster_of[reference].expect("the reference member is planted in a cluster");
        assert!(!seen[a], "planted cluster {a} found twice");
        seen[a] = true;
        let want: Vec<usize> = (0..sample.variables)
            .filter(|&k| t.cluster_of[k] == Some(a))
            .collect();
        assert_eq!(c.members, want, "members of planted cluster {a}");
        for (&k, &q) in c.members.iter().zip(&c.signs) {
            assert_eq!(
                q,
                t.sign[k] * t.sign[reference],
                "sign of variable {k} relative to reference {reference}"
            );
        }
        assert!(c.frustration.is_none(), "cluster {a} is not frustrated");
        map.push(a);
    }
    map
}

#[test]
fn clusters_signs_masses_and_covariances_are_recovered() {
    for seed in [1, 2] {
        let s = sample(seed);
        let d = read_csv(s.to_csv().as_bytes(), "planted.csv", &mut |_| {}).unwrap();
        let f = fit(&d.moments, &FitParams::default()).unwrap();
        let map = matched_clusters(&s, &f);
        let t = &s.truth;
        let unclustered: Vec<usize> = (0..s.variables)
            .filter(|&k| t.cluster_of[k].is_none())
            .collect();
        assert_eq!(
            f.clustering.unclustered, unclustered,
            "the binary variables B"
        );

        // Masses within sampling error: Var of a sample variance is
        // (mu_4 - m^2) / T <= 2 m^2 / T for kurtosis <= 3, which holds for
        // these bimodal sums; allow 4 standard errors.
        let masses = f.particles.masses.clone();
        for (i, &a) in map.iter().enumerate() {
            let (got, want) = (masses[i], t.masses[a]);
            let se = want * (2.0 / ROWS as f64).sqrt();
            assert!(
                (got - want).abs() < 4.0 * se,
                "seed {seed}: mass of cluster {a}: {got} vs planted {want} (4 se = {})",
                4.0 * se
            );
        }

        // Fitted covariances against the planted ones, as correlations:
        // sampling error of a correlation is about 1/sqrt(T) = 0.007; the
        // planted positions are 3-dimensional, so the embedding adds little.
        // Tolerance: 0.03 in correlation for every pair.
        // The recovered x_a is the planted one times the sign of its
        // reference member.
        let k = f.particles.covariance();
        let n = map.len();
        let flip: Vec<f64> = f
            .clustering
            .clusters
            .iter()
            .map(|c| f64::from(t.sign[c.members[0]]))
            .collect();
        let mut worst = 0.0f64;
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (map[i], map[j]);
                let planted = flip[i] * flip[j] * t.covariance[a * n + b]
                    / (t.masses[a] * t.masses[b]).sqrt();
                let fitted = k[i * n + j] / (masses[i] * masses[j]).sqrt();
                worst = worst.max((planted - fitted).abs());
            }
        }
        println!(
            "seed {seed}: worst |corr fitted - planted| {worst:.4}, residual {:?}, stress {:.2e}",
            f.particles.residual, f.particles.embedding.stress
        );
        assert!(worst < 0.03, "seed {seed}: worst correlation error {worst}");
        // Charges: signs relative to each other as planted.
        for i in 1..n {
            let planted = flip[i] * flip[0] * t.charges[map[i]] * t.charges[map[0]];
            let fitted = f.particles.charges[i] * f.particles.charges[0];
            assert_eq!(
                planted.signum(),
                fitted.signum(),
                "charge sign of cluster {}",
                map[i]
            );
        }
        let r = f.particles.residual;
        assert_eq!(r.pairs, n * (n - 1) / 2);
        assert_eq!(r.sign_mismatches, 0);
        assert!(r.max_correlation < 0.03, "fit residual {r:?}");
        assert!(
            f.particles.embedding.stress < 1e-2,
            "stress {}",
            f.particles.embedding.stress
        );
    }
}

#[test]
fn csv_and_npy_give_the_same_moments() {
    let s = Planted::example(5).generate(3000).unwrap();
    let csv = read_csv(s.to_csv().as_bytes(), "p.csv", &mut |_| {}).unwrap();
    let bytes = encode_npy_i8(&s.values, s.rows, s.variables);
    let npy = read_npy(&bytes[..], "p.npy", &mut |_| {}).unwrap();
    assert_eq!(csv.moments, npy.moments);
    // 0/1 bits are the same data.
    let bits: Vec<i8> = s.values.iter().map(|v| (v + 1) / 2).collect();
    let bytes = encode_npy_i8(&bits, s.rows, s.variables);
    let b = read_npy(&bytes[..], "b.npy", &mut |_| {}).unwrap();
    assert_eq!(b.moments, npy.moments);
    assert_eq!(b.encoding, covar_infer::data::Encoding::Bit);
}

#[test]
fn a_flipped_link_makes_a_frustrated_cluster_that_is_reported() {
    // Three copies of one variable, a, b, c, with c anti-correlated to a but
    // correlated to b: a - b (+), b - c (+), a - c (-) is a frustrated cycle.
    // Rows: a, b, c; chosen so that corr(a,b) = corr(b,c) = 1/3 and
    // corr(a,c) = -1/3 (all above the threshold 0.3).
    let rows = [
        [1, 1, -1],
        [-1, -1, 1],
        [1, 1, 1],
        [-1, -1, -1],
        [1, -1, -1],
        [-1, 1, 1],
    ];
    let mut text = String::from("a,b,c\n");
    for r in rows {
        text.push_str(&format!("{},{},{}\n", r[0], r[1], r[2]));
    }
    let d = read_csv(text.as_bytes(), "f.csv", &mut |_| {}).unwrap();
    let m = &d.moments;
    for (i, j, want) in [(0, 1, 1.0 / 3.0), (1, 2, 1.0 / 3.0), (0, 2, -1.0 / 3.0)] {
        assert!((m.correlation(i, j) - want).abs() < 1e-15, "corr({i}, {j})");
    }
    let c = covar_infer::cluster::cluster(m, 0.3).unwrap();
    assert_eq!(c.clusters.len(), 1);
    assert_eq!(c.frustrated(), 1);
    let f = c.clusters[0].frustration.as_ref().unwrap();
    assert_eq!(f.links, 3);
    assert_eq!(f.bad_links, 1);
    let mut cycle = f.cycle.clone();
    cycle.sort_unstable();
    assert_eq!(cycle, [0, 1, 2], "the cycle runs through all three");
}
