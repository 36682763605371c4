// "Predict, then run": the essay's questions. Each asks the reader first (buttons to click or a
// slider to drag), records the answer on its element (data-guess), and once the figure has run
// shows the guess beside the result (a table, or a sentence, with data-result). Draws what it is
// given; the essay (story.js) runs the figures.

/** 10^x written with superscripts, e.g. 10⁻³. */
export function pow10(x) {
  const sup = { "-": "⁻", ".": "·", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  return `10${String(x).replace(/[-.0-9]/g, (c) => sup[c])}`;
}

/** A learning rate as the reader would write it: 100, 0.01, 3.16. */
export function rateText(lr) {
  return String(Number(lr.toPrecision(3)));
}

/**
 * The methods question: one toggle button per method (aria-pressed), labels given.
 * Returns {guess(): string[]} (the names pressed).
 */
export function methodChoices(box, methods) {
  const el = box.querySelector(".predict-choices");
  el.replaceChildren();
  for (const m of methods) {
    const b = Object.assign(document.createElement("button"), { type: "button", className: "choice", textContent: m.label });
    b.dataset.name = m.name;
    b.setAttribute("aria-pressed", "false");
    b.addEventListener("click", () => {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      box.dataset.guess = guess().join(",");
    });
    el.append(b);
  }
  const guess = () => [...el.querySelectorAll("button[aria-pressed=true]")].map((b) => b.dataset.name);
  box.dataset.guess = "";
  return { guess };
}

/** A slider question: its output follows the slider (`text(value)`); returns {guess(): number}. */
export function sliderChoice(box, text) {
  const input = box.querySelector("input[type=range]");
  const out = box.querySelector("output");
  const show = () => {
    out.textContent = text(Number(input.value));
    box.dataset.guess = input.value;
  };
  input.addEventListener("input", show);
  show();
  return { guess: () => Number(input.value) };
}

/** Shows a status line under the question ("running…", an error). */
export function status(box, text) {
  box.querySelector(".predict-status").textContent = text;
}

/**
 * The guess beside the result, as a table after the question: `head` the column titles, `rows`
 * arrays of cells (strings); a row with `mark` true/false gets ✓ or ✗ in a last column.
 */
export function verdictTable(box, head, rows, summary) {
  box.querySelector(".predict-verdict")?.remove();
  const wrap = document.createElement("div");
  wrap.className = "predict-verdict";
  const table = document.createElement("table");
  const tr = (cells, tag) => {
    const row = document.createElement("tr");
    for (const c of cells) {
      const td = document.createElement(tag);
      td.textContent = c;
      row.append(td);
    }
    return row;
  };
  const thead = document.createElement("thead");
  thead.append(tr(head, "th"));
  const tbody = document.createElement("tbody");
  for (const r of rows) {
    const row = tr(r.cells, "td");
    if (r.mark !== undefined) {
      row.dataset.match = r.mark ? "yes" : "no";
      row.lastChild.textContent += r.mark ? " ✓" : " ✗";
    }
    tbody.append(row);
  }
  table.append(thead, tbody);
  const p = document.createElement("p");
  p.className = "predict-summary";
  p.textContent = summary;
  wrap.append(table, p);
  box.append(wrap);
  box.dataset.result = "shown";
  return wrap;
}
