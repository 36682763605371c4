//! The method catalog: every method once, the only list that names them all. Config parsing
//! (a `{"name": …}` object becomes the method's type), the command line's `methods`, the core's
//! [`method_info`] (the page's `Lab.methods()`) and the benchmarks all read it.
//!
//! Each method's metadata (label, family, one-line description, the update rule as the page
//! renders it, source, rotation-equivariance, hyper-parameters with ranges) lives in the
//! method's own file, as its [`Hyper::META`]; an [`Entry`] adds its parser and defaults.
//!
//! Adding a method: its file under `src/optim/` (or `src/solvers/`), one line in [`CATALOG`],
//! and its golden cases (`../shared/golden/optimizers/`). See ARCHITECTURE.md.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::method::{Family, Hyper, Method, MethodMeta, Rule};
use crate::optim::{
    Adadelta, Adafactor, Adagrad, Adam, AdamW, Adamax, Amsgrad, Asgd, Gd, GroupRmsprop, Lion, Momentum, Muon, Nadam, Nesterov, NormalizedGd,
    Prodigy, Radam, Rmsprop, Rprop, Shampoo, SignSgd, Signum, SpectralDescent,
};
use crate::solvers::{Als, GradientFlow, Newton, SoftImpute};

/// One method of the catalog: its metadata, how to read it from JSON, its defaults.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub meta: &'static MethodMeta,
    /// Reads the method's hyper-parameters from a JSON object (without `name`); an error in a
    /// field is `"\0<field>\0<message>"` (the config prefixes the path).
    pub parse: fn(&Value) -> Result<Box<dyn Method>, String>,
    /// The method with its default hyper-parameters.
    pub default: fn() -> Box<dyn Method>,
}

impl Entry {
    /// The entry of a method type (serde for its fields, `Default` for its defaults).
    pub const fn of<T: Hyper + Default + DeserializeOwned>() -> Entry {
        Entry { meta: T::META, parse: parse_as::<T>, default: default_of::<T> }
    }
}

fn default_of<T: Hyper + Default>() -> Box<dyn Method> {
    Box::new(T::default())
}

/// `T` from a JSON object; an error in a field names it (`"\0<field>\0<message>"`).
fn parse_as<T: Hyper + DeserializeOwned>(fields: &Value) -> Result<Box<dyn Method>, String> {
    let t: T = serde_path_to_error::deserialize(fields).map_err(|e| {
        let path = e.path().to_string().replace('\0', "\\u{0}");
        let message = e.into_inner().to_string();
        if path == "." { message } else { format!("\u{0}{path}\u{0}{message}") }
    })?;
    Ok(Box::new(t))
}

/// Every method, once, in the page's order.
pub const CATALOG: &[Entry] = &[
    Entry::of::<Adam>(),
    Entry::of::<Rmsprop>(),
    Entry::of::<Adagrad>(),
    Entry::of::<Gd>(),
    Entry::of::<Momentum>(),
    Entry::of::<Nesterov>(),
    Entry::of::<AdamW>(),
    Entry::of::<Amsgrad>(),
    Entry::of::<Nadam>(),
    Entry::of::<Asgd>(),
    Entry::of::<Adamax>(),
    Entry::of::<Radam>(),
    Entry::of::<Adadelta>(),
    Entry::of::<Adafactor>(),
    Entry::of::<Prodigy>(),
    Entry::of::<SignSgd>(),
    Entry::of::<Signum>(),
    Entry::of::<Lion>(),
    Entry::of::<Rprop>(),
    Entry::of::<GroupRmsprop>(),
    Entry::of::<NormalizedGd>(),
    Entry::of::<SpectralDescent>(),
    Entry::of::<Muon>(),
    Entry::of::<Shampoo>(),
    Entry::of::<Newton>(),
    Entry::of::<GradientFlow>(),
    Entry::of::<Als>(),
    Entry::of::<SoftImpute>(),
];

/// The catalog's entry named `name`.
pub fn find(name: &str) -> Option<&'static Entry> {
    CATALOG.iter().find(|e| e.meta.name == name)
}

/// Every method with its default hyper-parameters, in the catalog's order.
pub fn all_defaults() -> Vec<Box<dyn Method>> {
    CATALOG.iter().map(|e| (e.default)()).collect()
}

/// `{"name": …, <the method's fields>}` read by the entry of that name in `entries`, with
/// serde's messages for a missing or unknown name.
///
/// By hand rather than an enum with `#[serde(tag = "name")]`: the derive buffers the object in
/// serde's private `Content` and reads each method's fields from that, a second copy of every
/// method's deserializer in the WebAssembly module next to the one reading a `serde_json::Value`
/// (about 40 KB). Here the object is read as a `Value`, and the method's fields from it. An
/// error in a field names it: the message is `"\0<field>\0<message>"`, which
/// [`crate::config::Config::from_json`] turns into `optimizers[i].<field>: <message>`.
///
/// # Errors
/// Not an object, no or an unknown name, or a field the method rejects.
pub fn parse_in(entries: &[Entry], value: Value) -> Result<Box<dyn Method>, String> {
    use serde::de::{Error, Unexpected};
    fn unexpected(v: &Value) -> Unexpected<'_> {
        match v {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(x) => match (x.as_u64(), x.as_i64(), x.as_f64()) {
                (Some(u), _, _) => Unexpected::Unsigned(u),
                (None, Some(i), _) => Unexpected::Signed(i),
                (_, _, f) => Unexpected::Float(f.unwrap_or(f64::NAN)),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
        }
    }
    let mut fields = match value {
        Value::Object(fields) => fields,
        other => return Err(serde_json::Error::invalid_type(unexpected(&other), &"an optimizer object with a name").to_string()),
    };
    let name = match fields.shift_remove("name") {
        Some(Value::String(name)) => name,
        Some(other) => return Err(format!("\u{0}name\u{0}{}", serde_json::Error::invalid_type(unexpected(&other), &"variant identifier"))),
        None => return Err(serde_json::Error::missing_field("name").to_string()),
    };
    match entries.iter().find(|e| e.meta.name == name) {
        Some(entry) => (entry.parse)(&Value::Object(fields)),
        None => Err(format!("\u{0}name\u{0}{}", unknown_name(&name, entries))),
    }
}

