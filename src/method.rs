//! What a method is, for everything that holds or runs one: the interface every optimizer and
//! solver implements (its hyper-parameters, its metadata, its state and its step), with no
//! method named here. It sits in the lowest layer with the config schema, which holds each
//! run's method as a `Box<dyn Method>` ([`crate::config::Config::optimizers`]); the methods
//! themselves live in [`crate::optim`] and [`crate::solvers`], and [`crate::catalog`] lists
//! them and parses them from JSON.
//!
//! A method's type implements [`Hyper`] (its metadata, validation, learning rate and
//! [`Kind`]) and one of two ways to step:
//! - [`PerMatrix`] (most optimizers): an update of one parameter matrix (m × n, W itself or
//!   one factor of a deep network) from its gradient, with per-matrix state; every matrix of the
//!   model is stepped in turn ([`GradientMethod`] comes with it);
//! - [`GradientMethod`] directly, for a rule over all the parameters at once (group RMSProp's
//!   whole-gradient norm);
//! - [`Solver`], for methods that need the objective itself (Newton, gradient flow, ALS,
//!   SoftImpute): it receives it as a [`Landscape`].
//!
//! [`Method`] (object-safe, what configs and runs hold) comes with [`Hyper`] for free.

use std::any::Any;
use std::fmt;

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::checks::{check_lr, FieldError};
use crate::linalg::Svd;

/// How the page's picker groups methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// GD, heavy-ball momentum, Nesterov.
    Classical,
    /// Per-entry normalisation: AdaGrad, RMSProp, Adam and relatives.
    Adaptive,
    /// Steps from the gradient's signs only: signSGD, Signum, Lion, Rprop.
    Sign,
    /// Whole-matrix step length or spectrum (group RMSProp, normalised GD, Muon, …).
    Spectral,
    /// Second-order methods and solvers that need the objective itself.
    Solver,
}

/// An update rule as the page renders it: lines in its small notation (`x_{t}` subscript,
/// `x^{2}` superscript, `sqrt{…}`, `frac{a}{b}`; `www/views/rules.js` draws it as MathML) and where
/// it comes from (a paper or the `torch.optim` class).
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub lines: &'static [&'static str],
    pub source: &'static str,
}

/// One hyper-parameter as people see it: the config field, a label and the allowed range (text).
#[derive(Debug, Clone, Copy)]
pub struct HyperParam {
    pub name: &'static str,
    pub label: &'static str,
    pub range: &'static str,
}

impl HyperParam {
    /// `learning_rate`, ≥ 0.
    pub const LEARNING_RATE: HyperParam = HyperParam { name: "learning_rate", label: "learning rate", range: "≥ 0" };
    /// Coupled (or, for AdamW, decoupled) `weight_decay`, ≥ 0.
    pub const WEIGHT_DECAY: HyperParam = HyperParam { name: "weight_decay", label: "weight decay", range: "≥ 0" };
    /// `eps`, ≥ 0.
    pub const EPS: HyperParam = HyperParam { name: "eps", label: "eps", range: "≥ 0" };
    /// `beta1`, in [0, 1).
    pub const BETA1: HyperParam = HyperParam { name: "beta1", label: "β₁", range: "[0, 1)" };
    /// `beta2`, in [0, 1).
    pub const BETA2: HyperParam = HyperParam { name: "beta2", label: "β₂", range: "[0, 1)" };
}

/// What a method says of itself: the catalog's entry for it, and the page's.
#[derive(Debug)]
pub struct MethodMeta {
    /// The `name` in configs (`"adam"`).
    pub name: &'static str,
    /// For people (`"Adam"`); [`Hyper::label`] may refine it from the hyper-parameters.
    pub label: &'static str,
    pub family: Family,
    /// One line for people (the page's tooltip).
    pub about: &'static str,
    pub rule: Rule,
    /// update(U G Vᵀ) = U·update(G)·Vᵀ for orthogonal U, V.
    pub equivariant: bool,
    /// The colour slot the method keeps from one experiment to the next (`None`: the next free one).
    pub colour_slot: Option<usize>,
    /// Defined on the direct parameterization only (model depth 1).
    pub direct_only: bool,
    /// Its `time` metric is tracked (gradient flow's ODE time; GD's sum of learning rates).
    pub tracks_time: bool,
    /// Every hyper-parameter, in the order of the config's fields.
    pub hyper: &'static [HyperParam],
}

