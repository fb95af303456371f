// maplabels.js — the names written on the street's maps (the resident page, the staff
// editor's pin map): roads along their lines, residential areas at their label points
// (/api/labels), metro stations and the street's landmarks beside their symbols, and
// the walking circle's "5分钟 / 10分钟 / 15分钟" on its bands' edges.
//
// Labels never overlap. After every move, zoom, resize and switch of mode a greedy
// pass in screen space places them most important first — band minutes, landmarks and
// stations, area names, main roads, neighbouring streets, minor roads — and leaves out
// any whose box would meet a placed one, the starting point's label or a map control.
// Sizes are in rem, so 长辈模式 makes them larger (and fewer fit). Labels are
// decorative: the pane is aria-hidden and no label takes focus; the area select, the
// lists and the answer carry the same information.

import { onModeChange } from './mode.js';

/** RANK orders the kinds of label: a lower rank is placed first and wins a collision. */
const RANK = { band: 0, landmark: 1, area: 2, main: 3, neighbour: 4, minor: 5 };

/** MIN_ZOOM is the zoom from which each kind is written (neighbours only below MAX_NEIGHBOUR_ZOOM). */
const MIN_ZOOM = { band: 0, landmark: 15, station: 13, area: 13, main: 13, neighbour: 12, minor: 16 };
const MAX_NEIGHBOUR_ZOOM = 15.5;

/** ROAD_REPEAT is how far apart, in pixels, one road's name is written twice. */
const ROAD_REPEAT = 420;

/** DATA_LANG is the language of the names in the data (roads, areas, streets), whatever the page's. */
const DATA_LANG = 'zh-Hans';

/** GAP is the clear margin kept around every label, in pixels. */
const GAP = 3;

/**
 * OBSTACLES are the map's own things labels must not cover: the starting point (or
 * the office's what-if site) and its label (map.js pointMarker), the service and
 * station symbols and the rings round the answer's services, the staff's pin and the
 * office's suggested sites, the zoom buttons, the legend and the attribution.
 */
const OBSTACLES = '.label-origin, .point-marker, .svc-marker, .station-marker, .answer-ring, .leaflet-marker-icon, .leaflet-control';

/**
 * MapLabels writes the labels of one Leaflet map into its own pane, between the
 * lines and the service markers, so a marker stays visible over a name.
 */
export class MapLabels {
  constructor(L, map) {
    this.L = L;
    this.map = map;
    this.pane = map.createPane('labelsPane');
    this.pane.style.zIndex = '600';
    this.pane.style.pointerEvents = 'none';
    this.pane.classList.add('leaflet-zoom-hide'); // hidden while a zoom animates
    this.pane.setAttribute('aria-hidden', 'true');
    // Each source of labels is kept apart, so one can be replaced alone.
    this.sources = { labels: [], neighbours: [], landmarks: [], bands: [] };
    this.nodes = new Map(); // label key → its element, reused from pass to pass
    this.frame = 0;
    const later = () => this.schedule();
    this.ready = false; // the map has a view
    map.whenReady(() => {
      this.ready = true;
      later();
    });
    map.on('zoomend moveend resize viewreset', later);
    onModeChange(later);
  }

  /** setLabels takes the GeoJSON of /api/labels: roads, areas and stations. */
  setLabels(fc) {
    const list = [];
    for (const f of (fc && fc.features) || []) {
      const p = f.properties || {};
      const g = f.geometry;
      if (!g || !p.name) continue;
      if (p.kind === 'road' && (g.type === 'MultiLineString' || g.type === 'LineString')) {
        const lines = g.type === 'LineString' ? [g.coordinates] : g.coordinates;
        list.push({ key: `road:${p.name}`, kind: p.rank === 'main' ? 'main' : 'minor', text: p.name, lang: DATA_LANG, lines: lines.map(toLatLngs) });
      } else if (p.kind === 'area' && g.type === 'Point') {
        list.push({ key: `area:${p.id}`, kind: 'area', text: p.name, lang: DATA_LANG, at: toLatLng(g.coordinates), data: { areaLabel: String(p.id) } });
      }
    }
    this.sources.labels = list;
    this.schedule();
  }

