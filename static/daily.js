// daily.js — the day's summary at the top of /staff and /office once signed in
// (GET /api/staff/summary): how many reports (and, for the office, suggestions) are
// open, new since yesterday and overdue, then the new and overdue ones themselves,
// the first few shown and the rest folded under 更多. The panel is in
// parts/daily-summary.html; every text reaches the page through textContent.

import { addStrings, formatDate, t } from './i18n.js';
import { send } from './session.js';
import './suggestion-states.js';

addStrings({
  zh: {
    dailyTitle: '今日提醒',
    dailyCsv: '下载表格（CSV）',
    dailyReports: '居民反映的问题：待处理 {open} 条，新收到 {new} 条，超过 {days} 天未处理 {overdue} 条',
    dailySuggestions: '意见建议：未办结 {open} 条，新收到 {new} 条，超过 {days} 天未办结 {overdue} 条',
    dailyNothing: '今天没有新的或超期的事项。',
    dailyNew: '新',
    dailyOverdue: '超期 {n} 天',
    dailyReport: '信息有误',
    dailySuggestion: '意见建议',
    dailyMore: '更多（{n} 条）',
    dailyKind_closed: '已关门',
    dailyKind_moved: '搬走了',
    dailyKind_phone: '电话不对',
    dailyKind_hours: '开放时间不对',
    dailyKind_other: '其他',
  },
  en: {
    dailyTitle: "Today's summary",
    dailyCsv: 'Download as a spreadsheet (CSV)',
    dailyReports: "Residents' reports: {open} open, {new} new, {overdue} open more than {days} days",
    dailySuggestions: 'Suggestions: {open} open, {new} new, {overdue} open more than {days} days',
    dailyNothing: 'Nothing new or overdue today.',
    dailyNew: 'New',
    dailyOverdue: '{n} days overdue',
    dailyReport: 'Report',
    dailySuggestion: 'Suggestion',
    dailyMore: 'More ({n})',
    dailyKind_closed: 'Closed',
    dailyKind_moved: 'Moved',
    dailyKind_phone: 'Wrong phone',
    dailyKind_hours: 'Wrong hours',
    dailyKind_other: 'Other',
  },
});

/** FIRST is how many items show before the rest fold under 更多. */
const FIRST = 8;
let shown = null;
const $ = (id) => document.getElementById(id);

/** loadDaily shows the panel and fetches the day's summary; a failure only hides it. */
export async function loadDaily() {
  $('daily-section').hidden = false;
  $('daily-items').dataset.state = 'loading';
  try {
    shown = await send('GET', '/api/staff/summary');
    renderDaily();
    $('daily-items').dataset.state = 'loaded';
  } catch {
    hideDaily();
  }
}

/** hideDaily puts the panel away (signed out). */
export function hideDaily() {
  shown = null;
  $('daily-section').hidden = true;
  $('daily-counts').replaceChildren();
  $('daily-items').replaceChildren();
  $('daily-items').dataset.state = 'empty';
}

function text(tag, className, s) {
  const n = document.createElement(tag);
  n.className = className;
  n.textContent = s;
  return n;
}

/** renderDaily draws the shown summary in the current language. */
export function renderDaily() {
  const s = shown;
  if (!s) return;
  const counts = [text('li', 'daily-count', t('dailyReports', { ...s.reports, days: s.overdue_days }))];
  if (s.suggestions) counts.push(text('li', 'daily-count', t('dailySuggestions', { ...s.suggestions, days: s.overdue_days })));
  $('daily-counts').replaceChildren(...counts);
  const items = s.items.map((it) => dailyItem(it, s.scope === 'office'));
  if (!items.length) items.push(text('li', 'daily-item daily-none', t('dailyNothing')));
  if (items.length > FIRST) {
    const rest = document.createElement('details');
    rest.className = 'daily-more';
    rest.append(text('summary', '', t('dailyMore', { n: items.length - FIRST })));
    const list = document.createElement('ul');
    list.className = 'daily-items';
    list.append(...items.splice(FIRST));
    rest.append(list);
    const li = document.createElement('li');
    li.append(rest);
    items.push(li);
  }
  $('daily-items').replaceChildren(...items);
}

function dailyItem(it, withOrganization) {
  const li = document.createElement('li');
  li.className = 'daily-item';
  li.dataset.kind = it.kind;
  li.dataset.overdue = String(it.overdue);
  if (it.new) li.append(text('span', 'daily-badge daily-badge-new', t('dailyNew')));
  if (it.overdue) li.append(text('span', 'daily-badge daily-badge-overdue', t('dailyOverdue', { n: it.age_days })));
  const detail = it.kind === 'report' ? t(`dailyKind_${it.detail}`) : t(`sgState_${it.detail}`);
  const parts = [t(it.kind === 'report' ? 'dailyReport' : 'dailySuggestion'), it.title, detail, formatDate(it.created_at)];
  if (withOrganization && it.organization_name) parts.push(it.organization_name);
  li.append(text('span', 'daily-text', parts.join(' · ')));
  return li;
}
