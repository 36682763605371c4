//! `mc-playground plot` and `mc-playground table`: figures (SVG, with plotters) and Markdown
//! tables from sweep output (JSON lines; shards may be concatenated).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use mc_playground::method::Method;
use mc_playground::metrics::METRIC_NAMES;
use mc_playground::sweep::Line;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

use crate::{written, Failure};

/// Reads every line of every file (sweep output, JSON lines).
pub fn read_lines(paths: &[String]) -> Result<Vec<Line>, String> {
    let mut out: Vec<Line> = Vec::new();
    for path in paths {
        let text = if path == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| e.to_string())?;
            s
        } else {
            std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?
        };
        for (k, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            out.push(serde_json::from_str(l).map_err(|e| format!("{path}:{}: not a sweep line: {e}", k + 1))?);
        }
    }
    if out.is_empty() {
        return Err("no sweep lines in the input".into());
    }
    // Lines arrive in completion order; sort by cell so tables and legends are stable.
    out.sort_by_key(|l| l.cell);
    Ok(out)
}

/// The label of a run: its method's label, plus the given axes' values of the cell.
fn series_label(line: &Line, run: usize, series: &[String]) -> String {
    let opt = &line.runs[run].optimizer;
    let mut label = serde_json::from_value::<Box<dyn Method>>(opt.clone())
        .map(|o| o.label())
        .unwrap_or_else(|_| opt["name"].as_str().unwrap_or("?").to_string());
    let depth = line.config["model"]["depth"].as_u64().unwrap_or(1);
    if depth > 1 && !series.iter().any(|p| p == "model.depth") {
        label.push_str(&format!(", depth {depth}"));
    }
    for path in series {
        if let Some(v) = line.axes.get(path) {
            let short = path.rsplit('.').next().unwrap_or(path);
            label.push_str(&format!(", {short} {}", compact(v)));
        }
    }
    label
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{} entries]", a.len()),
        other => other.to_string(),
    }
}

fn axis_number(line: &Line, path: &str) -> Result<f64, String> {
    let v = line.axes.get(path).ok_or_else(|| format!("`{path}` is not an axis of this sweep"))?;
    v.as_f64().ok_or_else(|| format!("axis `{path}` has a non-numeric value {v}"))
}

fn metric(line: &Line, run: usize, name: &str) -> f64 {
    let r = &line.runs[run];
    if r.diverged_at.is_some() && name == "test_error" {
        return f64::INFINITY;
    }
    r.final_metrics[name].as_f64().unwrap_or(f64::NAN)
}

/// Okabe–Ito, colour-blind-safe, then two extra.
const PALETTE: [RGBColor; 10] = [
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(0, 114, 178),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
    RGBColor(120, 120, 120),
    RGBColor(150, 75, 0),
];

type Err = Box<dyn std::error::Error>;
/// A figure's whole drawing area, drawn into an SVG in memory.
type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// Per series, per (x, y) cell key: (x, y, recovered, total).
type MapCells = BTreeMap<String, BTreeMap<(i64, i64), (f64, f64, usize, usize)>>;
/// (series index, label, [(x, mean, min, max)]).
/// Per (row key, label): test errors, effective ranks, diverged count.
type TableCells = BTreeMap<(String, String), (Vec<f64>, Vec<f64>, usize)>;
type Series<'a> = (usize, &'a String, Vec<(f64, f64, f64, f64)>);

/// The page's colour for a method (by the start of its label), so figures match the page;
/// series whose colour is taken already get the next free one.
fn colours(labels: &[&String]) -> Vec<RGBColor> {
    let by_method = |label: &str| -> Option<RGBColor> {
        let l = label.to_lowercase();
        Some(match () {
            _ if l.starts_with("adam (no") => RGBColor(150, 60, 0),
            _ if l.starts_with("adamw") => RGBColor(120, 120, 120),
            _ if l.starts_with("adam") => PALETTE[0],
            _ if l.starts_with("rmsprop") => PALETTE[1],
            _ if l.starts_with("adagrad") => PALETTE[2],
            _ if l.starts_with("gd") => PALETTE[3],
            _ if l.starts_with("momentum") => PALETTE[4],
            _ if l.starts_with("nesterov") => PALETTE[5],
            _ if l.starts_with("softimpute") => PALETTE[6],
            _ => return None,
        })
    };
    let mut used: Vec<RGBColor> = Vec::new();
    labels
        .iter()
        .map(|l| {
            let c = by_method(l)
                .filter(|c| !used.contains(c))
                .or_else(|| PALETTE.iter().copied().find(|c| !used.contains(c)))
                .unwrap_or(PALETTE[used.len() % PALETTE.len()]);
            used.push(c);
            c
        })
        .collect()
}