/// serde's message for an unknown variant (`unknown variant `x`, expected one of `a`, `b`, …`),
/// listing the entries' names.
fn unknown_name(name: &str, entries: &[Entry]) -> String {
    let mut out = format!("unknown variant `{name}`, ");
    match entries.len() {
        0 => out.push_str("there are no variants"),
        1 | 2 => out.push_str("expected "),
        _ => out.push_str("expected one of "),
    }
    for (k, e) in entries.iter().enumerate() {
        if k > 0 {
            out.push_str(if entries.len() == 2 { " or " } else { ", " });
        }
        out.push('`');
        out.push_str(e.meta.name);
        out.push('`');
    }
    out
}

/// [`parse_in`] the catalog.
///
/// # Errors
/// See [`parse_in`].
pub fn parse(value: Value) -> Result<Box<dyn Method>, String> {
    parse_in(CATALOG, value)
}

/// A config's optimizer entry is read through the catalog (the config schema holds
/// `Box<dyn Method>` and names no method).
impl<'de> Deserialize<'de> for Box<dyn Method> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        parse(value).map_err(serde::de::Error::custom)
    }
}

/// One hyper-parameter as the catalog shows it: field, label, default value, range (text).
#[derive(Debug, Clone, Serialize)]
pub struct HyperInfo {
    pub name: &'static str,
    pub label: &'static str,
    pub default: Value,
    pub range: &'static str,
}

/// Everything the catalog says of one method (the JSON of `Lab.methods()` and
/// `mc-playground methods --json`).
#[derive(Debug, Clone, Serialize)]
pub struct MethodInfo {
    pub name: &'static str,
    pub label: String,
    pub family: Family,
    pub about: &'static str,
    pub rule: &'static Rule,
    pub equivariant: bool,
    pub colour_slot: Option<usize>,
    pub has_learning_rate: bool,
    pub direct_only: bool,
    pub solver: bool,
    pub hyper: Vec<HyperInfo>,
    /// The method's config with these hyper-parameters (`{"name": …, …}`).
    pub config: Value,
}

/// What the catalog says of `method`, with its hyper-parameters as the defaults shown.
pub fn info(method: &dyn Method) -> MethodInfo {
    let meta = method.meta();
    let config = crate::config::parse(&method.to_json()).unwrap_or(Value::Null);
    let hyper = meta
        .hyper
        .iter()
        .map(|h| HyperInfo { name: h.name, label: h.label, default: config.get(h.name).cloned().unwrap_or(Value::Null), range: h.range })
        .collect();
    MethodInfo {
        name: meta.name,
        label: method.label(),
        family: meta.family,
        about: meta.about,
        rule: &meta.rule,
        equivariant: meta.equivariant,
        colour_slot: meta.colour_slot,
        has_learning_rate: method.learning_rate().is_some(),
        direct_only: meta.direct_only,
        solver: method.is_solver(),
        hyper,
        config,
    }
}

/// Every method with its default hyper-parameters, in the catalog's order.
pub fn method_info() -> Vec<MethodInfo> {
    all_defaults().iter().map(|m| info(m.as_ref())).collect()
}

/// [`method_info`] as a JSON array (what `Lab.methods()` and `mc-playground methods --json` give).
pub fn catalog_json() -> String {
    serde_json::to_string(&method_info()).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every hyper-parameter of every method is described, and nothing else.
    #[test]
    fn every_field_is_described() {
        for m in method_info() {
            let Value::Object(fields) = &m.config else { panic!() };
            let named: Vec<&str> = fields.keys().map(String::as_str).filter(|k| *k != "name").collect();
            let described: Vec<&str> = m.hyper.iter().map(|h| h.name).collect();
            assert_eq!(named, described, "{}: the metadata lists the fields in the config's order", m.name);
            assert!(!m.about.is_empty() && !m.rule.lines.is_empty() && !m.rule.source.is_empty(), "{}", m.name);
        }
    }

    /// Names and colour slots are distinct, and each entry's default is its own method.
    #[test]
    fn names_and_colour_slots_are_distinct() {
        let mut names: Vec<&str> = CATALOG.iter().map(|e| e.meta.name).collect();
        let mut slots: Vec<usize> = CATALOG.iter().filter_map(|e| e.meta.colour_slot).collect();
        let (n, k) = (names.len(), slots.len());
        names.sort();
        names.dedup();
        slots.sort();
        slots.dedup();
        assert_eq!((names.len(), slots.len()), (n, k));
        for e in CATALOG {
            let m = (e.default)();
            assert_eq!(m.name(), e.meta.name);
            assert_eq!(m.validate(), Ok(()), "{}: defaults are valid", e.meta.name);
            let parsed = parse(serde_json::from_str(&m.to_json()).unwrap()).unwrap();
            assert!(*parsed == *m, "{}: JSON round trip", e.meta.name);
        }
    }
}
