// A live figure of the essay: the playground in a frame (index.html?embed=1&controls=0&autoplay=0
// and the experiment in the hash), driven through its postMessage API (docs/embed.md). The frame
// answers one message at a time, in order, so the replies are matched to the requests in order.

const TYPE = "mc-playground";
/** The actions of the frame's replies to requests (docs/embed.md). */
const REPLIES = new Set(["ok", "error", "metrics"]);

export class LabFrame {
  /**
   * @param {HTMLElement} parent where the frame goes
   * @param {string} hash the experiment (url.js's link format, without "#")
   * @param {string} title what the frame shows, for assistive technology
   */
  constructor(parent, hash, title) {
    this.waiting = [];
    this.frame = document.createElement("iframe");
    this.frame.className = "story-frame";
    this.frame.title = title;
    this.frame.src = `index.html?embed=1&controls=0&autoplay=0#${hash}`;
    this.loaded = new Promise((resolve) => this.frame.addEventListener("load", resolve, { once: true }));
    this.onMessage = (event) => {
      // Replies only (ok, error, metrics), in the order of the requests; the events the frame
      // pushes by itself (ready, step, diverged, finished, resize: docs/embed.md) are not replies.
      if (event.source !== this.frame.contentWindow || event.data?.type !== TYPE || !REPLIES.has(event.data.action)) return;
      const next = this.waiting.shift();
      if (next) next(event.data);
    };
    window.addEventListener("message", this.onMessage);
    parent.prepend(this.frame);
  }

  /** Sends {action, ...extra} once the frame has loaded; resolves with its reply. */
  async ask(action, extra = {}) {
    await this.loaded;
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.frame.contentWindow.postMessage({ type: TYPE, action, ...extra }, location.origin);
    });
  }

  /**
   * Takes `steps` steps (in requests of at most 10000, the API's limit), then returns the
   * frame's metrics: {runs: [{name, label, step, test_error, …}]}.
   */
  async run(steps) {
    this.running = true;
    try {
      for (let left = steps; left > 0; left -= 10000) {
        const reply = await this.ask("step", { steps: Math.min(left, 10000) });
        if (reply.action === "error") throw new Error(reply.error);
      }
      return await this.ask("get-metrics");
    } finally {
      this.running = false;
    }
  }

  /** Pauses the frame if the reader made it play (a run of ours is left to finish). */
  rest() {
    if (!this.running) this.ask("pause");
  }
}