/// A method's state between steps (moments, step count, a solver's damping …), made by its
/// `init` and only read by its own step. Any `Clone + Send + Sync` type is one. (Not `Debug`
/// through the trait object: every state's `Debug` would be kept in the wasm module.)
pub trait MethodState: Send + Sync + Any {
    fn clone_box(&self) -> Box<dyn MethodState>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Clone + Send + Sync + 'static> MethodState for T {
    fn clone_box(&self) -> Box<dyn MethodState> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl fmt::Debug for dyn MethodState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MethodState")
    }
}

impl Clone for Box<dyn MethodState> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

/// A method that transforms a gradient: optax's `GradientTransformation` (`init`, then
/// `update` from the gradient), with `torch.optim`'s rules.
///
/// The parameters are the model's factors W_1, …, W_N one after the other, each
/// column-major, with shapes `shapes` (one m × n matrix for the direct parameterization).
pub trait GradientMethod {
    /// A fresh state for parameters of these shapes.
    fn init(&self, shapes: &[(usize, usize)]) -> Box<dyn MethodState>;

    /// One step: updates `params` in place from `grads` (same layout), advancing `state`.
    ///
    /// # Panics
    /// If `grads` or `state` do not match `params` (the state must come from
    /// [`GradientMethod::init`] with the same shapes, whose sizes add up to `params.len()`).
    fn step(&self, params: &mut [f64], grads: &[f64], shapes: &[(usize, usize)], state: &mut dyn MethodState);
}

/// A rule applied to each parameter matrix on its own: W (m × n) at depth 1, each factor of a
/// deep network in turn. Every `PerMatrix` type is a [`GradientMethod`] whose state is one
/// `State` per matrix. Views are column-major and contiguous; `g` is the gradient at `w`.
pub trait PerMatrix {
    /// What the rule keeps for one matrix (moments, its own step count t).
    type State: Clone + Send + Sync + 'static;
    /// A fresh state for a matrix of shape (rows, cols).
    fn init(&self, shape: (usize, usize)) -> Self::State;
    /// One step of `w` from its gradient `g`.
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut Self::State);
}

impl<T: PerMatrix> GradientMethod for T {
    fn init(&self, shapes: &[(usize, usize)]) -> Box<dyn MethodState> {
        Box::new(shapes.iter().map(|&shape| PerMatrix::init(self, shape)).collect::<Vec<T::State>>())
    }

    fn step(&self, params: &mut [f64], grads: &[f64], shapes: &[(usize, usize)], state: &mut dyn MethodState) {
        let states = state.as_any_mut().downcast_mut::<Vec<T::State>>().expect("state does not match the parameters");
        assert_eq!(states.len(), shapes.len(), "state does not match the parameters");
        for_each_matrix(params, grads, shapes, &mut |k, w, g| self.update(w, g, &mut states[k]));
    }
}

/// One matrix's step: `(k, W_k, G_k)`.
type MatrixStep<'a> = dyn FnMut(usize, &mut DMatrixViewMut<f64>, &DMatrixView<f64>) + 'a;

/// Calls `f(k, W_k, G_k)` for each parameter matrix k, as column-major views of `params` and
/// `grads` (not generic: one copy of the loop in the wasm module for every method).
///
/// # Panics
/// If `grads` and `params` differ in length, or the shapes do not add up to it.
fn for_each_matrix(params: &mut [f64], grads: &[f64], shapes: &[(usize, usize)], f: &mut MatrixStep<'_>) {
    assert_eq!(params.len(), grads.len(), "gradient and parameters differ in length");
    let (mut params, mut grads) = (params, grads);
    for (k, &(rows, cols)) in shapes.iter().enumerate() {
        let (w, rest) = std::mem::take(&mut params).split_at_mut(rows * cols);
        let (g, grest) = grads.split_at(rows * cols);
        params = rest;
        grads = grest;
        f(k, &mut DMatrixViewMut::from_slice(w, rows, cols), &DMatrixView::from_slice(g, rows, cols));
    }
    assert!(params.is_empty(), "state does not match the parameters");
}

