// A reference run: one more lab, a variant of the race's experiment (the depth preset's GD at
// depth 1 beside its GD at depth 3), stepped on the page's thread so as to follow the race's
// step, its histories copied for the plots. Meant for small variants: a few hundred cheap steps
// a frame at most.

import { readFrames } from "./core.js";

export class ReferenceLab {
  /**
   * @param {{Lab: Function, wasm: {memory: WebAssembly.Memory}}} core the loaded core
   * @param {object} config the variant's config (the same problem, so the same W* and seen entries)
   */
  constructor(core, config) {
    this.lab = new core.Lab(JSON.stringify(config));
    const count = config.optimizers.length;
    const cells = (config.problem?.rows ?? 0) * (config.problem?.cols ?? 0);
    this.env = { memory: () => core.wasm.memory, cells: () => cells, count: () => count };
    this.frames = [];
  }

  /** The step of the furthest run, and whether every run is done (there or diverged). */
  state(target) {
    let step = 0;
    let done = true;
    for (const f of this.frames) {
      step = Math.max(step, f.metrics.step);
      if (f.metrics.diverged_at === null && f.metrics.step < target) done = false;
    }
    return { step, done: this.frames.length > 0 && done };
  }

  /**
   * Takes up to `max` steps towards step `target` and copies the histories `names` (and the
   * figures) into `frames`; returns true once every run is there (or has diverged).
   */
  follow(target, max, names) {
    const { step, done } = this.state(target);
    const k = Math.min(max, target - step);
    if (!done && k > 0) this.lab.step(k);
    this.frames = readFrames(this.env, this.lab, names, true);
    return this.state(target).done;
  }

  free() {
    this.lab.free();
    this.frames = [];
  }
}
