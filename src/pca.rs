//! The joint PCA of all runs' trajectories: the top two principal directions of every kept
//! snapshot of W (each run's thinned history of iterates, stacked), and each snapshot's
//! coordinates along them.
//!
//! With K snapshots of D = m·n entries, centred by their mean, the directions are the top
//! eigenvectors of the D × D covariance; they are found through the K × K Gram matrix
//! (X Xᵀ = Σ λ u uᵀ ⇒ the directions are Xᵀu/√λ), with K at most 128 (an even subset of the
//! snapshots), and every snapshot is then projected on them.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::metrics::Snapshots;

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

/// The joint PCA of the runs' snapshots (all runs must have snapshots of one length).
///
/// The directions come from an evenly thinned subset of at most [`MAX_BASIS_SNAPSHOTS`]
/// snapshots (each run equally represented); every snapshot is projected on them.
pub fn joint_pca(runs: &[&Snapshots]) -> Pca {
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
    let eig = gram.symmetric_eigen();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    // Directions in entry space: v_c = Xᵀu_c/√λ_c (unit length).
    let mut dirs: Vec<Vec<f64>> = Vec::new();
    for (c, &idx) in order.iter().take(2).enumerate() {
        let lambda = eig.eigenvalues[idx].max(0.0);
        out.explained[c] = lambda / total;
        if lambda <= 0.0 {
            dirs.push(vec![0.0; d]);
            continue;
        }
        let u = eig.eigenvectors.column(idx);
        let v = x.transpose() * u / lambda.sqrt();
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