/// The current iterate, as a solver sees it.
#[derive(Debug, Clone, Copy)]
pub struct Iterate<'a> {
    /// The model's parameters (factors, each column-major, one after the other).
    pub params: &'a [f64],
    /// The end-to-end matrix W (m × n).
    pub w: &'a DMatrix<f64>,
    /// The SVD of `w`: always given to `init`, and to `step` when [`Solver::needs_svd`].
    pub svd: Option<&'a Svd>,
}

/// The objective on the problem, as the solvers that need it see it (the lab provides it).
pub trait Landscape {
    /// (m, n).
    fn shape(&self) -> (usize, usize);
    /// Ω, 0-based (row, col) pairs.
    fn omega(&self) -> &[(usize, usize)];
    /// Y on Ω, 0 elsewhere (m × n).
    fn observations(&self) -> &DMatrix<f64>;
    /// The objective's scale c.
    fn scale(&self) -> f64;
    /// f(W), from the SVD of W.
    fn value(&self, w: &DMatrix<f64>, svd: &Svd) -> f64;
    /// ∇f(W) (m × n), from the SVD of W.
    fn gradient(&self, w: &DMatrix<f64>, svd: &Svd) -> DMatrix<f64>;
    /// ∇ with respect to the parameters of the end-to-end gradient `grad_w` at `params`.
    fn backprop(&self, params: &[f64], grad_w: &DMatrix<f64>, grads: &mut [f64]);
    /// ∇f with respect to the parameters at `params`.
    ///
    /// # Errors
    /// An SVD that does not converge, or a non-finite gradient.
    fn param_gradient(&self, params: &[f64]) -> Result<Vec<f64>, String>;
}

