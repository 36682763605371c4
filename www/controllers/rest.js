// Resting when unseen: a lab in a hidden tab (visibilitychange), or a framed lab scrolled off
// its parent's screen (IntersectionObserver), takes no steps, and goes on when it is shown again
// (a post with six figures does not run six sets of workers at once). The full page itself does
// not rest when scrolled (the race plays on while the reader looks at the sweep).

import { rest } from "./loop.js";

/** Starts watching; `framed`: the page is in a frame, so its place on the parent's screen counts too. */
export function initRest({ framed }) {
  let hidden = document.visibilityState === "hidden";
  // A frame rests until the observer's first report says it is on screen (no steps before).
  let offScreen = framed && typeof IntersectionObserver === "function";
  const update = () => rest(hidden || offScreen);
  document.addEventListener("visibilitychange", () => {
    hidden = document.visibilityState === "hidden";
    update();
  });
  if (framed && typeof IntersectionObserver === "function") {
    // With no root, a frame's elements are measured against the top page's viewport.
    new IntersectionObserver((entries) => {
      offScreen = !entries[entries.length - 1].isIntersecting;
      update();
    }).observe(document.documentElement);
  }
  update();
}
