// app.js — the resident finder page. Loads the street, areas, categories and services,
// then answers "what is at my doorstep?" for a tapped point, a chosen residential area
// or the resident's location, on the map or as a list.
//
// State flows one way: user action → lookup() → state.answer → render(). A language
// switch re-renders from state, so nothing is fetched again.

import { api, ApiError, getJSON } from './api.js';
import { interiorPoint } from './geometry.js';
import { applyStatic, lang, onLangChange, setLang, t } from './i18n.js';
import { FinderMap } from './map.js';
import { answerMeta, answerRows, el, legendItems, searchRows, servicesByCategory, suggestionItem } from './render.js';

const $ = (id) => document.getElementById(id);

const state = {
  view: new URLSearchParams(window.location.search).get('view') === 'list' ? 'list' : 'map',
  meta: { sample: true, attribution: '© OpenStreetMap contributors', tile_url: '', bounds: null },
  categories: [],
  categoriesById: new Map(),
  services: [],
  areas: [],
  street: null,
  answer: null,
  lookupSeq: 0,
  lookupAbort: null,
  search: null, // the shown search: { q, openNow, nearest, services, total }
  searchSeq: 0,
  searchAbort: null,
};

let finderMap = null;
let mapFailed = false;

// ---- messages ---------------------------------------------------------------

// Messages are kept as functions so that a language switch can show them again.
let statusMessage = null;
let errorMessage = null;

/** say puts a short polite message in the status line (read out by screen readers); null clears it. */
function say(message) {
  statusMessage = message;
  $('status').textContent = message ? message() : '';
}

/** showError shows an error politely in the alert box; null clears it. */
function showError(message) {
  errorMessage = message;
  const box = $('error');
  box.textContent = message ? message() : '';
  box.hidden = !message;
}

function errorText(err) {
  if (err instanceof ApiError) {
    const message = err.code === 'network' ? t('errorNetwork') : err.message;
    return t('errorPrefix', { message });
  }
  return t('errorPrefix', { message: String((err && err.message) || err) });
}

// ---- views ------------------------------------------------------------------

function setView(view) {
  state.view = view;
  document.body.classList.toggle('view-map', view === 'map');
  document.body.classList.toggle('view-list', view === 'list');
  for (const b of document.querySelectorAll('[data-view]')) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  $('map-section').hidden = view !== 'map';
  $('all-services').hidden = view !== 'list';
  const url = new URL(window.location.href);
  if (view === 'list') url.searchParams.set('view', 'list');
  else url.searchParams.delete('view');
  window.history.replaceState(null, '', url);
  if (view === 'map') ensureMap();
}

/** ensureMap builds the map the first time the map view is shown; a failure leaves the list. */
function ensureMap() {
  if (finderMap) {
    finderMap.resize();
    return;
  }
  if (mapFailed || !state.categories.length) return;
  try {
    finderMap = new FinderMap($('map'), { onPick: (p) => lookup(p.lon, p.lat, { pickedOnMap: true }) });
    finderMap.relabel();
    finderMap.setMeta(state.meta);
    if (state.street) finderMap.drawStreet(state.street);
    finderMap.drawAreas({ features: state.areas });
    finderMap.drawServices(state.services, state.categoriesById);
    if (state.answer) {
      finderMap.showAnswer(state.answer);
      finderMap.selectArea(state.answer.area ? state.answer.area.id : null);
    }
  } catch (err) {
    mapFailed = true;
    finderMap = null;
    console.warn('map unavailable:', err);
    $('map').replaceChildren(el('p', { class: 'map-fallback' }, t('mapUnavailable')));
  }
}

// ---- rendering --------------------------------------------------------------

function renderLegend() {
  $('legend-list').replaceChildren(...legendItems(state.categories));
}

function renderAreaSelect() {
  const select = $('area-select');
  const chosen = select.value;
  const placeholder = el('option', { value: '' }, t('areaPlaceholder'));
  // Sorted as a resident looks for a name: by pinyin in Chinese.
  const collator = new Intl.Collator('zh-Hans-CN', { numeric: true });
  const name = (f) => f.properties.name || String(f.properties.id);
  const options = [...state.areas]
    .sort((a, b) => collator.compare(name(a), name(b)))
    .map((f) => el('option', { value: String(f.properties.id) }, name(f)));
  select.replaceChildren(placeholder, ...options);
  select.value = chosen;
}

