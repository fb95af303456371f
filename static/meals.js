// meals.js — a meal point's menu on the resident's card ("今日菜单 · 套餐 15 元"), what
// the resident pays after the street's meal subsidy ("您付 10 元"), and the delivery
// note ("可送餐上门"). Money is whole fen (1/100 元) everywhere, as the API gives it.
//
// The resident's age is kept in this device's localStorage only: it is never sent
// to the server, in no request, header or address. The subsidy is computed here.

import { addStrings, lang, serviceName, t } from './i18n.js';
import { formatFen } from './money.js';
import { el, telHref } from './render.js';

addStrings({
  zh: {
    menuToday: '今日菜单',
    setMeal: '套餐 {price}',
    youPay: '您付 {price}',
    soldOut: '已售完',
    menuSample: '示例菜单',
    ageLabel: '您的年龄（用于计算助餐补贴，只保存在本机）',
    agePlaceholder: '如：82',
    subsidyNote: '按{band}补贴计算{sample}',
    subsidySample: '（示例规则）',
    deliveryTitle: '可送餐上门',
    deliveryBooking: '订餐：{booking}',
    deliveryPhone: '订餐电话',
    deliverySample: '示例',
  },
  en: {
    menuToday: "Today's menu",
    setMeal: 'Set meal {price}',
    youPay: 'You pay {price}',
    soldOut: 'Sold out',
    menuSample: 'Sample menu',
    ageLabel: 'Your age (for the meal subsidy; kept on this device only)',
    agePlaceholder: 'e.g. 82',
    subsidyNote: 'With the {band} subsidy{sample}',
    subsidySample: ' (sample rules)',
    deliveryTitle: 'Meals delivered to your home',
    deliveryBooking: 'Booking: {booking}',
    deliveryPhone: 'Booking phone',
    deliverySample: 'sample',
  },
});

const AGE_KEY = 'doorstep.age';

/** The street's subsidy rules in effect today, from GET /api/subsidies; null before or without. */
let subsidy = null;

/**
 * bandFor returns the rules' age band that holds age (min_age ≤ age ≤ max_age, a
 * max_age of null having no upper end), or null.
 */
export function bandFor(rules, age) {
  if (!rules || !Array.isArray(rules.bands) || !Number.isInteger(age)) return null;
  return rules.bands.find((b) => age >= b.min_age && (b.max_age === null || b.max_age === undefined || age <= b.max_age)) || null;
}

/**
 * payFen is what a resident of age pays, in fen, for a price of priceFen under the
 * street's subsidy rules: the band's amount off, or its share off (percent_off,
 * rounded to the nearest fen, halves up); never below 0. Without rules, age or band
 * the full price. The Go side's doorstep.SubsidyBand.Pay computes the same, and a
 * browser test checks both against one table.
 */
export function payFen(priceFen, rules, age) {
  const price = Math.trunc(Number(priceFen));
  const band = bandFor(rules, age);
  if (!band || !Number.isFinite(price)) return price;
  let off = 0;
  if (Number.isInteger(band.amount_off_fen)) off = band.amount_off_fen;
  else if (Number.isInteger(band.percent_off)) off = Math.floor((price * band.percent_off + 50) / 100);
  return Math.max(0, price - off);
}

/** bandName is "80–89岁" / "80–89", or "90岁以上" / "90+". */
export function bandName(band) {
  const en = lang() === 'en';
  if (band.max_age === null || band.max_age === undefined) return en ? `${band.min_age}+` : `${band.min_age}岁以上`;
  return en ? `${band.min_age}–${band.max_age}` : `${band.min_age}–${band.max_age}岁`;
}

/** residentAge is the age kept on this device, or null. */
export function residentAge() {
  let v;
  try {
    v = window.localStorage.getItem(AGE_KEY);
  } catch {
    return null;
  }
  const n = Number(v);
  return v && Number.isInteger(n) && n >= 0 && n <= 130 ? n : null;
}

/**
 * wireAge fills the age field (#age-input) from this device and keeps what is typed
 * there on this device only; onChange redraws what shows the price.
 */
