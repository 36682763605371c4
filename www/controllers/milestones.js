// What changed in the race, from the frames drawn: a run diverged, a run found W* (test error
// below 0.05), the race stopped. Said in words in the polite live region (#live-summary, for
// screen readers: only the runs on screen) and told to those who follow (embed.js's events).

import { FOUND, milestones, milestoneSentence } from "../captions.js";
import { store } from "../store.js";
import { ui } from "./ui.js";
import { onLoop, remainingSteps } from "./loop.js";

const $ = (id) => document.getElementById(id);

const seen = new Set(); // what was said about this experiment
const said = []; // and in which words (window.__mcpSaid, for the tests)
const followers = [];

/** fn(milestone, runs) after each new milestone ({kind, label?, step}: captions.js milestones). */
export function onMilestone(fn) {
  followers.push(fn);
}

/** The runs that are on, as the frame `frame` shows them. */
export function runsOnScreen(frame) {
  return ui.runs.filter((run) => store.enabled[run.index] && frame[run.index]).map((run) => {
    const { metrics: m, h, len } = frame[run.index];
    let firstBelow = null;
    if (h?.test_error && h.step) {
      for (let k = 0; k < len; k++) if (h.test_error[k] < FOUND) { firstBelow = h.step[k]; break; }
    }
    return { key: run.index, label: run.label, step: m.step, test: m.test_error, diverged: m.diverged_at, firstBelow };
  });
}

export function initMilestones() {
  const region = $("live-summary");
  window.__mcpSaid = said;
  const forget = () => {
    seen.clear();
    said.length = 0;
    region.textContent = "";
  };
  store.subscribe((kind) => {
    if (kind === "reset") forget();
  });
  onLoop("rewound", forget);
  onLoop("frame", (frame) => {
    if (!frame) return;
    const runs = runsOnScreen(frame);
    const news = milestones(seen, runs, remainingSteps() <= 0);
    if (!news.length) return;
    const words = news.map((m) => milestoneSentence(m, runs));
    said.push(...words);
    region.textContent = words.join(" ");
    for (const m of news) for (const fn of followers) fn(m, runs);
  });
}
