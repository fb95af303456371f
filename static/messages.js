// messages.js — the status line (#status) and the error box (#error) of the resident
// page and the office dashboard. Messages are kept as functions, so that a language
// switch can show them again (showMessagesAgain). Text goes in as text, never markup.

import { ApiError } from './api.js';
import { t } from './i18n.js';

let statusMessage = null;
let errorMessage = null;

/** say puts a short polite message in the status line (read out by screen readers); null clears it. */
export function say(message) {
  statusMessage = message;
  document.getElementById('status').textContent = message ? message() : '';
}

/** showError shows an error politely in the alert box; null clears it. */
export function showError(message) {
  errorMessage = message;
  const box = document.getElementById('error');
  box.textContent = message ? message() : '';
  box.hidden = !message;
}

/** showMessagesAgain shows the current status and error again, in the language now chosen. */
export function showMessagesAgain() {
  say(statusMessage);
  showError(errorMessage);
}

/** errorText is a failure as the user reads it: the server's message, or that the network failed. */
export function errorText(err) {
  if (err instanceof ApiError && err.code === 'network') return t('errorPrefix', { message: t('errorNetwork') });
  return t('errorPrefix', { message: String((err && err.message) || err) });
}