/// A method that steps the iterate itself from the objective (the sibling of [`GradientMethod`]).
pub trait Solver {
    /// True when [`Solver::step`] needs the SVD of the current W.
    fn needs_svd(&self) -> bool {
        false
    }
    /// The state at the start.
    fn init(&self, landscape: &dyn Landscape, start: Iterate<'_>) -> Box<dyn MethodState>;
    /// One step from `at`, writing the next parameters into `next` (same length as `at.params`).
    ///
    /// # Errors
    /// Why the step failed (the run is then marked diverged).
    fn step(&self, landscape: &dyn Landscape, at: Iterate<'_>, state: &mut dyn MethodState, next: &mut [f64]) -> Result<(), String>;
    /// The time reached, for a solver of an ODE.
    fn time(&self, _state: &dyn MethodState) -> Option<f64> {
        None
    }
}

/// How a method steps.
#[derive(Clone, Copy)]
pub enum Kind<'a> {
    Gradient(&'a dyn GradientMethod),
    Solver(&'a dyn Solver),
}

/// Writes [`Hyper::learning_rate`] and [`Hyper::learning_rate_mut`] inside an `impl Hyper`
/// for a type whose field `learning_rate` holds it: `mc_playground::learning_rate_field!();`.
#[macro_export]
macro_rules! learning_rate_field {
    () => {
        fn learning_rate(&self) -> Option<f64> {
            Some(self.learning_rate)
        }
        fn learning_rate_mut(&mut self) -> Option<&mut f64> {
            Some(&mut self.learning_rate)
        }
    };
}

/// Writes [`Hyper::fields`] inside an `impl Hyper`: the hyper-parameter fields, in the
/// order of [`MethodMeta::hyper`] (a test checks it): `mc_playground::hyper_fields!(learning_rate, beta1);`.
#[macro_export]
macro_rules! hyper_fields {
    ($($field:ident),* $(,)?) => {
        fn fields(&mut self) -> $crate::method::Fields<'_> {
            vec![$((stringify!($field), &mut self.$field as &mut dyn $crate::method::HyperValue)),*]
        }
    };
}

/// Wraps a per-matrix method written with inherent `validate`, `init(shape)` and
/// `update(&mut w, &g, &mut state)` and a field `learning_rate`:
/// `crate::per_matrix_method!(Muon, MuonState, META, [learning_rate, momentum, …]);` writes its
/// [`PerMatrix`] and [`Hyper`] (`META` its [`MethodMeta`], then its fields as for
/// [`hyper_fields!`](crate::hyper_fields); a gradient method). With a fifth argument,
/// `crate::per_matrix_method!(Muon, MuonState, META, [learning_rate, …], NUMPY);`, `NUMPY` (a
/// `&'static str`) is its [`Hyper::NUMPY`].
#[macro_export]
macro_rules! per_matrix_method {
    ($t:ty, $state:ty, $meta:expr, [$($field:ident),* $(,)?], @numpy $numpy:expr) => {
        impl $crate::method::PerMatrix for $t {
            type State = $state;
            fn init(&self, shape: (usize, usize)) -> $state {
                <$t>::init(self, shape)
            }
            fn update(&self, w: &mut ::nalgebra::DMatrixViewMut<f64>, g: &::nalgebra::DMatrixView<f64>, s: &mut $state) {
                <$t>::update(self, w, g, s)
            }
        }
        impl $crate::method::Hyper for $t {
            const META: &'static $crate::method::MethodMeta = &$meta;
            const NUMPY: Option<&'static str> = $numpy;
            fn validate(&self) -> Result<(), $crate::checks::FieldError> {
                <$t>::validate(self)
            }
            $crate::learning_rate_field!();
            $crate::hyper_fields!($($field),*);
            fn kind(&self) -> $crate::method::Kind<'_> {
                $crate::method::Kind::Gradient(self)
            }
        }
    };
    ($t:ty, $state:ty, $meta:expr, [$($field:ident),* $(,)?]) => {
        $crate::per_matrix_method!($t, $state, $meta, [$($field),*], @numpy None);
    };
    ($t:ty, $state:ty, $meta:expr, [$($field:ident),* $(,)?], $numpy:expr) => {
        $crate::per_matrix_method!($t, $state, $meta, [$($field),*], @numpy Some($numpy));
    };
}

/// A method's hyper-parameters as the config reads and writes them: each field's name (as in
/// configs) and value, in the order of [`MethodMeta::hyper`]. One reader and one writer, in
/// [`crate::catalog`] and [`Method::to_json`], serve every method: no method has serde code of
/// its own.
pub type Fields<'a> = Vec<(&'static str, &'a mut dyn HyperValue)>;

/// One hyper-parameter's value, as configs read and write it: `f64`, `bool`, `u32`, `usize`,
/// `Option<f64>`, `Vec<f64>`, or an enum of names ([`serde_hyper_value!`](crate::serde_hyper_value)).
/// serde reads and writes each value: one copy of that code per type of value, not per method.
pub trait HyperValue {
    /// Reads the value from JSON. An error gives where inside the value (`"[1]"` for an
    /// element of a list, `""` for the value itself) and serde's message.
    ///
    /// # Errors
    /// The value is not of the field's type.
    fn read(&mut self, value: &Value) -> Result<(), (String, String)>;
    /// Appends the value as compact JSON (serde_json's text).
    fn write(&self, out: &mut Vec<u8>);
}

/// `T` from a JSON value, with serde's message.
///
/// # Errors
/// The value is not a `T`.
pub fn read_value<T: DeserializeOwned>(value: &Value) -> Result<T, (String, String)> {
    T::deserialize(value).map_err(|e| (String::new(), e.to_string()))
}

/// `value` as compact JSON (serde_json's text) at the end of `out`.
pub fn write_value<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing a number, a bool, a list or a name into a Vec does not fail.
    let _ = serde_json::to_writer(out, value);
}

/// Implements [`HyperValue`] by serde for types whose errors have no inside (a number, a
/// bool, an enum of names): `mc_playground::serde_hyper_value!(AdjustLr);` in the enum's file.
#[macro_export]
macro_rules! serde_hyper_value {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::method::HyperValue for $t {
            fn read(&mut self, value: &::serde_json::Value) -> Result<(), (String, String)> {
                *self = $crate::method::read_value(value)?;
                Ok(())
            }
            fn write(&self, out: &mut Vec<u8>) {
                $crate::method::write_value(self, out)
            }
        }
    )*};
}

serde_hyper_value!(f64, bool, u32, usize, Option<f64>);

/// A list of numbers; an element that is not a number is named by its index (`[1]`).
impl HyperValue for Vec<f64> {
    fn read(&mut self, value: &Value) -> Result<(), (String, String)> {
        match value {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, item) in items.iter().enumerate() {
                    out.push(read_value(item).map_err(|(_, message)| (format!("[{k}]"), message))?);
                }
                *self = out;
            }
            other => *self = read_value(other)?,
        }
        Ok(())
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_value(self.as_slice(), out)
    }
}

