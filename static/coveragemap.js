// coveragemap.js — the office dashboard's map, built on the resident page's
// FinderMap (street, roads, areas, zoom, keyboard picking): each residential area is
// coloured by its share within the circle, the what-if site and the areas it would
// change are marked, and suggested sites appear as numbered markers. Everything
// drawn from data goes in as DOM nodes or text, never as HTML strings.

import { OUTLINE, SVG_NS, swatchFrame } from './colors.js';
import { t } from './i18n.js';
import { FinderMap, pointMarker } from './map.js';
import { el } from './render.js';

/** HATCH_ID names the SVG pattern that fills areas with nobody inside the circle. */
export const HATCH_ID = 'share-none-hatch';

/**
 * SHARE_CLASSES are the colour classes of an area's share within the circle: 0 %
 * hatched (unlike any colour, so it stays distinct in print and for every kind of
 * colour vision), then ColorBrewer's sequential YlGnBu in five classes, light to dark
 * as the share grows (Brewer, colorbrewer2.org, marked colour-blind safe). Full (100 %)
 * is its own class, the darkest.
 */
export const SHARE_CLASSES = [
  { key: 'none', fill: `url(#${HATCH_ID})`, label: 'classNone' },
  { key: 'c1', fill: '#ffffcc', label: 'class1' },
  { key: 'c2', fill: '#a1dab4', label: 'class2' },
  { key: 'c3', fill: '#41b6c4', label: 'class3' },
  { key: 'c4', fill: '#2c7fb8', label: 'class4' },
  { key: 'full', fill: '#253494', label: 'classFull' },
];

/** shareClass returns the index in SHARE_CLASSES of a share from 0 to 1. */
export function shareClass(share) {
  if (!(share > 0)) return 0;
  if (share >= 1) return 5;
  return 1 + Math.min(3, Math.floor(share * 4));
}

/**
 * ensureHatch puts the hatch pattern in the document once, in a zero-size SVG, so
 * the map's areas and every swatch can fill with url(#share-none-hatch).
 */
export function ensureHatch() {
  if (document.getElementById(HATCH_ID)) return;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'svg-defs');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const pattern = document.createElementNS(SVG_NS, 'pattern');
  pattern.setAttribute('id', HATCH_ID);
  pattern.setAttribute('patternUnits', 'userSpaceOnUse');
  pattern.setAttribute('width', '8');
  pattern.setAttribute('height', '8');
  pattern.setAttribute('patternTransform', 'rotate(45)');
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '8');
  bg.setAttribute('height', '8');
  bg.setAttribute('fill', '#ffffff');
  const line = document.createElementNS(SVG_NS, 'rect');
  line.setAttribute('width', '3');
  line.setAttribute('height', '8');
  line.setAttribute('fill', '#6b1d1d');
  pattern.append(bg, line);
  const defs = document.createElementNS(SVG_NS, 'defs');
  defs.append(pattern);
  svg.append(defs);
  document.body.append(svg);
}

/** shareSwatch returns a small decorative square in the colour of a share class. */
export function shareSwatch(classIndex) {
  const svg = swatchFrame();
  const r = document.createElementNS(SVG_NS, 'rect');
  r.setAttribute('x', '2');
  r.setAttribute('y', '2');
  r.setAttribute('width', '20');
  r.setAttribute('height', '20');
  r.setAttribute('fill', SHARE_CLASSES[classIndex].fill);
  r.setAttribute('stroke', OUTLINE);
  r.setAttribute('stroke-width', '2');
  svg.append(r);
  return svg;
}

const AREA_STYLE = { color: '#333333', weight: 1.5, fillOpacity: 0.85, dashArray: null };
const CHANGED_STYLE = { color: '#000000', weight: 5, dashArray: '8 5' };

/** CoverageMap is the dashboard's map. onPick({lon, lat}) runs for a chosen point, onSite(site) for a suggestion. */
export class CoverageMap {
  constructor(container, { onPick, onSite }) {
    ensureHatch();
    this.finder = new FinderMap(container, { onPick });
    this.L = this.finder.L;
    this.map = this.finder.map;
    this.container = container;
    this.onSite = onSite;
    this.classes = new Map(); // area id → share class
    this.changed = new Set();
    this.siteLayer = this.L.layerGroup().addTo(this.map);
    this.suggestLayer = this.L.layerGroup().addTo(this.map);
  }

