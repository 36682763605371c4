//! Methods that step the m × n matrix W themselves from the objective rather than transform a
//! gradient: Newton's method, gradient flow, alternating least squares and SoftImpute, one
//! file each. They implement [`crate::method::Solver`], which receives the objective on the
//! problem as a [`crate::method::Landscape`]. Each runs on the direct parameterization
//! (gradient flow also on a deep network's factors).
//!
//! | name | one step | source | file |
//! | --- | --- | --- | --- |
//! | `newton` | solve (∇²f(W) + μI)·d = −∇f(W) by conjugate gradients (Hessian–vector products by central differences of the analytic gradient); accept W + d only if f decreases, else raise μ and retry (Levenberg–Marquardt) | Nocedal & Wright 2006, §7.1 (Newton–CG) and §10.3 (LM) | [`newton`] |
//! | `gradient_flow` | one accepted step of dW/dt = −∇f(W) by the Dormand–Prince 5(4) pair, step size chosen by the embedded error estimate | Dormand & Prince 1980; Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4–5 | [`gradient_flow`] |
//! | `als` | W = U Vᵀ (U m×k, V n×k): each row of U, then of V, by ridge regression on its observed entries | Hastie et al. 2015, *Matrix completion and low-rank SVD via fast ALS* | [`als`] |
//! | `soft_impute` | W ← S_τ(P_Ω(Y) + P_Ωᶜ(W)), S_τ soft-thresholding the singular values by τ | Mazumder, Hastie & Tibshirani 2010, Algorithm 1 | [`soft_impute`] |
//!
//! `als` and `soft_impute` minimise their own objectives (ridge-regularised fit; fit + τ‖W‖_*);
//! they are drawn beside the others with the lab's metrics.

pub mod als;
pub mod gradient_flow;
pub mod newton;
pub mod soft_impute;

pub use als::Als;
pub use gradient_flow::GradientFlow;
pub use newton::Newton;
pub use soft_impute::SoftImpute;
