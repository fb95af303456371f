// staff-meals.js — a meal point's meals on the staff editor: the day's menu (dishes,
// prices, the set meal, sold out today), the weekly template and "copy to this
// week", and where it delivers (送餐上门: a polygon tapped out on the map, minutes'
// walk, or residential areas). Prices are typed in 元 and sent as whole fen, read
// from the text (never through floating point).

import { api } from './api.js';
import { addStrings, dayName, t, WEEKDAYS } from './i18n.js';
import { FinderMap } from './map.js';
import { readYuan, yuanText } from './money.js';
import { el } from './render.js';
import { $, call, errorText, notice, problem, shanghaiDay } from './staff-state.js';

addStrings({
  zh: {
    mealsTitle: '菜单与送餐',
    menuDayTitle: '每日菜单',
    menuDate: '日期',
    menuLoad: '查看',
    dishName: '菜名',
    dishPrice: '单点价（元，可不填）',
    dishSoldOut: '已售完（仅今天）',
    dishRemove: '删除',
    dishAdd: '＋ 添加菜品',
    setMealPrice: '套餐价（元）',
    setMealSoldOut: '套餐已售完（仅今天）',
    menuNote: '备注',
    menuSave: '保存这一天的菜单',
    menuSaved: '已保存 {date} 的菜单',
    menuCopyWeek: '用每周模板填满这一周（已有菜单的日子不变）',
    menuCopied: '已用模板填写本周菜单',
    templateTitle: '每周模板',
    templateDay: '星期',
    templateSave: '保存这一天的模板',
    templateSaved: '已保存每周模板',
    priceBad: '价格请写元，如 15 或 12.5',
    deliveryFormTitle: '送餐上门范围',
    deliveryKind: '范围',
    deliveryNone: '不送餐',
    deliveryKindWalk: '步行几分钟以内',
    deliveryKindAreas: '这些居民区',
    deliveryKindPolygon: '在地图上画出范围',
    deliveryMinutes: '分钟（老年人步速）',
    deliveryAreasLabel: '居民区',
    deliveryMapHint: '在地图上依次点选范围的各个角；至少三个点。',
    deliveryMapClear: '重画',
    deliveryBookingLabel: '订餐时间和方式',
    deliveryPhoneLabel: '订餐电话（不填则用服务点电话）',
    deliverySave: '保存送餐范围',
    deliverySaved: '已保存送餐范围',
    deliveryStopped: '已停止送餐',
  },
  en: {
    mealsTitle: 'Menus and delivery',
    menuDayTitle: 'Menu of the day',
    menuDate: 'Date',
    menuLoad: 'Show',
    dishName: 'Dish',
    dishPrice: 'Price alone (¥, optional)',
    dishSoldOut: 'Sold out (today only)',
    dishRemove: 'Remove',
    dishAdd: '+ Add a dish',
    setMealPrice: 'Set meal (¥)',
    setMealSoldOut: 'Set meal sold out (today only)',
    menuNote: 'Note',
    menuSave: "Save this day's menu",
    menuSaved: 'Menu of {date} saved',
    menuCopyWeek: 'Fill this week from the weekly template (days with a menu stay)',
    menuCopied: "This week's menus filled from the template",
    templateTitle: 'Weekly template',
    templateDay: 'Weekday',
    templateSave: "Save this weekday's template",
    templateSaved: 'Weekly template saved',
    priceBad: 'Write prices in yuan, such as 15 or 12.5',
    deliveryFormTitle: 'Where meals are delivered',
    deliveryKind: 'Area',
    deliveryNone: 'No delivery',
    deliveryKindWalk: "Within minutes' walk",
    deliveryKindAreas: 'These residential areas',
    deliveryKindPolygon: 'Drawn on the map',
    deliveryMinutes: "Minutes (older person's pace)",
    deliveryAreasLabel: 'Residential areas',
    deliveryMapHint: "Tap the area's corners on the map in turn; at least three.",
    deliveryMapClear: 'Start again',
    deliveryBookingLabel: 'When and how to book',
    deliveryPhoneLabel: "Booking phone (blank: the listing's)",
    deliverySave: 'Save the delivery area',
    deliverySaved: 'Delivery area saved',
    deliveryStopped: 'Delivery stopped',
  },
});

/** meals is the meal point being edited and what the server last said of it. */
const meals = { id: null, menu: null, template: null, delivery: null, areas: [], vertices: [] };

/** priceFen reads a price field's 元 as whole fen; blank is null; anything else throws. */
function priceFen(text) {
  const fen = readYuan(text);
  if (Number.isNaN(fen)) throw new Error(t('priceBad'));
  return fen;
}

