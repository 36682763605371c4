//! The joint PCA of all runs' trajectories: the top two principal directions of every kept
//! snapshot of W (each run's thinned history of iterates, stacked), and each snapshot's
//! coordinates along them.
//!
//! With K snapshots of D = m·n entries, centred by their mean, the directions are the top
//! eigenvectors of the D × D covariance; they are found through the K × K Gram matrix
//! (X Xᵀ = Σ λ u uᵀ ⇒ the directions are Xᵀu/√λ; λ and u from the SVD of X Xᵀ), with K at
//! most 128 (an even subset of the snapshots), and every snapshot is then projected on them.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::metrics::Snapshots;
use crate::linalg::Svd;

/// Coordinates of each run's snapshots on the top two principal directions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pca {
    /// Per run: the steps of its snapshots.
    pub steps: Vec<Vec<u64>>,
    /// Per run: (pc1, pc2) per snapshot.
    pub coords: Vec<Vec<[f64; 2]>>,
    /// Fraction of the total variance along each of the two directions.
    pub explained: [f64; 2],
}

/// Most snapshots (all runs together) used to find the directions; every snapshot is then
/// projected on them. Keeps the cost near 128²·m·n + 128³ whatever the number of runs.
pub const MAX_BASIS_SNAPSHOTS: usize = 128;

/// A run's kept snapshots as the PCA reads them: their steps, and each one's entries.
pub trait SnapshotRows {
    /// Number of snapshots.
    fn len(&self) -> usize;
    /// Steps of the snapshots, one per snapshot.
    fn steps(&self) -> &[u64];
    /// Snapshot k's entries (every snapshot of every run in one storage order).
    fn get(&self, k: usize) -> &[f64];
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SnapshotRows for Snapshots {
    fn len(&self) -> usize {
        Snapshots::len(self)
    }
    fn steps(&self) -> &[u64] {
        Snapshots::steps(self)
    }
    fn get(&self, k: usize) -> &[f64] {
        Snapshots::get(self, k)
    }
}

/// Snapshots gathered from elsewhere (e.g. from the page's Web Workers, each stepping some of
/// the runs): `steps.len()` snapshots of `len_each` entries each, stacked in `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct GatheredSnapshots {
    steps: Vec<u64>,
    len_each: usize,
    data: Vec<f64>,
}

impl GatheredSnapshots {
    /// `data` holds `steps.len()` snapshots of `len_each` entries, one after the other.
    ///
    /// # Errors
    /// A message if `data.len() != steps.len() · len_each` or `len_each` is 0 while there are snapshots.
    pub fn new(steps: Vec<u64>, len_each: usize, data: Vec<f64>) -> Result<GatheredSnapshots, String> {
        if !steps.is_empty() && len_each == 0 {
            return Err("snapshots: the entries per snapshot must be at least 1".into());
        }
        if steps.len().checked_mul(len_each) != Some(data.len()) {
            return Err(format!(
                "snapshots: {} snapshots of {len_each} entries need {} numbers, got {}",
                steps.len(),
                steps.len().saturating_mul(len_each),
                data.len()
            ));
        }
        Ok(GatheredSnapshots { steps, len_each, data })
    }
}

impl SnapshotRows for GatheredSnapshots {
    fn len(&self) -> usize {
        self.steps.len()
    }
    fn steps(&self) -> &[u64] {
        &self.steps
    }
    fn get(&self, k: usize) -> &[f64] {
        &self.data[k * self.len_each..(k + 1) * self.len_each]
    }
}

