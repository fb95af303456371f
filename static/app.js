// app.js — the resident finder page. Loads the street, areas, categories and services,
// then answers "what is at my doorstep?" for a tapped point, a chosen residential area
// or the resident's location, on the map or as a list; on request it draws the walking
// circle around that point and, for any service, who can walk to it (its catchment).
//
// State flows one way: user action → lookup() / loadCircle() / loadCatchment() →
// state → render(). A language switch re-renders from state, so nothing is fetched again.

import { api, ApiError, getJSON } from './api.js';
import { interiorPoint } from './geometry.js';
import { applyStatic, compareNames, formatDistance, formatMinutes, formatNumber, lang, onLangChange, serviceName, setLang, setPlace, speedText, t } from './i18n.js';
import { FinderMap, touchScreen } from './map.js';
import { loadWeek, placeWeekNodes, weekNodes } from './activities.js';
import { loadSubsidy, mealNodes, wireAge } from './meals.js';
import { errorText, say, showError, showMessagesAgain } from './messages.js';
import { elderMode, onModeChange, wireMode } from './mode.js';
import { answerMeta, answerRows, answerSentence, el, legendItems, outsideNote, searchRows, servicesByCategory, suggestionItem } from './render.js';
import { wireReports } from './report.js';
import { bandCounts, catchmentAreaRows, catchmentSentence, circleRows, readWalk } from './walk.js';
import { markChinese } from './zh-marks.js';

const $ = (id) => document.getElementById(id);

const state = {
  view: new URLSearchParams(window.location.search).get('view') === 'list' ? 'list' : 'map',
  meta: { sample: true, attribution: '© OpenStreetMap contributors', tile_url: '', bounds: null },
  categories: [],
  categoriesById: new Map(),
  services: [],
  servicesById: new Map(),
  areas: [],
  street: null,
  answer: null,
  lookupSeq: 0,
  lookupAbort: null,
  search: null, // the shown search: { q, openNow, nearest, services, total }
  searchSeq: 0,
  searchAbort: null,
  // The walking circle around the starting point: asked for once, it follows the
  // point (and the speed) until closed. {status: loading|loaded|error, walk, areaName, message}
  circleOpen: false,
  circle: null,
  circleSeq: 0,
  circleAbort: null,
  // A service's catchment: {status, id, service, walk, message}. While loaded, it is what
  // the map shades; closed, the map goes back to the circle.
  catchment: null,
  catchmentSeq: 0,
  catchmentAbort: null,
  network: { real: false, sample: false }, // the walking lines the map shows, for the legend
  // The route drawn to one service of the answer: {id, status: loading|loaded|error, feature, message}.
  route: null,
  routeSeq: 0,
  routeAbort: null,
  // This week's activities within 15 minutes of the starting point: {status: loading|loaded|error, data}.
  week: null,
  weekSeq: 0,
  weekAbort: null,
};

let finderMap = null;
let mapFailed = false;

/** walking is how the resident walks, as the API reads it: speed and profile. */
function walking() {
  return { speed: $('speed-select').value, profile: $('step-free').checked ? 'step_free' : 'walk' };
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
    finderMap = new FinderMap($('map'), {
      onPick: (p) => lookup(p.lon, p.lat),
      // On a phone a stray tap must not silently replace the answer being read.
      confirmPick: () => Boolean(state.answer) && touchScreen(),
      popupExtra: catchmentPopupNote,
      onNetwork: (kinds) => {
        state.network = kinds;
        renderLegend();
      },
    });
    finderMap.relabel();
    finderMap.setMeta(state.meta);
    if (state.street) finderMap.drawStreet(state.street);
    finderMap.drawAreas({ features: state.areas });
    finderMap.drawServices(state.services, state.categoriesById);
    // The names on the map are a help, not the answer: without them the map still works.
    api
      .labels()
      .then((fc) => finderMap && finderMap.drawLabels(fc))
      .catch((err) => console.warn('map labels not shown:', err.message || err));
    if (state.answer) {
      finderMap.showAnswer(state.answer);
      finderMap.selectArea(state.answer.area ? state.answer.area.id : null);
    }
    drawWalk({ fit: true });
  } catch (err) {
    mapFailed = true;
    finderMap = null;
    console.warn('map unavailable:', err);
    $('map').replaceChildren(el('p', { class: 'map-fallback' }, t('mapUnavailable')));
  }
}

