// staff-editor.js — the form that edits one listing: basics, status, opening hours
// (staff-hours.js) and the place (staff-map.js). Saving sends only the fields that
// changed, with the version the form was opened at; when someone else saved first,
// both sets of changes are shown and the staff's can be saved on the new version.

import { formatDate, formatDateTime, lang, serviceName, t } from './i18n.js';
import { loadAudit } from './staff-audit.js';
import { normalizeHours, readHours, renderHours, renderHoursLabels } from './staff-hours.js';
import { renderList, replaceListing } from './staff-list.js';
import { PinMap } from './staff-map.js';
import { hideMeals, showMeals } from './staff-meals.js';
import { $, call, display, errorText, fieldName, notice, problem, shanghaiDay, state } from './staff-state.js';

/** Field errors in Chinese by field; in English the server's own message is shown. */
const FIELD_MESSAGES = {
  name: 'fieldName', name_en: 'fieldNameEn', category: 'fieldCategory', address: 'fieldAddress', phone: 'fieldPhone',
  capacity: 'fieldCapacity', offers: 'fieldOffers', status: 'fieldStatus', reopens_on: 'fieldReopens', note: 'fieldNote',
  hours: 'fieldHours', lon: 'fieldPlace', lat: 'fieldPlace', organization_id: 'fieldOrganization',
};

/** The members of a listing the form edits, in the order the form shows them. */
const EDITABLE = ['name', 'name_en', 'category', 'organization_id', 'address', 'phone', 'capacity', 'offers', 'status',
  'reopens_on', 'note', 'hours', 'lon', 'lat'];

let pinMap = null;

