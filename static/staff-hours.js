// staff-hours.js — the opening-hours editor of the staff page: one row a day with a
// box for "open", one or more time ranges and "same as the day above". The rows are
// read back into the API's schedule, days with the same times merged into one span.

import { dayName, lang, t, WEEKDAYS } from './i18n.js';

/** byDay spreads a schedule over the week: {mon: [[opens, closes], ...], ...}. */
function byDay(hours) {
  const days = Object.fromEntries(WEEKDAYS.map((d) => [d, []]));
  for (const span of hours) for (const d of span.days) if (days[d]) days[d].push([span.opens, span.closes]);
  return days;
}

/** spansFromDays merges days with the same times into spans, in week order. */
function spansFromDays(days) {
  const spans = new Map();
  for (const d of WEEKDAYS) {
    const ranges = [...days[d]].sort((a, b) => a[0].localeCompare(b[0]));
    for (const [opens, closes] of ranges) {
      const key = `${opens}-${closes}`;
      if (!spans.has(key)) spans.set(key, { days: [], opens, closes });
      if (!spans.get(key).days.includes(d)) spans.get(key).days.push(d);
    }
  }
  return [...spans.values()].sort((a, b) => WEEKDAYS.indexOf(a.days[0]) - WEEKDAYS.indexOf(b.days[0]) || a.opens.localeCompare(b.opens));
}

/** normalizeHours rebuilds a schedule through the day rows, so equal schedules compare equal. */
export function normalizeHours(hours) {
  return spansFromDays(byDay(hours));
}

/** hoursText is a weekly schedule on one line: "周一、周二 09:00–17:00; 周六 10:00–12:00". */
export function hoursText(hours) {
  const sep = lang() === 'zh' ? '、' : ', ';
  return normalizeHours(hours).map((span) => `${span.days.map(dayName).join(sep)} ${span.opens}–${span.closes}`).join('; ');
}

/** renderHours fills #hours-editor with one row a day for the schedule hours. */
export function renderHours(hours) {
  const days = byDay(hours);
  document.getElementById('hours-editor').replaceChildren(...WEEKDAYS.map((d, i) => dayRow(d, days[d], i)));
}

function button(className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn btn-small ${className}`;
  b.addEventListener('click', onClick);
  return b;
}

function dayRow(day, ranges, index) {
  const row = document.createElement('div');
  row.className = 'day-row';
  row.dataset.day = day;
  const head = document.createElement('div');
  head.className = 'day-head';
  const label = document.createElement('label');
  label.className = 'check day-open-label';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.className = 'day-open';
  box.checked = ranges.length > 0;
  const name = document.createElement('span');
  name.className = 'day-name';
  label.append(box, name);
  head.append(label);
  if (index > 0) head.append(button('same-as-above', () => copyFromAbove(row)));
  const list = document.createElement('div');
  list.className = 'ranges';
  const add = button('add-range', () => {
    list.append(rangeRow(day, '', ''));
    box.checked = true;
    syncDayRow(row);
    list.lastElementChild.querySelector('input').focus();
  });
  box.addEventListener('change', () => {
    if (box.checked && list.children.length === 0) list.append(rangeRow(day, '09:00', '17:00'));
    syncDayRow(row);
  });
  for (const [opens, closes] of ranges) list.append(rangeRow(day, opens, closes));
  row.append(head, list, add);
  syncDayRow(row);
  renderDayRowLabels(row);
  return row;
}

function timeInput(className, value) {
  const input = document.createElement('input');
  input.type = 'time';
  input.className = className;
  input.value = value;
  input.step = 300;
  return input;
}

function rangeRow(day, opens, closes) {
  const div = document.createElement('div');
  div.className = 'range';
  const dash = document.createElement('span');
  dash.className = 'range-dash';
  dash.textContent = '–';
  const remove = button('remove-range', () => {
    const row = div.closest('.day-row');
    div.remove();
    syncDayRow(row);
  });
  remove.textContent = '✕';
  div.append(timeInput('opens', opens), dash, timeInput('closes', closes), remove);
  div.dataset.day = day;
  return div;
}

function syncDayRow(row) {
  const box = row.querySelector('.day-open');
  const list = row.querySelector('.ranges');
  if (list.children.length === 0) box.checked = false;
  list.hidden = !box.checked;
  row.classList.toggle('day-closed', !box.checked);
}

function renderDayRowLabels(row) {
  const day = row.dataset.day;
  row.querySelector('.day-name').textContent = `${dayName(day)} ${t('dayOpen')}`;
  const same = row.querySelector('.same-as-above');
  if (same) same.textContent = t('sameAsAbove');
  row.querySelector('.add-range').textContent = t('addRange');
  for (const r of row.querySelectorAll('.range')) {
    r.querySelector('.opens').setAttribute('aria-label', `${dayName(day)} ${t('from')}`);
    r.querySelector('.closes').setAttribute('aria-label', `${dayName(day)} ${t('to')}`);
    r.querySelector('.remove-range').setAttribute('aria-label', `${dayName(day)} ${t('removeRange')}`);
  }
}

/** renderHoursLabels puts the day rows' words in the current language. */
export function renderHoursLabels() {
  for (const row of document.querySelectorAll('.day-row')) renderDayRowLabels(row);
}

function copyFromAbove(row) {
  const above = row.previousElementSibling;
  const ranges = [...above.querySelectorAll('.range')].map((r) => [r.querySelector('.opens').value, r.querySelector('.closes').value]);
  const open = above.querySelector('.day-open').checked;
  row.querySelector('.ranges').replaceChildren(...(open ? ranges : []).map(([o, c]) => rangeRow(row.dataset.day, o, c)));
  row.querySelector('.day-open').checked = open && ranges.length > 0;
  syncDayRow(row);
  renderDayRowLabels(row);
}

/** readHours reads the day rows into a schedule; an incomplete time throws an error with field "hours". */
export function readHours() {
  const days = {};
  for (const row of document.querySelectorAll('.day-row')) {
    const day = row.dataset.day;
    days[day] = [];
    if (!row.querySelector('.day-open').checked) continue;
    for (const r of row.querySelectorAll('.range')) {
      const opens = r.querySelector('.opens').value;
      const closes = r.querySelector('.closes').value;
      if (!opens && !closes) continue;
      if (!opens || !closes) {
        const err = new Error(t('hoursIncomplete', { day: dayName(day) }));
        err.field = 'hours';
        throw err;
      }
      days[day].push([opens.slice(0, 5), closes.slice(0, 5)]);
    }
  }
  return spansFromDays(days);
}