/** dayEditor draws the fields of one day (a menu or a template's weekday) into box. */
function dayEditor(box, day, { soldOut }) {
  const rows = el('ol', { class: 'dish-rows field-rows' });
  const addRow = (dish = { name: '', price_fen: null, sold_out: false }) => {
    const row = el(
      'li',
      { class: 'dish-row field-row' },
      el('label', {}, t('dishName'), el('input', { class: 'dish-name', maxlength: '30', value: dish.name })),
      el('label', {}, t('dishPrice'), el('input', { class: 'dish-price', inputmode: 'decimal', value: yuanText(dish.price_fen) })),
      soldOut ? el('label', { class: 'check' }, el('input', { type: 'checkbox', class: 'dish-sold-out', checked: dish.sold_out }), t('dishSoldOut')) : null,
      el('button', { type: 'button', class: 'btn btn-quiet dish-remove' }, t('dishRemove')),
    );
    row.querySelector('.dish-remove').addEventListener('click', () => row.remove());
    rows.append(row);
  };
  (day.dishes || []).forEach((d) => addRow(d));
  const add = el('button', { type: 'button', class: 'btn dish-add' }, t('dishAdd'));
  add.addEventListener('click', () => addRow());
  // replaceChildren writes a null as the text "null": leave the sold-out box out instead.
  const setMealSoldOut = soldOut ? [el('label', { class: 'check' }, el('input', { type: 'checkbox', class: 'set-meal-sold-out', checked: day.set_meal_sold_out }), t('setMealSoldOut'))] : [];
  box.replaceChildren(
    rows,
    add,
    el('label', { class: 'field' }, t('setMealPrice'), el('input', { class: 'set-meal', inputmode: 'decimal', value: yuanText(day.set_meal_fen) })),
    ...setMealSoldOut,
    el('label', { class: 'field' }, t('menuNote'), el('input', { class: 'menu-note', maxlength: '200', value: day.note || '' })),
  );
}

/** readDay reads a day's fields back as the API's body; a bad price throws. */
function readDay(box) {
  const dishes = [...box.querySelectorAll('.dish-row')]
    .map((row) => ({
      name: row.querySelector('.dish-name').value.trim(),
      price_fen: priceFen(row.querySelector('.dish-price').value),
      sold_out: Boolean(row.querySelector('.dish-sold-out')?.checked),
    }))
    .filter((d) => d.name || d.price_fen !== null);
  return {
    dishes,
    set_meal_fen: priceFen(box.querySelector('.set-meal').value),
    set_meal_sold_out: Boolean(box.querySelector('.set-meal-sold-out')?.checked),
    note: box.querySelector('.menu-note').value,
  };
}

async function loadDay() {
  const date = $('menu-date').value || shanghaiDay();
  meals.menu = await call('GET', `/api/services/${meals.id}/menu?date=${date}`);
  dayEditor($('menu-day'), meals.menu, { soldOut: date === shanghaiDay() });
  $('menu-day').dataset.version = String(meals.menu.version);
}

async function saveDay(event) {
  event.preventDefault();
  const date = $('menu-date').value;
  try {
    meals.menu = await call('PUT', `/api/services/${meals.id}/menu?date=${date}`, { body: readDay($('menu-day')), ifMatch: meals.menu.version });
    $('menu-day').dataset.version = String(meals.menu.version);
    notice(() => t('menuSaved', { date }));
  } catch (err) {
    problem(() => errorText(err));
  }
}

async function copyWeek() {
  const date = $('menu-date').value || shanghaiDay();
  const d = new Date(`${date}T00:00:00Z`);
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400e3).toISOString().slice(0, 10);
  const sunday = new Date(Date.parse(`${monday}T00:00:00Z`) + 6 * 86400e3).toISOString().slice(0, 10);
  try {
    await call('POST', `/api/services/${meals.id}/menu/copy`, { body: { from: monday, to: sunday } });
    await loadDay();
    notice(() => t('menuCopied'));
  } catch (err) {
    problem(() => errorText(err));
  }
}

function showTemplateDay() {
  const day = (meals.template.days || {})[$('template-day').value] || {};
  dayEditor($('template-editor'), day, { soldOut: false });
}

async function saveTemplate(event) {
  event.preventDefault();
  try {
    const days = { ...(meals.template.days || {}), [$('template-day').value]: readDay($('template-editor')) };
    meals.template = await call('PUT', `/api/services/${meals.id}/menu/template`, { body: { days }, ifMatch: meals.template.version });
    notice(() => t('templateSaved'));
  } catch (err) {
    problem(() => errorText(err));
  }
}

/** DeliveryMap is the street's map where the delivery polygon's corners are tapped. */
let deliveryMap = null;
let deliveryShape = null;

function drawDeliveryShape() {
  if (!deliveryMap || !window.L) return;
  if (deliveryShape) deliveryShape.remove();
  deliveryShape = window.L.polygon(meals.vertices.map(([lon, lat]) => [lat, lon]), { color: '#0f5e2f' }).addTo(deliveryMap.map);
}

