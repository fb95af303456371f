// session.js — the staff session for pages behind a sign-in: who is signed in, the
// CSRF token every state-changing request carries, and JSON requests that send it.
// The session itself is an HttpOnly cookie the scripts never see.

import { requestJSON } from './api.js';

let csrf = '';

/**
 * send makes one JSON request: the body (if any) as JSON, the CSRF token on anything
 * but GET, and If-Match when ifMatch is given. A stale token (another tab signed in
 * again) is fetched anew and the request retried once. A refused request throws
 * requestJSON's ApiError.
 */
export async function send(method, path, body, { ifMatch, retried = false } = {}) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch !== undefined) headers['If-Match'] = String(ifMatch);
  try {
    return await requestJSON(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    if (err.status === 403 && err.field === 'X-CSRF-Token' && !retried) {
      await loadSession();
      return send(method, path, body, { ifMatch, retried: true });
    }
    throw err;
  }
}

/** loadSession asks who is signed in (user or null) and keeps the CSRF token. */
export async function loadSession() {
  const s = await send('GET', '/api/session');
  csrf = s.csrf_token;
  return s.user;
}

/** signIn signs in (fetching a CSRF token first when there is none) and returns the user. */
export async function signIn(username, password) {
  if (!csrf) await loadSession();
  const s = await send('POST', '/api/session', { username, password });
  csrf = s.csrf_token;
  return s.user;
}

/** signOut ends the session; it is gone either way, so failures are ignored. */
export async function signOut() {
  try {
    await send('DELETE', '/api/session');
  } catch {
    // nothing to do: the next page load asks again
  }
  csrf = '';
}

/**
 * submitSignIn handles the submit of the sign-in form the staff and office pages share
 * (#username, #password, #signin-error, #signin-button): it asks for both fields, signs
 * in, and calls onSignedIn(user); a refusal is told in #signin-error in the page's own
 * words (t, and errorText for anything unexpected), and the password field takes focus.
 */
export async function submitSignIn(event, { t, errorText, onSignedIn }) {
  event.preventDefault();
  const $ = (id) => document.getElementById(id);
  const username = $('username').value.trim();
  const password = $('password').value;
  const errEl = $('signin-error');
  errEl.hidden = true;
  if (!username || !password) {
    errEl.textContent = t('fillBoth');
    errEl.hidden = false;
    return;
  }
  const button = $('signin-button');
  button.disabled = true;
  button.textContent = t('signingIn');
  try {
    const user = await signIn(username, password);
    $('password').value = '';
    await onSignedIn(user);
  } catch (err) {
    if (err.status === 401) errEl.textContent = t('wrongPassword');
    else if (err.status === 403 && err.code === 'forbidden' && !err.field) errEl.textContent = t('accountDisabled');
    else if (err.status === 429) errEl.textContent = t('tooMany', { min: Math.max(1, Math.ceil(err.retryAfter / 60)) });
    else errEl.textContent = errorText(err);
    errEl.hidden = false;
    $('password').focus();
  } finally {
    button.disabled = false;
    button.textContent = t('signIn');
  }
}

/** seesCoverage reports whether a user may use the street office's tools. */
export function seesCoverage(user) {
  return Boolean(user) && (user.role === 'office' || user.role === 'admin');
}
