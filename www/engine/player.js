// The animation loop. JS owns it: the Player holds the requestAnimationFrame id and knows
// whether it is playing; each frame it calls `tick()`, which advances the lab and draws.

export class Player {
  /**
   * @param {() => boolean} tick called once per animation frame while playing; return false to stop.
   * @param {(playing: boolean) => void} onChange told whenever playing starts or stops.
   */
  constructor(tick, onChange = () => {}) {
    this.tick = tick;
    this.onChange = onChange;
    this.rafId = null;
    // The reader wants the page still (pause() since the last play()): a new experiment then
    // waits at its step 0 for Play. A stop() (the run length reached, a restart of the core)
    // does not count.
    this.held = false;
    // Off screen or in a hidden tab (rest()): not playing; `wake` says whether to play once shown.
    this.resting = false;
    this.wake = false;
    this.frame = this.frame.bind(this);
  }

  get playing() {
    return this.rafId !== null;
  }

  /** Plays (the reader's play: no longer held). */
  play() {
    this.held = false;
    if (this.resting) {
      this.wake = true;
      return;
    }
    if (this.playing) return;
    this.rafId = requestAnimationFrame(this.frame);
    this.onChange(true);
  }

  /** Pauses (the reader's pause: held until the next play). */
  pause() {
    this.held = true;
    this.wake = false;
    this.stop();
  }

  /**
   * Rests (`on`: unseen) or wakes: while resting nothing plays, and a play() asked meanwhile
   * waits; on waking it plays if it played when it began to rest, or was asked to since.
   */
  rest(on) {
    if (on === this.resting) return;
    if (on) {
      this.wake = this.playing;
      this.stop();
      this.resting = true;
    } else {
      this.resting = false;
      if (this.wake && !this.held) this.play();
      this.wake = false;
    }
  }

  /** Stops without holding: the next experiment plays. */
  stop() {
    if (!this.playing) return;
    cancelAnimationFrame(this.rafId);
    this.rafId = null;
    this.onChange(false);
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  frame() {
    // Ask for the next frame first so that an exception in tick() stops the loop cleanly below.
    this.rafId = requestAnimationFrame(this.frame);
    let more = false;
    try {
      more = this.tick();
    } finally {
      if (!more) this.stop();
    }
  }
}
