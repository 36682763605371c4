// The legend of the shared plots: one entry per run, its colour, dash and marker.

/** Fills `legend` (a list) with `runs` ({name, label, colour, dash, marker, enabled}). */
export function drawLegend(legend, runs) {
  legend.replaceChildren(...runs.map(legendEntry));
}

/** One run's entry: its line, marker and label (a dashed line's says so in its title). */
export function legendEntry(run) {
  const li = document.createElement("li");
  li.dataset.run = run.name;
  li.classList.toggle("off", !run.enabled);
  const sw = document.createElement("span");
  sw.className = `legend-line${run.dash.length ? " dashed" : ""}`;
  sw.style.setProperty("--run-colour", run.colour);
  sw.setAttribute("aria-hidden", "true");
  const mk = document.createElement("span");
  mk.className = `legend-marker ${run.marker}`;
  mk.style.setProperty("--run-colour", run.colour);
  mk.setAttribute("aria-hidden", "true");
  li.append(sw, mk, run.label);
  if (run.dash.length) li.title = `${run.label}: dashed line, square marker`;
  return li;
}

/** Greys run i's entry when it is off. */
export function setLegendOn(legend, i, on) {
  const li = legend.children[i];
  if (li) li.classList.toggle("off", !on);
}