  /** setNeighbours names the neighbouring streets at [lon, lat] points: [{name, at}]. */
  setNeighbours(list) {
    this.sources.neighbours = list.map((n) => ({ key: `neighbour:${n.name}`, kind: 'neighbour', text: n.name, lang: DATA_LANG, at: toLatLng(n.at) }));
    this.schedule();
  }

  /**
   * setLandmarks writes named symbols' names beside them: [{key, text, at: [lon, lat],
   * radius (the symbol's, px), station (true for a metro station)}].
   */
  setLandmarks(list) {
    this.sources.landmarks = list.map((m) => ({
      key: `landmark:${m.key}`,
      kind: 'landmark',
      minZoom: m.station ? MIN_ZOOM.station : MIN_ZOOM.landmark,
      text: m.text,
      at: toLatLng(m.at),
      radius: m.radius || 10,
      className: m.station ? 'map-label-station' : '',
    }));
    this.schedule();
  }

  /**
   * setBands writes each band's minutes on its edge: [{minutes, text, edge: [[lon,
   * lat], …]}] (edge: the band's outer ring), or none for [].
   */
  setBands(list) {
    this.sources.bands = list.map((b) => ({ key: `band:${b.minutes}`, kind: 'band', text: b.text, edge: toLatLngs(b.edge), data: { minutes: String(b.minutes) } }));
    this.schedule();
  }

