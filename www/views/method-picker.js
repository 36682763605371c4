// The method picker: one chip per method of the catalog (its label, its description on hover), a
// count of the runs of each, and the number of runs. A chip's change goes out through `onToggle`.

/** Builds the chips in `box` for `methods` ({name, label, about}); onToggle(name, input) on a change. */
export function buildMethodPicker(box, methods, onToggle) {
  box.replaceChildren();
  for (const m of methods) {
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
    box.append(chip);
    input.addEventListener("change", () => onToggle(m.name, input));
  }
}

/** Ticks the chips of the methods that run (`runs`: {name, colour}); at `max` runs, no more can be added. */
export function updateMethodPicker(box, count, runs, max) {
  const full = runs.length >= max;
  for (const chip of box.children) {
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