/// What a method's hyper-parameter type implements (with `Default` for the catalog):
/// [`Method`] follows.
pub trait Hyper: fmt::Debug + Clone + Send + Sync + 'static {
    /// Its metadata.
    const META: &'static MethodMeta;
    /// Its hyper-parameters, named as in configs and in the order of [`MethodMeta::hyper`]:
    /// what configs read and [`Method::to_json`] writes. Written by
    /// [`hyper_fields!`](crate::hyper_fields).
    fn fields(&mut self) -> Fields<'_>;
    /// Checks every hyper-parameter's range, as `torch.optim` does.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    fn validate(&self) -> Result<(), FieldError>;
    /// The learning rate, for methods that have one.
    fn learning_rate(&self) -> Option<f64> {
        None
    }
    /// Where the learning rate is kept, for methods that have one.
    fn learning_rate_mut(&mut self) -> Option<&mut f64> {
        None
    }
    /// For people; by default [`MethodMeta::label`].
    fn label(&self) -> String {
        owned(Self::META.label)
    }
    /// Checks against the problem's size (m, n).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    fn check_shape(&self, _rows: usize, _cols: usize) -> Result<(), FieldError> {
        Ok(())
    }
    /// How it steps: `Kind::Gradient(self)` or `Kind::Solver(self)`.
    fn kind(&self) -> Kind<'_>;
    /// Its update written out in NumPy, for `mc-playground export-python`
    /// ([`crate::export_python`]): Python source defining `class <name>` (the config's name),
    /// whose `__init__(self, hp, shape)` makes the state of one parameter matrix (`hp` the
    /// method's config object as a dict, `shape` (rows, cols)) and whose `update(self, w, g)`
    /// returns the next `w` (NumPy arrays of that shape; each factor of a deep network has its
    /// own instance). A rule over all the parameters at once sets `whole = True` and takes
    /// `shapes` and lists of matrices instead. `None` (the default): no short NumPy form (the
    /// solvers), and the exported script names the method in a comment and skips it. One text may
    /// define the classes of several methods (momentum and Nesterov); the script holds it once.
    /// The text may use `np`, `math` and the script's helpers `lerp(a, b, w)` (torch.lerp),
    /// `polar(w)` (U₊V₊ᵀ and σ), `product(a, b)` and `in_order_sum(x)` (the core's summation order).
    const NUMPY: Option<&'static str> = None;
}

/// A method with its hyper-parameters: what a config lists and a run steps (object-safe;
/// every [`Hyper`] type is one). `Debug` shows its JSON.
pub trait Method: Send + Sync + Any {
    fn meta(&self) -> &'static MethodMeta;
    /// A label for people, e.g. `Adam (no bias correction)`.
    fn label(&self) -> String;
    /// # Errors
    /// The field's name and what is wrong.
    fn validate(&self) -> Result<(), FieldError>;
    /// # Errors
    /// The field's name and what is wrong.
    fn check_shape(&self, rows: usize, cols: usize) -> Result<(), FieldError>;
    fn learning_rate(&self) -> Option<f64>;
    /// Sets the learning rate (a hot change: a run's state is untouched).
    ///
    /// # Errors
    /// `learning_rate` negative or not finite, or a method without a learning rate.
    fn set_learning_rate(&mut self, lr: f64) -> Result<(), FieldError>;
    /// `{"name": …, <the hyper-parameters>}` as JSON text (compact).
    fn to_json(&self) -> String;
    /// [`Hyper::fields`].
    fn fields(&mut self) -> Fields<'_>;
    fn clone_box(&self) -> Box<dyn Method>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn kind(&self) -> Kind<'_>;
    /// [`Hyper::NUMPY`] (native only: the page's module does not carry the texts).
    #[cfg(not(target_arch = "wasm32"))]
    fn numpy(&self) -> Option<&'static str>;
}

