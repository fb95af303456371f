// suggest.js — /suggest: a resident files a suggestion to the street office without
// an account and keeps a private link to follow it. The token travels in the
// link's fragment (#t=…), which browsers never send to a server or put in its logs;
// the page asks the API for the state with it. Every text goes in as text.

import { getJSON, requestJSON } from './api.js';
import { addStrings, applyStatic, formatDateTime, lang, onLangChange, setLang, setPlace, t } from './i18n.js';
import { errorText, say, showError, showMessagesAgain } from './messages.js';
import { wireMode } from './mode.js';
import './suggestion-states.js';
import { markChinese } from './zh-marks.js';

addStrings({
  zh: {
    sgPageTagline: '给街道提意见建议，凭私人链接查看办理情况',
    sgTrackTitle: '办理情况',
    sgFileTitle: '提意见建议',
    sgFieldTitle: '标题',
    sgFieldCategory: '类别',
    sgFieldText: '内容',
    sgFieldArea: '居民区（可不填）',
    sgFieldContact: '联系方式（可不填，只有街道和承办单位能看到）',
    sgSend: '提交',
    sgKeepLink: '请保存这个链接，用它查看办理情况：',
    sgSent: '已提交，谢谢！',
    sgTrackState: '状态',
    sgTrackReason: '不可行的理由',
    sgTrackAnswer: '答复',
    sgTrackUpdated: '更新时间',
  },
  en: {
    sgPageTagline: 'Suggest something to the street office, and follow it by a private link',
    sgTrackTitle: 'Where it stands',
    sgFileTitle: 'Make a suggestion',
    sgFieldTitle: 'Title',
    sgFieldCategory: 'Category',
    sgFieldText: 'Your suggestion',
    sgFieldArea: 'Residential area (optional)',
    sgFieldContact: 'Contact (optional; only the office and the organization handling it see it)',
    sgSend: 'Send',
    sgKeepLink: 'Keep this link to see what becomes of it:',
    sgSent: 'Sent — thank you!',
    sgTrackState: 'State',
    sgTrackReason: 'Why not feasible',
    sgTrackAnswer: 'Answer',
    sgTrackUpdated: 'Updated',
  },
});

const $ = (id) => document.getElementById(id);
let tracked = null;

function token() {
  return new URLSearchParams(window.location.hash.slice(1)).get('t') || '';
}

async function track() {
  const tok = token();
  $('track-section').hidden = !tok;
  if (!tok) return;
  try {
    tracked = await getJSON(`/api/suggestions/track/${encodeURIComponent(tok)}`);
    renderTrack();
  } catch (err) {
    showError(() => errorText(err));
  }
}

function renderTrack() {
  if (!tracked) return;
  const dl = $('track');
  dl.replaceChildren();
  const row = (label, value) => {
    if (!value) return;
    const div = document.createElement('div');
    div.className = 'svc-row';
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    div.append(dt, dd);
    dl.append(div);
  };
  row(t('sgFieldTitle'), tracked.title);
  row(t('sgFieldCategory'), tracked.category);
  row(t('sgTrackState'), t(`sgState_${tracked.state}`));
  row(t('sgTrackReason'), tracked.reason);
  row(t('sgTrackAnswer'), tracked.answer);
  row(t('sgTrackUpdated'), formatDateTime(tracked.updated_at));
}

async function send(e) {
  e.preventDefault();
  const form = e.currentTarget; // gone from the event once the request is awaited
  const data = new FormData(form);
  const body = Object.fromEntries(['title', 'category', 'text', 'area', 'contact', 'website'].map((k) => [k, String(data.get(k) || '')]));
  $('sg-send').disabled = true;
  try {
    const filed = await requestJSON('/api/suggestions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const link = `${window.location.origin}/suggest#t=${filed.token}`;
    $('sg-link-a').href = link;
    $('sg-link-a').textContent = link;
    $('sg-link').hidden = false;
    form.reset();
    say(() => t('sgSent'));
  } catch (err) {
    showError(() => errorText(err));
  } finally {
    $('sg-send').disabled = false;
  }
}

async function start() {
  wireMode();
  markChinese();
  applyStatic();
  $('lang-toggle').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  onLangChange(() => {
    applyStatic();
    renderTrack();
    showMessagesAgain();
  });
  $('sg-form').addEventListener('submit', send);
  window.addEventListener('hashchange', track);
  try {
    const [meta, cats] = await Promise.all([getJSON('/api/meta').catch(() => ({})), getJSON('/api/suggestions/categories')]);
    setPlace(meta);
    applyStatic();
    $('sg-category').replaceChildren(...cats.categories.map((c) => new Option(c, c)));
  } catch (err) {
    showError(() => errorText(err));
  }
  await track();
  document.documentElement.dataset.ready = 'true';
}

start();
