//! The method catalog: every method once, the only list that names them all. Config parsing
//! (a `{"name": …}` object becomes the method's type), the command line's `methods`, the core's
//! [`method_info`] (the page's `Lab.methods()`) and the benchmarks all read it.
//!
//! Each method's metadata (label, family, one-line description, the update rule as the page
//! renders it, source, rotation-equivariance, hyper-parameters with ranges) lives in the
//! method's own file, as its [`Hyper::META`], and so are its fields ([`Hyper::fields`]); an
//! [`Entry`] adds its defaults. Every method is read from JSON by one reader (here) and written
//! by one writer ([`Method::to_json`]) through those fields.
//!
//! Adding a method: its file under `src/optim/` (or `src/solvers/`), one line in [`CATALOG`],
//! and its golden cases (`../shared/golden/optimizers/`). See ARCHITECTURE.md.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::method::{Family, Hyper, Method, MethodMeta, Rule};
use crate::optim::{
    Adadelta, Adafactor, Adagrad, Adam, AdamW, Adamax, Amsgrad, Asgd, Gd, GroupRmsprop, Lion, Momentum, Muon, Nadam, Nesterov, NormalizedGd,
    Prodigy, Radam, Rmsprop, Rprop, Shampoo, SignSgd, Signum, SpectralDescent,
};
use crate::solvers::{Als, GradientFlow, Newton, SoftImpute};

/// One method of the catalog: its metadata and its defaults (configs are read into a copy of
/// the defaults through the method's [`Hyper::fields`]).
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub meta: &'static MethodMeta,
    /// The method with its default hyper-parameters.
    pub default: fn() -> Box<dyn Method>,
}

impl Entry {
    /// The entry of a method type (`Default` for its defaults).
    pub const fn of<T: Hyper + Default>() -> Entry {
        Entry { meta: T::META, default: default_of::<T> }
    }
}

fn default_of<T: Hyper + Default>() -> Box<dyn Method> {
    Box::new(T::default())
}

/// Reads a method's hyper-parameters from a JSON object (without `name`) into `method`, field
/// by field in the object's order, as serde's derive would (`deny_unknown_fields`, `default`),
/// with its messages. An error in a field names it: `"\0<field>\0<message>"` (the config
/// prefixes the path).
///
/// One reader for every method (each field's value is read by its [`crate::method::HyperValue`]),
/// where a derived `Deserialize` per method put 28 readers into the WebAssembly module.
fn read_fields(method: &mut dyn Method, object: &Map<String, Value>) -> Result<(), String> {
    let mut fields = method.fields();
    for (key, value) in object {
        let at = |inner: &str, message: &str| format!("\u{0}{}{inner}\u{0}{message}", key.replace('\0', "\\u{0}"));
        match fields.iter_mut().find(|(name, _)| name == key) {
            Some((_, field)) => field.read(value).map_err(|(inner, message)| at(&inner, &message))?,
            None => {
                let mut message = format!("unknown field `{key}`, ");
                one_of(&mut message, "there are no fields", fields.iter().map(|(name, _)| *name));
                return Err(at("", &message));
            }
        }
    }
    Ok(())
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

/// `{"name": …, <the method's fields>}` read by the entry of that name in `entries` (its
/// defaults, then each field of the object), with serde's messages for a missing or unknown
/// name and for a field.
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
        Some(entry) => {
            let mut method = (entry.default)();
            read_fields(method.as_mut(), &fields)?;
            Ok(method)
        }
        None => {
            let mut message = format!("unknown variant `{name}`, ");
            one_of(&mut message, "there are no variants", entries.iter().map(|e| e.meta.name));
            Err(format!("\u{0}name\u{0}{message}"))
        }
    }
}

/// The end of serde's message for an unknown field or variant: `expected `a``, `expected `a`
/// or `b``, `expected one of `a`, `b`, …`, or `none` when there are no names.
fn one_of<'a>(out: &mut String, none: &str, names: impl ExactSizeIterator<Item = &'a str>) {
    let n = names.len();
    match n {
        0 => out.push_str(none),
        1 | 2 => out.push_str("expected "),
        _ => out.push_str("expected one of "),
    }
    for (k, name) in names.enumerate() {
        if k > 0 {
            out.push_str(if n == 2 { " or " } else { ", " });
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
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

/// [`parse`], for the config schema, which names no method (its default optimizers are read
/// through this, without serde's `Deserialize`, which would bring a copy of `Value`'s reader).
impl TryFrom<Value> for Box<dyn Method> {
    type Error = String;
    fn try_from(value: Value) -> Result<Self, String> {
        parse(value)
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
