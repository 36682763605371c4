//! `mc-playground sweep`: run a grid of cells on every core, streaming one line per finished cell.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressStyle};
use mc_playground::sweep::{csv_header, csv_rows, run_cell, Cell, Shard, SweepSpec};
use rayon::prelude::*;

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
/// A final line without its newline (an interrupted write) is cut off the file.
fn finished_cells(path: &Path, format: Format) -> Result<BTreeSet<usize>, String> {
    let mut done = BTreeSet::new();
    let Ok(file) = std::fs::File::open(path) else { return Ok(done) };
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

/// Runs the sweep; returns the number of cells run now.
pub fn sweep(opts: Options<'_>) -> Result<usize, String> {
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
        eprintln!("mc-playground: every cell is already in {} ({} done); nothing to run", path.display(), done.len());
        return Ok(0);
    }

    let mut sink: Box<dyn Write> = match opts.out {
        Some(path) => {
            let new_file = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
            let f = OpenOptions::new().create(true).append(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut w: Box<dyn Write> = Box::new(f);
            if new_file && opts.format == Format::Csv {
                writeln!(w, "{}", csv_header(&axes)).map_err(|e| e.to_string())?;
            }
            w
        }
        None => {
            let mut w: Box<dyn Write> = Box::new(std::io::stdout().lock());
            if opts.format == Format::Csv {
                writeln!(w, "{}", csv_header(&axes)).map_err(|e| e.to_string())?;
            }
            w
        }
    };

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
    let format = opts.format;
    let writer_result = std::thread::scope(|s| {
        s.spawn(move || {
            pool.install(|| {
                todo.par_iter().for_each_with(tx, |tx, cell| {
                    let _ = tx.send(run_cell(cell));
                });
            });
        });
        for line in rx {
            let text = match format {
                Format::Jsonl => serde_json::to_string(&line).map_err(|e| e.to_string())?,
                Format::Csv => csv_rows(&line).join("\n"),
            };
            match writeln!(sink, "{text}").and_then(|_| sink.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                Err(e) => return Err(e.to_string()),
            }
            bar.inc(1);
        }
        Ok(())
    });
    bar.finish_and_clear();
    writer_result.map(|_| count)
}