function renderAllServices() {
  const open = new Set([...document.querySelectorAll('#all-services-list details[open]')].map((d) => d.dataset.category));
  const groups = servicesByCategory(state.services, state.categories);
  for (const g of groups) if (open.has(g.dataset.category)) g.open = true;
  $('all-services-list').replaceChildren(...groups);
}

function renderAnswer() {
  const list = $('answer-list');
  const meta = $('answer-meta');
  const a = state.answer;
  $('answer-empty').hidden = Boolean(a);
  if (!a) {
    list.replaceChildren();
    meta.replaceChildren();
    list.dataset.state = 'empty';
    $('answer-jump').hidden = true;
    return;
  }
  const areaName = a.area ? a.area.name : '';
  meta.replaceChildren(...answerMeta(a, areaName));
  list.replaceChildren(...answerRows(a, state.categoriesById));
  list.dataset.state = 'loaded';
  list.dataset.origin = Array.isArray(a.origin) ? a.origin.map((v) => Number(v).toFixed(6)).join(',') : '';
  $('answer-jump').hidden = false;
}

function renderAll() {
  applyStatic();
  $('lang-toggle').lang = lang() === 'zh' ? 'en' : 'zh-Hans';
  if (finderMap) finderMap.relabel();
  renderLegend();
  renderAreaSelect();
  renderAllServices();
  renderAnswer();
  hideSuggestions();
  renderSearch();
  if (finderMap && state.answer) finderMap.showAnswer(state.answer);
  say(statusMessage);
  showError(errorMessage);
}

// ---- the doorstep lookup ----------------------------------------------------

/**
 * lookup asks /api/doorstep for the nearest service of every category from
 * (lon, lat). Only the latest request is shown: an earlier one still running is
 * aborted.
 */
async function lookup(lon, lat, { areaId = null, pickedOnMap = false } = {}) {
  const seq = ++state.lookupSeq;
  if (state.lookupAbort) state.lookupAbort.abort();
  const ctl = new AbortController();
  state.lookupAbort = ctl;
  showError(null);
  say(() => t('answerLoading'));
  $('answer-list').dataset.state = 'loading';
  try {
    const answer = await api.doorstep(lon.toFixed(6), lat.toFixed(6), $('speed-select').value, { signal: ctl.signal });
    if (seq !== state.lookupSeq) return;
    // Keep the chosen area's name when the server places the point in no area.
    if (!answer.area && areaId !== null) {
      const f = state.areas.find((a) => String(a.properties.id) === String(areaId));
      if (f) answer.area = { id: f.properties.id, name: f.properties.name };
    }
    state.answer = answer;
    state.lastPick = { lon, lat, areaId };
    $('area-select').value = answer.area ? String(answer.area.id) : '';
    renderAnswer();
    if (finderMap) {
      finderMap.showAnswer(answer);
      finderMap.selectArea(answer.area ? answer.area.id : null);
    }
    say(() => t('answerReady'));
    if (!pickedOnMap && state.view === 'list') $('answer').focus({ preventScroll: false });
    // A shown search is put in order of distance from the new starting point.
    if (state.search) runSearch(state.search.q, { quiet: true });
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.lookupSeq) return;
    say(null);
    showError(() => errorText(err));
    $('answer-list').dataset.state = state.answer ? 'loaded' : 'empty';
  }
}

function lookupArea(id) {
  const f = state.areas.find((a) => String(a.properties.id) === String(id));
  if (!f) return;
  const p = interiorPoint(f.geometry);
  if (!p) return;
  if (finderMap) finderMap.selectArea(id, { pan: true });
  lookup(p[0], p[1], { areaId: id });
}

