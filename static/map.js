// map.js — the Leaflet map of the street: the street, its neighbours, roads and metro
// from /api/street, residential areas from /api/areas, one SVG marker a service in its
// category's colour and shape, the doorstep answer (starting point, a ring round each
// nearest service), the walking circle or a service's catchment as shaded bands with
// their own edge patterns, and, zoomed in, the walking network; over them the names of
// roads, areas, stations and landmarks (maplabels.js, from /api/labels). No tile
// server unless /api/meta names one.
//
// Leaflet is the classic script vendor/leaflet/leaflet.js (window.L), loaded before
// the modules. Everything Leaflet shows from the listings goes in as DOM nodes or
// escaped text, never as HTML strings.

import { api } from './api.js';
import { categoryColor, categoryShape, METRO_COLOUR, OUTLINE, shapePath } from './colors.js';
import { interiorPoint, ringArea } from './geometry.js';
import { formatNumber, serviceName, t } from './i18n.js';
import { MapLabels } from './maplabels.js';
import { el, NETWORK_STYLE, servicePopup } from './render.js';
import { BAND_DASH, readWalk, WALK_BAND, walkLegend } from './walk.js';

/** NETWORK_MIN_ZOOM is the zoom from which the walking network is drawn. */
const NETWORK_MIN_ZOOM = 15;

/** NETWORK_MAX_DEGREES keeps a network request inside the API's box limit (0.1°). */
const NETWORK_MAX_DEGREES = 0.09;

const OSM = '© OpenStreetMap contributors';