/// Draws a figure of `size` pixels with `draw` into an SVG in memory, then writes it to `out`, so
/// that a write error (a full disk, a missing folder) is reported: plotters' own file writer
/// loses the error of its last flush, which is the only write of a small figure.
fn write_svg(out: &Path, size: (u32, u32), draw: impl FnOnce(&Root<'_>) -> Result<(), Err>) -> Result<(), Failure> {
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(Err::from).and_then(|_| draw(&root)).and_then(|_| Ok(root.present()?))
    };
    drawn.map_err(|e| e.to_string())?;
    written(std::fs::write(out, svg), out.display()).map(|_| ())
}

/// The final metrics a plot can show: every one the runs report but the singular values, the
/// core's in their order ([`METRIC_NAMES`]), then any other (from another version's output).
fn metric_names(data: &[Line]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for metrics in data.iter().flat_map(|l| &l.runs).filter_map(|r| r.final_metrics.as_object()) {
        for (name, _) in metrics.iter().filter(|(_, v)| !v.is_array()) {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    names.sort_by_key(|name| METRIC_NAMES.iter().position(|m| m == name).unwrap_or(METRIC_NAMES.len()));
    names
}

fn number_label(v: &f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v}") }
}

/// Mean and min–max of `metric` per (series, x), over every other axis (seeds, …).
pub fn lines(data: &[Line], x: &str, metric_name: &str, series: &[String], out: &Path, log_x: bool) -> Result<(), Failure> {
    let names = metric_names(data);
    if !names.contains(&metric_name) {
        return Err(format!("--metric: `{metric_name}` is not a metric of these runs (their metrics: {})", names.join(", ")).into());
    }
    let mut groups: BTreeMap<String, BTreeMap<i64, (f64, Vec<f64>)>> = BTreeMap::new();
    for line in data {
        let xv = axis_number(line, x)?;
        for run in 0..line.runs.len() {
            let y = metric(line, run, metric_name);
            let entry = groups.entry(series_label(line, run, series)).or_default();
            entry.entry((xv * 1e6).round() as i64).or_insert((xv, Vec::new())).1.push(y);
        }
    }
    write_svg(out, (760, 480), |root| draw_lines(root, &groups, x, metric_name, log_x))
}

fn draw_lines(root: &Root<'_>, groups: &BTreeMap<String, BTreeMap<i64, (f64, Vec<f64>)>>, x: &str, metric_name: &str, log_x: bool) -> Result<(), Err> {
    let finite = |v: &f64| v.is_finite() && *v > 0.0;
    let xs: Vec<f64> = groups.values().flat_map(|g| g.values().map(|(x, _)| *x)).collect();
    let ys: Vec<f64> = groups.values().flat_map(|g| g.values().flat_map(|(_, v)| v.iter().copied())).filter(finite).collect();
    let (x0, x1) = (xs.iter().cloned().fold(f64::INFINITY, f64::min), xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    let (y0, y1) = (ys.iter().cloned().fold(f64::INFINITY, f64::min), ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    let (y0, y1) = if ys.is_empty() { (1e-3, 1.0) } else { (y0 / 1.5, y1 * 1.5) };
    let (x0, x1) = if x0 == x1 { (x0 * 0.9 - 1e-9, x1 * 1.1 + 1e-9) } else { (x0, x1) };
    let caption = format!("{metric_name} against {x} (mean; bars: min–max over the other axes)");
    let mut builder = ChartBuilder::on(root);
    builder.caption(caption, ("sans-serif", 16)).margin(12).x_label_area_size(40).y_label_area_size(60);
    let palette = colours(&groups.keys().collect::<Vec<_>>());
    let series: Vec<Series<'_>> = groups
        .iter()
        .enumerate()
        .map(|(k, (label, g))| {
            let pts = g
                .values()
                .map(|(xv, v)| {
                    let ok: Vec<f64> = v.iter().copied().filter(finite).collect();
                    let mean = if ok.len() == v.len() && !ok.is_empty() { ok.iter().sum::<f64>() / ok.len() as f64 } else { f64::NAN };
                    let lo = ok.iter().cloned().fold(f64::INFINITY, f64::min);
                    let hi = ok.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    (*xv, mean, lo, hi)
                })
                .collect();
            (k, label, pts)
        })
        .collect();
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            // On a linear x axis a light line per label step only: plotters' default of ten looks
            // like a log scale's minor grid.
            chart
                .configure_mesh()
                .x_desc(x)
                .y_desc(format!("{metric_name} (log)"))
                .x_label_formatter(&number_label)
                .x_max_light_lines(if log_x { 10 } else { 1 })
                .draw()?;
            for (k, label, pts) in &series {
                let color = palette[*k];
                let line: Vec<(f64, f64)> = pts.iter().filter(|p| p.1.is_finite()).map(|p| (p.0, p.1)).collect();
                chart
                    .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))?
                    .label(label.as_str())
                    .legend(move |(lx, ly)| PathElement::new(vec![(lx, ly), (lx + 18, ly)], color.stroke_width(2)));
                chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
                for p in pts.iter().filter(|p| p.2.is_finite() && p.3.is_finite()) {
                    chart.draw_series(std::iter::once(PathElement::new(vec![(p.0, p.2), (p.0, p.3)], color)))?;
                }
            }
            chart.configure_series_labels().background_style(WHITE.mix(0.85)).border_style(BLACK).position(SeriesLabelPosition::UpperRight).draw()?;
        }};
    }
    if log_x {
        body!(builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?);
    } else {
        body!(builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale())?);
    }
    Ok(())
}

