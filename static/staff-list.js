// staff-list.js — the list of listings on the staff page: one big button a listing
// with its category, address, status and when it was last checked; the ones not
// checked for 90 days first (the server's order); filtered by name or address.

import { serviceName, t } from './i18n.js';
import { seesCoverage } from './session.js';
import { $, call, categoryLabel, errorText, problem, staleText, state, statusText } from './staff-state.js';

let onOpen = () => {};

/** whenOpened sets what a press on a listing does: fn(id). */
export function whenOpened(fn) {
  onOpen = fn;
}

/** loadListings fetches the listings the user keeps (for the office: of the chosen organization). */
export async function loadListings() {
  const list = $('listing-list');
  list.dataset.state = 'loading';
  const params = new URLSearchParams({ limit: '500' });
  const org = $('org-filter').value;
  if (seesCoverage(state.user) && org) params.set('organization_id', org);
  try {
    const body = await call('GET', `/api/staff/services?${params}`);
    state.listings = body.services;
    renderList();
    list.dataset.state = 'loaded';
  } catch (err) {
    list.dataset.state = 'error';
    if (err.status !== 401) problem(() => errorText(err));
  }
}

function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

/** renderList shows the listings that match the text filter. */
export function renderList() {
  if (!state.user) return;
  $('list-title').textContent = seesCoverage(state.user) ? t('allListings') : t('myListings');
  const q = $('text-filter').value.trim().toLowerCase();
  const shown = state.listings.filter((s) => !q || [s.name, s.name_en, s.address].some((v) => (v || '').toLowerCase().includes(q)));
  const items = shown.map((s) => {
    const li = document.createElement('li');
    li.className = 'listing';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'listing-button';
    button.dataset.id = String(s.id);
    const badges = span('listing-badges', '');
    badges.append(span(`badge badge-${s.status}`, statusText(s)), span(s.stale ? 'badge badge-stale' : 'badge badge-fresh', staleText(s)));
    button.append(span('listing-name', serviceName(s)), span('listing-meta', `${categoryLabel(s.category)} · ${s.address || ''}`), badges);
    button.addEventListener('click', () => onOpen(s.id));
    li.append(button);
    return li;
  });
  $('listing-list').replaceChildren(...items);
  const stale = shown.filter((s) => s.stale).length;
  $('list-summary').textContent = shown.length ? t('listSummary', { n: shown.length, stale }) : t('listEmpty');
}

/** replaceListing puts a changed listing in the list in place of its old version. */
export function replaceListing(listing) {
  const i = state.listings.findIndex((x) => x.id === listing.id);
  if (i >= 0) state.listings[i] = listing;
  else state.listings.push(listing);
}