  /** schedule runs one placing pass at the next frame, however many changes come before. */
  schedule() {
    if (this.frame) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = 0;
      this.place();
    });
  }

  /** place runs the greedy pass: measure, order, keep what fits, position, hide the rest. */
  place() {
    const map = this.map;
    if (!this.ready) return; // no view yet: the first one runs a pass
    const zoom = map.getZoom();
    const size = map.getSize();
    const all = [...this.sources.bands, ...this.sources.landmarks, ...this.sources.labels, ...this.sources.neighbours];
    const wanted = all.filter((c) => wantedAt(c, zoom));

    // Write every wanted text first and read every size after, so the page lays out once.
    const used = new Set();
    for (const c of wanted) this.node(c).hidden = false;
    for (const c of wanted) {
      const n = this.nodes.get(c.key);
      c.w = n.offsetWidth;
      c.h = n.offsetHeight;
    }

    // Why a wanted label is left out (data-left): "off" the screen, or it would "cover" another.
    const left = new Map();
    const placed = this.obstacles();
    const ranked = wanted.sort((a, b) => RANK[a.kind] - RANK[b.kind]);
    const spots = [];
    for (const c of ranked) {
      left.set(c.key, 'off');
      const mine = []; // where this label is already written
      for (const spot of this.spots(c, size)) {
        if (!inside(spot.box, size)) continue;
        // A road's name again only well along it (not beside itself, nor on its other carriageway).
        if (mine.some((q) => Math.hypot(q.x - spot.x, q.y - spot.y) < ROAD_REPEAT * 0.6)) continue;
        if (placed.some((b) => meets(b, spot.box))) {
          left.set(c.key, 'cover');
          continue;
        }
        placed.push(spot.box);
        mine.push(spot);
        spots.push({ c, spot });
        used.add(c.key);
        if (c.kind !== 'main' && c.kind !== 'minor') break; // a road may be named again further along
      }
    }

    // Position the kept labels (a road named twice gets a second node).
    const shown = new Map();
    for (const { c, spot } of spots) {
      const nth = shown.get(c.key) || 0;
      shown.set(c.key, nth + 1);
      const n = nth ? this.node({ ...c, key: `${c.key}#${nth}` }) : this.nodes.get(c.key);
      used.add(n.dataset.key);
      n.hidden = false;
      const p = map.containerPointToLayerPoint([spot.x, spot.y]);
      n.style.transform = `translate(${Math.round(p.x - c.w / 2)}px, ${Math.round(p.y - c.h / 2)}px) rotate(${spot.angle.toFixed(3)}rad)`;
    }
    for (const [key, n] of this.nodes) {
      n.hidden = !used.has(key);
      if (n.hidden) n.dataset.left = left.get(key) || 'zoom';
      else delete n.dataset.left;
    }
    // For tests: how many are shown, at which zoom, and a count of passes to tell when they settle.
    const container = map.getContainer();
    container.dataset.labels = String(spots.length);
    container.dataset.zoom = String(zoom);
    container.dataset.labelPasses = String(Number(container.dataset.labelPasses || 0) + 1);
  }

  /** node returns the element of label c, made once and given c's text and classes. */
  node(c) {
    let n = this.nodes.get(c.key);
    if (!n) {
      n = document.createElement('div');
      n.dataset.key = c.key;
      this.pane.append(n);
      this.nodes.set(c.key, n);
    }
    const kind = c.kind === 'main' || c.kind === 'minor' ? `road map-label-${c.kind}` : c.kind;
    const cls = `map-label map-label-${kind}${c.className ? ` ${c.className}` : ''}`;
    if (n.className !== cls) n.className = cls;
    if (n.textContent !== c.text) n.textContent = c.text;
    if (c.lang) n.lang = c.lang;
    n.dataset.kind = c.kind;
    for (const [k, v] of Object.entries(c.data || {})) n.dataset[k] = v;
    n.style.transform = 'none'; // measured unrotated
    return n;
  }

  /** obstacles are the boxes, in container pixels, of what labels must leave clear. */
  obstacles() {
    const container = this.map.getContainer();
    const origin = container.getBoundingClientRect();
    const size = this.map.getSize();
    const boxes = [];
    for (const e of container.querySelectorAll(OBSTACLES)) {
      const r = e.getBoundingClientRect();
      const box = { x0: r.left - origin.left, y0: r.top - origin.top, x1: r.right - origin.left, y1: r.bottom - origin.top };
      if (r.width > 0 && box.x1 > 0 && box.y1 > 0 && box.x0 < size.x && box.y0 < size.y) boxes.push(box);
    }
    return boxes;
  }

  /**
   * spots lists where label c may go, best first, each {x, y, angle, box} in container
   * pixels (box: the rotated label's bounding box with its margin).
   */
  spots(c, size) {
    const map = this.map;
    const pt = (ll) => map.latLngToContainerPoint(ll);
    const flat = (x, y) => ({ x, y, angle: 0, box: boxOf(x, y, c.w, c.h, 0) });
    switch (c.kind) {
      case 'area':
      case 'neighbour': {
        // At the label point, else nudged off a symbol there: up, down, then a little
        // sideways (no further, or a small area's name would sit in its neighbour).
        const p = pt(c.at);
        const dy = c.h * 0.9;
        const dx = c.w * 0.35;
        return [flat(p.x, p.y), flat(p.x, p.y - dy), flat(p.x, p.y + dy), flat(p.x + dx, p.y), flat(p.x - dx, p.y)];
      }
      case 'landmark': {
        // Beside the symbol: right, left, below, above.
        const p = pt(c.at);
        const d = c.radius + 4;
        return [flat(p.x + d + c.w / 2, p.y), flat(p.x - d - c.w / 2, p.y), flat(p.x, p.y + d + c.h / 2), flat(p.x, p.y - d - c.h / 2)];
      }
      case 'band': {
        // Astride the band's edge at its top, else its bottom, right or left, else
        // at one of twelve points spread along it.
        const pts = c.edge.map(pt);
        if (!pts.length) return [];
        const by = (f) => pts.reduce((best, q) => (f(q) < f(best) ? q : best));
        const spread = Array.from({ length: 12 }, (_, i) => pts[Math.floor((i * pts.length) / 12)]);
        return [by((q) => q.y), by((q) => -q.y), by((q) => -q.x), by((q) => q.x), ...spread].map((q) => flat(q.x, q.y));
      }
      default:
        return roadSpots(c, size, pt);
    }
  }
}

