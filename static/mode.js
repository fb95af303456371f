// mode.js — 长辈模式 / elder mode, on every page: type of 24 px and nothing under
// 20 px, controls of 60 × 60 px, contrast of 7:1, no animation, and on the resident
// page the short answer (elder.css and render.js). One tap on the header's
// #mode-toggle switches it; the device remembers it; ?mode=elder in a link (as a
// family member sends it) turns it on, ?mode=normal off.

const STORAGE_KEY = 'doorstep.mode';
const listeners = [];

let elder = initialMode();
apply(); // before the first paint the page can reach, so the page does not jump

function initialMode() {
  const fromURL = new URLSearchParams(window.location.search).get('mode');
  if (fromURL === 'elder' || fromURL === 'normal') {
    remember(fromURL === 'elder');
    return fromURL === 'elder';
  }
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'elder';
  } catch {
    return false; // storage switched off: normal mode
  }
}

function remember(on) {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? 'elder' : 'normal');
  } catch {
    // Not remembered; the page still switches.
  }
}

function apply() {
  document.documentElement.classList.toggle('elder', elder);
  const button = document.getElementById('mode-toggle');
  if (button) button.setAttribute('aria-pressed', String(elder));
}

/** elderMode is true while 长辈模式 is on. */
export function elderMode() {
  return elder;
}

/** setElderMode turns elder mode on or off, remembers it and tells every listener. */
export function setElderMode(on) {
  if (Boolean(on) === elder) return;
  elder = Boolean(on);
  remember(elder);
  apply();
  for (const fn of listeners) fn(elder);
}

/** onModeChange registers fn to run after every switch of mode. */
export function onModeChange(fn) {
  listeners.push(fn);
}

/** wireMode makes the header's #mode-toggle switch the mode. */
export function wireMode() {
  apply();
  const button = document.getElementById('mode-toggle');
  if (button) button.addEventListener('click', () => setElderMode(!elder));
}
