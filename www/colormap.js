// Colour tables shared by every view.
//
// Heatmaps use a diverging map centred on 0 (ColorBrewer RdBu, reversed so that negative is
// blue and positive is red), which stays readable for the common forms of colour blindness.
// Runs use the Okabe–Ito qualitative palette, one colour per optimizer, the same in every plot.

/** ColorBrewer RdBu (11 classes), from most negative (blue) to most positive (red). */
const RDBU = [
  "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
  "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f",
];

/** Number of entries in the precomputed diverging table. */
export const TABLE_SIZE = 256;

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Packs r, g, b (and opaque alpha) the way a Uint32Array view over ImageData expects. */
export function packRgb(r, g, b) {
  return littleEndian
    ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** The diverging table: TABLE_SIZE packed colours, index 0 = −scale, last = +scale. */
export const DIVERGING = (() => {
  const stops = RDBU.map(hexToRgb);
  const table = new Uint32Array(TABLE_SIZE);
  const css = new Array(TABLE_SIZE);
  for (let k = 0; k < TABLE_SIZE; k++) {
    const t = (k / (TABLE_SIZE - 1)) * (stops.length - 1);
    const a = Math.min(Math.floor(t), stops.length - 2);
    const f = t - a;
    const rgb = [0, 1, 2].map((c) => Math.round(stops[a][c] * (1 - f) + stops[a + 1][c] * f));
    table[k] = packRgb(rgb[0], rgb[1], rgb[2]);
    css[k] = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
  }
  table.css = css;
  return table;
})();

/** Colour for entries that are not finite. */
export const NAN_COLOUR = packRgb(40, 40, 40);

/** Index into DIVERGING for value v on a symmetric scale [−scale, +scale] (clamped). */
export function divergingIndex(v, scale) {
  const t = (v / scale + 1) * 0.5 * (TABLE_SIZE - 1);
  if (!(t > 0)) return 0; // also catches NaN; callers test finiteness first
  return t >= TABLE_SIZE - 1 ? TABLE_SIZE - 1 : Math.round(t);
}

/**
 * Run colours: the Okabe–Ito palette without its yellow (too faint on white), then Paul Tol's
 * olive, eight colours that stay apart for the common forms of colour blindness. Ordered so
 * that the default runs (adam, rmsprop, adagrad, gd, momentum, nesterov) get warm colours for
 * the adaptive methods and cool ones for the gradient-descent family.
 */
export const RUN_COLOURS = ["#D55E00", "#CC79A7", "#E69F00", "#0072B2", "#56B4E9", "#009E73", "#000000", "#999933"];

/** Most runs a config may have (the core's limit). */
export const MAX_RUNS = 16;

function wrap(i) {
  const n = RUN_COLOURS.length;
  return ((i % n) + n) % n;
}

/** Colour of colour slot i; cycles past the eighth run (the dash and marker then differ). */
export function runColour(i) {
  return RUN_COLOURS[wrap(i)];
}

/**
 * The dashes of the methods whose lines often lie on top of each other: the classical family's
 * (GD, Momentum and Nesterov at small rates all stay near 1), after its first, so that a hidden
 * line still shows through.
 */
const OVERLAP_DASHES = [[9, 5], [2, 4], [1, 3]];

/**
 * Dash pattern of slot i: solid for the first eight, then dashed, so lines differ by more than
 * colour; `overlap` (the method's place in the family whose lines overlap, catalog.overlap(name):
 * 1, 2, …) gives it its own dash.
 */
export function runDash(i, overlap = 0) {
  if (overlap > 0) return OVERLAP_DASHES[(overlap - 1) % OVERLAP_DASHES.length];
  return i < RUN_COLOURS.length ? [] : [7, 4];
}

/** Marker of slot i (the end of a line, the dots of the sensitivity plot): circles, then squares. */
export function runMarker(i) {
  return i < RUN_COLOURS.length ? "circle" : "square";
}

/**
 * Slots for the other methods and for copies, least used by the common methods first; black (slot
 * 6, the colour of the axes, the text and the PCA's "start") last, so that a copy (a second Adam)
 * does not look like ink.
 */
const FALLBACK_SLOTS = [7, 2, 5, 4, 1, 3, 0, 6];

/**
 * Colour slots for runs of the given methods: `fixed[i]` (a run that keeps its colour) where
 * given; then the method's own slot (`slotOf(name)`: the catalog's colour_slot, so that a method
 * keeps its colour from one experiment to the next) if no run has it; then the first free slot
 * in FALLBACK_SLOTS (past the eighth, colours repeat with dashes).
 * @param {string[]} names method of each run
 * @param {(number|null|undefined)[]} [fixed] slots to keep
 * @param {(name: string) => number|undefined} [slotOf] each method's own slot
 * @returns {number[]}
 */
export function assignSlots(names, fixed = [], slotOf = () => undefined) {
  const slots = names.map((_, i) => (Number.isInteger(fixed[i]) ? fixed[i] : null));
  const used = new Set(slots.filter((s) => s !== null));
  names.forEach((name, i) => {
    const s = slotOf(name);
    if (slots[i] === null && Number.isInteger(s) && !used.has(s)) {
      slots[i] = s;
      used.add(s);
    }
  });
  names.forEach((_, i) => {
    if (slots[i] !== null) return;
    let s = FALLBACK_SLOTS.find((f) => !used.has(f));
    if (s === undefined) {
      s = RUN_COLOURS.length;
      while (used.has(s)) s++;
    }
    slots[i] = s;
    used.add(s);
  });
  return slots;
}