  /** setMeta, drawStreet: as FinderMap. */
  setMeta(meta) {
    this.finder.setMeta(meta);
  }

  drawStreet(fc) {
    this.finder.drawStreet(fc);
  }

  /** drawAreas draws the areas; describe(id) gives the text of an area's tooltip. */
  drawAreas(fc, describe) {
    this.finder.drawAreas(fc);
    for (const [id, layer] of this.finder.areaLayers) {
      layer.unbindTooltip();
      layer.bindTooltip(() => el('span', {}, describe(id)), { sticky: true, className: 'label label-area' });
    }
  }

  /** colour fills each area by the share class of shareById (area id → 0..1). */
  colour(shareById) {
    for (const [id, layer] of this.finder.areaLayers) {
      const cls = shareClass(shareById.get(id));
      this.classes.set(id, cls);
      this.styleArea(id, layer);
    }
    this.container.dataset.coloured = String(this.classes.size);
  }

  styleArea(id, layer) {
    const cls = this.classes.get(id) ?? 0;
    const style = { ...AREA_STYLE, fillColor: SHARE_CLASSES[cls].fill, ...(this.changed.has(id) ? CHANGED_STYLE : {}) };
    layer.setStyle(style);
    layer.eachLayer((path) => {
      const node = path.getElement && path.getElement();
      if (!node) return;
      node.setAttribute('data-share-class', SHARE_CLASSES[cls].key);
      node.classList.toggle('area-changed', this.changed.has(id));
    });
  }

  /** markChanged outlines the areas (ids) a what-if would change; none clears. */
  markChanged(ids = []) {
    this.changed = new Set(ids.map(String));
    for (const [id, layer] of this.finder.areaLayers) this.styleArea(id, layer);
  }

  /** showSite marks a what-if site. */
  showSite(lon, lat) {
    this.siteLayer.clearLayers();
    pointMarker(this.L, [lat, lon], { label: t('whatIfHere'), className: 'whatif-marker', radius: 12, color: '#000000', fill: '#ffd83d' })
      .addTo(this.siteLayer);
    this.finder.labels.schedule(); // the names step aside for the site
  }

  clearSite() {
    this.siteLayer.clearLayers();
    this.markChanged([]);
  }

  /**
   * showSuggestions puts numbered markers at the sites, and with fit brings them all
   * into view; choosing one calls onSite(site, number).
   */
  showSuggestions(sites, { fit = true } = {}) {
    const L = this.L;
    this.suggestLayer.clearLayers();
    sites.forEach((site, i) => {
      const n = i + 1;
      const icon = L.divIcon({ className: 'site-marker', html: el('span', {}, String(n)), iconSize: [40, 40], iconAnchor: [20, 20] });
      const m = L.marker([site.lat, site.lon], { icon, title: t('siteMarker', { n }), alt: t('siteMarker', { n }), keyboard: true, riseOnHover: true });
      m.on('click', () => this.onSite(site, n));
      m.on('add', () => {
        const node = m.getElement();
        if (node) node.setAttribute('data-site', String(n));
      });
      m.addTo(this.suggestLayer);
    });
    this.container.dataset.sites = String(sites.length);
    this.finder.labels.schedule();
    if (fit && sites.length) {
      const bounds = L.latLngBounds(sites.map((s) => [s.lat, s.lon]));
      if (this.finder.bounds) bounds.extend(this.finder.bounds);
      this.map.fitBounds(bounds, { padding: [24, 24] });
    }
  }

  clearSuggestions() {
    this.suggestLayer.clearLayers();
    delete this.container.dataset.sites;
  }

  /** relabel updates the map's controls and label after a language switch. */
  relabel() {
    this.finder.relabel();
  }

  /** fit shows the whole street (after the page or the printout changes size). */
  fit() {
    this.finder.resize();
    if (this.finder.bounds) this.map.fitBounds(this.finder.bounds, { padding: [8, 8] });
  }
}
