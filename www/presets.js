// Presets: the story in one click. Each is a URL hash (the experiment, see url.js), applied on
// top of the default experiment, with the view it needs (x=time for gradient flow), and a caption
// of plain sentences that say what to look at. The numbers are not in the captions: the page
// writes them under the caption from the runs on screen (captions.js, outcomeSentence).
// The claims of "step" are asserted by tests/step_length.rs on seeds 0–2.

export const PRESETS = [
  {
    id: "span",
    title: "GD stays at its start",
    hash: "m=gd,momentum,nesterov,adam&lr=0.01,0.01,0.01,0.01&view=subspace_angle_start&ylog=1",
    caption: "At the shared rate 0.01, gradient descent and its momentum cousins step by the rate times gradients of a few 10⁻⁶ to 3·10⁻⁴, so they hardly move: their matrix keeps the directions of the start's (the “angle to start” stays near 0). Adam's step is about the rate itself, so it turns away from the start towards W*.",
  },
  {
    id: "adaptive",
    title: "Adam, RMSProp, AdaGrad",
    hash: "m=adam,rmsprop,adagrad,gd&lr=0.01,0.01,0.01,0.01&view=subspace_angle_start&ylog=1",
    caption: "Adam and RMSProp divide each entry's gradient by its running size, so both turn away from the start's directions towards W*. AdaGrad divides by the sum of all past squares, so its steps keep shrinking: it turns away as they do but can stall before W* (its test error below).",
  },
  {
    id: "nobias",
    title: "Adam without bias correction",
    hash: "m=adam,adam&lr=0.01,0.01&bc=,0",
    caption: "Bias correction only rescales Adam's first steps, while its running averages warm up. Here the run without it starts differently but ends within a few per cent of the usual Adam.",
  },
  {
    id: "scale",
    title: "Scale invariance",
    hash: "scale=1000&m=adam,adam,gd&lr=0.01,0.01,0.01&eps=,1e-12,",
    caption: "The loss is multiplied by 1000, so every gradient is 1000 times bigger. Adam's step hardly depends on that (it ends at the default experiment's test error, and eps 10⁻⁸ and 10⁻¹² now agree to 10⁻⁶ over the first steps, eps being small next to every gradient), while gradient descent now moves 1000 times faster.",
  },
  {
    id: "nuclear",
    title: "The nuclear norm shrinks everything",
    hash: "penalty=nuclear&m=adam,gd&lr=0.01,100",
    caption: "The nuclear norm penalty pulls every singular value towards 0, the large ones too. So the runs can stay far from W* (their test errors below), unlike with the ratio penalty, which does not change when W is scaled.",
  },
  {
    id: "depth",
    title: "Depth lets GD recover",
    hash: "rows=40&cols=40&rank=2&observed=600&depth=3&init=gaussian&iscale=0.001&penalty=none&lambda=0&steps=1000&m=gd&lr=3&view=test_error",
    caption: "Plain gradient descent on a product of three matrices, grown from a tiny random start with no penalty at all, raced against the same GD on W itself (depth 1: the grey dotted line), on the same problem at the same rate. At depth 1 the fit's gradient is 0 on the unseen entries, so GD leaves them at their start; at depth 3 an implicit bias towards low rank can fill them in. Their test errors are below.",
    // Raced beside it (controllers/reference.js): the same experiment at depth 1.
    reference: { suffix: " at depth 1", change: (c) => ({ ...c, model: { ...c.model, depth: 1, width: undefined } }) },
  },
  {
    id: "noise",
    title: "Noisy observations",
    hash: "noise=0.3&m=adam,rmsprop,gd&lr=0.01,0.01,100",
    caption: "The seen values are W* plus noise of size 0.3, and the test error is still measured against W*. A run that fits the seen values closer than W* itself does fits the noise too: below, who does, and who ends further from W* than it started.",
  },
  {
    id: "step",
    title: "It's the step, not the entries",
    hash: "m=gd,normalized_gd,adam,sign_sgd,spectral_descent,muon&lr=0.01,0.1,0.01,0.01,0.01,0.01&wd=,,,,,0&view=step_norm&ylog=1",
    caption: "Normalised GD (here at rate 0.1), spectral descent and Muon keep GD's structure (they turn with the matrix: rotation-equivariant); Adam and sign SGD rescale each entry. The plot shows each run's step length ‖ΔW‖F: GD's follows the gradient's tiny size, the five others' does not, and on seeds 0–2 those five recover W* within 3000 steps while GD does not (a native test checks it). Muon runs with weight decay 0: at its default 0.1 it does not recover here.",
  },
  {
    id: "newton",
    title: "Newton and gradient flow",
    hash: "m=newton,gradient_flow,gd&lr=,,100&steps=300&x=time",
    caption: "Damped Newton uses curvature, and gradient flow follows the continuous path dW/dt = −∇f(W) with an adaptive solver: neither has a learning rate. The plot is against time t (for GD, the sum of its learning rates): where GD's line lies on gradient flow's, it follows the same path. Newton has no time t, so it shows in the trajectories only.",
  },
];
