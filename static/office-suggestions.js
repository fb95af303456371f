// office-suggestions.js — the street office's suggestions (意见建议) on /office: the
// year's report by category, state and area (shares rounded once by the server, so
// each table sums to 100.00 %), the office's categories, and the year's suggestions,
// each assigned, moved on and answered in place. Every text goes in as text.

import { addStrings, formatDateTime, t } from './i18n.js';
import { showError } from './messages.js';
import { el } from './render.js';
import { send } from './session.js';
import './suggestion-states.js';

addStrings({
  zh: {
    sgTitle: '意见建议',
    sgYear: '年份',
    sgTotal: '{year}年共 {n} 件',
    sgByCategory: '按类别',
    sgByState: '按办理情况',
    sgByArea: '按居民区',
    sgCount: '件数',
    sgShare: '占比',
    sgNoArea: '（未填）',
    sgAddCategory: '新增类别',
    sgAdd: '添加',
    sgListTitle: '逐件办理',
    sgEmpty: '这一年还没有意见建议。',
    sgContact: '联系方式：{contact}',
    sgAssigned: '承办单位',
    sgUnassigned: '（未分派）',
    sgReason: '不可行的理由',
    sgAnswer: '答复',
    sgState: '办理情况',
    sgSave: '保存',
    sgSaved: '已保存',
    sgGroup: '{state}（{n} 件）',
    sgMore: '更多（还有 {n} 件）',
  },
  en: {
    sgTitle: 'Suggestions',
    sgYear: 'Year',
    sgTotal: '{n} in {year}',
    sgByCategory: 'By category',
    sgByState: 'By state',
    sgByArea: 'By residential area',
    sgCount: 'Count',
    sgShare: 'Share',
    sgNoArea: '(none given)',
    sgAddCategory: 'New category',
    sgAdd: 'Add',
    sgListTitle: 'One by one',
    sgEmpty: 'No suggestions in this year yet.',
    sgContact: 'Contact: {contact}',
    sgAssigned: 'Assigned to',
    sgUnassigned: '(not assigned)',
    sgReason: 'Why not feasible',
    sgAnswer: 'Answer',
    sgState: 'State',
    sgSave: 'Save',
    sgSaved: 'Saved',
    sgGroup: '{state} ({n})',
    sgMore: 'More ({n} more)',
  },
});

const STATES = ['received', 'accepted', 'in_progress', 'resolved', 'not_feasible'];
const CLOSED = new Set(['resolved', 'not_feasible']);
const $ = (id) => document.getElementById(id);
const shown = { report: null, list: null, orgs: [] };

/**
 * The list folds by state: a group for each state with its count, the open states'
 * groups open and the closed ones' folded, each showing its first FIRST suggestions
 * and "更多" for the rest. fold keeps what the office opened across redraws.
 */
const FIRST = 5;
const fold = { open: new Map(), whole: new Set() };

/** loadSuggestions fetches the year's report, its suggestions and the organizations. */
export async function loadSuggestions() {
  const section = $('sg-section');
  if (!section) return;
  section.hidden = false;
  if (!$('sg-year').value) $('sg-year').value = String(new Date().getFullYear());
  const year = $('sg-year').value;
  section.dataset.state = 'loading';
  try {
    const [report, list, orgs] = await Promise.all([
      send('GET', `/api/suggestions/report?year=${encodeURIComponent(year)}`),
      send('GET', `/api/suggestions?year=${encodeURIComponent(year)}&limit=200`),
      send('GET', '/api/organizations'),
    ]);
    Object.assign(shown, { report, list, orgs: orgs.organizations || [] });
    renderSuggestionsOffice();
    section.dataset.state = 'loaded';
  } catch (err) {
    section.dataset.state = 'error';
    showError(() => String(err.message || err));
  }
}

// Numbers stay whole ("100.00 %", not broken over two lines in large type); the
// table scrolls in its own named box when the screen is narrower than it.
function shareTable(caption, key, lines, label = (k) => k) {
  const id = `sg-table-${key}`;
  return el(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': id, tabindex: '0' },
    el(
      'table',
      { class: 'data-table sg-table', 'data-table': key },
      el('caption', { id }, caption),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, caption), el('th', { scope: 'col', class: 'num' }, t('sgCount')), el('th', { scope: 'col', class: 'num' }, t('sgShare')))),
      el(
        'tbody',
        {},
        lines.map((l) =>
          el('tr', {}, el('th', { scope: 'row' }, label(l[key])), el('td', { class: 'num' }, String(l.count)), el('td', { class: 'num' }, `${l.share_percent.toFixed(2)} %`)),
        ),
      ),
    ),
  );
}