function lookupMyLocation() {
  showError(null);
  if (!('geolocation' in navigator)) {
    showError(() => t('geoUnsupported'));
    return;
  }
  say(() => t('locating'));
  navigator.geolocation.getCurrentPosition(
    (pos) => lookup(pos.coords.longitude, pos.coords.latitude),
    (err) => {
      say(null);
      showError(() => t('geoFailed', { reason: err.message || err.code }));
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  );
}

// ---- search -------------------------------------------------------------------

const SEARCH_LIMIT = 50;
const SUGGESTIONS = 6;
const SUGGEST_DELAY_MS = 250;
const suggest = { timer: 0, seq: 0, abort: null, items: [], active: -1 };

/**
 * searchParams are /api/services's parameters for text q: open now when ticked and,
 * once a starting point is chosen, nearest first from it at the chosen speed.
 */
function searchParams(q, limit) {
  const params = { q, limit };
  if ($('open-now').checked) params.open_now = 'true';
  const p = state.lastPick;
  if (p) Object.assign(params, { lon: p.lon.toFixed(6), lat: p.lat.toFixed(6), speed: $('speed-select').value });
  return params;
}

function hideSuggestions() {
  clearTimeout(suggest.timer);
  if (suggest.abort) suggest.abort.abort();
  suggest.seq++;
  suggest.items = [];
  suggest.active = -1;
  const box = $('search-suggestions');
  box.replaceChildren();
  box.hidden = true;
  $('search-input').setAttribute('aria-expanded', 'false');
  $('search-input').removeAttribute('aria-activedescendant');
}

/** showSuggestions offers, as the resident types, matching residential areas and then services. */
async function showSuggestions(q) {
  const seq = ++suggest.seq;
  if (suggest.abort) suggest.abort.abort();
  const ctl = new AbortController();
  suggest.abort = ctl;
  try {
    const [areas, found] = await Promise.all([
      getJSON('/api/areas', { q }, { signal: ctl.signal }),
      getJSON('/api/services', searchParams(q, SUGGESTIONS), { signal: ctl.signal }),
    ]);
    if (seq !== suggest.seq) return;
    suggest.items = [
      ...(areas.features || []).slice(0, 4).map((f) => ({ kind: 'area', id: f.properties.id, name: f.properties.name })),
      ...(found.services || []).map((svc) => ({ kind: 'service', service: svc })),
    ];
    suggest.active = -1;
    renderSuggestions();
  } catch (err) {
    // Suggestions only help: a failure shows when the search itself is run.
    if (err.name !== 'AbortError' && seq === suggest.seq) hideSuggestions();
  }
}

function renderSuggestions() {
  const box = $('search-suggestions');
  const input = $('search-input');
  box.replaceChildren(
    ...suggest.items.map((item, i) => {
      const li = suggestionItem(`suggestion-${i}`, item, state.categoriesById);
      li.setAttribute('aria-selected', String(i === suggest.active));
      li.addEventListener('mousedown', (e) => e.preventDefault()); // the input keeps the focus
      li.addEventListener('click', () => chooseSuggestion(i));
      return li;
    }),
  );
  box.hidden = suggest.items.length === 0;
  input.setAttribute('aria-expanded', String(!box.hidden));
  if (suggest.active >= 0) {
    input.setAttribute('aria-activedescendant', `suggestion-${suggest.active}`);
    $(`suggestion-${suggest.active}`).scrollIntoView({ block: 'nearest' });
  } else {
    input.removeAttribute('aria-activedescendant');
  }
}

/** chooseSuggestion goes to a residential area's doorstep answer, or shows the search with the service. */
function chooseSuggestion(i) {
  const item = suggest.items[i];
  hideSuggestions();
  if (!item) return;
  if (item.kind === 'area') {
    $('search-input').value = item.name;
    lookupArea(item.id);
    return;
  }
  runSearch($('search-input').value.trim(), { focusService: item.service.id });
}

/** runSearch lists the services matching q (all open ones when q is empty and open-now is ticked). */
async function runSearch(q, { focusService = null, quiet = false } = {}) {
  hideSuggestions();
  const openNow = $('open-now').checked;
  if (!q && !openNow) {
    state.search = null;
    renderSearch();
    return;
  }
  const seq = ++state.searchSeq;
  if (state.searchAbort) state.searchAbort.abort();
  const ctl = new AbortController();
  state.searchAbort = ctl;
  if (!quiet) {
    showError(null);
    say(() => t('searchLoading'));
  }
  $('search-list').dataset.state = 'loading';
  try {
    const body = await getJSON('/api/services', searchParams(q, SEARCH_LIMIT), { signal: ctl.signal });
    if (seq !== state.searchSeq) return;
    state.search = { q, openNow, nearest: Boolean(state.lastPick), services: body.services || [], total: body.total || 0 };
    renderSearch();
    if (quiet) return;
    say(() => t('searchReady'));
    const card = focusService === null ? null : $('search-list').querySelector(`[data-service="${Number(focusService)}"]`);
    (card || $('search-results')).focus();
    if (card && finderMap && finderMap.serviceLayers) {
      const marker = finderMap.serviceLayers.get(String(focusService));
      if (marker) marker.openPopup();
    }
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.searchSeq) return;
    say(null);
    showError(() => errorText(err));
    $('search-list').dataset.state = state.search ? 'loaded' : 'empty';
  }
}

