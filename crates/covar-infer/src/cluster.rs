//! Clusters of strongly correlated variables (seed S0.1) and the moments of
//! the cluster variables (seed eq. 5, 27).
//!
//! Variables `i, j` are linked when `|corr(b_i, b_j)| >= threshold`; the
//! connected components with two or more members are the clusters, the
//! rest are the seed's binary variables `B`. Each member `k` gets a sign
//! `q_k` relative to the cluster's reference member (its lowest index): the
//! product of the correlation signs along a breadth-first path from the
//! reference. A cluster is *sign-frustrated* when some link's sign disagrees
//! with `q_k q_l`: the links then close a cycle whose signs multiply to -1,
//! and no choice of member signs is consistent. Such clusters are reported
//! ([`Frustration`]), with one such cycle, not hidden.
//!
//! The cluster variable is `x_a = sum_k q_k b_k` and its moments follow from
//! those of the members without a second pass over the data:
//! `Cov(x_a, x_b) = sum_(k in a, l in b) q_k q_l Cov(b_k, b_l)`.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::InferError;
use crate::stats::Moments;

/// A cluster: its members, their signs, and whether the signs are
/// consistent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    /// Variable indices, ascending; the first is the reference member.
    pub members: Vec<usize>,
    /// `q_k` of each member (`+1` for the reference), as `members`.
    pub signs: Vec<i8>,
    /// Links whose sign disagrees with the members' signs, if any.
    pub frustration: Option<Frustration>,
}

impl Cluster {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the cluster has no members (never, for clusters built here).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// How a cluster's link signs contradict each other.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Frustration {
    /// Links (pairs above the threshold) whose correlation sign differs
    /// from `q_k q_l`.
    pub bad_links: usize,
    /// All links in the cluster.
    pub links: usize,
    /// A cycle of variables, each linked to the next and the last to the
    /// first, whose correlation signs multiply to -1.
    pub cycle: Vec<usize>,
}

/// The clusters of a data set at one threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clustering {
    /// The `|corr|` threshold that links variables.
    pub threshold: f64,
    /// Clusters of two or more variables, ordered by reference member.
    pub clusters: Vec<Cluster>,
    /// Variables linked to no other: the seed's binary variables `B`.
    pub unclustered: Vec<usize>,
    /// The largest `|corr|` between variables of different clusters (or an
    /// unclustered variable and any other), below the threshold.
    pub largest_unlinked: f64,
}

impl Clustering {
    /// Clusters with at least one frustrated cycle.
    pub fn frustrated(&self) -> usize {
        self.clusters
            .iter()
            .filter(|c| c.frustration.is_some())
            .count()
    }
}

/// Groups the variables of `moments` at `threshold` (in `(0, 1]`).
///
/// Cost: `O(M^2)` correlation look-ups, memory `O(M)` beyond the moments.
///
/// # Errors
///
/// [`InferError::InvalidParameter`] for a threshold outside `(0, 1]`.
///
/// # Examples
///
/// ```
/// use covar_infer::cluster::cluster;
/// use covar_infer::data::read_csv;
/// // b1 copies b0, b2 is its negation, b3 is unrelated.
/// let text = "1,1,-1,1\n-1,-1,1,1\n1,1,-1,-1\n-1,-1,1,-1\n";
/// let data = read_csv(text.as_bytes(), "mem", &mut |_| {})?;
/// let c = cluster(&data.moments, 0.9)?;
/// assert_eq!(c.clusters.len(), 1);
/// assert_eq!(c.clusters[0].members, [0, 1, 2]);
/// assert_eq!(c.clusters[0].signs, [1, 1, -1]);
/// assert_eq!(c.unclustered, [3]);
/// # Ok::<(), covar_infer::InferError>(())
/// ```
pub fn cluster(moments: &Moments, threshold: f64) -> Result<Clustering, InferError> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(InferError::InvalidParameter {
            name: "threshold",
            reason: format!("must be in (0, 1], got {threshold}"),
        });
    }
    let m = moments.variables();
    let corr = |i: usize, j: usize| moments.correlation(i, j);
    let linked = |i: usize, j: usize| corr(i, j).abs() >= threshold;
    // Breadth-first search over the implicit graph; `parent` gives paths.
    let mut component = vec![usize::MAX; m];
    let mut parent = vec![usize::MAX; m];
    let mut sign = vec![0i8; m];
    let mut unvisited: Vec<usize> = (0..m).collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    while let Some(&root) = unvisited.first() {
        unvisited.retain(|&v| v != root);
        let id = groups.len();
        component[root] = id;
        sign[root] = 1;
        let mut queue = vec![root];
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head];
            head += 1;
            let (near, far): (Vec<usize>, Vec<usize>) =
                unvisited.iter().partition(|&&j| linked(v, j));
            unvisited = far;
            for j in near {
                component[j] = id;
                parent[j] = v;
                sign[j] = if corr(v, j) > 0.0 { sign[v] } else { -sign[v] };
                queue.push(j);
            }
        }
        queue.sort_unstable();
        groups.push(queue);
    }
    let mut clusters = Vec::new();
    let mut unclustered = Vec::new();
    for members in groups {
        if members.len() == 1 {
            unclustered.push(members[0]);
            continue;
        }
        let frustration = frustration(&members, &sign, &parent, &corr, threshold);
        let signs = members.iter().map(|&k| sign[k]).collect();
        clusters.push(Cluster {
            members,
            signs,
            frustration,
        });
    }
    let largest_unlinked = (0..m)
        .into_par_iter()
        .map(|i| {
            (i + 1..m)
                .filter(|&j| component[i] != component[j])
                .map(|j| corr(i, j).abs())
                .fold(0.0f64, f64::max)
        })
        .reduce(|| 0.0, f64::max);
    Ok(Clustering {
        threshold,
        clusters,
        unclustered,
        largest_unlinked,
    })
}

