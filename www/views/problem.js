// The problem as the page states it: the header's sentences (size, seen entries, rank, start)
// and W*'s panel (its heatmap with the seen entries, Y beside it when noisy, its singular values
// and figures). Drawn once per problem, from what it is given.

import { Heatmap, ColourBar } from "./heatmap.js";
import { SingularValueBars } from "./bars.js";
import { formatFigure, formatNumber } from "./axes.js";

const $ = (id) => document.getElementById(id);

function fill(key, text) {
  for (const el of document.querySelectorAll(`[data-fill="${key}"]`)) el.textContent = text;
}

function startPhrase(model) {
  const depth = model?.depth ?? 1;
  const net = depth > 1 ? ` (W is a product of ${depth} matrices, a deep linear network)` : "";
  switch (model?.init) {
    case "gaussian": return `the same small random matrix${net}`;
    case "identity": return `the same small multiple of the identity${net}`;
    case "orthogonal": return `the same small product of orthogonal matrices${net}`;
    default: return `the same guess (the seen entries, zeros elsewhere)${net}`;
  }
}

function round(v, digits) {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Roy & Vetterli's effective rank: exp of the entropy of the normalised singular values. */
export function effectiveRank(sv) {
  let sum = 0;
  for (const s of sv) if (s > 0) sum += s;
  if (!(sum > 0)) return 0;
  let h = 0;
  for (const s of sv) {
    if (!(s > 0)) continue;
    const p = s / sum;
    h -= p * Math.log(p);
  }
  return Math.exp(h);
}

export class ProblemView {
  constructor() {
    this.truthHeatmap = new Heatmap($("truth-heatmap-slot"), { label: "Heatmap of W*", testid: "truth-heatmap" });
    this.truthHeatmap.canvas.id = "truth-heatmap";
    this.truthBar = new ColourBar($("truth-heatmap-slot"));
    this.yHeatmap = new Heatmap($("truth-y-slot"), {
      label: "Heatmap of Y, the seen values (W* plus noise), grey where unseen",
      testid: "observations-heatmap",
    });
    this.yHeatmap.canvas.id = "observations-heatmap";
    this.truthBars = new SingularValueBars($("truth-bars-slot"), {
      colour: "#9a9a9a",
      label: "Singular values of W*, log scale",
    });
  }

  /**
   * Shows problem `p`: {rows, cols, rank, observed, own (your data), config, truth, observations,
   * mask, known, unknownCount, scale, truthSv}; `dots`: the seen entries marked. Returns W*'s
   * effective rank.
   */
  show(p, dots) {
    const { rows, cols, rank, observed, own, scale } = p;
    const cells = rows * cols;
    const erank = effectiveRank(p.truthSv);
    // The problem's figures, in the header and the truth panel.
    fill("size", `${rows} × ${cols}`);
    const all = observed >= cells;
    fill("seen-phrase", all
      ? `we see all ${cells} of its entries (the dots), so nothing is left to fill in and the test error is n/a`
      : `we see only ${observed} of its ${cells} entries (the dots)`);
    fill("fill-phrase", all ? "" : ", so the rest can in principle be filled in");
    // Your own matrix (a CSV or a picture) has no rank the page knows: `rank` is then only the
    // config's default, so say nothing of it.
    fill(
      "rank-phrase",
      own ? "your matrix: the loss assumes it is close to low rank"
        : rank === 1 ? "rank 1: each row is a multiple of one pattern" : `rank ${rank}: each row mixes the same ${rank} patterns`,
    );
    fill("start-phrase", startPhrase(p.config.model));
    fill("truth-erank", formatNumber(round(erank, 2)));
    $("truth-rank").textContent = own ? "–" : String(rank);
    $("truth-erank").textContent = formatNumber(round(erank, 2));
    // Your data with unknown cells: its singular values (and effective rank) are those of the
    // matrix with those cells at 0, not of a completion.
    $("truth-bars-label").textContent = p.unknownCount
      ? "singular values (log) with the unknown cells at 0, ▬ in each panel"
      : "singular values (log), ▬ in each panel";
    $("truth-erank").title = p.unknownCount ? "of the matrix with its unknown cells at 0" : "";
    $("truth-observed").textContent = all ? `all ${cells} (no test entries)` : `${observed} of ${cells}`;
    document.body.dataset.allObserved = String(all);
    $("truth-scale").textContent = formatNumber(scale);
    const truthPanel = $("truth-panel");
    truthPanel.dataset.rows = String(rows);
    truthPanel.dataset.cols = String(cols);
    truthPanel.dataset.observed = String(observed);

    this.truthHeatmap.setProblem(rows, cols, scale, p.mask, p.known);
    this.truthHeatmap.setOverlayVisible(dots);
    this.truthHeatmap.draw(p.truth);
    this.truthBar.setScale(scale);
    this.truthBars.setProblem(p.truthSv);
    this.truthBars.draw(p.truthSv);

    // Noise: Y differs from W* on Ω; show Y beside W* and how far apart they are.
    const noise = p.config.problem?.noise ?? 0;
    const noisy = noise > 0;
    $("truth-y").hidden = !noisy;
    $("truth-noise-row").hidden = !noisy;
    truthPanel.dataset.noise = String(noise);
    if (noisy) {
      this.yHeatmap.setProblem(rows, cols, scale, null);
      this.yHeatmap.setOnly(p.mask);
      this.yHeatmap.draw(p.observations);
      let num = 0;
      let den = 0;
      let denY = 0;
      for (let k = 0; k < cells; k++) {
        if (!p.mask[k]) continue;
        num += (p.observations[k] - p.truth[k]) ** 2;
        den += p.truth[k] ** 2;
        denY += p.observations[k] ** 2;
      }
      $("truth-noise").textContent = den > 0 ? formatFigure(Math.sqrt(num / den)) : "–";
      // W*'s own train error (‖W* − Y‖ over ‖Y‖ on Ω): a run below it fits the noise.
      this.truthTrain = denY > 0 ? Math.sqrt(num / denY) : 0;
    } else this.truthTrain = 0;
    truthPanel.dataset.truthTrain = String(this.truthTrain);
    return erank;
  }
}
