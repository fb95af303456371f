// staff-state.js — what the parts of the staff page share: who is signed in, the
// listings, the listing being edited, API calls that notice a lost session, the
// page's messages, and listings' fields as a person reads them.

import { categoryName, formatDate, formatDateTime, lang, t } from './i18n.js';
import { errorText as sharedErrorText, say, showError } from './messages.js';
import { send } from './session.js';
import { hoursText } from './staff-hours.js';
import './staff-strings.js';

export const state = {
  user: null,
  categories: [],
  organizations: new Map(),
  listings: [],
  editing: null, // { original, isNew, conflict: {current, patch} | null }
  center: [121.465, 31.29], // [lon, lat] where a new listing's pin starts: the street's centre, once known
};

export const $ = (id) => document.getElementById(id);

/** shanghaiDay is the calendar day of a moment in Shanghai, YYYY-MM-DD: today's without one. */
export function shanghaiDay(d = new Date()) {
  return d.toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}

let onSessionEnded = () => {};

/** whenSessionEnds sets what happens when the server says the session is gone (401). */
export function whenSessionEnds(fn) {
  onSessionEnded = fn;
}

/**
 * call sends one API request through session.js (JSON body, the CSRF token on every
 * change, If-Match when given). A lost session (401) shows the sign-in form again.
 */
export async function call(method, path, { body, ifMatch } = {}) {
  try {
    return await send(method, path, body, { ifMatch });
  } catch (err) {
    if (err.status === 401 && path !== '/api/session') onSessionEnded();
    throw err;
  }
}

/** errorText is a failure in the staff's words: a 403 says whose listings one may change. */
export function errorText(err) {
  if (err && err.status === 403) return t('errorForbidden');
  return sharedErrorText(err);
}

/** notice says message (a function giving the text, or null) and clears any error. */
export function notice(message) {
  showError(null);
  say(message);
}

/**
 * problem shows message (a function giving the text, or null) as the error, scrolled
 * into view unless reveal is false (it is read out all the same: role="alert").
 */
export function problem(message, { reveal = true } = {}) {
  if (!message) {
    showError(null);
    return;
  }
  say(null);
  showError(message);
  if (reveal) $('error').scrollIntoView({ block: 'nearest' });
}

/** fieldName is a listing's field as a person calls it ("name" → 名称). */
export function fieldName(f) {
  const key = `member_${f}`;
  const s = t(key);
  return s === key ? f : s;
}

/** categoryLabel is the name of the category with id, or the id when unknown. */
export function categoryLabel(id) {
  return categoryName(state.categories.find((c) => c.id === id)) || id;
}

/** statusText is a listing's status, with its reopening day when temporarily closed. */
export function statusText(s) {
  const key = { open: 'statusOpen', temporarily_closed: 'statusTemporarilyClosed', closed: 'statusClosed' }[s.status];
  let text = key ? t(key) : s.status;
  if (s.status === 'temporarily_closed' && s.reopens_on) text += ' · ' + t('reopensOnShort', { date: s.reopens_on });
  return text;
}

/** display turns a field's value into short text for a person. */
export function display(field, v) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return t('emptyValue');
  if (field === 'hours') return hoursText(v);
  if (field === 'status') return statusText({ status: v });
  if (field === 'category') return categoryLabel(v);
  if (field === 'organization_id') return (state.organizations.get(v) || { name: String(v) }).name;
  if (field === 'verified_at') return formatDateTime(v);
  if (Array.isArray(v)) return v.join(lang() === 'zh' ? '、' : ', ');
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  return String(v);
}

/** staleText says when a listing was last checked, or that it never was. */
export function staleText(s) {
  if (!s.verified_at) return t('staleNever');
  if (s.stale) return t('staleDays', { n: Math.floor((Date.now() - new Date(s.verified_at).getTime()) / 86400000) });
  return t('checkedOn', { date: formatDate(s.verified_at) });
}