export function wireAge(onChange) {
  const input = document.getElementById('age-input');
  if (!input) return;
  const age = residentAge();
  input.value = age === null ? '' : String(age);
  input.addEventListener('input', () => {
    const n = Number(input.value);
    try {
      if (input.value.trim() && Number.isInteger(n) && n >= 0 && n <= 130) window.localStorage.setItem(AGE_KEY, String(n));
      else window.localStorage.removeItem(AGE_KEY);
    } catch {
      // Private mode without storage: the price shows without the subsidy.
    }
    onChange();
  });
}

/** loadSubsidy reads the rules in effect today (the request carries no age). */
export async function loadSubsidy(getJSON) {
  try {
    const body = await getJSON('/api/subsidies');
    subsidy = body && body.rules ? body.rules : null;
  } catch {
    subsidy = null;
  }
  return subsidy;
}

/** priceNodes is "15 元" and, with an age in a subsidy band, " · 您付 10 元". */
function priceNodes(fen) {
  const age = residentAge();
  const band = bandFor(subsidy, age);
  const nodes = [el('span', { class: 'price' }, formatFen(fen))];
  if (band) nodes.push(' · ', el('strong', { class: 'you-pay' }, t('youPay', { price: formatFen(payFen(fen, subsidy, age)) })));
  return nodes;
}

/**
 * menuBlock is today's menu on a meal point's card: "今日菜单 · 套餐 15 元 · 您付 10 元",
 * then the dishes with their prices, sold-out ones marked; null without a menu.
 */
export function menuBlock(menu) {
  if (!menu || (!menu.dishes?.length && !Number.isInteger(menu.set_meal_fen))) return null;
  const head = el(
    'p',
    { class: 'menu-head' },
    el('strong', {}, t('menuToday')),
    Number.isInteger(menu.set_meal_fen) ? [' · ', el('span', { class: 'set-meal' }, t('setMeal', { price: '' }).trim(), ' ', ...priceNodes(menu.set_meal_fen))] : null,
    menu.set_meal_sold_out ? el('span', { class: 'sold-out' }, t('soldOut')) : null,
    menu.sample ? el('span', { class: 'tag-sample' }, t('menuSample')) : null,
  );
  const dishes = (menu.dishes || []).map((d) =>
    el(
      'li',
      { class: d.sold_out ? 'dish dish-sold-out' : 'dish' },
      el('span', { class: 'dish-name' }, d.name),
      Number.isInteger(d.price_fen) ? [' ', ...priceNodes(d.price_fen)] : null,
      d.sold_out ? el('span', { class: 'sold-out' }, t('soldOut')) : null,
    ),
  );
  const band = bandFor(subsidy, residentAge());
  return el(
    'div',
    { class: 'menu-today' },
    head,
    dishes.length ? el('ul', { class: 'dishes' }, dishes) : null,
    menu.note ? el('p', { class: 'muted menu-note' }, menu.note) : null,
    band
      ? el('p', { class: 'muted subsidy-note' }, t('subsidyNote', { band: bandName(band), sample: subsidy.sample ? t('subsidySample') : '' }), band.conditions ? ` · ${band.conditions}` : '')
      : null,
  );
}

/** mealNodes are a doorstep line's meal parts: the service's menu today and the delivery note. */
export function mealNodes(entry) {
  const nodes = [menuBlock(entry.service && entry.service.today_menu), deliveryBlock(entry.delivery)].filter(Boolean);
  return nodes.length ? nodes : null;
}

/**
 * deliveryBlock is "可送餐上门" with the booking hours and phone, for an origin inside a
 * meal point's delivery area; null otherwise.
 */
export function deliveryBlock(delivery) {
  if (!delivery) return null;
  const phone = delivery.phone || '';
  return el(
    'div',
    { class: 'delivery-note', role: 'note' },
    el(
      'p',
      {},
      el('strong', {}, t('deliveryTitle')),
      ` · ${serviceName({ name: delivery.name, name_en: delivery.name_en })}`,
      delivery.sample ? el('span', { class: 'tag-sample' }, t('deliverySample')) : null,
    ),
    delivery.booking ? el('p', {}, t('deliveryBooking', { booking: delivery.booking })) : null,
    phone ? el('p', {}, `${t('deliveryPhone')} `, el('a', { href: telHref(phone), class: 'tel' }, phone)) : null,
  );
}