// ---- rendering --------------------------------------------------------------

function renderLegend() {
  $('legend-list').replaceChildren(...legendItems(state.categories, state.network, hasStations(state.street)));
}

/** hasStations reports whether the street's drawing has a metro station, which the legend then shows. */
function hasStations(street) {
  return Boolean(street && (street.features || []).some((f) => f.properties && f.properties.kind === 'station'));
}

function renderAreaSelect() {
  const select = $('area-select');
  const chosen = select.value;
  const placeholder = el('option', { value: '' }, t('areaPlaceholder'));
  // Sorted as a resident counts: 一村, 二村, 三村 … by number, the rest by pinyin.
  const name = (f) => f.properties.name || String(f.properties.id);
  const options = [...state.areas]
    .sort((a, b) => compareNames(name(a), name(b)))
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
  renderCircleButtons();
  renderCardLink(a);
  if (!a) {
    list.replaceChildren();
    meta.replaceChildren();
    list.dataset.state = 'empty';
    $('answer-jump').hidden = true;
    return;
  }
  const areaName = a.area ? a.area.name : '';
  meta.replaceChildren(...answerMeta(a, areaName));
  list.replaceChildren(...answerRows(a, state.categoriesById, { short: elderMode(), extra: cardExtras }));
  list.dataset.state = 'loaded';
  list.dataset.origin = Array.isArray(a.origin) ? a.origin.map((v) => Number(v).toFixed(6)).join(',') : '';
  $('answer-jump').hidden = false;
  renderRoute();
}

/**
 * renderCardLink offers the answer's area's 家门口服务卡 (/card/areas/{id}), the
 * answer printed for the fridge, in the page's language; hidden outside any area.
 */
function renderCardLink(a) {
  const area = a && a.area;
  $('answer-print').hidden = !area;
  if (!area) return;
  $('card-link').href = `/card/areas/${encodeURIComponent(area.id)}${lang() === 'en' ? '?lang=en' : ''}`;
}

/** cardExtras are a card's own lines: a meal point's menu, a place's activities this week. */
function cardExtras(entry) {
  const week = state.week && state.week.status === 'loaded' ? state.week.data : null;
  const nodes = [...(mealNodes(entry) || []), placeWeekNodes(week, entry.service && entry.service.id)].filter(Boolean);
  return nodes.length ? nodes : null;
}

// ---- this week's activities -------------------------------------------------

/** loadWeekFor asks for this week's activities within 15 minutes of (lon, lat). */
async function loadWeekFor(lon, lat) {
  const seq = ++state.weekSeq;
  if (state.weekAbort) state.weekAbort.abort();
  const ctl = new AbortController();
  state.weekAbort = ctl;
  state.week = { status: 'loading', data: null };
  renderWeek();
  try {
    const data = await loadWeek(getJSON, lon.toFixed(6), lat.toFixed(6), walking(), { signal: ctl.signal });
    if (seq !== state.weekSeq) return;
    state.week = { status: 'loaded', data };
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.weekSeq) return;
    state.week = { status: 'error', data: null };
  }
  renderWeek();
  renderCardWeeks();
}

/**
 * renderCardWeeks puts each place's activities on its answer card in place, so the
 * card the resident is on keeps the focus when the week arrives after the answer.
 */
function renderCardWeeks() {
  const week = state.week && state.week.status === 'loaded' ? state.week.data : null;
  const entries = state.answer ? state.answer.categories || [] : [];
  for (const li of document.querySelectorAll('#answer-list > li.answer-row')) {
    const old = li.querySelector('.place-week');
    if (old) old.remove();
    const entry = entries.find((e) => e.category === li.dataset.category);
    const node = entry ? placeWeekNodes(week, entry.service && entry.service.id) : null;
    if (!node) continue;
    const after = li.querySelector('.badges') || li.querySelector('.distance');
    if (after) after.after(node);
    else li.append(node);
  }
}

