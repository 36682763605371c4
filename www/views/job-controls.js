// The controls of the page's two background jobs, the recovery map (www/controllers/recovery.js) and the
// learning-rate sweep (www/controllers/sweep.js): the same shape in both (its fields, the run length, run and
// cancel, a progress bar with a status line, an error line), built here from one table into the
// placeholders #map-job and #sens-job of index.html. Loaded before www/main.js, so the
// elements are there (same ids, labels and aria attributes) when the page wires them.

/** Each job: its id prefix, the classes its two rows add, its fields and run-length choices, the run button's text. */
export const JOBS = [
  {
    id: "map",
    rowClass: "",
    progressRowClass: "",
    fields: [
      { name: "fractions", label: "fractions seen", wide: true, attrs: { type: "text", value: "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9", spellcheck: "false" } },
      { name: "seeds", label: "seeds", attrs: { type: "number", min: "1", max: "10", step: "1", value: "3", inputmode: "numeric" } },
    ],
    lengths: [["quick", "quick: 500 steps", true], ["full", "as the race"]],
    run: "Compute the map",
    progress: "Recovery map progress",
  },
  {
    id: "sens",
    rowClass: "sens-controls",
    progressRowClass: "sens-progress-row",
    fields: [
      { name: "from", label: "rates from 10^", attrs: { type: "number", step: "1", value: "-4", inputmode: "numeric" } },
      { name: "to", label: "to 10^", attrs: { type: "number", step: "1", value: "3", inputmode: "numeric" } },
      { name: "per-decade", label: "per decade", attrs: { type: "number", min: "1", max: "20", step: "1", value: "2", inputmode: "numeric" } },
    ],
    lengths: [["full", "as the race (3000 steps)", true], ["quick", "quick: 300 steps (rough)"]],
    run: "Run the sweep",
    progress: "Sweep progress",
  },
];

/** `tag` with `attrs` (attributes, as strings) and `children`. */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** A labelled control: <span class="field"><label for=id>label</label>control</span>. */
function field(id, label, control, wide = false) {
  return el("span", { class: wide ? "field wide" : "field" }, el("label", { for: id }, label), control);
}

/** The row of controls, the progress row and the error line of `job`. */
export function jobControls(job) {
  const { id } = job;
  const row = el("div", { class: `row ${job.rowClass}`.trim() },
    ...job.fields.map((f) => field(`${id}-${f.name}`, f.label, el("input", { id: `${id}-${f.name}`, ...f.attrs }), f.wide)),
    field(`${id}-length`, "run length", el("select", { id: `${id}-length` },
      ...job.lengths.map(([value, text, selected]) => el("option", selected ? { value, selected: "" } : { value }, text)))),
    el("button", { id: `${id}-run`, type: "button", class: "primary" }, job.run),
    el("button", { id: `${id}-cancel`, type: "button", disabled: "" }, "Cancel"));
  const progress = el("div", { class: `row ${job.progressRowClass}`.trim() },
    el("progress", { id: `${id}-progress`, max: "1", value: "0", "aria-label": job.progress }),
    el("span", { id: `${id}-status`, class: "muted small", role: "status" }, "not run yet"));
  const error = el("p", { id: `${id}-error`, class: "error", role: "alert", hidden: "" });
  return [row, progress, error];
}

for (const job of JOBS) document.getElementById(`${job.id}-job`)?.replaceWith(...jobControls(job));
