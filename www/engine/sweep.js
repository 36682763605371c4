// The learning-rate sensitivity sweep, run by module workers (www/sensitivity-worker.js) so the
// page keeps playing. Each method with a learning rate is one job (the method alone at every rate
// of the grid); jobs are spread over a few workers, and their cells are merged back into one
// report: {protocol, cells, best, tunedConfig}. Cancel terminates the workers at once.

/** Rates of a log grid: 10^from … 10^to, perDecade points per decade (as the core makes them). */
export function gridSize(from, to, perDecade) {
  return (to - from) * perDecade + 1;
}

/**
 * The grid and run length from the page's controls; throws Error naming the control.
 * @returns {{from: number, to: number, perDecade: number, steps: number}}
 */
export function parseProtocol({ from, to, perDecade, steps }) {
  const whole = (text, name, lo, hi) => {
    const v = Number(String(text).trim());
    if (String(text).trim() === "" || !Number.isInteger(v)) throw new Error(`${name}: enter a whole number`);
    if (v < lo || v > hi) throw new Error(`${name}: enter a number from ${lo} to ${hi}`);
    return v;
  };
  const p = {
    from: whole(from, "lowest rate's exponent", -12, 12),
    to: whole(to, "highest rate's exponent", -12, 12),
    perDecade: whole(perDecade, "rates per decade", 1, 20),
    steps: whole(steps, "steps", 1, 1e8),
  };
  if (p.from > p.to) throw new Error("the lowest rate is above the highest one");
  if (gridSize(p.from, p.to, p.perDecade) > 200) throw new Error("at most 200 rates: fewer per decade or a shorter range");
  return p;
}

/** The methods a sweep covers: indices of the config's optimizers that have a learning rate. */
export function sweptMethods(config) {
  return (config.optimizers || [])
    .map((o, i) => (o.learning_rate !== undefined && o.learning_rate !== null ? i : -1))
    .filter((i) => i >= 0);
}

/**
 * The config of the tuned race: `config` with each method at its best rate (methods without a
 * learning rate, or without a finite best, unchanged).
 */
export function tunedConfig(config, best) {
  const c = structuredClone(config);
  for (const b of best) {
    const o = c.optimizers?.[b.optimizer];
    if (o && o.learning_rate !== undefined && Number.isFinite(b.test_error)) o.learning_rate = b.learning_rate;
  }
  return c;
}

export class Sweep {
  /**
   * @param {{onProgress: (done: number, total: number) => void, onCell: (cell: object) => void,
   *          onDone: (report: object) => void, onError: (message: string) => void}} on
   */
  constructor(on) {
    this.on = on;
    this.workers = [];
    this.running = false;
  }

  /** Starts a sweep of `config` (parsed) with protocol p; any sweep still running is cancelled. */
  start(config, p) {
    this.cancel();
    const methods = sweptMethods(config);
    if (!methods.length) {
      this.on.onError("none of the methods has a learning rate to sweep");
      return false;
    }
    const perJob = gridSize(p.from, p.to, p.perDecade);
    this.config = structuredClone(config);
    this.protocol = p;
    this.total = perJob * methods.length;
    this.done = 0;
    this.cells = [];
    this.best = [];
    this.reportProtocol = null;
    this.queue = methods.slice();
    this.pending = methods.length;
    this.running = true;
    this.started = performance.now();
    const cores = navigator.hardwareConcurrency || 2;
    const count = Math.max(1, Math.min(4, cores - 1, methods.length));
    for (let k = 0; k < count; k++) {
      let worker;
      try {
        worker = new Worker(new URL("./sensitivity-worker.js", import.meta.url), { type: "module" });
      } catch (err) {
        this.fail(`could not start a worker (${err instanceof Error ? err.message : err})`);
        return false;
      }
      worker.onmessage = (e) => this.message(worker, e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        this.fail(`the sweep's worker failed${e.message ? `: ${e.message}` : ""}`);
      };
      this.workers.push(worker);
      this.next(worker);
    }
    this.on.onProgress(0, this.total);
    return true;
  }

  /** Seconds since the sweep started. */
  elapsed() {
    return (performance.now() - this.started) / 1000;
  }

  next(worker) {
    const i = this.queue.shift();
    if (i === undefined) return;
    const single = structuredClone(this.config);
    single.optimizers = [this.config.optimizers[i]];
    const p = this.protocol;
    worker.postMessage({ type: "run", job: i, config: JSON.stringify(single), from: p.from, to: p.to, perDecade: p.perDecade, steps: p.steps });
  }

  message(worker, msg) {
    if (!this.running || !msg) return;
    if (msg.type === "cell") {
      const cell = { ...msg.cell, optimizer: msg.job };
      this.cells.push(cell);
      this.done++;
      this.on.onCell(cell);
      this.on.onProgress(this.done, this.total);
    } else if (msg.type === "done") {
      const r = msg.report;
      this.reportProtocol = r.protocol;
      for (const b of r.best || []) this.best.push({ ...b, optimizer: msg.job });
      this.pending--;
      if (this.pending === 0) this.finish();
      else this.next(worker);
    } else if (msg.type === "error") {
      this.fail(msg.message);
    }
  }

  finish() {
    this.stopWorkers();
    this.running = false;
    const byRun = (a, b) => a.optimizer - b.optimizer || a.learning_rate - b.learning_rate;
    this.cells.sort(byRun);
    this.best.sort(byRun);
    this.on.onProgress(this.total, this.total);
    this.on.onDone({
      protocol: this.reportProtocol,
      cells: this.cells,
      best: this.best,
      config: this.config,
      tunedConfig: tunedConfig(this.config, this.best),
      seconds: this.elapsed(),
      from: this.protocol.from,
      to: this.protocol.to,
      perDecade: this.protocol.perDecade,
    });
  }

  fail(message) {
    this.stopWorkers();
    if (!this.running) return;
    this.running = false;
    this.on.onError(message);
  }

  /** Stops the sweep now (the cells done so far stay in this.cells). */
  cancel() {
    const was = this.running;
    this.stopWorkers();
    this.running = false;
    return was;
  }

  stopWorkers() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
