// What the controllers draw into: each run's panel (views/panel.js, config order) and the shared
// views, by name (truthHeatmap, truthBar, yHeatmap, truthBars, time, trajectory, pca, sens).
// Panels and views hold only what they draw; the experiment is in the store.

export const ui = {
  runs: [],
  views: {},
  reference: [], // a preset's reference runs' frames, each with its label (controllers/reference.js)
};