function renderWeek() {
  const w = state.week;
  const days = $('week-days');
  $('week').hidden = !w;
  if (!w) return;
  days.dataset.state = w.status;
  const status = { loading: 'weekLoading', error: 'weekError' }[w.status];
  if (status || !w.data.occurrences.length) {
    $('week-status').textContent = t(status || 'weekEmpty');
    days.replaceChildren();
    return;
  }
  $('week-status').textContent = '';
  days.replaceChildren(...weekNodes(w.data));
}

function renderAll() {
  applyStatic();
  $('lang-toggle').lang = lang() === 'zh' ? 'en' : 'zh-Hans';
  if (finderMap) finderMap.relabel();
  renderLegend();
  renderAreaSelect();
  renderAllServices();
  renderAnswer();
  renderWeek();
  hideSuggestions();
  renderSearch();
  renderCircle();
  renderCatchment();
  if (finderMap && state.answer) finderMap.showAnswer(state.answer);
  showMessagesAgain();
}

// ---- the doorstep lookup ----------------------------------------------------

/**
 * lookup asks /api/doorstep for the nearest service of every category from
 * (lon, lat). Only the latest request is shown: an earlier one still running is
 * aborted.
 */
async function lookup(lon, lat, { areaId = null, speedChanged = false } = {}) {
  const seq = ++state.lookupSeq;
  if (state.lookupAbort) state.lookupAbort.abort();
  const ctl = new AbortController();
  state.lookupAbort = ctl;
  showError(null);
  say(() => t('answerLoading'));
  $('answer-list').dataset.state = 'loading';
  try {
    // "只看现在开放的" holds for the answer too: the nearest open now, per kind.
    const more = $('open-now').checked ? { open_now: 'true' } : {};
    const answer = await api.doorstep(lon.toFixed(6), lat.toFixed(6), { ...walking(), ...more }, { signal: ctl.signal });
    if (seq !== state.lookupSeq) return;
    // Keep the chosen area's name when the server places the point in no area.
    if (!answer.area && areaId !== null) {
      const f = state.areas.find((a) => String(a.properties.id) === String(areaId));
      if (f) answer.area = { id: f.properties.id, name: f.properties.name };
    }
    state.answer = answer;
    state.lastPick = { lon, lat, areaId };
    shareInURL(state.lastPick);
    // A route belongs to its starting point; a new speed or profile redraws it.
    if (!speedChanged || state.route) {
      state.route = null;
      if (finderMap) finderMap.showRoute(null);
    }
    $('area-select').value = answer.area ? String(answer.area.id) : '';
    renderAnswer();
    if (finderMap) {
      finderMap.showAnswer(answer);
      finderMap.selectArea(answer.area ? answer.area.id : null);
    }
    say(() => answerSentence(state.answer, state.categoriesById));
    // The answer goes where the eyes are: its first card scrolls into view and takes
    // the focus (not when only the speed changed: the resident is at the speed box).
    if (!speedChanged) showFirstCard();
    // A shown search is put in order of distance from the new starting point.
    if (state.search) runSearch(state.search.q, { quiet: true });
    // A new starting point puts a shown catchment away (a new speed redraws it); an
    // open circle follows the point and the speed.
    if (state.catchment) {
      if (speedChanged) loadCatchment(state.catchment.id, { quiet: true });
      else closeCatchment();
    }
    if (state.circleOpen) loadCircle();
    loadWeekFor(lon, lat);
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.lookupSeq) return;
    say(null);
    showError(() => errorText(err));
    $('answer-list').dataset.state = state.answer ? 'loaded' : 'empty';
  }
}

/**
 * loadRoute asks /api/route for the walk from the starting point to service id, by
 * the chosen speed and profile, draws it on the map and writes its directions in
 * the service's card.
 */
async function loadRoute(id, list = 'answer-list') {
  const p = state.lastPick;
  if (!p) return;
  const seq = ++state.routeSeq;
  if (state.routeAbort) state.routeAbort.abort();
  const ctl = new AbortController();
  state.routeAbort = ctl;
  state.route = { id, list, status: 'loading' };
  renderRoute();
  try {
    const feature = await api.route(p.lon.toFixed(6), p.lat.toFixed(6), id, walking(), { signal: ctl.signal });
    if (seq !== state.routeSeq) return;
    state.route = { id, list, status: 'loaded', feature };
    if (finderMap) finderMap.showRoute(feature);
    say(() => routeSentence(feature.properties));
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.routeSeq) return;
    state.route = { id, list, status: 'error', message: errorText(err) };
  }
  renderRoute();
}

