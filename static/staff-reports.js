// staff-reports.js — the queue of residents' reports (信息有误) on the staff page:
// open reports first, the most-reported listing first, newest first; each with what
// the resident said, their phone when they left one, a button to open the listing in
// the editor and buttons to resolve it (fixed, not a problem, duplicate) with a note.
// A report resolved as fixed after the listing was changed links that change.

import { addStrings, formatDateTime, t } from './i18n.js';
import { $, call, errorText, notice, problem, state } from './staff-state.js';

addStrings({
  zh: {
    reportsTitle: '居民反映的问题',
    reportsSummary: '{open} 条待处理。',
    reportsEmpty: '没有居民反映的问题。',
    reportKind_closed: '已关门',
    reportKind_moved: '搬走了',
    reportKind_phone: '电话不对',
    reportKind_hours: '开放时间不对',
    reportKind_other: '其他',
    reportHead: '{when} · {name} · {kind}',
    reportCount: '这个服务点共有 {n} 条待处理',
    reportCallBack: '回电：{phone}',
    reportOpenListing: '打开服务点修改',
    reportResolutionNote: '处理说明',
    resolve_fixed: '已改正',
    resolve_not_a_problem: '信息没有问题',
    resolve_duplicate: '重复',
    reportResolved: '{when} 由 {who} 处理：{resolution}',
    reportResolvedLinked: '（修改记录 #{id}）',
    reportResolvedDone: '已处理。',
  },
  en: {
    reportsTitle: "Residents' reports",
    reportsSummary: '{open} to deal with.',
    reportsEmpty: 'No reports from residents.',
    reportKind_closed: 'Closed',
    reportKind_moved: 'Moved',
    reportKind_phone: 'Wrong phone',
    reportKind_hours: 'Wrong hours',
    reportKind_other: 'Other',
    reportHead: '{when} · {name} · {kind}',
    reportCount: '{n} open on this listing',
    reportCallBack: 'Call back: {phone}',
    reportOpenListing: 'Open the listing',
    reportResolutionNote: 'Note',
    resolve_fixed: 'Fixed',
    resolve_not_a_problem: 'Not a problem',
    resolve_duplicate: 'Duplicate',
    reportResolved: '{when}, {who}: {resolution}',
    reportResolvedLinked: ' (change #{id})',
    reportResolvedDone: 'Resolved.',
  },
});

const RESOLUTIONS = ['fixed', 'not_a_problem', 'duplicate'];
let shown = null;
let openListing = () => {};

/** loadReports fetches the queue's first page. */
export async function loadReports() {
  if (!state.user) return;
  const list = $('report-list');
  list.dataset.state = 'loading';
  try {
    shown = await call('GET', '/api/staff/reports?limit=50');
    renderReports();
    list.dataset.state = 'loaded';
  } catch (err) {
    list.dataset.state = 'error';
    if (err.status !== 401) problem(() => errorText(err));
  }
}

function text(tag, className, s) {
  const n = document.createElement(tag);
  n.className = className;
  n.textContent = s;
  return n;
}

function button(label, onClick, className = 'btn') {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/** renderReports shows the queue, in the current language. */
export function renderReports() {
  if (!shown) return;
  const open = shown.reports.filter((r) => !r.resolved_at).length;
  $('report-summary').textContent = shown.total ? t('reportsSummary', { open }) : t('reportsEmpty');
  $('report-list').replaceChildren(...shown.reports.map(reportItem));
}

function reportItem(r) {
  const li = document.createElement('li');
  li.className = 'report-entry';
  li.dataset.state = r.resolved_at ? 'resolved' : 'open';
  li.dataset.id = String(r.id);
  li.append(text('p', 'report-head', t('reportHead', { when: formatDateTime(r.created_at), name: r.service_name, kind: t(`reportKind_${r.kind}`) })));
  if (r.note) li.append(text('p', 'report-note', r.note));
  if (r.phone) li.append(text('p', 'report-phone', t('reportCallBack', { phone: r.phone })));
  if (r.resolved_at) {
    let s = t('reportResolved', { when: formatDateTime(r.resolved_at), who: r.resolved_by, resolution: t(`resolve_${r.resolution}`) });
    if (r.audit_id) s += t('reportResolvedLinked', { id: r.audit_id });
    if (r.resolution_note) s += ` — ${r.resolution_note}`;
    li.append(text('p', 'report-resolved muted', s));
    return li;
  }
  if (r.open_on_listing > 1) li.append(text('p', 'report-count', t('reportCount', { n: r.open_on_listing })));
  const noteId = `report-note-${r.id}`;
  const label = text('label', 'report-note-label', t('reportResolutionNote'));
  label.htmlFor = noteId;
  const note = document.createElement('input');
  note.id = noteId;
  note.maxLength = 500;
  note.autocomplete = 'off';
  const actions = document.createElement('p');
  actions.className = 'report-actions';
  actions.append(button(t('reportOpenListing'), () => openListing(r.service_id), 'btn btn-open-listing'));
  for (const res of RESOLUTIONS) {
    const b = button(t(`resolve_${res}`), () => resolve(r, res, note.value), `btn btn-resolve${res === 'fixed' ? ' btn-primary' : ''}`);
    b.dataset.resolution = res;
    actions.append(b);
  }
  li.append(label, note, actions);
  return li;
}

async function resolve(r, resolution, note) {
  try {
    await call('POST', `/api/staff/reports/${r.id}/resolve`, { body: { resolution, note } });
    notice(() => t('reportResolvedDone'));
  } catch (err) {
    problem(() => errorText(err));
  }
  await loadReports();
}

/** wireReportQueue sets what "open the listing" does: fn(id), the editor's openListing. */
export function wireReportQueue(fn) {
  openListing = fn;
}