/// Fraction of cells recovered (test error below `threshold`) per (x, y), one panel per series.
pub fn map(data: &[Line], x: &str, y: &str, threshold: f64, series: &[String], out: &Path) -> Result<(), Failure> {
    let mut groups: MapCells = BTreeMap::new();
    for line in data {
        let (xv, yv) = (axis_number(line, x)?, axis_number(line, y)?);
        for run in 0..line.runs.len() {
            let ok = metric(line, run, "test_error") < threshold;
            let e = groups
                .entry(series_label(line, run, series))
                .or_default()
                .entry(((xv * 1e6).round() as i64, (yv * 1e6).round() as i64))
                .or_insert((xv, yv, 0, 0));
            e.2 += ok as usize;
            e.3 += 1;
        }
    }
    let panels = groups.len().max(1);
    write_svg(out, (380 * panels as u32, 420), |root| draw_map(root, panels, &groups, x, y, threshold))
}

fn draw_map(root: &Root<'_>, panels: usize, groups: &MapCells, x: &str, y: &str, threshold: f64) -> Result<(), Err> {
    for (area, (label, cells)) in root.split_evenly((1, panels)).iter().zip(groups) {
        let mut xs: Vec<f64> = cells.values().map(|c| c.0).collect();
        let mut ys: Vec<f64> = cells.values().map(|c| c.1).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        ys.sort_by(f64::total_cmp);
        ys.dedup();
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{label}: recovered (test error < {threshold})"), ("sans-serif", 13))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.5..xs.len() as f64 - 0.5, -0.5..ys.len() as f64 - 0.5)?;
        let (xs2, ys2) = (xs.clone(), ys.clone());
        let at = |list: &Vec<f64>, p: &f64| {
            let k = p.round();
            if (p - k).abs() < 1e-6 && k >= 0.0 { list.get(k as usize).map(number_label).unwrap_or_default() } else { String::new() }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x)
            .y_desc(y)
            .x_labels(xs.len() + 1)
            .y_labels(ys.len() + 1)
            .x_label_formatter(&move |p| at(&xs2, p))
            .y_label_formatter(&move |p| at(&ys2, p))
            .draw()?;
        chart.draw_series(cells.values().map(|&(xv, yv, ok, n)| {
            let i = xs.iter().position(|v| *v == xv).unwrap_or(0) as f64;
            let j = ys.iter().position(|v| *v == yv).unwrap_or(0) as f64;
            let f = ok as f64 / n.max(1) as f64;
            // White (none recovered) to Okabe–Ito blue (all).
            let c = RGBColor((255.0 - f * 255.0) as u8, (255.0 - f * 141.0) as u8, (255.0 - f * 77.0) as u8);
            Rectangle::new([(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)], c.filled().stroke_width(0))
        }))?;
        chart.draw_series(cells.values().map(|&(xv, yv, ok, n)| {
            let i = xs.iter().position(|v| *v == xv).unwrap_or(0) as f64;
            let j = ys.iter().position(|v| *v == yv).unwrap_or(0) as f64;
            let colour = if ok * 2 > n { WHITE } else { BLACK };
            Text::new(format!("{ok}/{n}"), (i - 0.3, j + 0.15), ("sans-serif", 10).into_font().color(&colour))
        }))?;
    }
    Ok(())
}