/** wantedAt reports whether label c is written at this zoom. */
function wantedAt(c, zoom) {
  if (c.kind === 'neighbour' && zoom > MAX_NEIGHBOUR_ZOOM) return false;
  return zoom >= (c.minZoom ?? MIN_ZOOM[c.kind]);
}

/**
 * roadSpots lists where a road's name fits along its lines on screen: at the middle
 * of each piece long enough to hold it and every ROAD_REPEAT pixels from there,
 * turned along the road and never upside down, where the road is straight enough
 * over the label's length. The longest pieces come first (the server's order).
 */
function roadSpots(c, size, pt) {
  const out = [];
  const margin = c.w;
  for (const line of c.lines) {
    const pts = line.map(pt);
    // Only what is on screen: cut off pieces wholly outside the view.
    if (!pts.some((q) => q.x > -margin && q.y > -margin && q.x < size.x + margin && q.y < size.y + margin)) continue;
    const along = [0];
    for (let i = 1; i < pts.length; i++) along.push(along[i - 1] + pts[i].distanceTo(pts[i - 1]));
    const length = along[along.length - 1];
    const need = c.w + 2 * c.h;
    if (length < need) continue;
    const at = (s) => {
      let i = 1;
      while (i < along.length - 1 && along[i] < s) i++;
      const f = (s - along[i - 1]) / (along[i] - along[i - 1] || 1);
      return { x: pts[i - 1].x + (pts[i].x - pts[i - 1].x) * f, y: pts[i - 1].y + (pts[i].y - pts[i - 1].y) * f };
    };
    // The middle, a little either side of it (off a symbol there), then every ROAD_REPEAT.
    const mids = [length / 2, length / 2 - c.w, length / 2 + c.w];
    for (let s = length / 2 + ROAD_REPEAT; s < length - need / 2; s += ROAD_REPEAT) mids.push(s);
    for (let s = length / 2 - ROAD_REPEAT; s > need / 2; s -= ROAD_REPEAT) mids.push(s);
    for (const s of mids) {
      const a = at(s - c.w / 2);
      const b = at(s + c.w / 2);
      const chord = Math.hypot(b.x - a.x, b.y - a.y);
      if (chord < 0.9 * c.w) continue; // too bent to write along
      let angle = Math.atan2(b.y - a.y, b.x - a.x);
      if (angle > Math.PI / 2) angle -= Math.PI;
      if (angle <= -Math.PI / 2) angle += Math.PI;
      const x = (a.x + b.x) / 2;
      const y = (a.y + b.y) / 2;
      out.push({ x, y, angle, box: boxOf(x, y, c.w, c.h, angle) });
    }
  }
  return out;
}

/** boxOf is the bounding box, with GAP, of a w × h label centred on (x, y) and turned by angle. */
function boxOf(x, y, w, h, angle) {
  const cos = Math.abs(Math.cos(angle));
  const sin = Math.abs(Math.sin(angle));
  const hx = (w * cos + h * sin) / 2 + GAP;
  const hy = (w * sin + h * cos) / 2 + GAP;
  return { x0: x - hx, y0: y - hy, x1: x + hx, y1: y + hy };
}

function meets(a, b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

function inside(box, size) {
  return box.x0 >= 0 && box.y0 >= 0 && box.x1 <= size.x && box.y1 <= size.y;
}

function toLatLng([lon, lat]) {
  return [lat, lon];
}

function toLatLngs(coords) {
  return coords.map(toLatLng);
}
