// report.js — "信息有误？" on every listing: a short form that tells the listing's
// staff what is wrong (closed, moved, phone, hours, other), with an optional note and
// a phone number to call back. No account is needed. The form is one <dialog>, built
// once; every text goes in as text. The field "website" is a honeypot people never see.

import { requestJSON } from './api.js';
import { addStrings, lang, serviceName, t } from './i18n.js';

addStrings({
  zh: {
    reportButton: '信息有误？',
    reportButtonLabel: '报告信息有误：{name}',
    reportTitle: '这条信息哪里不对？',
    reportFor: '服务点：{name}',
    reportKind_closed: '已关门',
    reportKind_moved: '搬走了',
    reportKind_phone: '电话不对',
    reportKind_hours: '开放时间不对',
    reportKind_other: '其他',
    reportNote: '补充说明（可不填）',
    reportPhone: '您的电话，方便工作人员回电（可不填）',
    reportSend: '提交',
    reportCancel: '取消',
    reportThanks: '谢谢！工作人员会尽快核实。',
    reportPickKind: '请选择哪里不对。',
    reportedHint: '有居民反映信息可能有误，工作人员正在核实，去之前最好先打电话问一问。',
  },
  en: {
    reportButton: 'Something wrong?',
    reportButtonLabel: 'Report wrong information: {name}',
    reportTitle: 'What is wrong with this listing?',
    reportFor: 'Listing: {name}',
    reportKind_closed: 'It has closed',
    reportKind_moved: 'It has moved',
    reportKind_phone: 'Wrong phone number',
    reportKind_hours: 'Wrong opening hours',
    reportKind_other: 'Something else',
    reportNote: 'Anything to add (optional)',
    reportPhone: 'Your phone, so staff can call back (optional)',
    reportSend: 'Send',
    reportCancel: 'Cancel',
    reportThanks: 'Thank you! Staff will check it soon.',
    reportPickKind: 'Please choose what is wrong.',
    reportedHint: 'Residents report this may be out of date; staff are checking. Please phone before you go.',
  },
});

const KINDS = ['closed', 'moved', 'phone', 'hours', 'other'];

function node(tag, attrs = {}, text = '') {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text) n.textContent = text;
  return n;
}

/** reportButton is the "信息有误？" button of a listing; wireReports answers it. */
export function reportButton(svc) {
  const b = node('button', { type: 'button', class: 'btn btn-report', 'data-report': String(svc.id), 'data-name': serviceName(svc), 'aria-label': t('reportButtonLabel', { name: serviceName(svc) }) });
  b.textContent = t('reportButton');
  return b;
}

/** reportedNote is the notice of a listing residents reported wrong, or null. */
export function reportedNote(svc) {
  return svc && svc.reported === true ? node('p', { class: 'reported-hint', role: 'note' }, t('reportedHint')) : null;
}

let dialog = null;

function buildDialog() {
  const d = node('dialog', { class: 'report-dialog', id: 'report-dialog', 'aria-labelledby': 'report-title' });
  const form = node('form', { method: 'dialog', id: 'report-form', novalidate: '' });
  const fieldset = node('fieldset', { class: 'report-kinds' });
  fieldset.append(node('legend', { id: 'report-title' }));
  for (const k of KINDS) {
    const label = node('label', { class: 'report-kind' });
    label.append(node('input', { type: 'radio', name: 'kind', value: k }), node('span', { 'data-kind': k }));
    fieldset.append(label);
  }
  const note = node('textarea', { name: 'note', id: 'report-note', maxlength: '500', rows: '3' });
  const phone = node('input', { type: 'tel', name: 'phone', id: 'report-phone', maxlength: '40', autocomplete: 'tel' });
  // The honeypot: out of sight and out of the tab order; bots fill it, people do not.
  const trap = node('input', { type: 'text', name: 'website', class: 'report-trap', tabindex: '-1', autocomplete: 'off', 'aria-hidden': 'true' });
  const actions = node('p', { class: 'report-actions' });
  actions.append(node('button', { type: 'submit', class: 'btn btn-primary', id: 'report-send' }), node('button', { type: 'button', class: 'btn', id: 'report-cancel' }));
  form.append(
    node('p', { id: 'report-for', class: 'muted' }),
    fieldset,
    node('label', { for: 'report-note', id: 'report-note-label' }),
    note,
    node('label', { for: 'report-phone', id: 'report-phone-label' }),
    phone,
    trap,
    node('p', { id: 'report-message', role: 'status', 'aria-live': 'polite' }),
    actions,
  );
  d.append(form);
  form.addEventListener('submit', sendReport);
  actions.querySelector('#report-cancel').addEventListener('click', () => d.close());
  document.body.append(d);
  return d;
}

function labelDialog(name) {
  dialog.lang = lang() === 'zh' ? 'zh-Hans' : 'en';
  dialog.querySelector('#report-title').textContent = t('reportTitle');
  dialog.querySelector('#report-for').textContent = t('reportFor', { name });
  for (const span of dialog.querySelectorAll('[data-kind]')) span.textContent = t(`reportKind_${span.dataset.kind}`);
  dialog.querySelector('#report-note-label').textContent = t('reportNote');
  dialog.querySelector('#report-phone-label').textContent = t('reportPhone');
  dialog.querySelector('#report-send').textContent = t('reportSend');
  dialog.querySelector('#report-cancel').textContent = t('reportCancel');
}

/** openReport shows the form for listing id. */
export function openReport(id, name) {
  if (!dialog) dialog = buildDialog();
  const form = dialog.querySelector('form');
  form.reset();
  form.dataset.id = id;
  dialog.querySelector('#report-send').disabled = false;
  dialog.querySelector('#report-message').textContent = '';
  labelDialog(name);
  dialog.showModal();
}

async function sendReport(e) {
  e.preventDefault();
  const form = e.currentTarget;
  const message = dialog.querySelector('#report-message');
  const data = new FormData(form);
  if (!data.get('kind')) {
    message.textContent = t('reportPickKind');
    return;
  }
  const body = { kind: data.get('kind'), note: data.get('note') || '', phone: data.get('phone') || '', website: data.get('website') || '' };
  const send = dialog.querySelector('#report-send');
  send.disabled = true;
  try {
    await requestJSON(`/api/services/${encodeURIComponent(form.dataset.id)}/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    message.textContent = t('reportThanks');
    setTimeout(() => dialog.close(), 1500);
  } catch (err) {
    send.disabled = false;
    message.textContent = String((err && err.message) || err);
  }
}

/** wireReports opens the form from any "信息有误？" button, wherever it is drawn. */
export function wireReports() {
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('[data-report]') : null;
    if (!button) return;
    e.preventDefault();
    openReport(button.dataset.report, button.dataset.name || '');
  });
}