/** escapeHTML escapes text for the few Leaflet APIs that take HTML strings (attribution). */
function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * pointMarker is a chosen point on a map: a ringed dot above the services, labelled
 * below (the resident's starting point; the office's "what if a new one opened
 * here"). latlng is [lat, lon].
 */
export function pointMarker(L, latlng, { label, className, radius = 11, color = OUTLINE, fill = '#ffffff' }) {
  const m = L.circleMarker(latlng, {
    pane: 'originPane', radius, color, weight: 5, fillColor: fill, fillOpacity: 1, interactive: false, className: `point-marker ${className}`,
  });
  m.bindTooltip(el('span', {}, label), { permanent: true, direction: 'bottom', offset: [0, 12], className: 'label label-origin' });
  return m;
}

/**
 * LANDMARK_CATEGORIES are the categories whose listings the map names beside their
 * symbols, as residents give directions by them: the elderly-service centres, the
 * citizen stations and the community affairs centre.
 */
const LANDMARK_CATEGORIES = new Set(['elderly_centre', 'citizen_station', 'service_centre']);

let ShapeMarker = null;

/**
 * shapeMarker is L.circleMarker drawn as a shape of colors.js (options.shape) where
 * the renderer is SVG; the canvas renderer draws it as a circle. It keeps the circle
 * marker's radius, events, popup and tooltip.
 */
function shapeMarker(L, latlng, options) {
  if (!ShapeMarker) {
    ShapeMarker = L.CircleMarker.extend({
      _updatePath() {
        const r = this._renderer;
        if (!r || !r._setPath || !this.options.shape || this.options.shape === 'circle') {
          L.CircleMarker.prototype._updatePath.call(this);
          return;
        }
        const p = this._point;
        r._setPath(this, this._empty() ? 'M0 0' : shapePath(this.options.shape, p.x, p.y, Math.max(Math.round(this._radius), 1)));
      },
    });
  }
  return new ShapeMarker(latlng, options);
}

/**
 * shortName is a listing's name without the street's name in front: "市民驿站第一站",
 * "Citizen Station No. 1". prefixes are the street's names as listings begin with them.
 */
function shortName(name, prefixes) {
  const p = prefixes.find((p) => p && name.startsWith(p) && name.length > p.length + 1);
  return p ? name.slice(p.length).trim() : name;
}

const STYLE = {
  neighbour: { color: '#8c8c8c', weight: 1, fillColor: '#e4e4e4', fillOpacity: 1, interactive: false },
  street: { color: '#0b5394', weight: 4, fillColor: '#fbfaf6', fillOpacity: 1, interactive: false },
  area: { color: '#4d4d4d', weight: 1.5, fillColor: '#cfc9bb', fillOpacity: 0.55, className: 'area' },
  areaSelected: { color: '#111111', weight: 4, fillColor: '#f2c94c', fillOpacity: 0.6 },
  road: { color: '#8f8f8f', weight: 4, opacity: 1, interactive: false },
  expressway: { color: '#6f6f6f', weight: 7, opacity: 1, interactive: false },
  metro: { color: '#3a3a3a', weight: 3, dashArray: '10 6', opacity: 1, interactive: false },
};

/**
 * FinderMap is the resident page's map. onPick({lon, lat}) runs when a point is
 * chosen; popupExtra(service) may return nodes to add to a service's popup;
 * onNetwork({real, sample}) tells which kinds of walking lines are drawn.
 */
/** touchScreen is true where the main pointer is a finger (phones and tablets). */
export function touchScreen() {
  return Boolean(window.matchMedia && window.matchMedia('(pointer: coarse)').matches);
}

export class FinderMap {
  constructor(container, { onPick, popupExtra = null, onNetwork = null, confirmPick = null }) {
    const L = window.L;
    if (!L) throw new Error('Leaflet did not load');
    this.L = L;
    this.onPick = onPick;
    this.popupExtra = popupExtra;
    this.onNetwork = onNetwork;
    this.confirmPick = confirmPick;
    this.container = container;
    this.areaLayers = new Map();
    this.serviceLayers = new Map();
    this.selectedArea = null;
    this.stations = []; // landmarks from /api/street
    this.streetPrefixes = []; // the street's names, left off the front of landmarks' (setMeta)
    this.landmarkServices = []; // listings named on the map

    // On a touch screen one finger scrolls the page and two move the map: a map that
    // takes the finger holds an older resident inside it, away from the answer.
    this.twoFingers = touchScreen();
    const map = L.map(container, { zoomControl: false, zoomSnap: 0.5, minZoom: 12, maxZoom: 19, dragging: !this.twoFingers });
    this.map = map;
    if (this.twoFingers) {
      container.classList.add('map-two-fingers');
      this.touchHint = el('p', { class: 'map-touch-hint' }, t('mapTwoFingers'));
      container.before(this.touchHint);
    }
    this.zoom = L.control.zoom({ position: 'bottomleft', zoomInTitle: t('zoomIn'), zoomOutTitle: t('zoomOut') }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution(escapeHTML(OSM));

    // Panes bottom to top: street and areas (overlayPane), the walking circle's bands,
    // the walking network, roads and metro, answer lines, services, the starting point.
    // Each pane with vector layers gets its own SVG, so the markers are easy to find.
    // The bands and the network take no taps: a tap goes to the area or map below.
    for (const [name, z] of [['circlePane', '410'], ['networkPane', '415']]) {
      const pane = map.createPane(name);
      pane.style.zIndex = z;
      pane.style.pointerEvents = 'none';
    }
    const roads = map.createPane('roadsPane');
    roads.style.zIndex = '420';
    roads.style.pointerEvents = 'none';
    map.createPane('linesPane').style.zIndex = '450';
    map.createPane('servicesPane').style.zIndex = '610';
    map.createPane('originPane').style.zIndex = '620';
    this.streetLayer = L.layerGroup().addTo(map);
    this.areaGroup = L.featureGroup().addTo(map);
    this.roadLayer = L.layerGroup().addTo(map);
    this.serviceGroup = L.featureGroup().addTo(map);
    this.answerLayer = L.layerGroup().addTo(map);
    this.walkLayer = L.layerGroup().addTo(map);
    this.walkShown = null; // {kind, id} of the circle or catchment drawn
    this.labels = new MapLabels(L, map);

    // The walking network: one canvas (thousands of lines stay fast), drawn only when
    // zoomed in, fetched for the view with a margin and kept while the view stays inside.
    this.networkLayer = L.layerGroup();
    this.networkRenderer = L.canvas({ pane: 'networkPane', padding: 0.3 });
    this.networkBox = null;
    this.networkAbort = null;
    this.networkTimer = 0;
    this.networkKinds = { real: false, sample: false };
    map.on('moveend', () => {
      clearTimeout(this.networkTimer);
      this.networkTimer = setTimeout(() => this.updateNetwork(), 120);
    });

    // The bands' legend, "5 / 10 / 15 分钟", shown on the map while bands are drawn,
    // bottom right: the top stays clear for a popup's close button.
    const Legend = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: () => {
        const div = L.DomUtil.create('div', 'walk-legend leaflet-control');
        L.DomEvent.disableClickPropagation(div);
        return div;
      },
    });
    this.walkLegend = new Legend();

    map.on('click', (e) => this.pick(e.latlng));
    // While a popup is open the zoom buttons and the bands' legend step aside: Leaflet
    // draws controls above popups, and on a phone's small map they covered its text.
    map.on('popupopen', () => container.classList.add('popup-open'));
    map.on('popupclose', () => container.classList.remove('popup-open'));
    // data-moving is set while the map pans or zooms, so a test (or a style) can wait for it to settle.
    map.on('movestart zoomstart', () => {
      container.dataset.moving = 'true';
    });
    map.on('moveend', () => {
      delete container.dataset.moving;
    });
    this.zooming = false;
    map.on('zoomstart', () => {
      this.zooming = true;
    });
    map.on('zoomend', () => {
      this.zooming = false;
    });
    // Keyboard: the map pans with the arrow keys once focused (Leaflet); Enter or
    // Space then chooses the map's centre, shown by a cross-hair while focused.
    container.addEventListener('keydown', (e) => {
      if (e.target !== container || (e.key !== 'Enter' && e.key !== ' ')) return;
      e.preventDefault();
      const c = map.getCenter();
      this.onPick({ lon: c.lng, lat: c.lat });
    });
  }

  /**
   * pick chooses a tapped point, or, when confirmPick() says a tap would replace
   * something worth keeping (an answer), first asks "从这里查？" in a popup there.
   */
  pick(latlng) {
    const p = { lon: latlng.lng, lat: latlng.lat };
    if (!this.confirmPick || !this.confirmPick()) {
      this.onPick(p);
      return;
    }
    const yes = el('button', { type: 'button', class: 'btn btn-primary pick-confirm' }, t('pickHere'));
    const popup = this.L.popup({ className: 'pick-popup', minWidth: 160, autoPanPaddingTopLeft: [8, 8] })
      .setLatLng(latlng)
      .setContent(el('div', { class: 'popup' }, yes))
      .openOn(this.map);
    yes.addEventListener('click', () => {
      this.map.closePopup(popup);
      this.onPick(p);
    });
    yes.focus({ preventScroll: true });
  }

  /** setMeta fits the map to the street's bounds and adds a tile layer when one is configured. */
  setMeta(meta) {
    const L = this.L;
    // The street's name ("…街道") and its English name without " Street", which landmarks repeat in front.
    this.streetPrefixes = [meta.street || '', (meta.street_en || '').replace(/\s+(Street|Subdistrict)$/i, '')];
    this.renderLandmarks();
    const b = Array.isArray(meta.bounds) && meta.bounds.length === 4 ? meta.bounds : null;
    if (b) {
      const bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
      this.bounds = bounds;
      this.map.fitBounds(bounds, { padding: [8, 8] });
      this.map.setMaxBounds(bounds.pad(2));
    }
    if (meta.attribution && meta.attribution !== OSM) this.map.attributionControl.addAttribution(escapeHTML(meta.attribution));
    if (meta.tile_url) {
      L.tileLayer(meta.tile_url, { maxZoom: 19, attribution: escapeHTML(meta.attribution || OSM) }).addTo(this.map).bringToBack();
      this.container.classList.add('has-tiles');
    }
  }

  /** drawStreet draws the street boundary, neighbouring streets, roads, metro lines and stations. */
  drawStreet(fc) {
    const L = this.L;
    const features = (fc && fc.features) || [];
    const kind = (f) => (f.properties && f.properties.kind) || '';
    const neighbours = [];
    for (const f of features.filter((f) => kind(f) === 'neighbour')) {
      L.geoJSON(f, { style: STYLE.neighbour, interactive: false }).addTo(this.streetLayer);
      const at = interiorPoint(f.geometry);
      if (f.properties.name && at) neighbours.push({ name: f.properties.name, at });
    }
    this.labels.setNeighbours(neighbours);
    const streets = [];
    for (const f of features.filter((f) => kind(f) === 'street')) {
      streets.push(L.geoJSON(f, { style: STYLE.street, interactive: false }).addTo(this.streetLayer));
    }
    // Roads under expressways under metro lines; an unknown line kind is drawn as a road.
    const lineOrder = { road: 0, expressway: 1, metro: 2 };
    const lines = features.filter((f) => f.geometry && /LineString$/.test(f.geometry.type));
    lines.sort((a, b) => (lineOrder[kind(a)] ?? 0) - (lineOrder[kind(b)] ?? 0));
    for (const f of lines) {
      L.geoJSON(f, { style: STYLE[kind(f)] || STYLE.road, interactive: false, pane: 'roadsPane' }).addTo(this.roadLayer);
    }
    // A metro station is a red square with a white edge: nothing like the starting
    // point's white ringed dot.
    this.stations = [];
    for (const f of features.filter((f) => kind(f) === 'station')) {
      if (!f.geometry || f.geometry.type !== 'Point') continue;
      const [lon, lat] = f.geometry.coordinates;
      shapeMarker(L, [lat, lon], {
        shape: 'square',
        radius: 9,
        color: '#ffffff',
        weight: 3,
        fillColor: METRO_COLOUR,
        fillOpacity: 1,
        interactive: false,
        pane: 'roadsPane',
        className: 'station-marker',
      }).addTo(this.roadLayer);
      if (f.properties.name) this.stations.push({ name: f.properties.name, at: [lon, lat] });
    }
    this.renderLandmarks();
    if (!this.bounds && streets.length) {
      this.bounds = L.featureGroup(streets).getBounds();
      this.map.fitBounds(this.bounds, { padding: [8, 8] });
    }
  }

  /** drawLabels writes the names of /api/labels (roads, areas, stations) over the map. */
  drawLabels(fc) {
    this.labels.setLabels(fc);
  }

  /** renderLandmarks names the stations and the landmark listings, in the page's language. */
  renderLandmarks() {
    this.labels.setLandmarks([
      ...this.stations.map((st) => ({ key: `station:${st.name}`, text: t('metroStation', { name: st.name }), at: st.at, radius: 9, station: true })),
      ...this.landmarkServices.map((s) => ({ key: `service:${s.id}`, text: shortName(serviceName(s), this.streetPrefixes), at: [s.lon, s.lat], radius: 11 })),
    ]);
  }

  /** drawAreas draws the residential areas; tapping one chooses the tapped point. */
  drawAreas(fc) {
    const L = this.L;
    for (const f of (fc && fc.features) || []) {
      const p = f.properties || {};
      // No tooltip: the area's name is written on the map (maplabels.js).
      const layer = L.geoJSON(f, { style: STYLE.area });
      layer.eachLayer((path) => {
        path.on('add', () => {
          const node = path.getElement();
          if (node) {
            node.setAttribute('data-area', String(p.id));
            node.setAttribute('aria-hidden', 'true');
          }
        });
      });
      layer.addTo(this.areaGroup);
      this.areaLayers.set(String(p.id), layer);
    }
    if (!this.bounds && this.areaGroup.getLayers().length) {
      this.bounds = this.areaGroup.getBounds();
      this.map.fitBounds(this.bounds);
    }
  }

  /** drawServices puts one marker a service, in its category's colour and shape, each with a popup. */
  drawServices(services, categoriesById) {
    const L = this.L;
    this.serviceGroup.clearLayers();
    this.serviceLayers.clear();
    // A popup taller than the map scrolls inside, so its close button stays on screen;
    // it pans clear of the attribution line (two lines in large type).
    const attribution = this.map.attributionControl ? this.map.attributionControl.getContainer().offsetHeight : 0;
    const maxHeight = Math.max(220, this.container.clientHeight - 90);
    for (const s of services) {
      if (!Number.isFinite(s.lon) || !Number.isFinite(s.lat)) continue;
      const shape = categoryShape(s.category);
      const m = shapeMarker(L, [s.lat, s.lon], {
        shape,
        pane: 'servicesPane',
        radius: 10,
        color: OUTLINE,
        weight: 2,
        fillColor: categoryColor(s.category),
        fillOpacity: s.status === 'open' ? 1 : 0.45,
        dashArray: s.status === 'open' ? null : '3 3',
        bubblingMouseEvents: false,
        className: `svc-marker svc-${s.category} svc-shape-${shape}`,
      });
      m.bindPopup(() => servicePopup(s, categoriesById.get(s.category), this.popupExtra ? this.popupExtra(s) : null), { maxWidth: 300, minWidth: 220, maxHeight, autoPanPaddingTopLeft: [8, 8], autoPanPaddingBottomRight: [8, 8 + attribution] });
      m.bindTooltip(() => el('span', {}, serviceName(s)), { direction: 'top', offset: [0, -10], className: 'label' });
      m.on('add', () => {
        const node = m.getElement();
        if (!node) return;
        node.setAttribute('data-service', String(s.id));
        node.setAttribute('data-category', s.category);
        node.setAttribute('data-shape', shape);
        // Out of the accessibility tree: the answer, the list and search say the same.
        node.setAttribute('aria-hidden', 'true');
      });
      m.addTo(this.serviceGroup);
      this.serviceLayers.set(String(s.id), m);
    }
    this.container.dataset.markers = String(this.serviceLayers.size);
    this.landmarkServices = services.filter((s) => LANDMARK_CATEGORIES.has(s.category) && s.status === 'open' && Number.isFinite(s.lon));
    this.renderLandmarks();
  }

  /** selectArea outlines the chosen area (or none for null) and, if asked, brings it into view. */
  selectArea(id, { pan = false } = {}) {
    if (this.selectedArea) this.selectedArea.setStyle(STYLE.area);
    this.selectedArea = id === null || id === undefined ? null : this.areaLayers.get(String(id)) || null;
    if (this.selectedArea) {
      this.selectedArea.setStyle(STYLE.areaSelected);
      if (pan) this.map.fitBounds(this.selectedArea.getBounds(), { maxZoom: 17, padding: [40, 40] });
    }
  }

  /** showAnswer marks the starting point and draws a line to each category's nearest service. */
  showAnswer(answer) {
    const L = this.L;
    this.answerLayer.clearLayers();
    this.areaGroup.eachLayer((layer) => layer.closeTooltip());
    if (!answer || !Array.isArray(answer.origin)) return;
    const origin = L.latLng(answer.origin[1], answer.origin[0]);
    const points = [origin];
    // Each nearest service is ringed; no straight line is drawn to it, which would look
    // like a way through the blocks. "路线" draws the walk itself (showRoute).
    for (const entry of answer.categories || []) {
      const s = entry.service;
      if (!s) continue;
      const to = L.latLng(s.lat, s.lon);
      points.push(to);
      L.circleMarker(to, { pane: 'linesPane', radius: 16, color: OUTLINE, weight: 3, fill: false, interactive: false, className: 'answer-ring' }).addTo(
        this.answerLayer,
      );
    }
    pointMarker(L, origin, { label: t('origin'), className: 'origin-marker' }).addTo(this.answerLayer);
    this.labels.schedule(); // clear of the new starting point, even if the view stays
    this.map.fitBounds(L.latLngBounds(points), { padding: [36, 36], maxZoom: 17 });
  }

  /** showRoute draws a route (the Feature of /api/route) along the streets, or clears it (null). */
  showRoute(feature) {
    const L = this.L;
    if (!this.routeLayer) this.routeLayer = L.layerGroup().addTo(this.map);
    this.routeLayer.clearLayers();
    if (!feature || !feature.geometry) return;
    const line = feature.geometry.coordinates.map(([lon, lat]) => L.latLng(lat, lon));
    L.polyline(line, { pane: 'linesPane', color: OUTLINE, weight: 9, opacity: 0.9, interactive: false }).addTo(this.routeLayer);
    L.polyline(line, {
      pane: 'linesPane',
      color: '#1565c0',
      weight: 5,
      opacity: 1,
      lineCap: 'round',
      interactive: false,
      className: 'route-line',
    }).addTo(this.routeLayer);
    this.map.fitBounds(L.latLngBounds(line), { padding: [36, 36], maxZoom: 18 });
  }

  /**
   * showWalk draws a circle or catchment (the GeoJSON of /api/circle or
   * /api/services/{id}/catchment) as shaded bands in their own pane under the markers,
   * the largest first so the smallest, drawn over the others, is the darkest; shows
   * the bands' legend; rings the catchment's service; and, if asked, fits the map to
   * the circle. kind is "circle" or "catchment"; id the catchment's service.
   */
  showWalk(fc, { kind, id = null, fit = true } = {}) {
    const L = this.L;
    this.clearWalk();
    const walk = readWalk(fc);
    if (!walk.bands.length) return;
    const n = walk.bands.length;
    const layers = [];
    for (let i = n - 1; i >= 0; i--) {
      const b = walk.bands[i];
      const style = {
        color: WALK_BAND.edge,
        weight: 3,
        opacity: 1,
        dashArray: BAND_DASH[i] ?? null,
        lineCap: 'butt',
        fillColor: WALK_BAND.fill,
        fillOpacity: WALK_BAND.opacity,
      };
      // Path options (pane, class) go to the layer itself; GeoJSON applies style after.
      const layer = L.geoJSON(b.feature, { ...style, style, pane: 'circlePane', interactive: false, className: `walk-band walk-band-${kind}` });
      layer.eachLayer((path) => {
        path.on('add', () => {
          const node = path.getElement();
          if (node) node.setAttribute('data-minutes', String(b.minutes));
        });
      });
      layer.addTo(this.walkLayer);
      layers.push(layer);
    }
    if (kind === 'catchment' && id !== null) {
      const marker = this.serviceLayers.get(String(id));
      if (marker) {
        L.circleMarker(marker.getLatLng(), { pane: 'linesPane', radius: 17, color: WALK_BAND.edge, weight: 4, fill: false, interactive: false, className: 'catchment-ring' }).addTo(
          this.walkLayer,
        );
      }
    }
    this.walkShown = { kind, id, minutes: walk.bands.map((b) => b.minutes), edges: walk.bands.map((b) => outerRing(b.feature.geometry)) };
    this.renderBandLabels();
    this.walkLegend.addTo(this.map);
    this.renderWalkLegend();
    this.container.dataset.walk = kind;
    if (fit) {
      const bounds = L.featureGroup(layers).getBounds();
      if (bounds.isValid()) this.fitWhenStill(bounds);
    }
  }

  /**
   * fitWhenStill fits the map to bounds, not animated (a popup left open stays put
   * with the map), once a zoom animation under way has ended: Leaflet ends one by
   * moving to its own target, which would undo a fit made during it.
   */
  fitWhenStill(bounds) {
    const fit = () => this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
    if (this.zooming) this.map.once('zoomend', fit);
    else fit();
  }

  /** clearWalk removes the drawn circle or catchment and its legend. */
  clearWalk() {
    this.walkLayer.clearLayers();
    this.labels.setBands([]);
    this.walkLegend.remove();
    this.walkShown = null;
    delete this.container.dataset.walk;
  }

  /** renderBandLabels writes "5分钟", "10分钟", "15分钟" on the bands' edges. */
  renderBandLabels() {
    const w = this.walkShown;
    if (!w) return;
    this.labels.setBands(
      w.minutes.map((m, i) => ({ minutes: m, text: t('bandEdge', { m: formatNumber(m) }), edge: w.edges[i] })).filter((b) => b.edge.length),
    );
  }

  renderWalkLegend() {
    const div = this.walkLegend.getContainer();
    if (!div || !this.walkShown) return;
    div.setAttribute('role', 'img');
    div.setAttribute('aria-label', t('walkLegendLabel'));
    div.replaceChildren(walkLegend(this.walkShown.minutes));
  }

  /** refreshPopup redraws service id's popup if it is open (its extra nodes changed). */
  refreshPopup(id) {
    const m = this.serviceLayers.get(String(id));
    if (m && m.isPopupOpen()) m.getPopup().update();
  }

  /**
   * updateNetwork draws the walking network for the view when zoomed in enough
   * (fetching it when the view leaves what was fetched) and hides it otherwise. A
   * failure only leaves the network out: it is a background, not an answer.
   */
  async updateNetwork() {
    const L = this.L;
    if (this.map.getZoom() < NETWORK_MIN_ZOOM) {
      this.networkLayer.remove();
      this.setNetworkKinds({ real: false, sample: false });
      return;
    }
    // A map not laid out yet (hidden, or between layouts) has no area to ask for.
    const size = this.map.getSize();
    if (size.x === 0 || size.y === 0) return;
    const view = this.map.getBounds();
    if (this.networkBox && this.networkBox.contains(view)) {
      this.networkLayer.addTo(this.map);
      this.setNetworkKinds(this.networkLoadedKinds);
      return;
    }
    // The view with a margin, cut to the API's box limit around the view's centre.
    const want = view.pad(0.5);
    const c = view.getCenter();
    const half = NETWORK_MAX_DEGREES / 2;
    const box = L.latLngBounds(
      [Math.max(want.getSouth(), c.lat - half), Math.max(want.getWest(), c.lng - half)],
      [Math.min(want.getNorth(), c.lat + half), Math.min(want.getEast(), c.lng + half)],
    );
    if (this.networkAbort) this.networkAbort.abort();
    const ctl = new AbortController();
    this.networkAbort = ctl;
    let fc;
    try {
      const bbox = [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()].map((v) => v.toFixed(6));
      fc = await api.network(bbox, { signal: ctl.signal });
    } catch (err) {
      if (err.name !== 'AbortError') console.warn('walking network not shown:', err.message || err);
      return;
    }
    if (ctl !== this.networkAbort) return;
    this.networkAbort = null;
    this.networkLayer.clearLayers();
    const kinds = { real: false, sample: false };
    for (const f of (fc && fc.features) || []) {
      if (!f.geometry) continue;
      const sample = Boolean(f.properties && f.properties.sample);
      kinds[sample ? 'sample' : 'real'] = true;
      const style = sample ? NETWORK_STYLE.sample : NETWORK_STYLE.real;
      L.geoJSON(f, { ...style, style, renderer: this.networkRenderer, interactive: false }).addTo(this.networkLayer);
    }
    this.networkBox = box;
    this.networkLoadedKinds = kinds;
    if (this.map.getZoom() >= NETWORK_MIN_ZOOM) {
      this.networkLayer.addTo(this.map);
      this.setNetworkKinds(kinds);
    }
    this.container.dataset.network = String(this.networkLayer.getLayers().length);
  }

  setNetworkKinds(kinds) {
    const k = kinds || { real: false, sample: false };
    if (k.real === this.networkKinds.real && k.sample === this.networkKinds.sample) return;
    this.networkKinds = { ...k };
    if (this.onNetwork) this.onNetwork({ ...k });
  }

  /** relabel updates the map's own controls after a language switch. */
  relabel() {
    const zin = this.container.querySelector('.leaflet-control-zoom-in');
    const zout = this.container.querySelector('.leaflet-control-zoom-out');
    if (zin) {
      zin.title = t('zoomIn');
      zin.setAttribute('aria-label', t('zoomIn'));
    }
    if (zout) {
      zout.title = t('zoomOut');
      zout.setAttribute('aria-label', t('zoomOut'));
    }
    this.container.setAttribute('aria-label', t('mapLabel'));
    if (this.touchHint) this.touchHint.textContent = t('mapTwoFingers');
    this.renderWalkLegend();
    this.renderBandLabels();
    this.renderLandmarks();
    this.map.closePopup();
  }

  /** resize tells Leaflet the container changed size (after the map view is shown again). */
  resize() {
    this.map.invalidateSize();
  }
}

/** outerRing is the outer ring of a Polygon, or of a MultiPolygon's largest part ([] for others). */
function outerRing(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates[0] || [];
  if (geometry.type !== 'MultiPolygon') return [];
  let best = [];
  for (const poly of geometry.coordinates) if (poly[0] && Math.abs(ringArea(poly[0])) > Math.abs(ringArea(best))) best = poly[0];
  return best;
}
