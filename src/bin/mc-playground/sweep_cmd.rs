//! `mc-playground sweep`: run a grid of cells on every core, streaming one line per finished cell.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressStyle};
use mc_playground::sweep::{csv_header, csv_rows, csv_run_keys, run_cell, Cell, Line, Shard, SweepSpec};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::{say, written, Failure};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line: {"cell", "axes", "config", "runs"}.
    Jsonl,
    /// One row per (cell, run), with a header.
    Csv,
}

pub struct Options<'a> {
    pub spec_text: String,
    pub shard: Option<Shard>,
    pub format: Format,
    pub out: Option<&'a Path>,
    pub threads: Option<usize>,
}

/// What a complete line of an output file records: a run of a cell of this sweep (JSON lines: the
/// whole cell, run 0), a line of another sweep (why), or no sweep output at all.
enum Recorded {
    Run { cell: usize, run: usize },
    Different(String),
    NotOutput,
}

/// A JSON value, shortened for a message.
fn short(v: &Value) -> String {
    format!("{:.60}", v.to_string())
}

/// The first place (a dotted path) at which two JSON values differ, and their values there.
fn first_difference<'a>(a: &'a Value, b: &'a Value, path: &str) -> Option<(String, &'a Value, &'a Value)> {
    static MISSING: Value = Value::Null;
    let at = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x
            .keys()
            .chain(y.keys())
            .find_map(|k| first_difference(x.get(k).unwrap_or(&MISSING), y.get(k).unwrap_or(&MISSING), &at(k))),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(k, (u, v))| first_difference(u, v, &at(&k.to_string())))
        }
        _ => (a != b).then(|| (path.to_string(), a, b)),
    }
}

/// A JSON line: its cell, if its axis values and full config are those of this sweep's cell of
/// that number.
fn recorded_jsonl(text: &str, cells: &[Cell]) -> Recorded {
    let Ok(line) = serde_json::from_str::<Value>(text) else { return Recorded::NotOutput };
    let Some(cell) = line["cell"].as_u64().map(|c| c as usize) else { return Recorded::NotOutput };
    let Some(plan) = cells.get(cell) else { return Recorded::Different(format!("its cell {cell} is not in this sweep of {} cells", cells.len())) };
    let recorded = json!({"axes": line["axes"], "config": line["config"]});
    // Through text, as the file's line went, so that numbers compare as they were written.
    let planned: Value = serde_json::from_str(&json!({"axes": Map::from_iter(plan.values.clone()), "config": plan.config}).to_string()).expect("JSON");
    match first_difference(&recorded, &planned, "") {
        None => Recorded::Run { cell, run: 0 },
        Some((path, was, is)) => Recorded::Different(format!("its cell {cell} has {path} = {}, this sweep's {}", short(was), short(is))),
    }
}

/// A CSV row: its cell and run, if its axis values, method and learning rate are those of a run of
/// this sweep's cell of that number (CSV records nothing else of the config).
fn recorded_csv(text: &str, cells: &[Cell]) -> Recorded {
    let Some(cell) = text.split(',').next().and_then(|c| c.parse::<usize>().ok()) else { return Recorded::NotOutput };
    let Some(plan) = cells.get(cell) else { return Recorded::Different(format!("its cell {cell} is not in this sweep of {} cells", cells.len())) };
    let keys = csv_run_keys(plan);
    match keys.iter().position(|k| text.strip_prefix(k.as_str()).is_some_and(|rest| rest.starts_with(','))) {
        Some(run) => Recorded::Run { cell, run },
        None => {
            let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
            Recorded::Different(format!("its row for cell {cell} begins `{text:.width$}`, this sweep's rows for it `{}`", keys.join("`, `")))
        }
    }
}