function showDeliveryMap() {
  if (!window.L) return;
  if (!deliveryMap) {
    deliveryMap = new FinderMap($('delivery-map'), {
      onPick: (p) => {
        meals.vertices.push([Number(p.lon.toFixed(6)), Number(p.lat.toFixed(6))]);
        $('delivery-map').dataset.vertices = String(meals.vertices.length);
        drawDeliveryShape();
      },
    });
    Promise.allSettled([api.meta().then((m) => deliveryMap.setMeta(m)), api.street().then((fc) => deliveryMap.drawStreet(fc)), api.areas().then((fc) => deliveryMap.drawAreas(fc))]);
  }
  deliveryMap.resize();
  drawDeliveryShape();
}

function showDeliveryKind() {
  const kind = $('delivery-kind').value;
  $('delivery-minutes-field').hidden = kind !== 'walk';
  $('delivery-areas-field').hidden = kind !== 'areas';
  $('delivery-polygon-field').hidden = kind !== 'polygon';
  $('delivery-details').hidden = kind === '';
  if (kind === 'polygon') showDeliveryMap();
}

function fillDelivery(d) {
  meals.delivery = d;
  $('delivery-kind').value = d.version ? d.kind : '';
  $('delivery-minutes').value = d.kind === 'walk' ? String(d.minutes) : '20';
  $('delivery-booking').value = d.booking || '';
  $('delivery-phone').value = d.phone || '';
  const ring = d.polygon && d.polygon.coordinates ? d.polygon.coordinates[0] : [];
  meals.vertices = ring.slice(0, -1);
  const chosen = new Set(d.area_names || []);
  $('delivery-areas').replaceChildren(
    ...meals.areas.map((name) => el('label', { class: 'check' }, el('input', { type: 'checkbox', value: name, checked: chosen.has(name) }), name)),
  );
  showDeliveryKind();
}

async function saveDelivery(event) {
  event.preventDefault();
  const kind = $('delivery-kind').value;
  try {
    if (kind === '') {
      fillDelivery(await call('DELETE', `/api/services/${meals.id}/delivery`, { ifMatch: meals.delivery.version }));
      notice(() => t('deliveryStopped'));
      return;
    }
    const body = { kind, booking: $('delivery-booking').value, phone: $('delivery-phone').value.trim() };
    if (kind === 'walk') body.minutes = Number($('delivery-minutes').value);
    if (kind === 'areas') body.area_names = [...$('delivery-areas').querySelectorAll('input:checked')].map((i) => i.value);
    if (kind === 'polygon') body.polygon = { type: 'Polygon', coordinates: [[...meals.vertices, meals.vertices[0]].filter(Boolean)] };
    fillDelivery(await call('PUT', `/api/services/${meals.id}/delivery`, { body, ifMatch: meals.delivery.version }));
    notice(() => t('deliverySaved'));
  } catch (err) {
    problem(() => errorText(err));
  }
}

/** showMeals shows the meals part of the editor for a saved meal point, else hides it. */
export async function showMeals(listing, isNew) {
  const section = $('meals-section');
  if (isNew || !listing || listing.category !== 'meal_point') {
    section.hidden = true;
    meals.id = null;
    return;
  }
  section.hidden = false;
  meals.id = listing.id;
  if (!$('menu-date').value) $('menu-date').value = shanghaiDay();
  try {
    const [template, delivery, areas] = await Promise.all([
      call('GET', `/api/services/${listing.id}/menu/template`),
      call('GET', `/api/services/${listing.id}/delivery`),
      meals.areas.length ? null : api.areas(),
      loadDay(),
    ]);
    meals.template = template;
    if (areas) meals.areas = (areas.features || []).map((f) => f.properties.name).sort();
    showTemplateDay();
    fillDelivery(delivery);
    section.dataset.state = 'loaded';
  } catch (err) {
    problem(() => errorText(err));
  }
}

/** hideMeals hides the meals part (back to the list). */
export function hideMeals() {
  $('meals-section').hidden = true;
  meals.id = null;
}

/** wireMeals connects the meals part's controls once. */
export function wireMeals() {
  $('template-day').replaceChildren(...WEEKDAYS.map((d) => new Option(dayName(d), d)));
  $('menu-date').addEventListener('change', () => loadDay().catch((err) => problem(() => errorText(err))));
  $('menu-form').addEventListener('submit', saveDay);
  $('menu-copy-week').addEventListener('click', copyWeek);
  $('template-day').addEventListener('change', showTemplateDay);
  $('template-form').addEventListener('submit', saveTemplate);
  $('delivery-kind').addEventListener('change', showDeliveryKind);
  $('delivery-form').addEventListener('submit', saveDelivery);
  $('delivery-clear').addEventListener('click', () => {
    meals.vertices = [];
    $('delivery-map').dataset.vertices = '0';
    drawDeliveryShape();
  });
}

/** relabelMeals redraws the meals part in the current language. */
export function relabelMeals() {
  for (const o of $('template-day').options) o.textContent = dayName(o.value);
}
