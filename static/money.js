// money.js — money on every page: whole fen (分, 1/100 元), as the API keeps it, and
// 元 text, as people read and type it. One writer and one reader for the resident
// card, the staff menu editor and the office's subsidy rules, in integer arithmetic
// only: fen / 100 through floating point is off by a fen for large amounts, and % of
// a negative number is negative. testdata/fen_yuan.json is the table of cases the Go
// test (money_test.go) and the browser test (browser_meals_test.go) both check.

import { addStrings, t } from './i18n.js';

addStrings({
  zh: { yuan: '{n} 元' },
  en: { yuan: '¥{n}' },
});

/**
 * yuanText writes whole fen as 元 without trailing zeros, the text of a price field:
 * 1500 → "15", 1250 → "12.5", 1205 → "12.05", 1 → "0.01", -1250 → "-12.5".
 * Anything but a safe whole number gives "".
 */
export function yuanText(fen) {
  if (!Number.isSafeInteger(fen)) return '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  const whole = String((abs - cents) / 100); // exact: a multiple of 100
  const text = cents ? `${whole}.${String(cents).padStart(2, '0').replace(/0$/, '')}` : whole;
  return fen < 0 ? `-${text}` : text;
}

/**
 * formatFen writes whole fen as a price to read: "15 元", "12.5 元", "-0.01 元" (in
 * English "¥15", "-¥0.01"); "" for anything but a safe whole number.
 */
export function formatFen(fen) {
  if (!Number.isSafeInteger(fen)) return '';
  const price = t('yuan', { n: yuanText(Math.abs(fen)) });
  return fen < 0 ? `-${price}` : price;
}

/**
 * readYuan reads 元 text as typed into a price field — "15", "12.5" or "12.05", up
 * to 9999.99 — as whole fen, never through floating point. Blank text is null;
 * anything else unreadable is NaN, for the caller to say so in its own words.
 */
export function readYuan(text) {
  const s = String(text ?? '').trim();
  if (s === '') return null;
  const m = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(s);
  return m ? Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0')) : NaN;
}