impl<T: Hyper> Method for T {
    fn meta(&self) -> &'static MethodMeta {
        T::META
    }
    fn label(&self) -> String {
        Hyper::label(self)
    }
    fn validate(&self) -> Result<(), FieldError> {
        if let Some(lr) = Hyper::learning_rate(self) {
            check_lr(lr)?;
        }
        Hyper::validate(self)
    }
    fn check_shape(&self, rows: usize, cols: usize) -> Result<(), FieldError> {
        Hyper::check_shape(self, rows, cols)
    }
    fn learning_rate(&self) -> Option<f64> {
        Hyper::learning_rate(self)
    }
    fn set_learning_rate(&mut self, lr: f64) -> Result<(), FieldError> {
        set_learning_rate(T::META.name, self.learning_rate_mut(), lr)
    }
    fn to_json(&self) -> String {
        write_json(self)
    }
    fn fields(&mut self) -> Fields<'_> {
        Hyper::fields(self)
    }
    fn clone_box(&self) -> Box<dyn Method> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn kind(&self) -> Kind<'_> {
        Hyper::kind(self)
    }
    #[cfg(not(target_arch = "wasm32"))]
    fn numpy(&self) -> Option<&'static str> {
        T::NUMPY
    }
}

/// `s` as a `String`, once for every method's default [`Hyper::label`].
#[inline(never)]
fn owned(s: &str) -> String {
    s.to_string()
}

/// `{"name":"<name>","<field>":<value>,…}` (compact, as serde_json writes a struct), written
/// from a copy's fields (they are lent mutably): one writer, through the vtable, for every
/// method.
#[inline(never)]
fn write_json(method: &dyn Method) -> String {
    let mut method = method.clone_box();
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"{\"name\":\"");
    out.extend_from_slice(method.meta().name.as_bytes());
    out.push(b'"');
    for (name, value) in method.fields() {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        value.write(&mut out);
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

/// The learning rate into `slot` (none: the method has no learning rate).
fn set_learning_rate(name: &str, slot: Option<&mut f64>, lr: f64) -> Result<(), FieldError> {
    check_lr(lr)?;
    let slot = slot.ok_or_else(|| ("learning_rate", format!("{name} has no learning rate")))?;
    *slot = lr;
    Ok(())
}

impl dyn Method {
    /// The `name` in configs.
    pub fn name(&self) -> &'static str {
        self.meta().name
    }
    /// The method as its own type, e.g. `downcast_ref::<Adam>()`.
    pub fn downcast_ref<T: Method>(&self) -> Option<&T> {
        self.as_any().downcast_ref()
    }
    /// The method as its own type, mutably.
    pub fn downcast_mut<T: Method>(&mut self) -> Option<&mut T> {
        self.as_any_mut().downcast_mut()
    }
    /// A gradient method's fresh state for parameter matrices of these shapes
    /// ([`GradientMethod::init`]).
    ///
    /// # Panics
    /// For a solver (it has no gradient step).
    pub fn init_state(&self, shapes: &[(usize, usize)]) -> Box<dyn MethodState> {
        self.gradient_method().expect("a gradient method").init(shapes)
    }
    /// A gradient method's step ([`GradientMethod::step`]).
    ///
    /// # Panics
    /// For a solver, or a state or gradient that does not match the parameters.
    pub fn update(&self, params: &mut [f64], grads: &[f64], shapes: &[(usize, usize)], state: &mut dyn MethodState) {
        self.gradient_method().expect("a gradient method").step(params, grads, shapes, state)
    }
    /// True for the solvers (methods that step W themselves from the objective).
    pub fn is_solver(&self) -> bool {
        matches!(self.kind(), Kind::Solver(_))
    }
    /// The gradient transformation, for the methods that are one.
    pub fn gradient_method(&self) -> Option<&dyn GradientMethod> {
        match self.kind() {
            Kind::Gradient(g) => Some(g),
            Kind::Solver(_) => None,
        }
    }
}

impl fmt::Debug for dyn Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl Clone for Box<dyn Method> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

impl PartialEq for dyn Method {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name() && self.to_json() == other.to_json()
    }
}

/// As [`Method::to_json`]'s text, written as it is (serde_json's `RawValue`: serde_json's
/// serializers, to text or to a `Value`, take it as JSON).
impl Serialize for dyn Method {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Borrowed from the text (`from_str`, the config reader's own instance) rather than
        // `RawValue::from_string`: one JSON checker in the WebAssembly module, not two.
        let text = self.to_json();
        let raw: &serde_json::value::RawValue = serde_json::from_str(&text).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}
