"""The peers of the benchmark: the same step written the way a researcher would, in NumPy
(LAPACK's SVD) and in JAX (jax.jit), float64, timed like the Rust harness (src/bench.rs). JAX
twice: the jitted step called once per step from Python ("jax"), and k jitted steps in one
compiled call ("jax-loop", `lax.fori_loop`), which saves the per-call cost at small sizes.

    python bench/peers.py --problems target/bench/problems.json --out target/bench/peers.json

The step (Adam, PyTorch's update rule, learning rate 0.01, on the ratio penalty):

    f(W) = 1/(2|Ω|) Σ_Ω (W − Y)² + λ ‖W‖_* / ‖W‖_F
    ∇f(W) = P_Ω(W − Y)/|Ω| + λ (U₊V₊ᵀ/‖W‖_F − ‖W‖_* W/‖W‖_F³)     (U, Σ, V from an SVD of W)

on the problems the Rust harness writes (`cargo bench --bench steps -- --peer-problems F`): the
same W*, Ω and start (W₀ = Y on Ω, 0 elsewhere). Before timing, each peer takes the harness's
check steps from W₀ and must land on the Rust iterate (relative difference printed and
recorded; above 1e-8 the peer is reported as wrong).

Both peers are pinned to one thread (OPENBLAS_NUM_THREADS=1, XLA without its Eigen thread
pool), like the Rust step and the browser; on this shared two-core machine OpenBLAS's threads
made the 100 × 100 step a hundred times slower.
"""

import argparse
import json
import math
import os
import sys
import time

