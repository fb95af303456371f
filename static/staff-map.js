// staff-map.js — the map of the staff editor: the resident page's map of the street
// (map.js: the street, roads, metro, residential areas, the names of roads, areas and
// stations, and, zoomed in, the walking network) with one draggable pin for the listing's front door. Dragging the pin, or
// tapping the map, moves the listing there; the coordinates fields follow.

import { api } from './api.js';
import { t } from './i18n.js';
import { FinderMap } from './map.js';

/** The zoom a listing is shown at: single doors and lanes are told apart. */
const PIN_ZOOM = 17;

/**
 * PinMap is built on first use, when its container is on screen (Leaflet measures
 * it). onMove({lon, lat}) runs when the person moves the pin.
 */
export class PinMap {
  constructor(container, { onMove }) {
    this.container = container;
    this.onMove = onMove;
    this.finder = null;
    this.pin = null;
    this.ready = null;
  }

  /** start builds the map once, drawing the street and areas; false without Leaflet. */
  start() {
    if (this.finder) return true;
    if (!window.L) return false;
    const L = window.L;
    this.finder = new FinderMap(this.container, { onPick: (p) => this.movePin(p) });
    this.finder.relabel();
    this.container.setAttribute('aria-label', t('placeMap'));
    this.pin = L.marker([0, 0], { draggable: true, autoPan: true, keyboard: true, title: t('placeMap') }).addTo(this.finder.map);
    this.pin.on('dragend', () => {
      const p = this.pin.getLatLng();
      this.moved({ lon: p.lng, lat: p.lat });
    });
    // Context only: without it the pin and the coordinates still work.
    this.ready = Promise.allSettled([
      api.meta().then((m) => this.finder.setMeta(m)),
      api.street().then((fc) => this.finder.drawStreet(fc)),
      api.areas().then((fc) => this.finder.drawAreas(fc)),
      api.labels().then((fc) => this.finder.drawLabels(fc)),
    ]);
    return true;
  }

  /** show puts the pin at (lon, lat) and the view around it. */
  async show(lon, lat) {
    if (!this.start()) return;
    this.finder.resize();
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
    this.pin.setLatLng([lat, lon]);
    await this.ready; // setMeta fits the street: the pin's view comes after
    this.finder.map.setView([lat, lon], PIN_ZOOM, { animate: false });
  }

  /** follow moves the pin to typed coordinates without moving the view's zoom. */
  follow(lon, lat) {
    if (!this.pin || !Number.isFinite(lon) || !Number.isFinite(lat)) return;
    this.pin.setLatLng([lat, lon]);
    this.finder.map.panTo([lat, lon], { animate: false });
  }

  /** relabel puts the map's words in the current language. */
  relabel() {
    if (!this.finder) return;
    this.finder.relabel();
    this.container.setAttribute('aria-label', t('placeMap'));
    this.pin.getElement()?.setAttribute('title', t('placeMap'));
  }

  movePin(p) {
    this.pin.setLatLng([p.lat, p.lon]);
    this.moved(p);
  }

  moved(p) {
    this.container.dataset.moved = 'true';
    this.onMove({ lon: Number(p.lon.toFixed(7)), lat: Number(p.lat.toFixed(7)) });
  }
}
