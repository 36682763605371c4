//! The benchmark page's entry points (`bench.html`; built only with the `bench` feature, so
//! the page's own module does not carry them): the cases and yardsticks of [`crate::bench`],
//! timed in the browser with `performance.now()` (`std::time::Instant` panics on wasm32).
//! Every function takes and returns JSON text.

use wasm_bindgen::prelude::*;

use crate::bench::{self, Case, Sampling};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

fn clock() -> f64 {
    performance_now() / 1000.0
}

fn sampling(json: &str) -> Result<Sampling, JsError> {
    if json.trim().is_empty() {
        return Ok(Sampling::default());
    }
    serde_json::from_str(json).map_err(|e| JsError::new(&format!("sampling: {e}")))
}

/// The cases to run (`[{method, penalty, size}]`): the default subset, or every case when `full`.
#[wasm_bindgen]
pub fn bench_plan(full: bool) -> String {
    serde_json::to_string(&bench::plan(full)).unwrap_or_default()
}

/// The problem sizes.
#[wasm_bindgen]
pub fn bench_sizes() -> Vec<u32> {
    bench::SIZES.iter().map(|&n| n as u32).collect()
}

/// Runs one case (`{method, penalty, size}`) with the given sampling (`{sample_secs, samples,
/// warmup_secs}`, or "" for the default) and returns its [`bench::CaseResult`].
#[wasm_bindgen]
pub fn bench_case(case_json: &str, sampling_json: &str) -> Result<String, JsError> {
    let case: Case = serde_json::from_str(case_json).map_err(|e| JsError::new(&format!("case: {e}")))?;
    let result = bench::run_case(&case, &clock, &sampling(sampling_json)?).map_err(|e| JsError::new(&e))?;
    serde_json::to_string(&result).map_err(|e| JsError::new(&e.to_string()))
}

/// The yardsticks at size n ([`bench::UnitResult`]).
#[wasm_bindgen]
pub fn bench_unit(n: u32, sampling_json: &str) -> Result<String, JsError> {
    let result = bench::run_unit(n as usize, &clock, &sampling(sampling_json)?);
    serde_json::to_string(&result).map_err(|e| JsError::new(&e.to_string()))
}

/// Whether this module was built with WebAssembly SIMD (`simd128`).
#[wasm_bindgen]
pub fn bench_simd128() -> bool {
    cfg!(target_feature = "simd128")
}
