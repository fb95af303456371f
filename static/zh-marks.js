// zh-marks.js — in English mode, Chinese text from the data (names of places and
// services, addresses, notes) is marked lang="zh-Hans" where it stands, so a screen
// reader reads it with a Chinese voice instead of spelling it in English, and the
// browser picks a Chinese font (WCAG 3.1.2, language of parts). Each run of Chinese
// gets its own <span lang="zh-Hans">, inside an English sentence too; an <option>
// all in Chinese gets the attribute itself (it may hold no elements). One observer
// on the page does it for every renderer, now and later, so no list or card must
// remember.

import { lang, onLangChange } from './i18n.js';

// Han ideographs, CJK punctuation and full-width forms; a run starts and ends with
// one and may hold digits, spaces and a few marks between ("凉城四村 3号").
const HAN = '\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef';
const RUN = new RegExp(`[${HAN}](?:[${HAN}0-9\\s\\-–·.,/()]*[${HAN}])?`, 'g');
const HAS_HAN = new RegExp(`[${HAN}]`);
const LATIN = /[A-Za-z]/;
const SKIP = 'script, style, textarea, noscript, [lang^="zh"]';
const XHTML = 'http://www.w3.org/1999/xhtml';

let observer = null;

/** markText wraps each Chinese run of a text node in <span lang="zh-Hans">. */
function markText(node) {
  const parent = node.parentElement;
  const text = node.nodeValue;
  if (!parent || parent.namespaceURI !== XHTML || !HAS_HAN.test(text) || parent.closest(SKIP)) return;
  if (parent.tagName === 'OPTION') {
    parent.toggleAttribute('lang', !LATIN.test(text));
    if (parent.hasAttribute('lang')) parent.lang = 'zh-Hans';
    return;
  }
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(RUN)) {
    if (m.index > at) parts.push(document.createTextNode(text.slice(at, m.index)));
    const span = document.createElement('span');
    span.lang = 'zh-Hans';
    span.textContent = m[0];
    parts.push(span);
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(document.createTextNode(text.slice(at)));
  node.replaceWith(...parts);
}

/** markUnder marks every text node under root. */
function markUnder(root) {
  if (root.nodeType === Node.TEXT_NODE) {
    markText(root);
    return;
  }
  if (root.nodeType !== Node.ELEMENT_NODE || root.closest(SKIP)) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) found.push(n);
  found.forEach(markText);
}

function follow() {
  if (lang() === 'en') {
    markUnder(document.body);
    if (!observer) {
      observer = new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'characterData') markText(r.target);
          else r.addedNodes.forEach(markUnder);
        }
      });
    }
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  } else if (observer) {
    observer.disconnect(); // the marks left are true in Chinese too
  }
}

/** markChinese starts marking Chinese text in English mode, and follows the switch. */
export function markChinese() {
  follow();
  onLangChange(follow);
}