/**
 * renderRoute writes the shown route's summary and directions into its service's
 * row of the list it was asked from (the answer, the nearest list or the circle's).
 */
function renderRoute() {
  for (const old of document.querySelectorAll('.route-box')) old.remove();
  const r = state.route;
  if (!r) return;
  const card = $(r.list).querySelector(`li.answer-row [data-route="${CSS.escape(String(r.id))}"]`);
  if (!card) return;
  const box = el('div', { class: 'route-box', 'data-state': r.status });
  if (r.status === 'loading') box.append(el('p', {}, t('routeLoading')));
  else if (r.status === 'error') box.append(el('p', { class: 'error' }, r.message));
  else {
    const props = r.feature.properties;
    box.append(
      el('p', { class: 'route-summary' }, routeSentence(props)),
      el('ol', { class: 'route-directions' }, ...props.directions.map((d) => el('li', {}, lang() === 'zh' ? d.zh : d.en))),
    );
  }
  card.closest('li.answer-row').append(box);
}

/** routeSentence sums a route up: metres, minutes, flights of steps and the profile. */
function routeSentence(props) {
  return t(props.profile === 'step_free' ? 'routeSummaryStepFree' : 'routeSummary', {
    d: formatDistance(props.distance_m),
    min: formatMinutes(props.walk_minutes),
    n: props.steps_flights,
  });
}

/** showFirstCard scrolls the answer's first card to the top of the screen and focuses it. */
function showFirstCard() {
  const card = $('answer-list').querySelector('li.answer-row') || $('answer');
  card.focus({ preventScroll: true });
  card.scrollIntoView({ block: 'start' });
  // The page may still settle above the card (the status line's answer, the map's
  // buttons): keep the card at the top while it does, for half a second at most.
  const settle = new ResizeObserver(() => {
    if (document.activeElement === card) card.scrollIntoView({ block: 'start' });
  });
  settle.observe(document.body);
  setTimeout(() => settle.disconnect(), 500);
}

function lookupArea(id) {
  const f = state.areas.find((a) => String(a.properties.id) === String(id));
  if (!f) return;
  // The server's point for the area, so the answer is the one its 家门口服务卡 prints.
  const p = f.properties.origin || interiorPoint(f.geometry);
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
      // The browser's own message is in the browser's language: say it in the page's.
      const reason = { 1: 'geoDenied', 2: 'geoUnavailable', 3: 'geoTimeout' }[err.code] || 'geoUnavailable';
      showError(() => t('geoFailed', { reason: t(reason) }));
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  );
}

// ---- the walking circle and catchments -----------------------------------------

/** drawWalk shades on the map the catchment when one is shown, else the circle, else nothing. */
function drawWalk({ fit = false } = {}) {
  if (!finderMap) return;
  const c = state.catchment;
  if (c && c.status === 'loaded') finderMap.showWalk(c.fc, { kind: 'catchment', id: c.id, fit });
  else if (state.circle && state.circle.status === 'loaded') finderMap.showWalk(state.circle.fc, { kind: 'circle', fit });
  else finderMap.clearWalk();
}

/** walkErrorText says why a circle or catchment failed: off the network politely, else as any error. */
function walkErrorText(err, offNetworkKey) {
  if (err instanceof ApiError && err.status === 422) return t(offNetworkKey);
  return errorText(err);
}

/**
 * loadCircle asks /api/circle for the walking circle around the starting point at
 * the chosen speed, shades it on the map and lists the services inside. Only the
 * latest request is shown. focus moves to the list when it is ready (asked from the
 * answer, where the list is the next thing to read).
 */
