// A method's update rule as MathML (built with DOM calls, no innerHTML) and its source. The
// rules themselves come from the core's catalog (`Lab.methods()`, each method's `rule`).
//
// Rules are written in a tiny notation: x_{t} subscript, x^{2} superscript, sqrt{…} a root,
// frac{a}{b} a fraction; letters are identifiers, digits numbers, anything else an operator.

const NS = "http://www.w3.org/1998/Math/MathML";

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

/** A `<math>` element for method `name`'s rule {lines, source} (null if none), one line per statement. */
export function ruleMath(r, name) {
  if (!r) return null;
  const table = el("mtable");
  for (const line of r.lines) table.append(el("mtr", el("mtd", el("mrow", ...parse(line)))));
  const math = el("math", table);
  math.setAttribute("display", "block");
  math.dataset.method = name;
  return math;
}

/** The smallest type a rule is set in to fit its panel (of the page's 1.05 em); below it, it scrolls. */
export const MIN_RULE_SCALE = 0.72;

/**
 * Fits `math` into its width: smaller type, down to MIN_RULE_SCALE; if it still does not fit, the
 * `hint` says that it scrolls sideways (a cut-off rule with no sign of the rest misleads).
 */
function fitRule(math, hint) {
  if (!math.isConnected || !math.clientWidth) return;
  math.style.fontSize = "";
  const over = math.scrollWidth / math.clientWidth;
  if (over > 1) math.style.fontSize = `${(1.05 * Math.max(MIN_RULE_SCALE, 1 / over)).toFixed(3)}em`;
  const scrolls = math.scrollWidth > math.clientWidth + 1;
  if (hint.hidden === scrolls) hint.hidden = !scrolls;
}

/** The `<details>` for a run panel: method `name`'s update rule `r` ({lines, source} or null) and its source. */
export function ruleDetails(r, name) {
  const d = document.createElement("details");
  d.className = "rule";
  const s = document.createElement("summary");
  s.textContent = "update rule";
  d.append(s);
  if (!r) return d;
  const math = ruleMath(r, name);
  const hint = document.createElement("p");
  hint.className = "rule-more small";
  hint.textContent = "The rule is wider than the panel: scroll it sideways for the rest →";
  hint.hidden = true;
  d.append(math, hint);
  // On opening and when the panel's width changes.
  new ResizeObserver(() => { if (d.open) fitRule(math, hint); }).observe(d);
  const note = document.createElement("p");
  note.className = "small muted";
  note.textContent = `g = ∇f(w), η the learning rate, t the step; entry-wise. Source: ${r.source}.`;
  d.append(note);
  return d;
}
