"""Tables for BENCHMARKS.md from one run of scripts/bench.sh (standard library only).

    python3 bench/report.py --dir target/bench [--out target/bench/report.md] [--update BENCHMARKS.md]

Reads native.json (cargo bench --bench steps), browser.json (scripts/bench_browser.mjs) and
peers.json (bench/peers.py) from --dir; writes Markdown. With --update, replaces the text
between the markers `<!-- figures:begin -->` and `<!-- figures:end -->` of that file.
"""

import argparse
import datetime
import gzip
import json
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def load(d, name):
    p = Path(d) / name
    return json.loads(p.read_text()) if p.exists() else None


def cmd(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "?"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def simd_flags():
    """The vector extensions of this processor that the products can use (from /proc/cpuinfo)."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                have = [n for f, n in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("fma", "FMA"), ("avx", "AVX")) if f in flags]
                return ", ".join(have) or "SSE2 only"
    except OSError:
        pass
    return "unknown"


def fmt_rate(x):
    if x is None:
        return "–"
    return f"{x:,.0f}".replace(",", " ")


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def fmt_us(secs):
    if secs is None:
        return "–"
    us = secs * 1e6
    return f"{us:.2f}" if us < 10 else f"{us:.1f}" if us < 1000 else f"{us:,.0f}".replace(",", " ")


def case_map(cases):
    """The cases with a figure, by (method, penalty, size): a figure is null where every timed
    call read 0 s on a coarse clock (shown as "–")."""
    return {(c["method"], c["penalty"], c["size"]): c for c in cases or [] if c.get("steps_per_sec")}


def native_timing(native):
    """How the native figures were taken, and how far criterion's median is from them (the load)."""
    if (native or {}).get("harness") != "criterion":
        return ""
    s = native.get("sampling") or {}
    above = sorted(c["criterion"]["median"]["point"] / c["step_secs"] - 1 for c in native.get("cases", []) if "criterion" in c)
    spread = ""
    if above:
        spread = (f"; criterion's median step is {100 * above[len(above) // 2]:.0f} % above the fastest sample "
                  f"in the median case, {100 * above[-1]:.0f} % at most")
    return (f"; natively the calls are criterion's samples (flat sampling, {s.get('warmup_secs', 0):g} s warm-up){spread}")


def wasm_size():
    p = ROOT / "www" / "pkg" / "mc_playground_bg.wasm"
    if not p.exists():
        return None
    data = p.read_bytes()
    # As scripts/build.sh and the test stage count it (`gzip -9`; Python's zlib at level 9
    # differs by a few hundred bytes); Python's when there is no gzip.
    try:
        gz = len(subprocess.run(["gzip", "-9", "-c", str(p)], check=True, capture_output=True).stdout)
    except (OSError, subprocess.CalledProcessError):
        gz = len(gzip.compress(data, compresslevel=9))
    return len(data), gz


def report(d, command):
    native, browser, peers = load(d, "native.json"), load(d, "browser.json"), load(d, "peers.json")
    native2 = case_map((load(d, "native-2lanes.json") or {}).get("cases"))
    wasm = (browser or {}).get("steps") or {}
    frames = (browser or {}).get("frames")
    first = (browser or {}).get("first_frame")
    nat, web = case_map(native and native["cases"]), case_map(wasm.get("cases"))
    nunits = {u["size"]: u for u in (native or {}).get("units", [])}
    wunits = {u["size"]: u for u in wasm.get("units", [])}
    peer = {}
    for r in (peers or {}).get("results", []):
        peer[(r["peer"], r["size"])] = r
    sizes = sorted({k[2] for k in nat} | {k[2] for k in web})
    out = []
    w = out.append
    stamp = (Path(d) / "native.json").stat().st_mtime if (Path(d) / "native.json").exists() else None
    when = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc) if stamp else datetime.datetime.now(datetime.timezone.utc)
    now = when.strftime("%Y-%m-%d %H:%M UTC")
    load_avg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    w(f"Measured {now} with `{command.strip()}` on one machine, all contestants in the same run.")
    w("")
    w(f"- machine: {cpu_model()}, {os.cpu_count()} cores (shared with other work: load average {load_avg} at the end)")
    w(f"- native: {cmd('rustc', '--version')}, target {native and native.get('target')}, kernels on "
      f"{native and native.get('vector_width')} f64 lanes (AVX when the processor has it; \"2 lanes\" below: forced to SSE2, "
      "the browser's width)")
    w(f"- browser: {(browser or {}).get('chromium', '?')}, headless; wasm simd128: {wasm.get('simd128')}")
    if peers:
        w(f"- peers: NumPy {peers['numpy']} (OpenBLAS/LAPACK), JAX {peers['jax']} (jax.jit; per step and in a loop), Python {platform.python_version()}; one thread each")
    s = (native or {}).get("sampling") or {}
    if s:
        w(f"- timing: the fastest of {s.get('samples')} calls of about {1000 * s.get('sample_secs', 0):.0f} ms each, after a warm-up, "
          "for every contestant (the machine is shared; see src/bench.rs)" + native_timing(native))
    size = wasm_size()
    if size:
        w(f"- the page's module `www/pkg/mc_playground_bg.wasm`: {fmt_rate(size[0])} bytes, {fmt_rate(size[1])} gzipped")
    w("")

    # 1. The step against its peers.
    w("### Adam on the ratio penalty, steps per second (the peers' step)")
    w("")
    w("| n | ours, native | ours, native, 2 lanes | ours, wasm in Chromium | NumPy | JAX | JAX, loop | fastest peer | native / peer | wasm / peer | wasm / native 2 lanes |")
    w("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    verdicts = {"wasm_ge_peer": [], "native_3x": []}
    for n in sizes:
        a, b = nat.get(("adam", "ratio", n)), web.get(("adam", "ratio", n))
        a2 = native2.get(("adam", "ratio", n))
        np_, jx, jl = peer.get(("numpy", n)), peer.get(("jax", n)), peer.get(("jax-loop", n))
        rates = [(r["steps_per_sec"], name) for r, name in ((np_, "NumPy"), (jx, "JAX"), (jl, "JAX, loop")) if r]
        best = max(rates) if rates else None
        rn = a["steps_per_sec"] / best[0] if a and best else None
        rw = b["steps_per_sec"] / best[0] if b and best else None
        rwn = b["steps_per_sec"] / a2["steps_per_sec"] if a2 and b else None
        if rw is not None and n <= 100:
            verdicts["wasm_ge_peer"].append((n, rw))
        if rn is not None:
            verdicts["native_3x"].append((n, rn))
        w(f"| {n} | {fmt_rate(a and a['steps_per_sec'])} | {fmt_rate(a2 and a2['steps_per_sec'])} | {fmt_rate(b and b['steps_per_sec'])} | "
          f"{fmt_rate(np_ and np_['steps_per_sec'])} | {fmt_rate(jx and jx['steps_per_sec'])} | {fmt_rate(jl and jl['steps_per_sec'])} | "
          f"{best[1] if best else '–'} | {fmt_ratio(rn)} | {fmt_ratio(rw)} | {fmt_ratio(rwn)} |")
    checks = [r for r in (peers or {}).get("results", [])]
    if checks:
        worst = max(r["check_relative_difference"] for r in checks)
        w("")
        w("\"JAX\" calls the jitted step once per step from Python; \"JAX, loop\" runs k jitted steps in one "
          "compiled call (`lax.fori_loop`), without Python between steps. The ratios are against the fastest of the three.")
        w("")
        w(f"Every peer starts from our W₀ on our problem and, after {checks[0]['check_steps']} steps, agrees with our "
          f"iterate to {worst:.0e} (relative, worst case): they compute the same step.")
    w("")

    # 2. Roofline.
    w("### The cost of one step in n × n matrix products (same run)")
    w("")
    w(f"The unit is nalgebra's n × n product on the same platform (natively `matrixmultiply`, whose kernel "
      f"for this processor ({simd_flags()}) is picked at run time; in wasm its scalar fallback). "
      "\"our product\" is this crate's fixed-order kernel. A step's cost in products therefore depends "
      "on the processor as much as on the step: compare sizes within one run, not runs on different machines.")
    w("")
    yard = {y["size"]: y for y in (peers or {}).get("yardsticks", [])}
    w("| n | product µs (native) | Adam/ratio step, products (native) | our product µs | SVD nalgebra → ours µs (native) | SVD ours, products | LAPACK SVD, products: vectors / values only | product µs (wasm) | step, products (wasm) |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    roof100 = None
    for n in sizes:
        u, v = nunits.get(n), wunits.get(n)
        a, b = nat.get(("adam", "ratio", n)), web.get(("adam", "ratio", n))
        step_mm = a["step_secs"] / u["matmul_secs"] if a and u else None
        if n == 100:
            roof100 = step_mm
        wstep_mm = b["step_secs"] / v["matmul_secs"] if b and v else None
        svd_mm = u["svd_fast_secs"] / u["matmul_secs"] if u else None
        one = lambda x: "–" if x is None else f"{x:.1f}"  # noqa: E731
        y = yard.get(n)
        lapack = (f"{one(y['svd_secs'] / u['matmul_secs'])} / {one(y['svd_values_secs'] / u['matmul_secs'])}"
                  if y and u else "–")
        w(f"| {n} | {fmt_us(u and u['matmul_secs'])} | {one(step_mm)} | "
          f"{fmt_us(u and u['kernel_matmul_secs'])} | "
          f"{fmt_us(u and u['svd_reference_secs'])} → {fmt_us(u and u['svd_fast_secs'])} | "
          f"{one(svd_mm)} | {lapack} | {fmt_us(v and v['matmul_secs'])} | {one(wstep_mm)} |")
    w("")
    if yard:
        w("\"LAPACK SVD\": NumPy's `np.linalg.svd` (LAPACK `gesdd` through OpenBLAS, one thread) of the "
          "peers' iterate after the check steps, with U and V (what the step needs) and with the singular "
          "values only, timed in the same run and divided by the native product above. "
          "At the small sizes NumPy's call overhead (a few µs) is part of it. OpenBLAS's own product, µs: "
          + ", ".join(f"{fmt_us(y['matmul_secs'])} at {n}" for n, y in sorted(yard.items())) + ".")
        w("")

    # 3. Every case.
    w("### Every case: steps per second (recording off, as the command line)")
    w("")
    w(f"Native on {native and native.get('vector_width')} lanes, the browser on 2: where the step is an SVD "
      "(nuclear, ratio, n ≥ 64) the difference is mostly the vector width (see the first table).")
    w("")
    w("| method | penalty | n | native | wasm | wasm / native |")
    w("|---|---|---:|---:|---:|---:|")
    for key in sorted(nat, key=lambda k: (k[2], k[1], k[0])):
        a, b = nat[key], web.get(key)
        live = "" if a.get("live", True) else " (diverged)"
        ratio = b["steps_per_sec"] / a["steps_per_sec"] if b else None
        w(f"| {key[0]}{live} | {key[1]} | {key[2]} | {fmt_rate(a['steps_per_sec'])} | "
          f"{fmt_rate(b and b['steps_per_sec'])} | {fmt_ratio(ratio)} |")
    w("")

    # 4. Frame time, and the first frame.
    if frames or first:
        w("### The page's frame time (index.html, default experiment)")
        w("")
        w("| frames | median ms | 95th percentile ms | max ms | rAF callbacks: median ms | 95th percentile ms | "
          "steps per run meanwhile | 3000 steps played in, s | first frame: median ms from navigation start |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        cells = ["–"] * 8
        if frames:
            cells = [f"{frames['frames']} over {frames['seconds']:.1f} s", f"{frames['median_ms']:.1f}",
                     f"{frames['p95_ms']:.1f}", f"{frames['max_ms']:.1f}",
                     f"{frames.get('callback_median_ms', float('nan')):.2f}",
                     f"{frames.get('callback_p95_ms', float('nan')):.2f}", f"{frames['steps_advanced']}",
                     f"{frames['play_through_s']:.1f}" if frames.get("play_through_s") is not None else "–"]
        cells.append(f"{first['median_ms']:.0f} ({first['loads']} loads)" if first else "–")
        w("| " + " | ".join(cells) + " |")
        w("")
        if frames:
            w("Frames: timed after a 2 s warm-up while the default experiment plays, its run length raised "
              "so that it does not stop within the window; \"3000 steps played in\": a fresh load of the "
              "default experiment as it is, from its first frame to step 3000 (the page steps its runs in "
              "Web Workers; this machine's headless Chromium may pace frames at 30 per second under load).")
            w("")
        if first:
            how = ("the page's `mcp-first-frame` mark" if first.get("mark_median_ms") is not None
                   else "the first optimizer heatmap with non-blank pixels, polled once per animation frame "
                        "(**the page sets no `mcp-first-frame` mark**)")
            met = "met" if first["median_ms"] <= 500 else "**not met**"
            w(f"First frame: median of {first['loads']} loads, each in a fresh browser context (nothing cached), "
              f"from navigation start to {how}; the page served by `python3 -m http.server` on loopback. "
              f"Target ≤ 500 ms: {met}.")
            w("")

    # 5. Targets: every one of BENCHMARKS.md's list, in its order, with what this run measured.
    w("### Targets, as measured in this run")
    w("")
    ok = lambda b: "met" if b else "**not met**"  # noqa: E731

    def per_size(pairs, goal):
        """"met", or "not met" with the sizes where it is met, then every size's ratio."""
        detail = ", ".join(f"{n}: {r:.2f}×" for n, r in pairs)
        good = [str(n) for n, r in pairs if r >= goal]
        if len(good) == len(pairs):
            return f"met ({detail})"
        where = f"; met at {', '.join(good)}" if good else ""
        return f"**not met**{where} ({detail})"

    if verdicts["wasm_ge_peer"]:
        w(f"- wasm in Chromium ≥ the fastest native peer at every size 10–100: {per_size(verdicts['wasm_ge_peer'], 1)}")
    if verdicts["native_3x"]:
        w(f"- native ≥ 3× the fastest peer at every size: {per_size(verdicts['native_3x'], 3)}")
    if roof100 is not None:
        w(f"- one ratio-penalty step ≤ 10 matrix products at 100 × 100 (native, nalgebra's product as the unit): "
          f"{ok(roof100 <= 10)} ({roof100:.1f})")
    if frames:
        # The words are "no visible stutter" and "a steady frame rate"; read here as at
        # least 30 frames per second in the median and no more than three 60 Hz frames at the 95th
        # percentile, and the default experiment played through in at most 5 s.
        through = frames.get("play_through_s")
        steady = frames["median_ms"] <= 34 and frames["p95_ms"] <= 50 and (through is None or through <= 5)
        w(f"- the page uses every core (Web Workers), no stutter, the default experiment plays through in a few "
          f"seconds: {ok(steady)} (frames {frames['median_ms']:.1f} ms median, {frames['p95_ms']:.1f} ms at the 95th "
          f"percentile; 3000 steps in {'–' if through is None else f'{through:.1f}'} s; read as: median ≤ 34 ms, "
          "95th percentile ≤ 50 ms, ≤ 5 s)")
    if size:
        w(f"- the page's `.wasm` ≤ 150 kB gzipped (gzip -9): {ok(size[1] <= 150_000)} ({size[1] / 1000:.1f} kB)")
    if first:
        w(f"- the first frame within half a second of loading from a local server: {ok(first['median_ms'] <= 500)} "
          f"({first['median_ms']:.0f} ms, median of {first['loads']} fresh loads)")
    if checks:
        w(f"- numbers stay right: not timed here — `scripts/test.sh` checks them (golden trajectories, outcomes, "
          f"the reference SVD, native against the browser); in this run every peer agrees with our iterate to "
          f"{worst:.0e} after {checks[0]['check_steps']} steps")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default="target/bench")
    ap.add_argument("--command", default="scripts/bench.sh")
    ap.add_argument("--out")
    ap.add_argument("--update", help="a Markdown file whose figures block to replace")
    args = ap.parse_args()
    text = report(args.dir, args.command)
    if args.out:
        Path(args.out).write_text(text)
    if args.update:
        p = Path(args.update)
        doc = p.read_text()
        if BEGIN not in doc or END not in doc:
            raise SystemExit(f"{p}: no {BEGIN} … {END} block")
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        p.write_text(head + BEGIN + "\n" + text + END + tail)
        print(f"updated {p}")
    if not args.out and not args.update:
        print(text)


if __name__ == "__main__":
    main()