/// The cells already in an output file (for resuming): those whose every run is there (a JSON
/// line is a whole cell; CSV has a row per run). Every line must be of this sweep, the same cell
/// as the one of its number here: a file of another sweep (the sweep file edited since) is
/// refused, never mixed with this one. What an interrupted write left, a final line without its
/// newline and (CSV) the rows of a last cell without all its runs, is cut off the file. Only a
/// regular file is read: a device or a pipe (`/dev/stdout`, which may never end) holds nothing.
fn finished_cells(path: &Path, format: Format, cells: &[Cell], axes: &[String]) -> Result<BTreeSet<usize>, String> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(BTreeSet::new());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let different = |why: String| {
        let p = path.display();
        format!("{p} holds a different sweep: {why}; write to a new --out, or delete {p} to start again")
    };
    // Per cell: the runs recorded, and where its first row starts.
    let mut runs: BTreeMap<usize, (BTreeSet<usize>, u64)> = BTreeMap::new();
    // The cell of the last row, and where the rows of it that end the file start.
    let mut tail: Option<(usize, u64)> = None;
    let mut good_len = 0u64;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        let start = good_len;
        good_len += n as u64;
        let text = line.trim_end();
        if format == Format::Csv && start == 0 {
            let header = csv_header(axes);
            if text != header {
                return Err(different(format!("its header is `{text:.80}`, this sweep's `{header:.80}`")));
            }
            continue;
        }
        let recorded = match format {
            Format::Jsonl => recorded_jsonl(text, cells),
            Format::Csv => recorded_csv(text, cells),
        };
        match recorded {
            Recorded::Run { cell, run } => {
                runs.entry(cell).or_insert((BTreeSet::new(), start)).0.insert(run);
                if tail.is_none_or(|(c, _)| c != cell) {
                    tail = Some((cell, start));
                }
            }
            Recorded::Different(why) => return Err(different(why)),
            Recorded::NotOutput => return Err(format!("{}: line is not sweep output ({text:.60})", path.display())),
        }
    }
    let expected = |cell: usize| if format == Format::Csv { cells[cell].config.optimizers.len() } else { 1 };
    let mut done = BTreeSet::new();
    for (&cell, (seen, first)) in &runs {
        if seen.len() == expected(cell) {
            done.insert(cell);
        } else if tail.is_some_and(|(c, start)| c == cell && start == *first) {
            good_len = *first; // the last cell, cut short: it runs again
        } else {
            return Err(different(format!("its cell {cell} has {} of this sweep's {} runs", seen.len(), expected(cell))));
        }
    }
    let actual = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if actual > good_len {
        let f = OpenOptions::new().write(true).open(path).map_err(|e| e.to_string())?;
        f.set_len(good_len).map_err(|e| e.to_string())?;
    }
    Ok(done)
}

/// Writes each cell's line (or rows) to `sink` as it comes; `Ok` also when the reader of
/// standard output has gone (a closed pipe).
fn write_lines(rx: mpsc::Receiver<Line>, sink: &mut dyn Write, format: Format, output: &str, bar: &ProgressBar) -> Result<(), Failure> {
    for line in rx {
        let text = match format {
            Format::Jsonl => serde_json::to_string(&line).map_err(|e| e.to_string())?,
            Format::Csv => csv_rows(&line).join("\n"),
        };
        if !written(writeln!(sink, "{text}").and_then(|_| sink.flush()), output)? {
            return Ok(());
        }
        bar.inc(1);
    }
    Ok(())
}

/// Runs the sweep; returns the number of cells run now.
pub fn sweep(opts: Options<'_>) -> Result<usize, Failure> {
    let spec = SweepSpec::from_json(&opts.spec_text).map_err(|e| e.to_string())?;
    let cells = spec.cells().map_err(|e| e.to_string())?;
    let axes: Vec<String> = spec.axes.keys().cloned().collect();
    let done = match opts.out {
        Some(path) => finished_cells(path, opts.format, &cells, &axes)?,
        None => BTreeSet::new(),
    };
    let todo: Vec<&Cell> = cells
        .iter()
        .filter(|c| opts.shard.is_none_or(|s| s.contains(c.index)) && !done.contains(&c.index))
        .collect();
    if let (true, Some(path)) = (todo.is_empty(), opts.out) {
        say(format!("every cell is already in {} ({} done); nothing to run", path.display(), done.len()));
        return Ok(0);
    }

    let output = opts.out.map_or_else(|| "standard output".to_string(), |p| p.display().to_string());
    let (mut sink, header): (Box<dyn Write>, bool) = match opts.out {
        Some(path) => {
            let new_file = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
            let f = OpenOptions::new().create(true).append(true).open(path).map_err(|e| Failure::Write(format!("{output}: {e}")))?;
            (Box::new(f), new_file)
        }
        None => (Box::new(std::io::stdout().lock()), true),
    };
    if header && opts.format == Format::Csv && !written(writeln!(sink, "{}", csv_header(&axes)).and_then(|_| sink.flush()), &output)? {
        return Ok(0);
    }

    // Progress on a terminal only: a pipe gets nothing but data.
    let bar = if std::io::stderr().is_terminal() {
        let b = ProgressBar::new(todo.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} cells, eta {eta}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };

    let threads = opts.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel();
    let count = todo.len();
    // Set when the output has ended (a closed pipe, a write error): the cells not yet begun are not run.
    let stop = &AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        s.spawn(move || {
            pool.install(|| {
                todo.par_iter().for_each_with(tx, |tx, cell| {
                    if !stop.load(Ordering::Relaxed) {
                        let _ = tx.send(run_cell(cell));
                    }
                });
            });
        });
        let result = write_lines(rx, &mut sink, opts.format, &output, &bar);
        stop.store(true, Ordering::Relaxed);
        result
    });
    bar.finish_and_clear();
    result.map(|_| count)
}
