//! Range checks shared by the config schema and every method's hyper-parameters (the lowest
//! layer, with [`crate::linalg`]): each check names the field it rejects, as `torch.optim` does
//! (`ValueError: Invalid beta parameter at index 1: 1.0`), and never panics on user input.

use std::fmt;

/// A rejected field and what is wrong with it, e.g. `("beta2", "must be in [0, 1), got 1")`.
/// The config prefixes the field with its path (`optimizers[1].beta2`).
pub type FieldError = (&'static str, String);

/// A number as an error message shows it: as written when it is plain (1e-6 ≤ |x| < 1e21, as
/// JavaScript prints numbers), else in scientific notation, so `1e308` is not 309 digits.
pub struct Shown(pub f64);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if a != 0.0 && a.is_finite() && !(1e-6..1e21).contains(&a) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A learning rate: finite and ≥ 0 (`torch.optim`: `Invalid learning rate`).
///
/// # Errors
/// `learning_rate` and the value otherwise.
pub fn check_lr(lr: f64) -> Result<(), FieldError> {
    check_nonneg("learning_rate", lr)
}

/// `v` finite and ≥ 0.
///
/// # Errors
/// `field` and the value otherwise.
#[inline(never)]
pub fn check_nonneg(field: &'static str, v: f64) -> Result<(), FieldError> {
    if !v.is_finite() || v < 0.0 {
        return Err((field, format!("must be a finite number >= 0, got {}", Shown(v))));
    }
    Ok(())
}

/// `v` finite and > 0.
///
/// # Errors
/// `field` and the value otherwise.
#[inline(never)]
pub fn check_pos(field: &'static str, v: f64) -> Result<(), FieldError> {
    if !v.is_finite() || v <= 0.0 {
        return Err((field, format!("must be a finite number > 0, got {}", Shown(v))));
    }
    Ok(())
}

/// `v` in [0, 1) (a decay such as β₁, β₂, μ).
///
/// # Errors
/// `field` and the value otherwise.
#[inline(never)]
pub fn check_unit(field: &'static str, v: f64) -> Result<(), FieldError> {
    if !(0.0..1.0).contains(&v) {
        return Err((field, format!("must be in [0, 1), got {}", Shown(v))));
    }
    Ok(())
}
