// Each method's update rule as MathML (built with DOM calls, no innerHTML) and its source, from
// README.md's optimizer table and the docs of src/optim/mod.rs and src/solvers.rs.
//
// Rules are written in a tiny notation: x_{t} subscript, x^{2} superscript, sqrt{…} a root,
// frac{a}{b} a fraction; letters are identifiers, digits numbers, anything else an operator.

const NS = "http://www.w3.org/1998/Math/MathML";

export const RULES = {
  gd: { lines: ["w ← w − η g"], source: "torch.optim.SGD" },
  momentum: { lines: ["b ← μ b + g", "w ← w − η b"], source: "torch.optim.SGD(momentum=μ, dampening=0), heavy ball" },
  nesterov: { lines: ["b ← μ b + g", "w ← w − η (g + μ b)"], source: "torch.optim.SGD(momentum=μ, nesterov=True)" },
  adagrad: { lines: ["s ← s + g^{2}", "w ← w − frac{η g}{sqrt{s} + ε}"], source: "torch.optim.Adagrad; Duchi, Hazan & Singer 2011" },
  rmsprop: { lines: ["v ← α v + (1 − α) g^{2}", "w ← w − frac{η g}{sqrt{v} + ε}"], source: "torch.optim.RMSprop; Tieleman & Hinton 2012" },
  adam: {
    lines: ["m ← β_{1} m + (1 − β_{1}) g", "v ← β_{2} v + (1 − β_{2}) g^{2}", "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v} / sqrt{1 − β_{2}^{t}} + ε}"],
    source: "torch.optim.Adam; Kingma & Ba 2015, Algorithm 1",
  },
  adamw: { lines: ["w ← w (1 − η λ)", "then Adam's step"], source: "torch.optim.AdamW; Loshchilov & Hutter 2019" },
  amsgrad: {
    lines: ["v̄ ← max(v̄, v)", "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v̄} / sqrt{1 − β_{2}^{t}} + ε}"],
    source: "torch.optim.Adam(amsgrad=True); Reddi, Kale & Kumar 2018",
  },
  nadam: {
    lines: ["μ_{t} = β_{1} (1 − 0.5 · 0.96^{t ψ})", "w ← w − frac{η (1 − μ_{t})}{1 − Π_{t}} frac{g}{d} − frac{η μ_{t+1}}{1 − Π_{t} μ_{t+1}} frac{m}{d}"],
    source: "torch.optim.NAdam; Dozat 2016",
  },
  group_rmsprop: { lines: ["v ← α v + (1 − α) ‖g‖^{2}", "w ← w − frac{η g}{sqrt{v / (1 − α^{t})} + ε}"], source: "control experiment (GD's direction, adaptive length)" },
  newton: { lines: ["(∇^{2}f(W) + μ I) d = − ∇f(W)", "W ← W + d if f decreases"], source: "Nocedal & Wright 2006, §7.1 (Newton–CG), §10.3 (Levenberg–Marquardt)" },
  gradient_flow: { lines: ["frac{dW}{dt} = − ∇f(W)"], source: "Dormand & Prince 1980 (Dormand–Prince 5(4))" },
  als: { lines: ["W = U V^{T}", "each row of U, then V: ridge regression on its seen entries"], source: "Hastie et al. 2015, Matrix completion and low-rank SVD via fast ALS" },
  soft_impute: { lines: ["W ← S_{τ}(P_{Ω}(Y) + P_{Ω^{c}}(W))"], source: "Mazumder, Hastie & Tibshirani 2010, Algorithm 1" },
};

function el(tag, ...kids) {
  const e = document.createElementNS(NS, tag);
  for (const k of kids) e.append(k);
  return e;
}

/** Parses the notation into MathML nodes (stops at `}` or the end). */
function parse(text, pos = { i: 0 }) {
  const out = [];
  const group = () => {
    if (text[pos.i] !== "{") return out.pop() ?? el("mrow");
    pos.i++;
    const inner = parse(text, pos);
    pos.i++; // the "}"
    return el("mrow", ...inner);
  };
  while (pos.i < text.length) {
    const c = text[pos.i];
    if (c === "}") break;
    if (c === " ") { pos.i++; continue; }
    if (text.startsWith("sqrt{", pos.i)) { pos.i += 4; out.push(el("msqrt", group())); continue; }
    if (text.startsWith("frac{", pos.i)) {
      pos.i += 4;
      const a = group();
      out.push(el("mfrac", a, group()));
      continue;
    }
    if (c === "_" || c === "^") {
      pos.i++;
      const base = out.pop() ?? el("mrow");
      const sub = group();
      if (c === "^" && base.localName === "msub") {
        const [b, s] = [...base.children];
        out.push(el("msubsup", b, s, sub));
      } else out.push(el(c === "_" ? "msub" : "msup", base, sub));
      continue;
    }
    if (c === "{") { out.push(group()); continue; }
    const long = /^[A-Za-z]{2,}(?:'s)?/.exec(text.slice(pos.i));
    if (long) {
      out.push(long[0] === "max" ? el("mi", "max") : el("mtext", ` ${long[0]} `));
      pos.i += long[0].length;
      continue;
    }
    const letter = /^[A-Za-z\u0370-\u03ff][\u0304]?/u.exec(text.slice(pos.i));
    if (letter) {
      out.push(el("mi", letter[0]));
      pos.i += letter[0].length;
      continue;
    }
    const num = /^\d+(?:\.\d+)?/.exec(text.slice(pos.i));
    if (num) { out.push(el("mn", num[0])); pos.i += num[0].length; continue; }
    out.push(el("mo", c));
    pos.i++;
  }
  return out;
}

/** A `<math>` element for a method (null if unknown), one line per statement. */
export function ruleMath(name) {
  const r = RULES[name];
  if (!r) return null;
  const table = el("mtable");
  for (const line of r.lines) table.append(el("mtr", el("mtd", el("mrow", ...parse(line)))));
  const math = el("math", table);
  math.setAttribute("display", "block");
  math.dataset.method = name;
  return math;
}

/** The `<details>` for a run panel: the update rule and its source. */
export function ruleDetails(name) {
  const r = RULES[name];
  const d = document.createElement("details");
  d.className = "rule";
  const s = document.createElement("summary");
  s.textContent = "update rule";
  d.append(s);
  if (!r) return d;
  d.append(ruleMath(name));
  const note = document.createElement("p");
  note.className = "small muted";
  note.textContent = `g = ∇f(w), η the learning rate, t the step; entry-wise. Source: ${r.source}.`;
  d.append(note);
  return d;
}