async function loadCircle({ focus = false } = {}) {
  const p = state.lastPick;
  if (!p) return;
  state.circleOpen = true;
  const seq = ++state.circleSeq;
  if (state.circleAbort) state.circleAbort.abort();
  const ctl = new AbortController();
  state.circleAbort = ctl;
  const areaName = state.answer && state.answer.area ? state.answer.area.name : '';
  state.circle = { status: 'loading', areaName };
  drawWalk();
  renderCircle();
  say(() => t('circleLoading'));
  try {
    const fc = await api.circle(p.lon.toFixed(6), p.lat.toFixed(6), walking(), { signal: ctl.signal });
    if (seq !== state.circleSeq) return;
    const walk = readWalk(fc);
    state.circle = { status: 'loaded', fc, walk, areaName };
    drawWalk({ fit: true });
    renderCircle();
    say(() => t('circleReady', { n: walk.services.length, m: formatNumber(walk.props.minutes) }));
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.circleSeq) return;
    state.circle = { status: 'error', areaName, message: () => walkErrorText(err, 'circleOffNetwork') };
    drawWalk();
    renderCircle();
    say(null);
  }
  if (focus) $('circle').focus();
}

/** openCircle is the resident asking for the circle: it takes the map over from a catchment. */
function openCircle({ focus = false } = {}) {
  if (state.catchment) closeCatchment();
  loadCircle({ focus });
}

/** closeCircle puts the walking circle away; the next starting point will not draw one. */
function closeCircle() {
  state.circleOpen = false;
  state.circleSeq++;
  if (state.circleAbort) state.circleAbort.abort();
  state.circle = null;
  drawWalk();
  renderCircle();
}

function renderCircleButtons() {
  const open = state.circleOpen;
  $('answer-actions').hidden = !state.answer;
  $('circle-btn-map').hidden = !state.answer;
  for (const id of ['circle-btn', 'circle-btn-map']) $(id).setAttribute('aria-pressed', String(open));
  $('circle-jump').hidden = !(state.circle && state.circle.status === 'loaded');
}

/** renderCircle shows the circle's section: where from, which speed, the bands' counts, the services by minutes. */
function renderCircle() {
  renderCircleButtons();
  const c = state.circle;
  const list = $('circle-list');
  $('circle').hidden = !c;
  const message = $('circle-message');
  message.hidden = !(c && c.status === 'error');
  message.textContent = c && c.status === 'error' ? c.message() : '';
  if (!c || c.status !== 'loaded') {
    list.replaceChildren();
    $('circle-bands').replaceChildren();
    $('circle-meta').replaceChildren(...(c ? [el('span', {}, c.areaName ? t('fromArea', { area: c.areaName }) : t('fromPoint'))] : []));
    $('circle-title').textContent = t('circleTitle', { n: 15 });
    list.dataset.state = c ? c.status : 'empty';
    return;
  }
  const { walk } = c;
  const minutes = formatNumber(walk.props.minutes);
  $('circle-title').textContent = t('circleTitle', { n: minutes });
  $('circle-meta').replaceChildren(
    el('span', { class: 'from' }, c.areaName ? t('fromArea', { area: c.areaName }) : t('fromPoint')),
    el('span', { class: 'speed' }, speedText(walk.props.speed_m_per_min)),
    ...(walk.props.outside_street ? [outsideNote(walk.props.message)] : []),
  );
  $('circle-bands').replaceChildren(...bandCounts(walk));
  list.replaceChildren(
    ...(walk.services.length
      ? circleRows(walk, state.servicesById, state.categoriesById)
      : [el('li', { class: 'answer-row answer-none' }, t('circleNone', { m: minutes }))]),
  );
  list.dataset.state = 'loaded';
  renderRoute();
}

/**
 * loadCatchment asks who can walk to service id (its catchment at the chosen speed),
 * shades it on the map, and shows how many residents and older residents live within
 * reach and in which areas. Asked from a popup, the answer also goes in the popup and
 * the map stays in view; asked from a list, focus moves to the answer (unless quiet).
 */