/// The joint PCA of snapshots gathered from several labs (e.g. one per Web Worker, each
/// stepping some runs of the same config), as the page sends them: `counts[r]` snapshots for
/// run r, their `steps` (Σ counts whole numbers) and their `data` (Σ counts · D numbers, each
/// run's snapshots in turn, each in the core's storage order). The same result, bit for bit,
/// as [`joint_pca`] of the same snapshots. Numbers come as `f64` (JavaScript's).
///
/// # Errors
/// A message when `counts` or `steps` are not whole numbers ≥ 0 (counts at most 1e9), or the
/// lengths do not fit (Σ counts steps; a multiple of Σ counts numbers).
pub fn joint_pca_gathered(counts: &[f64], steps: &[f64], data: &[f64]) -> Result<Pca, String> {
    let is_whole = |x: &f64| x.is_finite() && x.fract() == 0.0 && *x >= 0.0;
    if !counts.iter().all(|c| is_whole(c) && *c <= 1e9) {
        return Err("counts must be whole numbers".into());
    }
    let counts: Vec<usize> = counts.iter().map(|&c| c as usize).collect();
    let total = counts.iter().try_fold(0usize, |a, &c| a.checked_add(c)).ok_or_else(|| "too many snapshots".to_string())?;
    if steps.len() != total {
        return Err(format!("{total} snapshots need {total} steps, got {}", steps.len()));
    }
    if !steps.iter().all(is_whole) {
        return Err("steps must be whole numbers".into());
    }
    if total == 0 {
        return Ok(joint_pca_of::<GatheredSnapshots>(&[]));
    }
    if data.is_empty() || data.len() % total != 0 {
        return Err(format!("{total} snapshots need a multiple of {total} numbers, got {}", data.len()));
    }
    let d = data.len() / total;
    let (mut s0, mut d0) = (0, 0);
    let mut runs = Vec::with_capacity(counts.len());
    for &c in &counts {
        let run_steps = steps[s0..s0 + c].iter().map(|&v| v as u64).collect();
        runs.push(GatheredSnapshots::new(run_steps, d, data[d0..d0 + c * d].to_vec())?);
        s0 += c;
        d0 += c * d;
    }
    Ok(joint_pca_of(runs.iter().collect::<Vec<_>>().as_slice()))
}

/// The joint PCA of the runs' snapshots (all runs must have snapshots of one length).
///
/// The directions come from an evenly thinned subset of at most [`MAX_BASIS_SNAPSHOTS`]
/// snapshots (each run equally represented); every snapshot is projected on them.
pub fn joint_pca(runs: &[&Snapshots]) -> Pca {
    joint_pca_of(runs)
}