/// Final singular values per series (mean over cells), log scale.
pub fn spectra(data: &[Line], series: &[String], out: &Path) -> Result<(), Failure> {
    let mut groups: BTreeMap<String, Vec<Vec<f64>>> = BTreeMap::new();
    for line in data {
        for (run, r) in line.runs.iter().enumerate() {
            let sv: Vec<f64> = r.final_metrics["singular_values"].as_array().map(|a| a.iter().filter_map(|v| v.as_f64()).collect()).unwrap_or_default();
            groups.entry(series_label(line, run, series)).or_default().push(sv);
        }
    }
    write_svg(out, (760, 480), |root| draw_spectra(root, &groups))
}

fn draw_spectra(root: &Root<'_>, groups: &BTreeMap<String, Vec<Vec<f64>>>) -> Result<(), Err> {
    let means: Vec<(String, Vec<f64>)> = groups
        .iter()
        .map(|(label, all)| {
            let k = all.iter().map(|v| v.len()).min().unwrap_or(0);
            let mean = (0..k).map(|i| all.iter().map(|v| v[i]).sum::<f64>() / all.len() as f64).collect();
            (label.clone(), mean)
        })
        .collect();
    let k = means.iter().map(|m| m.1.len()).max().unwrap_or(1).max(1);
    let vals: Vec<f64> = means.iter().flat_map(|m| m.1.iter().copied()).filter(|v| *v > 0.0 && v.is_finite()).collect();
    let lo = vals.iter().cloned().fold(f64::INFINITY, f64::min).max(1e-12) / 2.0;
    let hi = vals.iter().cloned().fold(0.0, f64::max).max(lo * 10.0) * 2.0;
    let mut chart = ChartBuilder::on(root)
        .caption("final singular values (mean over cells)", ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1f64..k as f64, (lo..hi).log_scale())?;
    chart.configure_mesh().x_desc("index i").y_desc("σᵢ (log)").draw()?;
    let palette = colours(&means.iter().map(|m| &m.0).collect::<Vec<_>>());
    for (n, (label, m)) in means.iter().enumerate() {
        let color = palette[n];
        let pts: Vec<(f64, f64)> = m.iter().enumerate().filter(|(_, v)| **v > 0.0).map(|(i, v)| ((i + 1) as f64, v.max(lo))).collect();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
            .label(label.as_str())
            .legend(move |(lx, ly)| PathElement::new(vec![(lx, ly), (lx + 18, ly)], color.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.85)).border_style(BLACK).draw()?;
    Ok(())
}

/// A Markdown table: one row per (series, row-axes values), mean ± standard deviation of the
/// final test error and effective rank over the other axes (over the runs that have one: "–"
/// where none has, e.g. a test error when every entry is observed), and how many runs diverged
/// (a run that is blowing up, ‖W‖_F past 10 × the problem's scale, counts with them: its figures
/// are no result; a note under the table says how many).
/// A `rows` or `series` path that is an axis of no line is an error.
pub fn table(data: &[Line], rows: &[String], series: &[String]) -> Result<String, String> {
    for (flag, paths) in [("--rows", rows), ("--series", series)] {
        if let Some(p) = paths.iter().find(|p| !data.iter().any(|l| l.axes.contains_key(p.as_str()))) {
            let axes: BTreeSet<&str> = data.iter().flat_map(|l| l.axes.keys().map(String::as_str)).collect();
            return Err(format!("{flag}: `{p}` is not an axis of this sweep (its axes: {})", axes.into_iter().collect::<Vec<_>>().join(", ")));
        }
    }
    let mut groups: TableCells = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut blowing_up = 0;
    for line in data {
        let key_rows = rows.iter().map(|p| line.axes.get(p).map(compact).unwrap_or_default()).collect::<Vec<_>>().join(", ");
        for run in 0..line.runs.len() {
            let key = (key_rows.clone(), series_label(line, run, series));
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            let e = groups.entry(key).or_default();
            if line.runs[run].diverged_at.is_some() {
                e.2 += 1;
            } else if line.runs[run].blowing_up_at.is_some() {
                e.2 += 1;
                blowing_up += 1;
            } else {
                e.0.push(metric(line, run, "test_error"));
                e.1.push(metric(line, run, "effective_rank"));
            }
        }
    }
    // Over the known values: a test error is unknown (null) when every entry is observed.
    let stats = |v: &[f64]| {
        let v: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        let n = v.len() as f64;
        if v.is_empty() {
            return "–".to_string();
        }
        let mean = v.iter().sum::<f64>() / n;
        let sd = if v.len() > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
        format!("{} ± {}", sig(mean), sig(sd))
    };
    // Rows in the order of their row key (numbers numerically), methods in order of appearance.
    let first_seen: Vec<String> = order.iter().map(|k| k.1.clone()).fold(Vec::new(), |mut acc, l| {
        if !acc.contains(&l) {
            acc.push(l);
        }
        acc
    });
    order.sort_by(|a, b| {
        let num = |s: &str| s.split(", ").next().and_then(|x| x.parse::<f64>().ok());
        let ka = (num(&a.0), a.0.clone(), first_seen.iter().position(|l| *l == a.1));
        let kb = (num(&b.0), b.0.clone(), first_seen.iter().position(|l| *l == b.1));
        match (ka.0, kb.0) {
            (Some(x), Some(y)) if x != y => x.total_cmp(&y),
            _ => ka.1.cmp(&kb.1).then(ka.2.cmp(&kb.2)),
        }
    });
    let head = if rows.is_empty() { String::new() } else { format!("{} | ", rows.join(", ")) };
    let mut out = format!("| {head}method | test error | effective rank | runs | diverged |\n");
    out.push_str(&format!("|{}---|---|---|---|---|\n", if rows.is_empty() { "" } else { "---|" }));
    for key in order {
        let (t, r, d) = &groups[&key];
        let first = if rows.is_empty() { String::new() } else { format!("{} | ", key.0) };
        out.push_str(&format!("| {first}{} | {} | {} | {} | {} |\n", key.1, stats(t), stats(r), t.len() + d, d));
    }
    // Say what each row pools: the axes that are neither rows nor series and take several values.
    let mut pooled: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for line in data {
        for (path, value) in &line.axes {
            if !rows.contains(path) && !series.contains(path) {
                pooled.entry(path).or_default().insert(compact(value));
            }
        }
    }
    let pooled: Vec<String> = pooled.iter().filter(|(_, v)| v.len() > 1).map(|(p, v)| format!("{p} ({} values)", v.len())).collect();
    if !pooled.is_empty() {
        out.push_str(&format!("\nMean ± standard deviation over the runs of each row, pooled over {}.\n", pooled.join(", ")));
    }
    if blowing_up > 0 {
        let s = if blowing_up == 1 { " was" } else { "s were" };
        out.push_str(&format!(
            "\n{blowing_up} run{s} blowing up (‖W‖_F past 10 × the problem's scale) without diverging: counted under \"diverged\", left out of the means.\n"
        ));
    }
    Ok(out)
}

/// Three significant digits.
fn sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    if v.abs() < 1e-3 { format!("{v:.2e}") } else { format!("{v:.digits$}") }
}