async function loadCatchment(id, { fromPopup = false, quiet = false } = {}) {
  const seq = ++state.catchmentSeq;
  if (state.catchmentAbort) state.catchmentAbort.abort();
  const ctl = new AbortController();
  state.catchmentAbort = ctl;
  const previous = state.catchment;
  const service = state.servicesById.get(String(id)) || { id, name: `#${id}` };
  state.catchment = { status: 'loading', id: service.id };
  if (previous && String(previous.id) !== String(id) && finderMap) finderMap.refreshPopup(previous.id);
  drawWalk();
  renderCatchment();
  if (fromPopup && finderMap) finderMap.refreshPopup(id);
  say(() => t('catchmentLoading'));
  try {
    const fc = await api.catchment(service.id, walking(), { signal: ctl.signal });
    if (seq !== state.catchmentSeq) return;
    const walk = readWalk(fc);
    state.catchment = { status: 'loaded', id: service.id, fc, walk };
    drawWalk({ fit: true });
    renderCatchment();
    say(() => t('catchmentReady', { name: serviceName(service), m: formatNumber(walk.props.minutes) }));
  } catch (err) {
    if (err.name === 'AbortError' || seq !== state.catchmentSeq) return;
    state.catchment = { status: 'error', id: service.id, message: () => walkErrorText(err, 'catchmentOffNetwork') };
    drawWalk();
    renderCatchment();
    say(null);
  }
  if (fromPopup && finderMap) {
    finderMap.refreshPopup(id);
    const note = document.querySelector('.leaflet-popup .popup-catchment');
    if (note) note.focus({ preventScroll: true });
  } else if (!quiet) {
    $('catchment').focus();
  }
}

/** closeCatchment puts the catchment away; the map shades the circle again if there is one. */
function closeCatchment() {
  const c = state.catchment;
  state.catchmentSeq++;
  if (state.catchmentAbort) state.catchmentAbort.abort();
  state.catchment = null;
  drawWalk();
  renderCatchment();
  if (c && finderMap) finderMap.refreshPopup(c.id);
}

/** renderCatchment shows the catchment's section: the residents sentence and the areas reached. */
function renderCatchment() {
  const c = state.catchment;
  $('catchment').hidden = !c;
  const areas = $('catchment-areas');
  if (!c) {
    areas.replaceChildren();
    areas.dataset.state = 'empty';
    return;
  }
  const service = state.servicesById.get(String(c.id)) || { id: c.id, name: `#${c.id}` };
  $('catchment-title').textContent = t('catchmentTitle', { name: serviceName(service) });
  const message = $('catchment-message');
  message.hidden = c.status !== 'error';
  message.textContent = c.status === 'error' ? c.message() : '';
  $('catchment-body').hidden = c.status !== 'loaded';
  const residents = $('catchment-residents');
  areas.dataset.state = c.status;
  if (c.status !== 'loaded') {
    residents.textContent = c.status === 'loading' ? t('catchmentLoading') : '';
    delete residents.dataset.residents;
    delete residents.dataset.elderly;
    $('catchment-meta').replaceChildren();
    areas.replaceChildren();
    return;
  }
  const props = c.walk.props;
  residents.textContent = catchmentSentence(props);
  residents.dataset.residents = String(props.residents_within);
  residents.dataset.elderly = String(props.elderly_within);
  $('catchment-meta').replaceChildren(el('span', { class: 'speed' }, speedText(props.speed_m_per_min)));
  $('catchment-intro').textContent = t('catchmentIntro', { min: formatNumber(props.minutes) });
  const rows = catchmentAreaRows(props);
  areas.replaceChildren(...(rows.length ? rows : [el('li', { class: 'area-row answer-none' }, t('catchmentAreasNone', { min: formatNumber(props.minutes) }))]));
}

