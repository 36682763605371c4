// The page's side of the Web Workers that step the runs (www/engine/lab-worker.js): one worker per core
// but one (the page keeps a core for drawing), at most one per run, at least one. Each worker
// holds the whole experiment and steps the runs it owns (run i goes to worker i mod size).
//
// Pacing: every animation frame the page grants each worker `stepsPerFrame` more steps (its
// allowance, capped at two frames' worth so a slow worker does not pile up a debt); a worker is
// sent a batch while it has fewer than two (one running, one queued behind it), so it never
// waits for the page while it has allowance and never has more than one batch queued. A batch is at most BATCH_MS of measured
// work, so slow steps still show every frame or two. The page draws, in requestAnimationFrame,
// from the latest reply of each worker (`frames`): Float64Array copies, never wasm memory.
//
// Steps asked for at once (the Step button, a `step` message of up to 10 000 steps) go in the
// same bounded batches, one at a time per worker, each sent when the last one's reply is in: a
// new experiment, a reset or playing (cancelSteps) thus comes after one short batch, and the
// steps of the request not sent yet are dropped.
//
// Replies carry a generation (bumped by every install and reset); a reply about a replaced
// experiment only clears its worker's "busy" mark.

/** Most measured milliseconds of work in one batch: about two frames at 60 Hz, so the figures move every frame or two. */
const BATCH_MS = 30;

/** Workers for `runs` runs on this machine: cores − 1, at most one per run, at least one. */
export function poolSize(runs) {
  const cores = Number(globalThis.navigator?.hardwareConcurrency) || 2;
  return Math.max(1, Math.min(runs, cores - 1));
}

/** Steps in `slot`'s next batch at most: BATCH_MS of its measured work, one while its cost is unknown. */
function batchSize(slot) {
  return slot.msPerStep > 0 ? Math.max(1, Math.floor(BATCH_MS / slot.msPerStep)) : 1;
}

export class WorkerPool {
  /**
   * @param {object} hooks
   *   onState(): new figures arrived (draw them); onTrap(slot, message): a worker's core trapped;
   *   onError(message): a worker reported another error; onFail(error, midway): the workers cannot
   *   start (the page steps on its own thread instead; midway: some had run, their steps are lost); current(): {config (JSON), enabled: bool[]}
   *   of the running experiment, for a replaced worker.
   */
  constructor(hooks) {
    if (typeof Worker !== "function") throw new Error("this browser has no Web Workers");
    this.hooks = hooks;
    this.slots = [];
    this.gen = 0;
    this.seq = 0;
    this.req = 0;
    this.frames = [];
    this.version = 0; // bumped by every reply with new figures (the page draws only then)
    this.pending = new Map(); // req → {left, values, resolve}
    this.idleWaiters = [];
    this.started = false; // some worker has answered once
    this.refreshing = "";
    this.dead = false;
  }

