// The stepper: what steps the runs, behind one interface with two implementations, Web Workers
// (worker-stepper.js over pool.js and lab-worker.js) and the page's own thread
// (thread-stepper.js). Callers never ask which one runs; when the workers cannot start, the
// page's thread takes over inside this facade.
//
// The interface (each implementation has every member):
//   size                       workers stepping the runs (0: the page's thread)
//   blocksPage                 whether a PCA computed through it holds up the page
//   throttled                  fewer steps per frame than asked for, last frame
//   install(lab, enabled, startFrames)   a new experiment (each run's on/off, step-0 frame)
//   reset()                    every run back to step 0
//   setEnabled(i, on), setLearningRate(i, v)   hot changes, after the page's lab took them
//   tick(ctx) → bool           one animation frame's steps (false: stop playing);
//                              ctx: {stepsPerFrame, autoStop (read/write), remaining(), hasLive()}
//   frames(names) → frame[]    every run's frame to draw: {metrics, sv, len, h, W}
//   latest(i, drawn)           run i's figures to decide on steps
//   stepBy(k, current) → Promise   k steps (dropped once current() is false)
//   cancelSteps(), idle() → Promise, afterBatches(fn) → ran now?
//   pca() → Promise<{result, cost, step?} | {stale} | {gone}>
//   states(names, count) → Promise<frame[]>   copies with every history, for exports
//   snapshots() → Promise<[{steps, data}] | null>   each run's kept snapshots of W (the PCA's)
//   matrix(i), history(i), metrics(i), matrixCsv(i) → Promise<string>
//   simulateTrap()             for the browser test of a core's trap
//
// hooks (from the loop): names(), limit(i), playing(), render(), requestRender(), stepped(),
// onTrap(err) (the page's core trapped), onRunsRestarted(runs, message) (a worker's did),
// onError(message), onFallback(err, midway) (now on the page's thread).

import { ThreadStepper } from "./thread-stepper.js";
import { WorkerStepper } from "./worker-stepper.js";

/**
 * A stepper: over workers if `useWorkers` and the browser has them, else on the page's thread.
 * env: {lab(), memory(), cells(), count(), enabled()}.
 */
export function createStepper(env, hooks, useWorkers) {
  let impl = null;
  const onFail = (err, midway = false) => {
    console.warn("mc-playground: the workers could not start, stepping on the page's thread:", err);
    if (impl) impl.replaced = true;
    impl = new ThreadStepper(env, hooks);
    env.lab().reset();
    hooks.onFallback(err, midway);
  };
  if (useWorkers) {
    try {
      impl = new WorkerStepper(env, { ...hooks, onFail });
    } catch (err) {
      console.warn("mc-playground: no workers, stepping on the page's thread:", err);
      impl = null;
    }
  }
  impl ??= new ThreadStepper(env, hooks);
  // Every member goes to the implementation running now.
  return new Proxy({}, {
    get(_, key) {
      const v = impl[key];
      return typeof v === "function" ? v.bind(impl) : v;
    },
  });
}
