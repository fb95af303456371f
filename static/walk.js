// walk.js — the walking circle (步行圈) and a service's catchment (服务范围) as the
// page shows them: the band colours shared by the map and its legends, reading the
// GeoJSON of /api/circle and /api/services/{id}/catchment, and the lists that are the
// map's non-map equivalent. DOM nodes only; text goes in as text.

import { SVG_NS, swatch, swatchFrame } from './colors.js';
import { ringArea } from './geometry.js';
import { categoryName, formatCount, formatDistance, formatMinutes, formatNumber, t } from './i18n.js';
import { el, reopensText, routeButton, serviceActions, serviceTitle, statusOf, telHref } from './render.js';

/**
 * WALK_BAND is how the bands are drawn: every band in one blue at a low opacity, the
 * smaller ones on top of the larger, so the 5-minute band (covered three times) is the
 * darkest and the 15-minute one the lightest. The edge keeps 3:1 against the map.
 */
export const WALK_BAND = { fill: '#1f5fa8', edge: '#0b3d75', opacity: 0.3 };

/**
 * BAND_DASH is each band's edge by its place among the bands, smallest first: the
 * 5-minute band solid, the 10-minute one in long dashes, the 15-minute one dotted,
 * so the bands are told apart without their shade (the map also writes their minutes
 * on their edges).
 */
export const BAND_DASH = [null, '12 6', '3 6'];

// BAND_SWATCH_DASH is BAND_DASH at a legend swatch's scale.
const BAND_SWATCH_DASH = [null, '5 3', '2 3'];

/**
 * bandOpacity is how opaque band i (0 the smallest) of n looks on the map once the
 * larger bands under it are counted: what a legend swatch must show to match.
 */
export function bandOpacity(i, n) {
  return 1 - (1 - WALK_BAND.opacity) ** (n - i);
}

/** bandSwatch is a small square in band i of n's shade and edge, for legends. */
export function bandSwatch(i, n) {
  const svg = swatchFrame();
  svg.classList.add('band-swatch');
  const r = document.createElementNS(SVG_NS, 'rect');
  for (const [k, v] of Object.entries({ x: 2, y: 2, width: 20, height: 20, rx: 3 })) r.setAttribute(k, String(v));
  r.setAttribute('fill', WALK_BAND.fill);
  r.setAttribute('fill-opacity', bandOpacity(i, n).toFixed(3));
  r.setAttribute('stroke', WALK_BAND.edge);
  r.setAttribute('stroke-width', '2');
  if (BAND_SWATCH_DASH[i]) r.setAttribute('stroke-dasharray', BAND_SWATCH_DASH[i]);
  svg.append(r);
  return svg;
}

/** MIN_HOLE_M2 is the smallest hole in a band worth drawing (see withoutSlivers). */
const MIN_HOLE_M2 = 500;

/**
 * withoutSlivers returns a band's Polygon or MultiPolygon without holes smaller than
 * MIN_HOLE_M2: the contouring grid leaves slivers a few metres across between lanes,
 * which on the map read as noise, while a block that cannot be entered (a walled
 * compound, a park) is thousands of square metres and stays. Only the drawing
 * changes; the list is the server's.
 */
export function withoutSlivers(geometry) {
  if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) return geometry;
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const first = polys.length && polys[0].length && polys[0][0].length ? polys[0][0][0] : [0, 0];
  // Square metres a square degree at this latitude (plane approximation, street scale).
  const m2 = 111320 * 111320 * Math.cos((first[1] * Math.PI) / 180);
  const kept = polys.map((rings) => [rings[0], ...rings.slice(1).filter((hole) => Math.abs(ringArea(hole)) * m2 >= MIN_HOLE_M2)]);
  return geometry.type === 'Polygon' ? { type: 'Polygon', coordinates: kept[0] } : { type: 'MultiPolygon', coordinates: kept };
}

/**
 * readWalk splits a circle or catchment FeatureCollection into its parts: props (the
 * circle feature's properties), bands ascending by minutes (the circle itself last,
 * each a feature to draw, slivers left out), and services nearest first.
 */
export function readWalk(fc) {
  const features = (fc && fc.features) || [];
  const kind = (f) => (f && f.properties && f.properties.kind) || '';
  const circle = features.find((f) => kind(f) === 'circle') || null;
  const bands = features
    .filter((f) => (kind(f) === 'circle' || kind(f) === 'band') && f.geometry)
    .map((f) => ({ minutes: Number(f.properties.minutes), feature: { ...f, geometry: withoutSlivers(f.geometry) } }))
    .sort((a, b) => a.minutes - b.minutes);
  const services = features
    .filter((f) => kind(f) === 'service')
    .map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }))
    .sort((a, b) => a.walk_minutes - b.walk_minutes);
  return { props: circle ? circle.properties : {}, bands, services };
}