function renderSearch() {
  const s = state.search;
  $('search-results').hidden = !s;
  if (!s) {
    $('search-list').replaceChildren();
    $('search-list').dataset.state = 'empty';
    return;
  }
  const meta = [el('span', {}, s.q ? t('searchCount', { q: s.q, n: s.total }) : t('searchCountOpen', { n: s.total }))];
  if (s.total > s.services.length) meta.push(el('span', {}, t('searchShown', { n: s.services.length })));
  if (s.nearest) meta.push(el('span', {}, t('searchNearest')));
  if (s.openNow && s.q) meta.push(el('span', {}, t('searchOpenOnly')));
  $('search-meta').replaceChildren(...meta);
  $('search-list').replaceChildren(
    ...(s.services.length ? searchRows(s.services, state.categoriesById) : [el('li', { class: 'answer-row answer-none' }, t('searchNone'))]),
  );
  $('search-list').dataset.state = 'loaded';
}

function wireSearch() {
  const input = $('search-input');
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (suggest.active >= 0) chooseSuggestion(suggest.active);
    else runSearch(input.value.trim());
  });
  input.addEventListener('input', () => {
    clearTimeout(suggest.timer);
    const q = input.value.trim();
    if (!q) {
      hideSuggestions();
      return;
    }
    suggest.timer = setTimeout(() => showSuggestions(q), SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    const n = suggest.items.length;
    if (e.key === 'Escape') {
      hideSuggestions();
    } else if (n && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      suggest.active = e.key === 'ArrowDown' ? (suggest.active + 1) % n : (suggest.active - 1 + n) % n;
      renderSuggestions();
    }
  });
  input.addEventListener('blur', () => setTimeout(hideSuggestions, 200));
  $('open-now').addEventListener('change', () => runSearch(input.value.trim()));
}

// ---- start ------------------------------------------------------------------

function wire() {
  for (const b of document.querySelectorAll('[data-view]')) b.addEventListener('click', () => setView(b.dataset.view));
  $('lang-toggle').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  $('area-select').addEventListener('change', (e) => {
    if (e.target.value) lookupArea(e.target.value);
  });
  $('speed-select').addEventListener('change', () => {
    const p = state.lastPick;
    if (p) lookup(p.lon, p.lat, { areaId: p.areaId });
  });
  $('locate-btn').addEventListener('click', lookupMyLocation);
  wireSearch();
  onLangChange(renderAll);
}

async function start() {
  applyStatic();
  wire();
  setView(state.view);

  // The page needs categories, areas and services; the street drawing and the meta
  // are optional (the map then fits the areas, and the sample banner stays on).
  const [meta, cats, areas, services, street] = await Promise.allSettled([
    api.meta(),
    api.categories(),
    api.areas(),
    api.services(),
    api.street(),
  ]);
  if (cats.status === 'rejected' || areas.status === 'rejected' || services.status === 'rejected') {
    const err = [cats, areas, services].find((r) => r.status === 'rejected').reason;
    showError(() => `${t('errorLoad')} (${err.message || err})`);
    document.documentElement.dataset.ready = 'error';
    return;
  }
  if (meta.status === 'fulfilled') Object.assign(state.meta, meta.value);
  state.categories = cats.value.categories || [];
  state.categoriesById = new Map(state.categories.map((c) => [c.id, c]));
  state.areas = (areas.value.features || []).filter((f) => f.properties && f.geometry);
  state.services = services.value.services || [];
  state.street = street.status === 'fulfilled' ? street.value : null;

  $('sample-banner').hidden = !state.meta.sample;
  renderAll();
  if (state.view === 'map') ensureMap();
  document.documentElement.dataset.ready = 'true';
}

start().catch((err) => {
  showError(() => errorText(err));
  document.documentElement.dataset.ready = 'error';
});