/// [`joint_pca`] of any snapshot sets, e.g. [`GatheredSnapshots`] (the same numbers, bit for
/// bit, as from the runs' own snapshots). All must have snapshots of one length.
pub fn joint_pca_of<S: SnapshotRows>(runs: &[&S]) -> Pca {
    let k_all: usize = runs.iter().map(|s| s.len()).sum();
    let mut out = Pca {
        steps: runs.iter().map(|s| s.steps().to_vec()).collect(),
        coords: runs.iter().map(|s| vec![[0.0; 2]; s.len()]).collect(),
        explained: [0.0; 2],
    };
    if k_all < 2 {
        return out;
    }
    let d = runs.iter().find(|s| !s.is_empty()).map_or(0, |s| s.get(0).len());
    // The basis subset: up to MAX/runs per run, evenly spaced, always with the first and last.
    let per_run = (MAX_BASIS_SNAPSHOTS / runs.len().max(1)).max(2);
    let rows: Vec<&[f64]> = runs
        .iter()
        .flat_map(|s| {
            let len = s.len();
            let take = len.min(per_run);
            (0..take).map(move |j| s.get(if take <= 1 { 0 } else { j * (len - 1) / (take - 1) }))
        })
        .collect();
    let k = rows.len();
    let mut mean = vec![0.0; d];
    for r in &rows {
        for (m, v) in mean.iter_mut().zip(r.iter()) {
            *m += v;
        }
    }
    for m in mean.iter_mut() {
        *m /= k as f64;
    }
    let x = DMatrix::from_fn(k, d, |i, j| rows[i][j] - mean[j]);
    let gram = &x * x.transpose();
    let total: f64 = gram.trace();
    if total.is_nan() || total <= 0.0 || total.is_infinite() {
        return out;
    }
    // The Gram matrix is symmetric positive semidefinite: its singular values are its
    // eigenvalues, in descending order, and its singular vectors its eigenvectors. (This crate's
    // SVD, already in the WebAssembly module, instead of nalgebra's symmetric eigensolver.)
    let Some(svd) = Svd::fast(&gram) else { return out };
    // Directions in entry space: v_c = Xᵀu_c/√λ_c (unit length).
    let mut dirs: Vec<Vec<f64>> = Vec::new();
    for c in 0..2 {
        let lambda = svd.singular_values[c];
        out.explained[c] = lambda / total;
        if lambda <= 0.0 {
            dirs.push(vec![0.0; d]);
            continue;
        }
        let v = x.transpose() * svd.u.column(c) / lambda.sqrt();
        dirs.push(v.iter().copied().collect());
    }
    // Sign: the first run's first snapshot gets a non-positive coordinate (a stable picture).
    let first = runs.iter().find(|s| !s.is_empty()).map(|s| s.get(0)).expect("k_all >= 2");
    for dir in dirs.iter_mut() {
        let c: f64 = first.iter().zip(&mean).zip(dir.iter()).map(|((a, m), v)| (a - m) * v).sum();
        if c > 0.0 {
            dir.iter_mut().for_each(|v| *v = -*v);
        }
    }
    for (r, s) in runs.iter().enumerate() {
        for i in 0..s.len() {
            let row = s.get(i);
            for (c, dir) in dirs.iter().enumerate() {
                out.coords[r][i][c] = row.iter().zip(&mean).zip(dir.iter()).map(|((a, m), v)| (a - m) * v).sum();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Lab;

    /// Snapshots copied out of each run (as the page's workers send them) give the lab's own
    /// PCA, bit for bit.
    #[test]
    fn gathered_snapshots_give_the_same_pca() {
        let mut lab = Lab::from_json(r#"{"problem": {"rows": 12, "cols": 10, "rank": 2, "observed": 60}, "steps": 50}"#).unwrap();
        lab.step(150);
        let gathered: Vec<GatheredSnapshots> = lab
            .runs()
            .iter()
            .map(|r| {
                let s = r.snapshots();
                let data: Vec<f64> = (0..s.len()).flat_map(|k| s.get(k).to_vec()).collect();
                GatheredSnapshots::new(s.steps().to_vec(), 120, data).unwrap()
            })
            .collect();
        let ours = joint_pca_of(gathered.iter().collect::<Vec<_>>().as_slice());
        let theirs = lab.trajectory_pca();
        assert!(theirs.explained[0] > 0.0);
        assert_eq!(ours.steps, theirs.steps);
        assert_eq!(ours.explained.map(f64::to_bits), theirs.explained.map(f64::to_bits));
        for (a, b) in ours.coords.iter().zip(&theirs.coords) {
            assert_eq!(a.len(), b.len());
            for (p, q) in a.iter().zip(b) {
                assert_eq!(p.map(f64::to_bits), q.map(f64::to_bits));
            }
        }
    }

    /// The same directions and variances as nalgebra's SVD of the centred data itself (all
    /// snapshots are in the basis here: fewer than 128).
    #[test]
    fn agrees_with_the_svd_of_the_data() {
        let mut lab = Lab::from_json(
            r#"{"problem": {"rows": 8, "cols": 7, "rank": 2, "observed": 40},
                "optimizers": [{"name": "adam"}, {"name": "gd", "learning_rate": 0.05}]}"#,
        )
        .unwrap();
        lab.step(40);
        let runs: Vec<&Snapshots> = lab.runs().iter().map(|r| r.snapshots()).collect();
        let rows: Vec<&[f64]> = runs.iter().flat_map(|s| (0..s.len()).map(move |k| s.get(k))).collect();
        assert!(rows.len() > 2 && runs.iter().all(|s| s.len() <= MAX_BASIS_SNAPSHOTS / 2), "{} snapshots", rows.len());
        let d = rows[0].len();
        let mean: Vec<f64> = (0..d).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / rows.len() as f64).collect();
        let x = DMatrix::from_fn(rows.len(), d, |i, j| rows[i][j] - mean[j]);
        let svd = x.clone().svd(false, true);
        let total = x.norm_squared();
        let pca = joint_pca(&runs);
        let flat: Vec<[f64; 2]> = pca.coords.concat();
        for c in 0..2 {
            let want = svd.singular_values[c].powi(2) / total;
            assert!((pca.explained[c] - want).abs() < 1e-10, "pc{c}: {} vs {want}", pca.explained[c]);
            // Coordinates: X v_c, up to the sign.
            let dir = svd.v_t.as_ref().unwrap().row(c).transpose();
            let proj = &x * dir;
            let sign = if proj[0] * flat[0][c] < 0.0 { -1.0 } else { 1.0 };
            for (i, p) in flat.iter().enumerate() {
                assert!((p[c] - sign * proj[i]).abs() < 1e-8 * (1.0 + proj.amax()), "pc{c} of snapshot {i}");
            }
        }
    }

    #[test]
    fn gathered_snapshots_check_their_length() {
        assert!(GatheredSnapshots::new(vec![0, 1], 3, vec![0.0; 6]).is_ok());
        assert!(GatheredSnapshots::new(vec![0, 1], 3, vec![0.0; 5]).unwrap_err().contains("need 6 numbers, got 5"));
        assert!(GatheredSnapshots::new(vec![0], 0, vec![]).is_err());
        assert!(GatheredSnapshots::new(vec![], 0, vec![]).is_ok());
    }
}
