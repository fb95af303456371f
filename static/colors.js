// colors.js — one fixed colour a service category, shared by map markers, the legend
// and the lists. The nine colours are Paul Tol's "muted" qualitative scheme, chosen to
// stay distinct for the common kinds of colour blindness; every marker and swatch also
// has a dark outline so light colours keep 3:1 contrast against the pale map.

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
 * swatch returns a small SVG dot in a category's colour for legends and lists.
 * Colours are SVG presentation attributes, not style attributes, so the strict CSP
 * allows them.
 */
export function swatch(id, { origin = false } = {}) {
  const svg = swatchFrame();
  const c = document.createElementNS(SVG_NS, 'circle');
  c.setAttribute('cx', '12');
  c.setAttribute('cy', '12');
  c.setAttribute('r', origin ? '8' : '9');
  c.setAttribute('fill', origin ? '#ffffff' : categoryColor(id));
  c.setAttribute('stroke', OUTLINE);
  c.setAttribute('stroke-width', origin ? '4' : '2');
  svg.append(c);
  return svg;
}