/// Checks every link of a component against the members' signs; on a
/// disagreement, returns the count and the cycle the first bad link closes
/// with the search tree.
fn frustration(
    members: &[usize],
    sign: &[i8],
    parent: &[usize],
    corr: &impl Fn(usize, usize) -> f64,
    threshold: f64,
) -> Option<Frustration> {
    let (mut links, mut bad, mut first_bad) = (0, 0, None);
    for (a, &k) in members.iter().enumerate() {
        for &l in &members[a + 1..] {
            let c = corr(k, l);
            if c.abs() < threshold {
                continue;
            }
            links += 1;
            let expected = f64::from(sign[k] * sign[l]);
            if c * expected < 0.0 {
                bad += 1;
                first_bad.get_or_insert((k, l));
            }
        }
    }
    let (k, l) = first_bad?;
    Some(Frustration {
        bad_links: bad,
        links,
        cycle: tree_cycle(k, l, parent),
    })
}

/// The cycle formed by the link `k - l` and the tree paths from both to
/// their lowest common ancestor: `k, ..., ancestor, ..., l`.
fn tree_cycle(k: usize, l: usize, parent: &[usize]) -> Vec<usize> {
    let path = |mut v: usize| {
        let mut p = vec![v];
        while parent[v] != usize::MAX {
            v = parent[v];
            p.push(v);
        }
        p
    };
    let (pk, pl) = (path(k), path(l));
    // Strip the common tail (the path from the ancestor to the root).
    let mut common = 0;
    while common < pk.len().min(pl.len()) && pk[pk.len() - 1 - common] == pl[pl.len() - 1 - common]
    {
        common += 1;
    }
    let mut cycle: Vec<usize> = pk[..pk.len() - common + 1].to_vec();
    cycle.extend(pl[..pl.len() - common].iter().rev());
    cycle
}

/// Moments of the cluster variables `x_a = sum_k q_k b_k`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterMoments {
    /// Number of clusters `N`.
    pub n: usize,
    /// Time steps behind the moments.
    pub rows: u64,
    /// `E[x_a]`.
    pub means: Vec<f64>,
    /// `Cov(x_a, x_b)`, `N x N` row-major; the diagonal is the masses
    /// `m_a = Var(x_a)` (seed eq. 27).
    pub covariance: Vec<f64>,
}

impl ClusterMoments {
    /// The moments of `clustering`'s cluster variables.
    pub fn new(moments: &Moments, clustering: &Clustering) -> Self {
        let clusters = &clustering.clusters;
        let n = clusters.len();
        let means = clusters
            .iter()
            .map(|c| {
                c.members
                    .iter()
                    .zip(&c.signs)
                    .map(|(&k, &q)| f64::from(q) * moments.mean(k))
                    .sum()
            })
            .collect();
        let mut covariance = vec![0.0; n * n];
        covariance
            .par_chunks_mut(n.max(1))
            .enumerate()
            .for_each(|(a, row)| {
                for (b, out) in row.iter_mut().enumerate().skip(a) {
                    let (ca, cb) = (&clusters[a], &clusters[b]);
                    let mut s = 0.0;
                    for (&k, &qk) in ca.members.iter().zip(&ca.signs) {
                        let mut t = 0.0;
                        for (&l, &ql) in cb.members.iter().zip(&cb.signs) {
                            t += f64::from(ql) * moments.covariance(k, l);
                        }
                        s += f64::from(qk) * t;
                    }
                    *out = s;
                }
            });
        for a in 0..n {
            for b in 0..a {
                covariance[a * n + b] = covariance[b * n + a];
            }
        }
        Self {
            n,
            rows: moments.rows(),
            means,
            covariance,
        }
    }

    /// The masses `m_a = Var(x_a)`.
    pub fn masses(&self) -> Vec<f64> {
        (0..self.n)
            .map(|a| self.covariance[a * self.n + a])
            .collect()
    }

    /// `Cov(x_a, x_b)`.
    pub fn cov(&self, a: usize, b: usize) -> f64 {
        self.covariance[a * self.n + b]
    }

    /// The correlation of `x_a` and `x_b`.
    pub fn correlation(&self, a: usize, b: usize) -> f64 {
        self.cov(a, b) / (self.cov(a, a) * self.cov(b, b)).sqrt()
    }

    /// The second moment `S = E[x x^T] = Cov + E[x] E[x]^T` (DESIGN.md
    /// 2.4), `N x N` row-major.
    pub fn second_moment(&self) -> Vec<f64> {
        let n = self.n;
        let mut s = self.covariance.clone();
        for a in 0..n {
            for b in 0..n {
                s[a * n + b] += self.means[a] * self.means[b];
            }
        }
        s
    }

    /// The seed's `eps` (eq. 63, `E[x_a] = eps m_a`) fitted by least
    /// squares: `sum_a E[x_a] m_a / sum_a m_a^2`.
    pub fn eps(&self) -> f64 {
        let m = self.masses();
        let num: f64 = self.means.iter().zip(&m).map(|(x, m)| x * m).sum();
        let den: f64 = m.iter().map(|m| m * m).sum();
        num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cycle_closes_through_the_common_ancestor() {
        // Tree: 0 -> 1 -> 2, 0 -> 3; link 2 - 3.
        let parent = [usize::MAX, 0, 1, 0];
        assert_eq!(tree_cycle(2, 3, &parent), [2, 1, 0, 3]);
        assert_eq!(tree_cycle(2, 0, &parent), [2, 1, 0]);
    }
}