# Before NumPy/JAX are imported.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def time_units(f, sample_secs, samples, warmup_secs):
    """(fastest, median) seconds per unit of f(k) over `samples` calls of k units, k, and
    every call's figure: src/bench.rs's time_units."""
    k = 1
    while True:
        t0 = time.perf_counter()
        f(k)
        dt = time.perf_counter() - t0
        if dt >= warmup_secs or k >= 1 << 20:
            per_unit = max(dt, 1e-9) / k
            break
        k *= 2
    k = max(1, math.ceil(sample_secs / per_unit))
    per = []
    for _ in range(max(1, samples)):
        t0 = time.perf_counter()
        f(k)
        per.append((time.perf_counter() - t0) / k)
    ranked = sorted(per)
    return ranked[0], ranked[len(ranked) // 2], k, per


def problem_arrays(p):
    n = p["size"]
    truth = np.array(p["truth"], dtype=np.float64)
    mask = np.zeros((n, n), dtype=np.float64)
    for i, j in p["observed"]:
        mask[i, j] = 1.0
    y = truth * mask
    return y, mask, float(mask.sum())


class NumpyAdam:
    """The step in NumPy: np.linalg.svd (LAPACK gesdd), then Adam."""

    name = "numpy"

    def __init__(self, p):
        self.y, self.mask, self.count = problem_arrays(p)
        self.lam, self.lr = p["lambda"], p["learning_rate"]
        self.reset()

    def reset(self):
        self.w = self.y.copy()
        self.m = np.zeros_like(self.w)
        self.v = np.zeros_like(self.w)
        self.t = 0

    def step(self):
        w = self.w
        u, s, vt = np.linalg.svd(w, full_matrices=False)
        r = int(np.sum(s > s[0] * max(w.shape) * np.finfo(np.float64).eps))
        polar = u[:, :r] @ vt[:r]
        fro = np.linalg.norm(w)
        g = self.mask * (w - self.y) / self.count + self.lam * (polar / fro - s.sum() * w / fro**3)
        self.t += 1
        self.m = BETA1 * self.m + (1 - BETA1) * g
        self.v = BETA2 * self.v + (1 - BETA2) * g * g
        step_size = self.lr / (1 - BETA1**self.t)
        denom = np.sqrt(self.v) / math.sqrt(1 - BETA2**self.t) + EPS
        self.w = w - step_size * self.m / denom

    def run(self, k):
        for _ in range(k):
            self.step()

    def matrix(self):
        return self.w


class JaxAdam:
    """The step in JAX: one jax.jit-compiled function (SVD, gradient, Adam), called per step."""

    name = "jax"

    def __init__(self, p):
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        self.jax, self.jnp = jax, jnp
        y, mask, count = problem_arrays(p)
        n = p["size"]
        lam, lr = p["lambda"], p["learning_rate"]
        eps_rank = n * float(np.finfo(np.float64).eps)

        def step(w, m, v, t, y, mask):
            u, s, vt = jnp.linalg.svd(w, full_matrices=False)
            keep = (s > s[0] * eps_rank).astype(w.dtype)
            polar = (u * keep) @ vt
            fro = jnp.linalg.norm(w)
            g = mask * (w - y) / count + lam * (polar / fro - jnp.sum(s) * w / fro**3)
            t = t + 1.0
            m = BETA1 * m + (1 - BETA1) * g
            v = BETA2 * v + (1 - BETA2) * g * g
            step_size = lr / (1 - BETA1**t)
            denom = jnp.sqrt(v) / jnp.sqrt(1 - BETA2**t) + EPS
            return w - step_size * m / denom, m, v, t

        self.step_fn = jax.jit(step)
        self.y, self.mask = jnp.asarray(y), jnp.asarray(mask)
        self.reset()
        self.run(2)  # compile
        self.reset()

    def reset(self):
        jnp = self.jnp
        self.w = self.y
        self.m = jnp.zeros_like(self.y)
        self.v = jnp.zeros_like(self.y)
        self.t = jnp.asarray(0.0, dtype=jnp.float64)

    def run(self, k):
        w, m, v, t = self.w, self.m, self.v, self.t
        for _ in range(k):
            w, m, v, t = self.step_fn(w, m, v, t, self.y, self.mask)
        w.block_until_ready()
        self.w, self.m, self.v, self.t = w, m, v, t

    def matrix(self):
        return np.asarray(self.w)


class JaxLoopAdam(JaxAdam):
    """The same jitted step, k of them in one compiled call (`jax.lax.fori_loop` inside
    `jax.jit`): no Python between steps. What a researcher after speed writes; at the small sizes
    the per-step call of `JaxAdam` costs more than the step itself."""

    name = "jax-loop"

    def __init__(self, p):
        import jax

        super().__init__(p)
        step = self.step_fn

        def steps(w, m, v, t, y, mask, k):
            return jax.lax.fori_loop(0, k, lambda _, s: step(*s, y, mask), (w, m, v, t))

        self.loop_fn = jax.jit(steps)
        self.run(2)  # compile (the number of steps is traced: one compilation for every k)
        self.reset()

    def run(self, k):
        if not hasattr(self, "loop_fn"):  # during JaxAdam's __init__
            return super().run(k)
        w, m, v, t = self.loop_fn(self.w, self.m, self.v, self.t, self.y, self.mask, k)
        w.block_until_ready()
        self.w, self.m, self.v, self.t = w, m, v, t


def measure(peer, p, sampling):
    peer.reset()
    peer.run(p["check_steps"])
    want = np.array(p["check_matrix"])
    check = float(np.linalg.norm(peer.matrix() - want) / np.linalg.norm(want))
    peer.reset()
    secs, median, k, samples = time_units(peer.run, **sampling)
    return {
        "peer": peer.name,
        "size": p["size"],
        "steps_per_sec": 1.0 / secs,
        "step_secs": secs,
        "step_secs_median": median,
        "steps_per_call": k,
        "samples": samples,
        "check_steps": p["check_steps"],
        "check_relative_difference": check,
        "check_ok": check < 1e-8,
    }


def yardstick(p, sampling):
    """LAPACK's own costs at this size, in the same run: the n × n product (OpenBLAS dgemm) and
    the SVD that NumPy's step calls (gesdd, with vectors and values only), on the iterate after
    the check steps (what a step sees). They put the step's cost in products in perspective:
    what the best-known library needs for the SVD alone."""
    peer = NumpyAdam(p)
    peer.run(p["check_steps"])
    w = peer.matrix().copy()
    b = np.ascontiguousarray(w.T)
    c = np.empty_like(w)

    def calls(f):
        return lambda k: [f() for _ in range(k)]

    out = {"size": p["size"]}
    for key, f in (("matmul", lambda: np.matmul(w, b, out=c)),
                   ("svd", lambda: np.linalg.svd(w, full_matrices=False)),
                   ("svd_values", lambda: np.linalg.svd(w, compute_uv=False))):
        secs, median, _, _ = time_units(calls(f), **sampling)
        out[f"{key}_secs"], out[f"{key}_secs_median"] = secs, median
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--problems", required=True, help="JSON from `cargo bench --bench steps -- --peer-problems`")
    ap.add_argument("--out", help="write the results here (JSON)")
    ap.add_argument("--sample-ms", type=float, default=5.0)
    ap.add_argument("--samples", type=int, default=31)
    ap.add_argument("--peers", default="numpy,jax,jax-loop")
    ap.add_argument("--sizes", default="", help="comma-separated sizes (default: all in the file)")
    ap.add_argument("--no-yardstick", action="store_true", help="skip timing LAPACK's product and SVD alone")
    args = ap.parse_args()
    sampling = {"sample_secs": args.sample_ms / 1000, "samples": args.samples, "warmup_secs": 0.05}
    problems = json.load(open(args.problems))
    if args.sizes:
        wanted = {int(s) for s in args.sizes.split(",")}
        problems = [p for p in problems if p["size"] in wanted]
    classes = {"numpy": NumpyAdam, "jax": JaxAdam, "jax-loop": JaxLoopAdam}
    results = []
    for p in problems:
        for name in args.peers.split(","):
            peer = classes[name](p)
            r = measure(peer, p, sampling)
            flag = "" if r["check_ok"] else "  WRONG (differs from the Rust iterate)"
            print(f"  {name:<8} n={p['size']:<4} {r['steps_per_sec']:>10.0f} steps/s   "
                  f"check after {p['check_steps']} steps: {r['check_relative_difference']:.1e}{flag}",
                  file=sys.stderr, flush=True)
            results.append(r)
    yardsticks = []
    if not args.no_yardstick:
        for p in problems:
            y = yardstick(p, sampling)
            print(f"  LAPACK n={p['size']:<4} SVD = {y['svd_secs'] / y['matmul_secs']:.1f} OpenBLAS products "
                  f"({y['svd_values_secs'] / y['matmul_secs']:.1f} for the values only; report.md divides by "
                  "nalgebra's product instead)", file=sys.stderr, flush=True)
            yardsticks.append(y)
    import jax

    out = {
        "numpy": np.__version__,
        "jax": jax.__version__,
        "threads": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "XLA_FLAGS")},
        "sampling": sampling,
        "results": results,
        "yardsticks": yardsticks,
    }
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        print(json.dumps(out, indent=1))
    if not all(r["check_ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