  spawn() {
    const worker = new Worker(new URL("./lab-worker.js", import.meta.url), { type: "module" });
    // inflight: seq → k of the batches sent and not answered (at most two while playing)
    // answered: the worker has sent something (its script loaded); one that fails before that
    // cannot be loaded, and replacing it would only fail again, forever.
    // stepsLeft: steps asked for by step() and not sent yet; stepSeq: its batch on its way (0: none)
    const slot = { worker, own: [], inflight: new Map(), msPerStep: 0, allowance: 0, answered: false, stepsLeft: 0, stepSeq: 0 };
    worker.onmessage = (e) => {
      slot.answered = true;
      this.message(slot, e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.failed(slot, e.message || "a worker could not start (its script did not load)");
    };
    return slot;
  }

  /**
   * Starts the experiment `config` (JSON) in the workers: `enabled[i]` is run i's on/off,
   * `frames[i]` its step-0 frame (drawn until the workers answer).
   */
  install(config, enabled, frames) {
    this.cancelSteps();
    this.gen += 1;
    this.version += 1;
    this.frames = frames;
    const runs = enabled.length;
    const size = poolSize(runs);
    while (this.slots.length < size) this.slots.push(this.spawn());
    while (this.slots.length > size) this.forget(this.slots.pop());
    this.slots.forEach((slot, w) => {
      slot.own = [];
      for (let i = w; i < runs; i += size) slot.own.push(i);
      slot.msPerStep = 0;
      slot.allowance = 0;
      slot.worker.postMessage({ type: "init", gen: this.gen, config, own: slot.own, enabled });
    });
  }

  get size() {
    return this.slots.length;
  }

  slotOf(i) {
    return this.slots.find((s) => s.own.includes(i));
  }

  /** Every run back to step 0; `frames` are the step-0 frames. */
  reset(frames) {
    this.cancelSteps();
    this.gen += 1;
    this.version += 1;
    this.frames = frames;
    for (const slot of this.slots) {
      slot.allowance = 0;
      slot.worker.postMessage({ type: "reset", gen: this.gen });
    }
  }

  setLearningRate(i, lr) {
    this.slotOf(i)?.worker.postMessage({ type: "lr", i, lr });
  }

  setEnabled(i, on) {
    this.slotOf(i)?.worker.postMessage({ type: "enabled", i, on });
  }

  /** One animation frame's worth: `k` more steps for every worker (two frames' worth at most). */
  allow(k) {
    for (const slot of this.slots) slot.allowance = Math.min(slot.allowance + k, 2 * k);
  }

  /** The slowest worker's measured milliseconds per step (of all its runs), 0 before any. */
  get msPerStep() {
    return Math.max(0, ...this.slots.map((s) => s.msPerStep));
  }

  /**
   * Sends every idle worker its next batch: its allowance, at most BATCH_MS of measured work
   * (one step while its cost is unknown), and at most `limit(i)` steps for its runs (the most
   * any of them may still take: 0 for a run that is off or diverged).
   */
  pump(limit, names) {
    for (const slot of this.slots) {
      // One batch running and one queued behind it: the worker does not wait for the page.
      while (slot.inflight.size < 2) {
        let k = Math.floor(slot.allowance);
        if (k < 1) break;
        let queued = 0;
        for (const q of slot.inflight.values()) queued += q;
        k = Math.min(k, batchSize(slot), Math.max(0, ...slot.own.map(limit)) - queued);
        if (!(k >= 1)) break;
        slot.allowance -= k;
        this.send(slot, k, names);
        if (slot.msPerStep === 0) break; // the first batch measures the cost
      }
    }
  }

  /**
   * k more steps now, whatever the allowance (the "step" button, a `step` message), in bounded
   * batches (see the top of this file): resolves once they are in, or once those still to send
   * are dropped (cancelSteps, install, reset) and the batches on their way are in.
   */
  step(k, names) {
    this.stepNames = names;
    for (const slot of this.slots) {
      slot.stepsLeft += k;
      if (!slot.stepSeq) this.sendSteps(slot);
    }
    return this.idle();
  }

  /** Sends `slot` the next batch of the steps asked for by step(). */
  sendSteps(slot) {
    const k = Math.min(slot.stepsLeft, batchSize(slot));
    if (!(k >= 1)) return;
    slot.stepsLeft -= k;
    slot.stepSeq = this.send(slot, k, this.stepNames);
  }

  /** Drops the steps asked for by step() that are not sent yet (playing takes over, or a new experiment). */
  cancelSteps() {
    for (const slot of this.slots) slot.stepsLeft = 0;
  }

  send(slot, k, names) {
    this.seq += 1;
    slot.inflight.set(this.seq, k);
    slot.worker.postMessage({ type: "step", seq: this.seq, k, names });
    return this.seq;
  }

  get busy() {
    return this.slots.some((s) => s.inflight.size > 0);
  }

  /** Resolves when no batch is on its way. */
  idle() {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Asks every worker for its runs' histories `names` (a step of 0), once per set of names. */
  refresh(names) {
    const key = names.join(",");
    if (this.refreshing === key) return;
    this.refreshing = key;
    for (const slot of this.slots) this.send(slot, 0, names);
    this.idle().then(() => {
      this.refreshing = "";
    });
  }

  /**
   * Asks every worker (`what`: "snapshots", "export" with args.names, or "matrix_csv" with
   * args.i, answered by run i's worker only); resolves to the answers, one per worker asked.
   */
  call(what, args = {}) {
    const slots = what === "matrix_csv" ? [this.slotOf(args.i)].filter(Boolean) : this.slots;
    if (!slots.length) return Promise.resolve([]);
    this.req += 1;
    const req = this.req;
    return new Promise((resolve) => {
      this.pending.set(req, { left: new Set(slots), values: [], resolve });
      for (const slot of slots) slot.worker.postMessage({ type: "call", req, what, ...args });
    });
  }

  /**
   * The joint trajectory PCA of gathered snapshots (see Lab.joint_trajectory_pca), computed in a
   * worker of its own, started on first use, so that neither the page nor the stepping waits.
   * The arrays are transferred (unusable here afterwards). Resolves to the PCA or null.
   */
  pca(counts, steps, data) {
    if (!this.pcaSlot) this.pcaSlot = this.spawn();
    const slot = this.pcaSlot;
    this.req += 1;
    const req = this.req;
    return new Promise((resolve) => {
      this.pending.set(req, { left: new Set([slot]), values: [], resolve: (v) => resolve(v[0] ?? null) });
      slot.worker.postMessage({ type: "call", req, what: "pca", counts, steps, data }, [counts.buffer, steps.buffer, data.buffer]);
    });
  }

  /** Per run, in run order, from the workers' answers to call(what) (each an array of {i, …}). */
  static byRun(values) {
    return values.flat().filter(Boolean).sort((a, b) => a.i - b.i);
  }

  message(slot, d) {
    if (this.dead || !d) return;
    if (slot === this.pcaSlot) {
      if (d.type === "reply") this.reply(slot, d);
      else if (d.type === "trap" || d.type === "error") this.dropPcaWorker();
      return;
    }
    if (!this.slots.includes(slot)) return;
    this.started = true;
    switch (d.type) {
      case "ready":
        break;
      case "state": {
        slot.inflight.delete(d.seq);
        if (d.gen === this.gen) {
          for (const r of d.runs) this.frames[r.i] = { metrics: r.metrics, sv: r.sv, W: r.W, len: r.len, h: r.h };
          this.version += 1;
          if (d.k > 0) {
            const per = d.ms / d.k;
            slot.msPerStep = slot.msPerStep > 0 ? 0.8 * slot.msPerStep + 0.2 * per : per;
          }
        }
        if (d.seq === slot.stepSeq) {
          // The next batch of step()'s steps, before "idle" is told (it is not idle yet).
          slot.stepSeq = 0;
          this.sendSteps(slot);
        }
        if (!this.busy) for (const resolve of this.idleWaiters.splice(0)) resolve();
        this.hooks.onState();
        break;
      }
      case "reply":
        this.reply(slot, d);
        break;
      case "trap":
        this.replace(slot);
        this.hooks.onTrap(slot, d.message);
        break;
      case "error":
        if (d.init && d.gen === this.gen) {
          // This worker cannot start the experiment (its core did not load: the server went
          // away, no memory…) although the page's own Lab did: step on the page's thread.
          this.destroy();
          this.hooks.onFail(new Error(`a worker could not load the core (${d.message})`), true);
          return;
        }
        if (d.seq !== undefined) slot.inflight.delete(d.seq);
        if (d.seq !== undefined && d.seq === slot.stepSeq) {
          slot.stepSeq = 0;
          slot.stepsLeft = 0; // this worker cannot step: the rest of the request is dropped
        }
        if (d.req !== undefined) this.reply(slot, { req: d.req, value: undefined });
        if (!this.busy) for (const resolve of this.idleWaiters.splice(0)) resolve();
        if (d.gen === this.gen) this.hooks.onError(d.message);
        break;
      default:
    }
  }

  /** The PCA worker failed: answer its calls with nothing; a new one starts on the next call. */
  dropPcaWorker() {
    const slot = this.pcaSlot;
    if (!slot) return;
    this.pcaSlot = null;
    this.forget(slot);
  }

  reply(slot, d) {
    const p = this.pending.get(d.req);
    if (!p || !p.left.has(slot)) return;
    p.values.push(d.value);
    this.answered(d.req, p, slot);
  }

  answered(req, p, slot) {
    p.left.delete(slot);
    if (p.left.size === 0) {
      this.pending.delete(req);
      p.resolve(p.values);
    }
  }

  /** Stops a worker that is no longer in `slots`; what it had not answered is answered empty. */
  forget(slot) {
    slot.worker.terminate();
    for (const [req, p] of this.pending) if (p.left.has(slot)) this.answered(req, p, slot);
    if (!this.busy) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** A worker that trapped (or died) is replaced by a new one that rebuilds its runs from step 0. */
  replace(slot) {
    const fresh = this.spawn();
    fresh.own = slot.own;
    this.slots[this.slots.indexOf(slot)] = fresh;
    this.forget(slot);
    const { config, enabled } = this.hooks.current();
    fresh.worker.postMessage({ type: "init", gen: this.gen, config, own: fresh.own, enabled });
    return fresh;
  }

  failed(slot, message) {
    if (this.dead) return;
    if (slot === this.pcaSlot) {
      this.dropPcaWorker();
      return;
    }
    // A worker already dropped from the pool (a smaller pool, a replaced worker): nothing to do.
    if (!this.slots.includes(slot)) return;
    if (!this.started || !slot.answered) {
      // The workers never answered (no module workers, a blocked script), or a new one cannot
      // load its script (the server went away since): no workers at all, rather than a new
      // worker that fails in turn, forever.
      const midway = this.started;
      this.destroy();
      this.hooks.onFail(new Error(message), midway);
      return;
    }
    this.replace(slot);
    this.hooks.onTrap(slot, message);
  }

  destroy() {
    this.dead = true;
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
    this.pcaSlot?.worker.terminate();
    this.pcaSlot = null;
    for (const p of this.pending.values()) p.resolve(p.values);
    this.pending.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
