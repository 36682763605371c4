//! `mc-playground sweep`: run a grid of cells on every core, streaming one line per finished cell.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressStyle};
use mc_playground::sweep::{csv_header, csv_rows, run_cell, Cell, Line, Shard, SweepSpec};
use rayon::prelude::*;

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

/// The cell indices already in an output file (for resuming): every complete line's `cell`.
/// A final line without its newline (an interrupted write) is cut off the file. Only a regular
/// file is read: a device or a pipe (`/dev/stdout`, which may never end) holds nothing.
fn finished_cells(path: &Path, format: Format) -> Result<BTreeSet<usize>, String> {
    let mut done = BTreeSet::new();
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(done);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut good_len = 0u64;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        good_len += n as u64;
        let text = line.trim_end();
        if format == Format::Csv && first {
            first = false;
            continue;
        }
        first = false;
        let cell = match format {
            Format::Jsonl => serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| v["cell"].as_u64()),
            Format::Csv => text.split(',').next().and_then(|c| c.parse::<u64>().ok()),
        };
        match cell {
            Some(c) => {
                done.insert(c as usize);
            }
            None => return Err(format!("{}: line is not sweep output ({text:.60})", path.display())),
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
        Some(path) => finished_cells(path, opts.format)?,
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