/** catchmentPopupNote is what a service's popup adds while its catchment is asked for or shown. */
function catchmentPopupNote(svc) {
  const c = state.catchment;
  if (!c || String(c.id) !== String(svc.id)) return null;
  if (c.status === 'loading') return el('p', { class: 'popup-catchment muted' }, t('catchmentLoading'));
  if (c.status === 'error') return el('p', { class: 'popup-catchment walk-message', tabindex: '-1' }, c.message());
  return el(
    'p',
    { class: 'popup-catchment', tabindex: '-1' },
    el('strong', { class: 'catchment-residents' }, catchmentSentence(c.walk.props)),
    ' ',
    el('a', { href: '#catchment' }, t('catchmentMore')),
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
  if (p) Object.assign(params, { lon: p.lon.toFixed(6), lat: p.lat.toFixed(6), ...walking() });
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
    say(() => t('searchReady', { n: state.search.total }));
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
  renderRoute();
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
  $('open-now').addEventListener('change', () => {
    runSearch(input.value.trim());
    const p = state.lastPick;
    if (p) lookup(p.lon, p.lat, { areaId: p.areaId, speedChanged: true });
  });
}

// ---- start ------------------------------------------------------------------

function wire() {
  for (const b of document.querySelectorAll('[data-view]')) b.addEventListener('click', () => setView(b.dataset.view));
  $('lang-toggle').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  $('area-select').addEventListener('change', (e) => {
    if (e.target.value) lookupArea(e.target.value);
  });
  const walkingChanged = () => {
    const p = state.lastPick;
    const route = state.route;
    if (p) lookup(p.lon, p.lat, { areaId: p.areaId, speedChanged: true }).then(() => route && loadRoute(route.id, route.list));
    else if (state.catchment) loadCatchment(state.catchment.id, { quiet: true });
  };
  $('speed-select').addEventListener('change', walkingChanged);
  $('step-free').addEventListener('change', walkingChanged);
  // "路线" buttons are on the answer's cards, the nearest list and the circle's: one listener for all.
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('[data-route]') : null;
    if (!button) return;
    e.preventDefault();
    const list = button.closest('#answer-list, #search-list, #circle-list');
    loadRoute(button.dataset.route, list ? list.id : 'answer-list');
  });
  $('circle-btn').addEventListener('click', () => (state.circleOpen ? closeCircle() : openCircle({ focus: true })));
  $('circle-btn-map').addEventListener('click', () => (state.circleOpen ? closeCircle() : openCircle()));
  $('circle-close').addEventListener('click', () => {
    closeCircle();
    $('circle-btn').focus();
  });
  $('catchment-close').addEventListener('click', () => {
    closeCatchment();
    ($('circle').hidden ? $('answer') : $('circle')).focus();
  });
  // "服务范围" buttons are in lists, cards and popups, drawn and redrawn: one listener for all.
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('[data-catchment]') : null;
    if (!button) return;
    e.preventDefault();
    loadCatchment(button.dataset.catchment, { fromPopup: Boolean(button.closest('.leaflet-popup')) });
  });
  wireReports();
  wireAge(renderAnswer);
  $('locate-btn').addEventListener('click', lookupMyLocation);
  wireSearch();
  onLangChange(renderAll);
  wireMode();
  markChinese();
  onModeChange(() => {
    renderAnswer();
    if (finderMap) finderMap.resize();
  });
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
  state.servicesById = new Map(state.services.map((s) => [String(s.id), s]));
  state.street = street.status === 'fulfilled' ? street.value : null;

  // The street's name comes from the database, never from this page's files.
  setPlace(state.meta);
  applyStatic();
  $('street-banner').hidden = meta.status !== 'fulfilled' || Boolean(state.meta.street);
  $('sample-banner').hidden = !state.meta.sample;
  renderAll();
  if (state.view === 'map') ensureMap();
  document.documentElement.dataset.ready = 'true';
  // The subsidy only adds "您付" to prices: the page does not wait for it.
  loadSubsidy(getJSON).then(renderAnswer);
  answerFromURL();
}

/**
 * shareInURL puts the answer's starting point in the address, so that a shared or
 * bookmarked link opens the same answer: ?area=12 for a chosen area, else
 * ?at=lon,lat. replaceState: the Back button still leaves the page.
 */
function shareInURL({ lon, lat, areaId }) {
  const url = new URL(window.location.href);
  url.searchParams.delete('area');
  url.searchParams.delete('at');
  if (areaId !== null && areaId !== undefined) url.searchParams.set('area', String(areaId));
  else url.searchParams.set('at', `${lon.toFixed(6)},${lat.toFixed(6)}`);
  window.history.replaceState(null, '', url);
}

/** answerFromURL answers the link's ?area= or ?at=lon,lat, as shareInURL wrote it. */
function answerFromURL() {
  const params = new URLSearchParams(window.location.search);
  const area = params.get('area');
  if (area) {
    lookupArea(area);
    return;
  }
  const at = (params.get('at') || '').split(',').map(Number);
  if (at.length === 2 && at.every(Number.isFinite)) lookup(at[0], at[1]);
}

start().catch((err) => {
  showError(() => errorText(err));
  document.documentElement.dataset.ready = 'error';
});