/** renderSuggestionsOffice draws what loadSuggestions fetched, in the current language. */
export function renderSuggestionsOffice() {
  const r = shown.report;
  if (!r) return;
  $('sg-total').textContent = t('sgTotal', { year: r.year, n: r.total });
  $('sg-report').replaceChildren(
    shareTable(t('sgByCategory'), 'category', r.categories),
    shareTable(t('sgByState'), 'state', r.states, (s) => t(`sgState_${s}`)),
    shareTable(t('sgByArea'), 'area', r.areas, (a) => a || t('sgNoArea')),
  );
  const items = shown.list.suggestions;
  $('sg-list').replaceChildren(...(items.length ? STATES.map((state) => stateGroup(state, items)).filter(Boolean) : [el('p', { class: 'muted' }, t('sgEmpty'))]));
}

/** stateGroup is the folding group of the suggestions in state, or null when there are none. */
function stateGroup(state, items) {
  const mine = items.filter((s) => s.state === state);
  if (!mine.length) return null;
  const whole = fold.whole.has(state) || mine.length <= FIRST;
  const more = whole ? null : el('button', { type: 'button', class: 'btn sg-more' }, t('sgMore', { n: mine.length - FIRST }));
  const group = el(
    'details',
    { class: 'sg-group', 'data-state': state, 'data-count': String(mine.length) },
    el('summary', {}, t('sgGroup', { state: t(`sgState_${state}`), n: mine.length })),
    el('ol', { class: 'sg-list' }, (whole ? mine : mine.slice(0, FIRST)).map(suggestionItem)),
    more,
  );
  group.open = fold.open.has(state) ? fold.open.get(state) : !CLOSED.has(state);
  group.addEventListener('toggle', () => fold.open.set(state, group.open));
  if (more) {
    more.addEventListener('click', () => {
      fold.whole.add(state);
      renderSuggestionsOffice();
      // The focus goes to the first suggestion that was folded away.
      const next = document.querySelectorAll(`#sg-list .sg-group[data-state="${state}"] li.sg-item`)[FIRST];
      if (next) next.querySelector('select').focus();
    });
  }
  return group;
}

function suggestionItem(s) {
  const id = (name) => `sg-${name}-${s.id}`;
  const state = el('select', { id: id('state') }, STATES.map((k) => el('option', { value: k }, t(`sgState_${k}`))));
  state.value = s.state;
  const assigned = el('select', { id: id('assigned') }, el('option', { value: '0' }, t('sgUnassigned')), shown.orgs.map((o) => el('option', { value: String(o.id) }, o.name)));
  assigned.value = String(s.assigned_to || 0);
  const reason = el('input', { id: id('reason'), maxlength: '2000', autocomplete: 'off' });
  reason.value = s.reason;
  const answer = el('textarea', { id: id('answer'), rows: '2', maxlength: '2000' });
  answer.value = s.answer;
  const status = el('span', { class: 'sg-status', role: 'status' });
  const save = el('button', { type: 'button', class: 'btn btn-primary' }, t('sgSave'));
  save.addEventListener('click', async () => {
    status.textContent = '';
    try {
      await send('PATCH', `/api/suggestions/${s.id}`, { state: state.value, assigned_to: Number(assigned.value), reason: reason.value, answer: answer.value });
      status.textContent = t('sgSaved');
      loadSuggestions();
    } catch (err) {
      status.textContent = String(err.message || err);
    }
  });
  const field = (label, input) => el('div', { class: 'field' }, el('label', { for: input.id }, label), input);
  return el(
    'li',
    { class: 'sg-item', 'data-id': String(s.id), 'data-state': s.state },
    el('p', { class: 'sg-head' }, `${s.filed_on} · ${s.category}${s.area ? ` · ${s.area}` : ''}${s.external_id ? ` · ${s.external_id}` : ''}`),
    el('p', { class: 'sg-title' }, s.title),
    s.text ? el('p', { class: 'sg-text' }, s.text) : null,
    s.contact ? el('p', { class: 'sg-contact' }, t('sgContact', { contact: s.contact })) : null,
    el('p', { class: 'muted' }, formatDateTime(s.updated_at)),
    field(t('sgState'), state),
    field(t('sgAssigned'), assigned),
    field(t('sgReason'), reason),
    field(t('sgAnswer'), answer),
    el('p', {}, save, ' ', status),
  );
}

async function addCategory(e) {
  e.preventDefault();
  const name = $('sg-category-name').value.trim();
  if (!name) return;
  try {
    await send('POST', '/api/suggestions/categories', { name });
    $('sg-category-name').value = '';
    loadSuggestions();
  } catch (err) {
    showError(() => String(err.message || err));
  }
}

/** wireSuggestionsOffice makes the year and the category form work. */
export function wireSuggestionsOffice() {
  $('sg-year').addEventListener('change', loadSuggestions);
  $('sg-category-form').addEventListener('submit', addCategory);
}
