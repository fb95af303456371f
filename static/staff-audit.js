// staff-audit.js — the audit log on the staff page: who changed which listing when,
// field by field, filtered by action, user or the listing being edited, twenty at a
// time with "more".

import { formatDateTime, t } from './i18n.js';
import { $, call, display, errorText, fieldName, problem, state } from './staff-state.js';

let shown = null; // the last answer, with the entries of every page loaded so far

/** loadAudit fetches the log's first page (reset) or its next page. */
export async function loadAudit(reset) {
  if (!state.user) return;
  const offset = reset || !shown ? 0 : shown.entries.length;
  const entity = $('audit-entity').value || 'service';
  const params = new URLSearchParams({ entity, limit: '20', offset: String(offset) });
  const action = $('audit-action').value;
  const user = $('audit-user').value.trim();
  if (action) params.set('action', action);
  if (user) params.set('user', user);
  // "Only this place" names the listing; an activity's entries are found by their own ids.
  if (entity === 'service' && $('audit-this').checked && state.editing && !state.editing.isNew) params.set('entity_id', String(state.editing.original.id));
  const list = $('audit-list');
  list.dataset.state = 'loading';
  try {
    const body = await call('GET', `/api/audit?${params}`);
    shown = offset === 0 ? body : { ...body, entries: [...shown.entries, ...body.entries] };
    renderAudit();
    list.dataset.state = 'loaded';
  } catch (err) {
    list.dataset.state = 'error';
    if (err.status !== 401) problem(() => errorText(err));
  }
}

function actionText(action) {
  const key = { create: 'actionCreate', update: 'actionUpdate', verify: 'actionVerify', delete: 'actionDelete' }[action];
  return key ? t(key) : t('actionOther', { action });
}

/** renderAudit shows the entries loaded, in the current language. */
export function renderAudit() {
  if (!shown) return;
  const ol = $('audit-list');
  if (shown.entries.length === 0) {
    const li = document.createElement('li');
    li.className = 'audit-empty';
    li.textContent = t('auditEmpty');
    ol.replaceChildren(li);
  } else {
    ol.replaceChildren(...shown.entries.map(auditItem));
  }
  $('audit-more').hidden = shown.entries.length >= shown.total;
}

function paragraph(className, text) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

function auditItem(e) {
  const li = document.createElement('li');
  li.className = 'audit-entry';
  li.dataset.action = e.action;
  const named = e.after || e.before || {};
  li.append(
    paragraph('audit-head', t('auditLine', { when: formatDateTime(e.at), who: e.username || t('auditCommandLine'), action: actionText(e.action) })),
    paragraph('audit-subject', `${named.name || named.title || ''} (#${e.entity_id})`),
  );
  const changes = (e.changes || []).filter((c) => e.action !== 'create' || c.to !== null);
  if (changes.length) {
    const ul = document.createElement('ul');
    ul.className = 'audit-changes';
    for (const c of changes) {
      const item = document.createElement('li');
      item.textContent = t('auditChange', { field: fieldName(c.field), from: display(c.field, c.from), to: display(c.field, c.to) });
      ul.append(item);
    }
    li.append(ul);
  }
  return li;
}

/** wireAudit makes the log's filters and "more" work. */
export function wireAudit() {
  $('audit-action').addEventListener('change', () => loadAudit(true));
  $('audit-entity').addEventListener('change', () => loadAudit(true));
  $('audit-user').addEventListener('change', () => loadAudit(true));
  $('audit-this').addEventListener('change', () => loadAudit(true));
  $('audit-more').addEventListener('click', () => loadAudit(false));
}
