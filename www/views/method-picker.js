// The method picker: one chip per method of the catalog (its label, its description on hover),
// grouped by family, a count of the runs of each, and the number of runs. A chip's change goes out
// through `onToggle`.

/**
 * Builds the chips in `box` for `groups` ([{label, methods: [{name, label, about}]}]), each group
 * under its name; onToggle(name, input) on a change.
 */
export function buildMethodPicker(box, groups, onToggle) {
  box.replaceChildren();
  for (const g of groups) {
    const group = document.createElement("div");
    group.className = "chip-group";
    group.setAttribute("role", "group");
    const name = document.createElement("span");
    name.className = "chip-family";
    name.id = `family-${g.id}`;
    name.textContent = g.label;
    group.setAttribute("aria-labelledby", name.id);
    const chips = document.createElement("div");
    chips.className = "chips";
    group.append(name, chips);
    box.append(group);
    for (const m of g.methods) chips.append(methodChip(m, onToggle));
  }
}

function methodChip(m, onToggle) {
  {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.dataset.method = m.name;
    const input = document.createElement("input");
    input.type = "checkbox";
    input.id = `method-${m.name}`;
    input.dataset.method = m.name;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.title = m.about ?? m.name;
    const dot = document.createElement("span");
    dot.className = "chip-dot";
    dot.setAttribute("aria-hidden", "true");
    const count = document.createElement("span");
    count.className = "chip-count";
    label.append(dot, m.label, count);
    chip.append(input, label);
    input.addEventListener("change", () => onToggle(m.name, input));
    return chip;
  }
}

/** Ticks the chips of the methods that run (`runs`: {name, colour}); at `max` runs, no more can be added. */
export function updateMethodPicker(box, count, runs, max) {
  const full = runs.length >= max;
  for (const chip of box.querySelectorAll(".chip")) {
    const name = chip.dataset.method;
    const input = chip.querySelector("input");
    const mine = runs.filter((r) => r.name === name);
    input.checked = mine.length > 0;
    input.disabled = full && mine.length === 0;
    chip.classList.toggle("on", mine.length > 0);
    chip.style.setProperty("--run-colour", mine.length ? mine[0].colour : "transparent");
    chip.querySelector(".chip-count").textContent = mine.length > 1 ? ` ×${mine.length}` : "";
  }
  count.textContent = `${runs.length} run${runs.length === 1 ? "" : "s"} (at most ${max})`;
}
