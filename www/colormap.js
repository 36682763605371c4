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

/** Okabe–Ito palette without yellow (too faint on white), in the order runs are coloured. */
// Ordered so that the default runs (adam, rmsprop, adagrad, gd, momentum, nesterov) get warm
// colours for the adaptive methods and cool ones for the gradient-descent family.
const OKABE_ITO = ["#D55E00", "#CC79A7", "#E69F00", "#0072B2", "#56B4E9", "#009E73", "#000000"];

/** Colour of run i (config order); cycles if there are more runs than colours. */
export function runColour(i) {
  return OKABE_ITO[((i % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length];
}

/** Dash pattern of run i, so that lines differ by more than colour alone when runs exceed colours. */
export function runDash(i) {
  return i < OKABE_ITO.length ? [] : [6, 3];
}