function clearFieldErrors() {
  for (const el of document.querySelectorAll('[data-error-for]')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of document.querySelectorAll('.invalid')) el.classList.remove('invalid');
  for (const el of $('edit-form').querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.startsWith('error-'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/**
 * revealAboveActions scrolls box into the middle of the room the form's sticky
 * buttons leave on screen (in elder mode on a phone they take two rows), its top
 * first when it is taller than that room, so nothing of it is hidden behind them.
 */
function revealAboveActions(box) {
  const bar = $('edit-form').querySelector('.sticky-actions');
  const room = window.innerHeight - (bar ? bar.offsetHeight : 0);
  const r = box.getBoundingClientRect();
  window.scrollBy({ top: r.height >= room ? r.top : r.top - (room - r.height) / 2, behavior: 'instant' });
}

/**
 * showFieldError puts the message beside its field, marks the field invalid and
 * described by the message (a screen reader reads it when the field has the
 * focus), brings field and message into view and focuses the field; false when
 * the form has no such field.
 */
function showFieldError(field, serverMessage) {
  const el = document.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
  if (!el) return false;
  const key = FIELD_MESSAGES[field];
  el.textContent = lang() === 'zh' && key ? t(key) : serverMessage;
  if (lang() === 'zh' && serverMessage && field === 'hours') el.textContent += `（${serverMessage}）`;
  el.hidden = false;
  el.id ||= `error-${field}`;
  // Said at the top (role="alert") without scrolling there: the field is what to look at.
  problem(() => t('fixFields'), { reveal: false });
  const input = $(`f-${field}`);
  if (input) {
    input.classList.add('invalid');
    input.setAttribute('aria-invalid', 'true');
    const ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    input.setAttribute('aria-describedby', [...ids, el.id].join(' '));
  } else {
    el.closest('fieldset')?.classList.add('invalid');
  }
  revealAboveActions(input ? el.closest('.field') || el : el);
  input?.focus({ preventScroll: true });
  return true;
}

/** blankListing is a new listing of the user's organization at the street's centre. */
export function blankListing() {
  const [lon, lat] = state.center;
  const org = state.user.organization_id || Number($('org-filter').value) || ([...state.organizations.keys()][0] ?? 0);
  return {
    id: 0, version: 0, name: '', name_en: '', category: state.categories[0] ? state.categories[0].id : '',
    organization_id: org, address: '', phone: '', capacity: null, offers: [], status: 'open', reopens_on: '',
    note: '', hours: [], lon, lat, verified_at: null, stale: false, updated_at: null,
  };
}

/** openListing opens the listing with id from the list. */
export function openListing(id) {
  const s = state.listings.find((x) => x.id === id);
  if (s) startEditing(s, false);
}

/** startEditing shows the form for listing (isNew: not yet saved). */
export function startEditing(listing, isNew) {
  state.editing = { original: listing, isNew, conflict: null };
  notice(null);
  $('list-section').hidden = true;
  $('edit-section').hidden = false;
  $('conflict').hidden = true;
  $('delete-button').hidden = isNew || listing.status === 'closed';
  $('verify-box').hidden = isNew;
  fillForm(listing);
  renderEditMeta();
  $('edit-section').scrollIntoView({ block: 'start' });
  pinMap.show(listing.lon, listing.lat);
  if ($('audit-this').checked) loadAudit(true);
  $('edit-form').dataset.state = 'editing';
  showMeals(listing, isNew);
}

function backToList() {
  state.editing = null;
  hideMeals();
  $('edit-section').hidden = true;
  $('list-section').hidden = false;
  problem(null);
  renderList();
  if ($('audit-this').checked) loadAudit(true);
}

function renderEditMeta() {
  const { original, isNew } = state.editing;
  $('edit-title').textContent = isNew ? t('newListingTitle') : serviceName(original);
  $('edit-meta').textContent = isNew ? '' : t('editMeta', { version: original.version, updated: formatDateTime(original.updated_at) });
  const v = $('verify-status');
  const today = original.verified_at && shanghaiDay(new Date(original.verified_at)) === shanghaiDay(new Date());
  if (today) v.textContent = t('verifyToday');
  else if (!original.verified_at) v.textContent = t('verifyNever');
  else if (original.stale) v.textContent = t('verifyStale', { date: formatDate(original.verified_at) });
  else v.textContent = t('verifyRecent', { date: formatDate(original.verified_at) });
  v.className = original.stale && !today ? 'stale-warning' : '';
  $('verify-button').textContent = t('checkedToday');
}

/** relabelEditor puts the open form's generated words in the current language. */
export function relabelEditor() {
  if (pinMap) pinMap.relabel();
  if (!state.editing) return;
  renderHoursLabels();
  renderEditMeta();
}

function fillForm(s) {
  clearFieldErrors();
  $('f-name').value = s.name;
  $('f-name_en').value = s.name_en || '';
  $('f-category').value = s.category;
  $('f-organization_id').value = String(s.organization_id);
  $('f-address').value = s.address || '';
  $('f-phone').value = s.phone || '';
  $('f-capacity').value = s.capacity === null || s.capacity === undefined ? '' : String(s.capacity);
  $('f-offers').value = (s.offers || []).join('\n');
  $('f-status').value = s.status;
  $('f-reopens_on').value = s.reopens_on || '';
  $('f-note').value = s.note || '';
  $('f-lon').value = String(s.lon);
  $('f-lat').value = String(s.lat);
  renderHours(s.hours || []);
  syncClosureFields();
}

function syncClosureFields() {
  $('reopens-field').hidden = $('f-status').value !== 'temporarily_closed';
}

/** formValue reads the form into the editable members of a listing. */
function formValue() {
  const capacity = $('f-capacity').value.trim();
  const value = {
    name: $('f-name').value.trim(),
    name_en: $('f-name_en').value.trim(),
    category: $('f-category').value,
    organization_id: Number($('f-organization_id').value) || state.editing.original.organization_id,
    address: $('f-address').value.trim(),
    phone: $('f-phone').value.trim(),
    capacity: capacity === '' ? null : Number(capacity),
    offers: $('f-offers').value.split('\n').map((x) => x.trim()).filter(Boolean),
    status: $('f-status').value,
    reopens_on: $('f-status').value === 'temporarily_closed' ? $('f-reopens_on').value : '',
    note: $('f-note').value,
    hours: readHours(),
    lon: Number($('f-lon').value),
    lat: Number($('f-lat').value),
  };
  // A capacity that is not a whole number goes to the server as typed, to be refused by name.
  if (!Number.isInteger(value.capacity) && value.capacity !== null) value.capacity = $('f-capacity').value;
  return value;
}

/** comparable gives a member's value in one canonical form, so an unchanged member compares equal. */
function comparable(field, v) {
  if (field === 'hours') return JSON.stringify(normalizeHours(v || []));
  if (field === 'lon' || field === 'lat') return Number(v).toFixed(7);
  if (v === undefined || v === null) return field === 'capacity' ? 'null' : '""';
  return JSON.stringify(v);
}

/** changesFrom returns the members of value that differ from original: the PATCH body. */
function changesFrom(original, value) {
  const patch = {};
  for (const f of EDITABLE) {
    if (comparable(f, original[f]) !== comparable(f, value[f])) patch[f] = value[f];
  }
  return patch;
}

async function save(event) {
  event.preventDefault();
  clearFieldErrors();
  problem(null);
  const { original, isNew } = state.editing;
  let value;
  try {
    value = formValue();
  } catch (err) {
    if (err.field) showFieldError(err.field, err.message);
    return;
  }
  const button = $('save-button');
  button.disabled = true;
  button.textContent = t('saving');
  $('edit-form').dataset.state = 'saving';
  try {
    if (isNew) {
      const created = await call('POST', '/api/services', { body: value });
      state.listings.push(created);
      finishSave(created, 'created');
      return;
    }
    const patch = changesFrom(original, value);
    if (Object.keys(patch).length === 0) {
      notice(() => t('nothingChanged'));
      $('edit-form').dataset.state = 'saved';
      return;
    }
    await sendPatch(patch, original.version);
  } catch (err) {
    handleEditError(err, null);
  } finally {
    button.disabled = false;
    button.textContent = t('save');
  }
}

async function sendPatch(patch, version) {
  try {
    const updated = await call('PATCH', `/api/services/${state.editing.original.id}`, { body: patch, ifMatch: version });
    finishSave(updated, 'saved');
  } catch (err) {
    handleEditError(err, patch);
  }
}

/** finishSave shows the listing as the server now holds it and says so (message: a string key). */
function finishSave(listing, message) {
  replaceListing(listing);
  state.editing = { original: listing, isNew: false, conflict: null };
  $('conflict').hidden = true;
  $('delete-button').hidden = listing.status === 'closed';
  $('verify-box').hidden = false;
  fillForm(listing);
  renderEditMeta();
  pinMap.show(listing.lon, listing.lat);
  notice(() => t(message));
  $('edit-form').dataset.state = 'saved';
  loadAudit(true);
}

function handleEditError(err, patch) {
  if (err.status === 409 && err.body && err.body.current) {
    showConflict(err.body.current, patch);
    return;
  }
  $('edit-form').dataset.state = 'error';
  if (err.status === 400 && err.field && showFieldError(err.field, err.message)) return;
  if (err.status === 401) return; // the sign-in form is shown again
  problem(() => errorText(err));
}

function listItem(text) {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

function showConflict(current, patch) {
  state.editing.conflict = { current, patch };
  const mine = Object.keys(patch || {});
  const lines = mine.map((f) => listItem(t('conflictLine', { field: fieldName(f), mine: display(f, patch[f]), now: display(f, current[f]) })));
  // What the other editor changed that this one did not touch.
  for (const f of Object.keys(changesFrom(state.editing.original, current))) {
    if (mine.includes(f)) continue;
    lines.push(listItem(t('conflictOther', { field: fieldName(f), from: display(f, state.editing.original[f]), now: display(f, current[f]) })));
  }
  $('conflict-list').replaceChildren(...lines);
  $('conflict-text').textContent = t('conflictText', { version: current.version });
  $('conflict').hidden = false;
  $('conflict').scrollIntoView({ block: 'start' });
  $('edit-form').dataset.state = 'conflict';
  replaceListing(current);
}

async function reapplyConflict() {
  const c = state.editing && state.editing.conflict;
  if (!c) return;
  $('conflict').hidden = true;
  state.editing.original = c.current;
  state.editing.conflict = null;
  renderEditMeta();
  if (c.patch && Object.keys(c.patch).length) await sendPatch(c.patch, c.current.version);
}

function discardConflict() {
  const c = state.editing && state.editing.conflict;
  if (c) startEditing(c.current, false);
}

async function verifyToday() {
  const { original } = state.editing;
  const button = $('verify-button');
  button.disabled = true;
  try {
    const updated = await call('POST', `/api/services/${original.id}/verify`, { ifMatch: original.version });
    // Only verified_at and the version changed: keep what is typed in the form.
    state.editing.original = updated;
    replaceListing(updated);
    renderEditMeta();
    notice(() => t('checkedTodayDone'));
    loadAudit(true);
  } catch (err) {
    let mine = {};
    try {
      mine = changesFrom(original, formValue());
    } catch {
      // an incomplete form: show the conflict without the user's changes
    }
    handleEditError(err, mine);
  } finally {
    button.disabled = false;
  }
}

async function closeForGood() {
  const { original } = state.editing;
  if (!window.confirm(t('deleteConfirm'))) return;
  try {
    const closed = await call('DELETE', `/api/services/${original.id}`, { ifMatch: original.version });
    finishSave(closed, 'deleted');
  } catch (err) {
    handleEditError(err, { status: 'closed' });
  }
}

function pinFromInputs() {
  if (!$('f-lon').value || !$('f-lat').value) return;
  pinMap.follow(Number($('f-lon').value), Number($('f-lat').value));
}

/** wireEditor makes the form's buttons and fields work. */
export function wireEditor() {
  pinMap = new PinMap($('pin-map'), {
    onMove: ({ lon, lat }) => {
      $('f-lon').value = lon.toFixed(7);
      $('f-lat').value = lat.toFixed(7);
    },
  });
  $('back-to-list').addEventListener('click', backToList);
  $('edit-form').addEventListener('submit', save);
  $('f-status').addEventListener('change', syncClosureFields);
  $('f-lon').addEventListener('change', pinFromInputs);
  $('f-lat').addEventListener('change', pinFromInputs);
  $('verify-button').addEventListener('click', verifyToday);
  $('delete-button').addEventListener('click', closeForGood);
  $('conflict-reapply').addEventListener('click', reapplyConflict);
  $('conflict-discard').addEventListener('click', discardConflict);
}
