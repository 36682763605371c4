// Scales, ticks and number formatting for the plots.

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** 10^k written for people: 1000, 100, 10, 1, 0.1, 0.01, 0.001, else 10⁻⁴ style. */
export function formatPow10(k) {
  if (k >= 0 && k <= 3) return String(10 ** k);
  if (k < 0 && k >= -3) return (10 ** k).toFixed(-k);
  return "10" + String(k).split("").map((c) => SUPERSCRIPT[c]).join("");
}

/** A figure with about three significant digits, exponent form when very small or large. */
export function formatNumber(v) {
  if (v === null || v === undefined) return "–";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential(2).split("e");
    return `${m}×10${e.replace("+", "").split("").map((c) => SUPERSCRIPT[c]).join("")}`;
  }
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

/** A live figure: three significant digits, trailing zeros kept (0.998, 1.00, 4.60×10⁻⁴). */
export function formatFigure(v) {
  if (v === null || v === undefined) return "–";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return formatNumber(v);
  return v.toPrecision(3);
}

/** Whole decades [10^lo, 10^hi] covering the positive values seen (lo < hi), at most maxDecades. */
export function decadeRange(minPos, maxPos, maxDecades = 12) {
  if (!(minPos > 0) || !Number.isFinite(minPos)) minPos = 1;
  if (!(maxPos > 0) || !Number.isFinite(maxPos)) maxPos = minPos;
  let hi = Math.ceil(Math.log10(maxPos) - 1e-9) || 0; // no -0
  let lo = Math.floor(Math.log10(minPos) + 1e-9);
  if (lo >= hi) lo = hi - 1;
  if (hi - lo > maxDecades) lo = hi - maxDecades;
  return { lo, hi };
}

/** Log ticks for decades lo..hi: majors at each decade (thinned if crowded), minors at 2..9. */
export function logTicks(lo, hi, maxMajors = 7) {
  const every = Math.max(1, Math.ceil((hi - lo) / (maxMajors - 1)));
  const majors = [];
  for (let k = hi; k >= lo; k -= every) majors.push(k);
  const minors = [];
  if (hi - lo <= 6) {
    for (let k = lo; k < hi; k++) for (let m = 2; m <= 9; m++) minors.push(Math.log10(m) + k);
  }
  return { majors, minors };
}

/** About `count` round ticks (1, 2, 5 × 10^k steps) within [lo, hi]. */
export function linearTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) || 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
    ticks.push(Math.abs(t) < 1e-12 * step ? 0 : t);
  }
  return ticks;
}

/** A round number ≥ v (1, 2, 2.5, 5 × 10^k), for axis ends that should not jitter. */
export function niceCeil(v) {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * mag >= v - 1e-12 * mag) return f * mag;
  return 10 * mag;
}
