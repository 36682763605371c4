// Presets: the story in one click. Each is a URL hash (the experiment, see config.js), applied on
// top of the default experiment, and a caption of two plain sentences. The numbers in the
// captions were checked with the core (seed 0) at the run length each preset sets; those of "step"
// are asserted by tests/step_length.rs on seeds 0–2.

export const PRESETS = [
  {
    id: "span",
    title: "GD stays at its start",
    hash: "m=gd,momentum,nesterov,adam&lr=0.01,0.01,0.01,0.01&view=subspace_angle_start&ylog=1",
    caption: "At the shared rate 0.01, gradient descent and its momentum cousins step by the rate times gradients of a few 10⁻⁶ to 3·10⁻⁴, so they hardly leave the start's span (angle to start near 0). Adam's step is about the rate itself, so it turns away from the start and finds W*.",
  },
  {
    id: "adaptive",
    title: "Adam, RMSProp, AdaGrad",
    hash: "m=adam,rmsprop,adagrad,gd&lr=0.01,0.01,0.01,0.01&view=subspace_angle_start&ylog=1",
    caption: "Adam and RMSProp divide each entry's gradient by its running size, so both leave the start's span and find W*. AdaGrad divides by the sum of all past squares, so its steps keep shrinking: it leaves the start's span as they do but stalls before W* (test error 0.64, effective rank 5.9 after 3000 steps).",
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
    caption: "The nuclear norm penalty pulls every singular value towards 0, the large ones too. So the runs stay far from W* (test error about 0.6), unlike with the ratio penalty, which does not change when W is scaled.",
  },
  {
    id: "depth",
    title: "Depth lets GD recover",
    hash: "rows=40&cols=40&rank=2&observed=600&depth=3&init=gaussian&iscale=0.001&penalty=none&lambda=0&steps=1000&m=gd&lr=3&view=test_error",
    caption: "Plain gradient descent on a product of three matrices, grown from a tiny random start with no penalty at all. Its implicit bias towards low rank finds W* (test error about 0.003 within 500 steps).",
  },
  {
    id: "noise",
    title: "Noisy observations",
    hash: "noise=0.3&m=adam,rmsprop,gd&lr=0.01,0.01,100",
    caption: "The seen values are W* plus noise of size 0.3, and the test error is still measured against W*. The runs that fit the seen values hardest fit the noise too, and end worse than where they started.",
  },
  {
    id: "step",
    title: "It's the step, not the entries",
    hash: "m=gd,normalized_gd,adam,sign_sgd,spectral_descent,muon&lr=0.01,0.1,0.01,0.01,0.01,0.01&wd=,,,,,0&view=step_norm&ylog=1",
    caption: "Normalised GD, spectral descent and Muon keep GD's structure (they turn with the matrix: rotation-equivariant); Adam and sign SGD rescale each entry. All five (normalised GD at rate 0.1, the rest at 0.01, as GD) take steps ‖ΔW‖F of at least 10⁻² and recover W* (test error below 0.05 after 3000 steps, seeds 0–2), while GD's steps stay below 10⁻⁴ and it does not. What they share is a step length that does not follow the gradient's tiny size. (Muon runs with weight decay 0: at its default 0.1 it does not recover here.)",
  },
  {
    id: "newton",
    title: "Newton and gradient flow",
    hash: "m=newton,gradient_flow,gd&lr=,,100&steps=300&x=step",
    caption: "Damped Newton uses curvature, and gradient flow follows the continuous path dW/dt = −∇f(W) with an adaptive solver: neither has a learning rate. Plot against “time t” to see gradient descent follow gradient flow's path.",
  },
];
