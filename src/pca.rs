//! The joint PCA of all runs' trajectories: the top two principal directions of every kept
//! snapshot of W (each run's thinned history of iterates, stacked), and each snapshot's
//! coordinates along them.
//!
//! With K snapshots of D = m·n entries, centred by their mean, the directions are the top
//! eigenvectors of the D × D covariance; they are found through the K × K Gram matrix
//! (X Xᵀ = Σ λ u uᵀ ⇒ the coordinates are √λ·u), K ≤ a few hundred.

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

/// The joint PCA of the runs' snapshots (all runs must have snapshots of one length).
pub fn joint_pca(runs: &[&Snapshots]) -> Pca {
    let k: usize = runs.iter().map(|s| s.len()).sum();
    let mut out = Pca {
        steps: runs.iter().map(|s| s.steps().to_vec()).collect(),
        coords: runs.iter().map(|s| vec![[0.0; 2]; s.len()]).collect(),
        explained: [0.0; 2],
    };
    if k < 2 {
        return out;
    }
    let d = runs.iter().find(|s| !s.is_empty()).map_or(0, |s| s.get(0).len());
    let rows: Vec<&[f64]> = runs.iter().flat_map(|s| (0..s.len()).map(move |i| s.get(i))).collect();
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
    let mut flat = vec![[0.0; 2]; k];
    for (c, &idx) in order.iter().take(2).enumerate() {
        let lambda = eig.eigenvalues[idx].max(0.0);
        out.explained[c] = lambda / total;
        let col = eig.eigenvectors.column(idx);
        // Sign: make the first snapshot's coordinate non-positive so the picture is stable.
        let sign = if col[0] > 0.0 { -1.0 } else { 1.0 };
        for i in 0..k {
            flat[i][c] = sign * col[i] * lambda.sqrt();
        }
    }
    let mut at = 0;
    for (r, s) in runs.iter().enumerate() {
        out.coords[r].copy_from_slice(&flat[at..at + s.len()]);
        at += s.len();
    }
    out
}
