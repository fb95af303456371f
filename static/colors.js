// colors.js — one fixed colour and one shape a service category, shared by map
// markers, the legend and the lists. The nine colours are Paul Tol's "muted"
// qualitative scheme, chosen to stay distinct for the common kinds of colour
// blindness; the shapes tell the categories apart without colour at all (a meal point
// is a round bowl, a citizen station a square, an activity room a triangle); every
// marker and swatch also has a dark outline so light colours keep 3:1 contrast
// against the pale map.

/** CATEGORY_COLORS maps a category id to its fill colour. */
export const CATEGORY_COLORS = {
  meal_point: '#CC6677', // rose
  elderly_centre: '#332288', // indigo
  day_care: '#DDCC77', // sand
  nursing_home: '#117733', // green
  citizen_station: '#88CCEE', // cyan
  activity_room: '#882255', // wine
  service_centre: '#44AA99', // teal
  health: '#999933', // olive
  culture: '#AA4499', // purple
};

/** CATEGORY_SHAPES maps a category id to its marker's shape (shapePath). */
export const CATEGORY_SHAPES = {
  meal_point: 'circle',
  elderly_centre: 'star',
  day_care: 'diamond',
  nursing_home: 'house',
  citizen_station: 'square',
  activity_room: 'triangle',
  service_centre: 'hexagon',
  health: 'cross',
  culture: 'triangle-down',
};

/** categoryShape returns the shape of a category id, a circle for an unknown one. */
export function categoryShape(id) {
  return CATEGORY_SHAPES[id] || 'circle';
}

// SHAPE_POINTS are the shapes other than the circle as polygons around (0, 0) with
// radius 1, y down; each is scaled so its area is close to the circle's, so no
// category looks more important than another by size.
const SHAPE_POINTS = {
  square: [[-0.89, -0.89], [0.89, -0.89], [0.89, 0.89], [-0.89, 0.89]],
  diamond: [[0, -1.25], [1.25, 0], [0, 1.25], [-1.25, 0]],
  triangle: [[0, -1.3], [1.2, 0.8], [-1.2, 0.8]],
  'triangle-down': [[0, 1.3], [1.2, -0.8], [-1.2, -0.8]],
  hexagon: [0, 1, 2, 3, 4, 5].map((i) => [1.1 * Math.cos((i * Math.PI) / 3), 1.1 * Math.sin((i * Math.PI) / 3)]),
  star: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => {
    const r = i % 2 ? 0.6 : 1.35;
    const a = (i * Math.PI) / 5 - Math.PI / 2;
    return [r * Math.cos(a), r * Math.sin(a)];
  }),
  house: [[0, -1.25], [1.05, -0.3], [1.05, 1], [-1.05, 1], [-1.05, -0.3]],
  cross: [[-0.4, -1.15], [0.4, -1.15], [0.4, -0.4], [1.15, -0.4], [1.15, 0.4], [0.4, 0.4], [0.4, 1.15], [-0.4, 1.15], [-0.4, 0.4], [-1.15, 0.4], [-1.15, -0.4], [-0.4, -0.4]],
};

/**
 * shapePath returns the SVG path data of a shape of radius r (pixels) centred on
 * (x, y): the marker's path on the map and the swatch's in legends, so they match.
 */
export function shapePath(shape, x, y, r) {
  const pts = SHAPE_POINTS[shape];
  if (!pts) {
    const d = 2 * r;
    return `M${x - r},${y}a${r},${r} 0 1,0 ${d},0 a${r},${r} 0 1,0 ${-d},0`;
  }
  return `${pts.map(([px, py], i) => `${i ? 'L' : 'M'}${(x + px * r).toFixed(1)},${(y + py * r).toFixed(1)}`).join('')}z`;
}

/** OUTLINE is the stroke drawn around every marker and swatch. */
export const OUTLINE = '#1b1b1b';

/** categoryColor returns the colour of a category id, grey for an unknown one. */
export function categoryColor(id) {
  return CATEGORY_COLORS[id] || '#777777';
}

/** SVG_NS is the namespace SVG elements are created in. */
export const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * swatchFrame returns an empty 24 px SVG for a legend or list swatch. It is
 * decorative (aria-hidden): a name always stands beside it.
 */
export function swatchFrame() {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('swatch');
  return svg;
}

/**
 * swatch returns a small SVG of a category's marker, its shape in its colour, for
 * legends and lists (origin: the starting point's ringed dot instead). Colours are
 * SVG presentation attributes, not style attributes, so the strict CSP allows them.
 */
export function swatch(id, { origin = false } = {}) {
  const svg = swatchFrame();
  const shape = origin ? 'circle' : categoryShape(id);
  const p = document.createElementNS(SVG_NS, 'path');
  p.setAttribute('d', shapePath(shape, 12, 12, 8));
  p.setAttribute('fill', origin ? '#ffffff' : categoryColor(id));
  p.setAttribute('stroke', OUTLINE);
  p.setAttribute('stroke-width', origin ? '4' : '2');
  p.setAttribute('stroke-linejoin', 'round');
  p.dataset.shape = shape;
  svg.append(p);
  return svg;
}

/** METRO_COLOUR is a metro station's fill on the map, Shanghai Metro's red. */
export const METRO_COLOUR = '#c8102e';

/** stationSwatch is the map's metro station symbol, a red square edged in white, for the legend. */
export function stationSwatch() {
  const svg = swatchFrame();
  const p = document.createElementNS(SVG_NS, 'path');
  p.setAttribute('d', shapePath('square', 12, 12, 9));
  p.setAttribute('fill', METRO_COLOUR);
  p.setAttribute('stroke', OUTLINE);
  p.setAttribute('stroke-width', '1.5');
  svg.append(p);
  return svg;
}
