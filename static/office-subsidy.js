// office-subsidy.js — the street's meal subsidy rules (助餐补贴) on /office: the
// version in effect today, band by band, and a form for the next version (its dates
// and bands, each an amount off in 元 or a share off in percent). Amounts go to the
// server as whole fen, read from the text, never through floating point.

import { addStrings, t } from './i18n.js';
import { showError } from './messages.js';
import { bandName } from './meals.js';
import { formatFen, readYuan } from './money.js';
import { el } from './render.js';
import { send } from './session.js';

addStrings({
  zh: {
    subTitle: '助餐补贴规则',
    subNone: '还没有补贴规则。',
    subCurrent: '第{version}版，{from}起执行{to}',
    subUntil: '，至{to}',
    subSample: '示例规则',
    subBand: '年龄',
    subOff: '补贴',
    subConditions: '条件',
    subAmount: '每餐减 {price}',
    subPercent: '减 {n}%',
    subNewTitle: '发布新版本（旧版本保留）',
    subFrom: '起始日期',
    subTo: '截止日期（可不填）',
    subMin: '最小年龄',
    subMax: '最大年龄（不填为不封顶）',
    subKind: '方式',
    subKindAmount: '每餐减（元）',
    subKindPercent: '按比例减（%）',
    subValue: '数值',
    subAddBand: '＋ 添加年龄段',
    subRemoveBand: '删除',
    subNote: '说明',
    subSave: '发布',
    subSaved: '已发布第{version}版',
    subBadNumber: '请填写整数或元（如 3 或 2.5）',
  },
  en: {
    subTitle: 'Meal subsidy rules',
    subNone: 'No subsidy rules yet.',
    subCurrent: 'Version {version}, from {from}{to}',
    subUntil: ' to {to}',
    subSample: 'Sample rules',
    subBand: 'Age',
    subOff: 'Subsidy',
    subConditions: 'Conditions',
    subAmount: '{price} off a meal',
    subPercent: '{n}% off',
    subNewTitle: 'Publish a new version (earlier ones are kept)',
    subFrom: 'From',
    subTo: 'Until (optional)',
    subMin: 'Minimum age',
    subMax: 'Maximum age (blank: no limit)',
    subKind: 'Kind',
    subKindAmount: 'Off a meal (¥)',
    subKindPercent: 'Share off (%)',
    subValue: 'Value',
    subAddBand: '+ Add an age band',
    subRemoveBand: 'Remove',
    subNote: 'Note',
    subSave: 'Publish',
    subSaved: 'Version {version} published',
    subBadNumber: 'Write whole numbers, or yuan such as 3 or 2.5',
  },
});

const sub = { answer: null };

const $ = (id) => document.getElementById(id);

/** readNumber reads a whole number; with yuan, "2.5" as 250 fen. Anything else throws. */
function readNumber(text, yuan) {
  const s = String(text).trim();
  const n = yuan ? readYuan(s) : /^\d{1,3}$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n)) throw new Error(t('subBadNumber'));
  return n;
}

/** loadSubsidyRules reads the rules in effect today and shows them. */
export async function loadSubsidyRules() {
  try {
    sub.answer = await send('GET', '/api/subsidies');
  } catch (err) {
    showError(() => err.message);
    return;
  }
  renderSubsidyRules();
  if (!$('sub-bands').children.length) addBandRow();
}

/** renderSubsidyRules draws the version in effect. */
export function renderSubsidyRules() {
  const r = sub.answer && sub.answer.rules;
  const box = $('sub-current');
  if (!box) return;
  if (!r) {
    box.replaceChildren(el('p', { class: 'hint' }, t('subNone')));
    return;
  }
  const rows = r.bands.map((b) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, bandName(b)),
      el('td', {}, Number.isInteger(b.amount_off_fen) ? t('subAmount', { price: formatFen(b.amount_off_fen) }) : t('subPercent', { n: b.percent_off })),
      el('td', {}, b.conditions || ''),
    ),
  );
  box.replaceChildren(
    el(
      'p',
      { id: 'sub-current-caption' },
      t('subCurrent', { version: r.version, from: r.effective_from, to: r.effective_to ? t('subUntil', { to: r.effective_to }) : '' }),
      r.sample ? el('span', { class: 'tag-sample' }, t('subSample')) : null,
    ),
    // A long condition scrolls inside its own box, not the page (elder mode at 200 %).
    el(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-labelledby': 'sub-current-caption', tabindex: '0' },
      el(
        'table',
        { class: 'data-table' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('subBand')), el('th', { scope: 'col' }, t('subOff')), el('th', { scope: 'col' }, t('subConditions')))),
        el('tbody', {}, rows),
      ),
    ),
    // replaceChildren writes a null as the text "null": leave a missing note out.
    ...(r.note ? [el('p', { class: 'hint' }, r.note)] : []),
  );
  box.dataset.version = String(r.version);
}

function addBandRow() {
  const field = (label, input) => el('label', {}, t(label), input);
  const kind = el('select', { class: 'sub-kind' }, new Option(t('subKindAmount'), 'amount'), new Option(t('subKindPercent'), 'percent'));
  const row = el(
    'li',
    { class: 'sub-band field-row' },
    field('subMin', el('input', { class: 'sub-min', inputmode: 'numeric' })),
    field('subMax', el('input', { class: 'sub-max', inputmode: 'numeric' })),
    field('subKind', kind),
    field('subValue', el('input', { class: 'sub-value', inputmode: 'decimal' })),
    field('subConditions', el('input', { class: 'sub-conditions', maxlength: '200' })),
    el('button', { type: 'button', class: 'btn btn-small sub-remove' }, t('subRemoveBand')),
  );
  row.querySelector('.sub-remove').addEventListener('click', () => row.remove());
  $('sub-bands').append(row);
}

function readBands() {
  return [...$('sub-bands').querySelectorAll('.sub-band')].map((row) => {
    const max = row.querySelector('.sub-max').value.trim();
    const amount = row.querySelector('.sub-kind').value === 'amount';
    const value = readNumber(row.querySelector('.sub-value').value, amount);
    return {
      min_age: readNumber(row.querySelector('.sub-min').value, false),
      max_age: max === '' ? null : readNumber(max, false),
      amount_off_fen: amount ? value : null,
      percent_off: amount ? null : value,
      conditions: row.querySelector('.sub-conditions').value.trim(),
    };
  });
}

async function publish(event) {
  event.preventDefault();
  try {
    const body = { effective_from: $('sub-from').value, effective_to: $('sub-to').value, bands: readBands(), note: $('sub-note').value };
    const latest = sub.answer ? sub.answer.latest_version : 0;
    const saved = await send('PUT', '/api/subsidies', body, { ifMatch: latest });
    $('sub-status').textContent = t('subSaved', { version: saved.version });
    await loadSubsidyRules();
  } catch (err) {
    $('sub-status').textContent = err.field ? `${err.field}: ${err.message}` : err.message;
  }
}

/** wireSubsidyRules connects the form once. */
export function wireSubsidyRules() {
  $('sub-form').addEventListener('submit', publish);
  $('sub-add-band').addEventListener('click', addBandRow);
}
