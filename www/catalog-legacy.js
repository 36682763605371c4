// TEMPORARY (until the core's catalog carries them, branch catalog-meta): today's per-method
// tables, added to the entries of Lab.methods() that lack them. Deleted once merged.

const METHOD_INFO = {
  adam: { about: "Adam: each entry's step is set by running averages of its gradient and squared gradient, so its length is about the learning rate" },
  rmsprop: { about: "RMSProp: each entry's gradient divided by a running root-mean-square of it" },
  adagrad: { about: "AdaGrad: each entry's gradient divided by the root of the sum of all its past squares, so steps keep shrinking" },
  gd: { about: "Gradient descent: step = learning rate × gradient" },
  momentum: { about: "Heavy-ball momentum: gradient descent plus a running sum of past steps" },
  nesterov: { about: "Nesterov momentum: momentum with a look-ahead gradient" },
  adamw: { about: "AdamW: Adam with decoupled weight decay (0.01)" },
  amsgrad: { about: "AMSGrad: Adam whose second-moment estimate never decreases" },
  nadam: { about: "NAdam: Adam with Nesterov momentum" },
  group_rmsprop: { about: "Group RMSProp: one running size for the whole gradient, so GD's direction with an adaptive length" },
  newton: { about: "Damped Newton (Levenberg–Marquardt, conjugate gradients): no learning rate; depth 1 only" },
  gradient_flow: { about: "Gradient flow: the continuous path dW/dt = −∇f(W), followed by an adaptive ODE solver; no learning rate; shows its time t" },
  als: { about: "Alternating least squares on W = U Vᵀ of a fixed rank k (ignores the penalty): no learning rate; depth 1 only" },
  soft_impute: { about: "SoftImpute: fill the unseen entries with the current guess, then shrink every singular value by τ; no learning rate; depth 1 only" },
};

/** How hyper-parameters are called on the page. */
const HYPER_NAMES = {
  beta1: "β₁", beta2: "β₂", eps: "eps", weight_decay: "weight decay", bias_correction: "bias correction",
  alpha: "α", momentum: "momentum", momentum_decay: "momentum decay", damping: "damping", max_cg: "CG steps ≤",
  rtol: "rtol", atol: "atol", rank: "rank k", ridge: "ridge", threshold: "threshold τ",
};

const RULES = {
  gd: { lines: ["w ← w − η g"], source: "torch.optim.SGD" },
  momentum: { lines: ["b ← μ b + g", "w ← w − η b"], source: "torch.optim.SGD(momentum=μ, dampening=0), heavy ball" },
  nesterov: { lines: ["b ← μ b + g", "w ← w − η (g + μ b)"], source: "torch.optim.SGD(momentum=μ, nesterov=True)" },
  adagrad: { lines: ["s ← s + g^{2}", "w ← w − frac{η g}{sqrt{s} + ε}"], source: "torch.optim.Adagrad; Duchi, Hazan & Singer 2011" },
  rmsprop: { lines: ["v ← α v + (1 − α) g^{2}", "w ← w − frac{η g}{sqrt{v} + ε}"], source: "torch.optim.RMSprop; Tieleman & Hinton 2012" },
  adam: {
    lines: ["m ← β_{1} m + (1 − β_{1}) g", "v ← β_{2} v + (1 − β_{2}) g^{2}", "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v} / sqrt{1 − β_{2}^{t}} + ε}"],
    source: "torch.optim.Adam; Kingma & Ba 2015, Algorithm 1",
  },
  adamw: { lines: ["w ← w (1 − η λ)", "then Adam's step"], source: "torch.optim.AdamW; Loshchilov & Hutter 2019" },
  amsgrad: {
    lines: ["v̄ ← max(v̄, v)", "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v̄} / sqrt{1 − β_{2}^{t}} + ε}"],
    source: "torch.optim.Adam(amsgrad=True); Reddi, Kale & Kumar 2018",
  },
  nadam: {
    lines: ["μ_{t} = β_{1} (1 − 0.5 · 0.96^{t ψ})", "w ← w − frac{η (1 − μ_{t})}{1 − Π_{t}} frac{g}{d} − frac{η μ_{t+1}}{1 − Π_{t} μ_{t+1}} frac{m}{d}"],
    source: "torch.optim.NAdam; Dozat 2016",
  },
  group_rmsprop: { lines: ["v ← α v + (1 − α) ‖g‖^{2}", "w ← w − frac{η g}{sqrt{v / (1 − α^{t})} + ε}"], source: "control experiment (GD's direction, adaptive length)" },
  newton: { lines: ["(∇^{2}f(W) + μ I) d = − ∇f(W)", "W ← W + d if f decreases"], source: "Nocedal & Wright 2006, §7.1 (Newton–CG), §10.3 (Levenberg–Marquardt)" },
  gradient_flow: { lines: ["frac{dW}{dt} = − ∇f(W)"], source: "Dormand & Prince 1980 (Dormand–Prince 5(4))" },
  als: { lines: ["W = U V^{T}", "each row of U, then V: ridge regression on its seen entries"], source: "Hastie et al. 2015, Matrix completion and low-rank SVD via fast ALS" },
  soft_impute: { lines: ["W ← S_{τ}(P_{Ω}(Y) + P_{Ω^{c}}(W))"], source: "Mazumder, Hastie & Tibshirani 2010, Algorithm 1" },
};

const PREFERRED_SLOT = { adam: 0, rmsprop: 1, adagrad: 2, gd: 3, momentum: 4, nesterov: 5, adamw: 6, amsgrad: 7 };

/** Each entry of the parsed Lab.methods() with about, rule, colour_slot and hyper filled in where missing. */
export function withLegacyMeta(methods) {
  return methods.map((m) => ({
    ...m,
    about: m.about ?? METHOD_INFO[m.name]?.about,
    rule: m.rule ?? RULES[m.name],
    colour_slot: m.colour_slot !== undefined ? m.colour_slot : PREFERRED_SLOT[m.name] ?? null,
    hyper: m.hyper ?? Object.keys(m.config ?? {}).filter((k) => k !== "name" && k !== "learning_rate")
      .map((k) => ({ name: k, label: HYPER_NAMES[k] ?? k.replace(/_/g, " "), default: m.config[k] })),
  }));
}