/** walkLegend is the small legend "5 / 10 / 15 分钟": one shaded square a band. */
export function walkLegend(minutes) {
  const n = minutes.length;
  return el(
    'p',
    { class: 'walk-legend-row' },
    minutes.map((m, i) => el('span', { class: 'walk-legend-item', 'data-minutes': m }, bandSwatch(i, n), el('span', {}, formatNumber(m)))),
    el('span', { class: 'walk-legend-unit' }, t('legendMinutes')),
  );
}

/**
 * bandCounts returns one <li> a band: how many of the services lie within its minutes,
 * with the band's shade. It is what the bands say, for a resident without the map.
 */
export function bandCounts(walk) {
  const n = walk.bands.length;
  return walk.bands.map((b, i) =>
    el(
      'li',
      { class: 'walk-band-count', 'data-minutes': b.minutes },
      bandSwatch(i, n),
      el('span', {}, t('circleBand', { m: formatNumber(b.minutes), n: walk.services.filter((s) => s.walk_minutes <= b.minutes).length })),
    ),
  );
}

/**
 * circleRows returns one <li> a service in the circle, nearest first: its category,
 * name (with the full listing's tags when known), walking minutes and distance, whether
 * it is open, its phone, and the catchment action.
 */
export function circleRows(walk, servicesById, categoriesById) {
  return walk.services.map((found) => {
    const full = servicesById.get(String(found.id));
    const svc = full ? { ...full, distance_m: found.distance_m, walk_minutes: found.walk_minutes } : found;
    const cat = categoriesById.get(svc.category) || { id: svc.category };
    const st = full ? statusOf(full) : null;
    const reopen = st && st.cls === 'status-closed' && full.status === 'temporarily_closed' ? reopensText(full) : '';
    return el(
      'li',
      { class: 'answer-row circle-row', 'data-service': svc.id, 'data-category': svc.category, 'data-minutes': found.walk_minutes },
      el('p', { class: 'row-head' }, swatch(svc.category), el('span', {}, categoryName(cat) || svc.category)),
      serviceTitle('h3', svc),
      el(
        'p',
        { class: 'distance' },
        el('strong', { class: 'walk-minutes' }, t('walkMinutes', { min: formatMinutes(found.walk_minutes) })),
        ' · ',
        el('span', { class: 'metres' }, formatDistance(found.distance_m)),
      ),
      st ? el('p', { class: `status ${st.cls}` }, st.text, reopen ? el('span', { class: 'reopens' }, ` · ${reopen}`) : null) : null,
      full && full.phone
        ? el('p', {}, el('a', { href: telHref(full.phone), class: 'tel', 'aria-label': t('callPhone', { phone: full.phone }) }, full.phone))
        : null,
      el('p', { class: 'route-actions' }, routeButton(svc)),
      serviceActions(svc),
    );
  });
}

/** catchmentSentence is "约N位居民(其中60岁以上约M位)住在15分钟步行范围内". */
export function catchmentSentence(props) {
  return t('catchmentResidents', {
    n: formatCount(props.residents_within),
    m: formatCount(props.elderly_within),
    min: formatNumber(props.minutes),
  });
}

/** sharePercent shows a share 0–1 as a whole percentage, "<1%" for a sliver. */
export function sharePercent(share) {
  const p = Math.round(Number(share) * 100);
  if (p === 0 && share > 0) return '<1%';
  return `${p}%`;
}

/**
 * catchmentAreaRows returns one <li> a residential area a catchment reaches, in the
 * server's order (most residents within first): its name, the share of its homes
 * within reach, and the residents and older residents that share stands for.
 */
export function catchmentAreaRows(props) {
  return (props.areas || []).map((a) =>
    el(
      'li',
      { class: 'area-row', 'data-area': a.id, 'data-share': a.share_within },
      el('strong', { class: 'area-name' }, a.name || String(a.id)),
      el(
        'span',
        { class: 'area-share' },
        t('catchmentArea', { share: sharePercent(a.share_within), n: formatCount(a.residents_within), m: formatCount(a.elderly_within) }),
      ),
    ),
  );
}
