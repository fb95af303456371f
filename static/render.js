// render.js — builds the page's lists and cards as DOM nodes. All listing text goes in
// through textContent (never innerHTML), so a name or note can hold any character.

import { stationSwatch, SVG_NS, swatch, swatchFrame } from './colors.js';
import { canSpeak, speak } from './speech.js';
import { categoryName, compareNames, formatDate, formatDay, formatDistance, formatHours, formatMinutes, lang, nextChangeText, serviceName, speedText, t } from './i18n.js';
import { reportButton, reportedNote } from './report.js';

/**
 * el creates an element: attrs are set as attributes (class via "class", booleans as
 * present/absent), children are nodes or strings (strings become text nodes).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

/** telHref turns a phone number as listed ("021-6543 2100") into a tel: link target. */
export function telHref(phone) {
  const digits = String(phone).replace(/[^\d+]/g, '');
  return `tel:${digits}`;
}

/**
 * statusOf returns the text and class for a service's status and open-now state, or
 * null. A temporary closure whose reopening day has come is open by its hours.
 */
export function statusOf(svc) {
  if (svc.status === 'temporarily_closed' && svc.open_now !== true) return { text: t('statusTemporarilyClosed'), cls: 'status-closed' };
  if (svc.status === 'closed') return { text: t('statusClosed'), cls: 'status-closed' };
  // With no hours listed, "closed now" would be a guess: say nothing (the hours row asks to phone).
  if (!Array.isArray(svc.hours) || svc.hours.length === 0) return null;
  if (svc.open_now === true) return { text: t('openNow'), cls: 'status-open' };
  if (svc.open_now === false) return { text: t('closedNow'), cls: 'status-shut' };
  return null;
}

/**
 * openState is statusOf with when it next changes: the reopening day of a temporary
 * closure ("预计12月1日恢复"), else the next opening or closing ("13:00关门"); or null.
 */
export function openState(svc) {
  const st = statusOf(svc);
  if (!st) return null;
  const reopen = st.cls === 'status-closed' && svc.status === 'temporarily_closed' ? reopensText(svc) : '';
  return { ...st, change: reopen || nextChangeText(svc), reopen: Boolean(reopen) };
}

/**
 * serviceDetails returns a <dl> of a service's address, phone (a tel: link), opening
 * hours a line a span, status or open-now, offers, capacity and note.
 */
export function serviceDetails(svc) {
  // The rows are a <dl>; the notes after them sit beside it, not inside (a <dl> holds only rows).
  const rows = el('dl', { class: 'svc-rows' });
  const dl = el('div', { class: 'svc-details' }, rows);
  const row = (label, ...value) => rows.append(el('div', { class: 'svc-row' }, el('dt', {}, label), el('dd', {}, ...value)));

  if (svc.address) row(t('address'), svc.address);
  if (svc.phone) {
    row(
      t('phone'),
      el('a', { href: telHref(svc.phone), class: 'tel', 'aria-label': t('callPhone', { phone: svc.phone }) }, svc.phone),
    );
  }
  const lines = formatHours(svc.hours);
  row(
    t('hours'),
    lines.length ? el('ul', { class: 'hours' }, lines.map((l) => el('li', {}, l))) : el('span', { class: 'muted' }, t('hoursUnknown')),
  );
  const st = openState(svc);
  if (st) row(t('status'), el('span', { class: `status ${st.cls}` }, st.text), st.change ? el('span', { class: st.reopen ? 'reopens' : 'next-change' }, ` · ${st.change}`) : null);
  if (Array.isArray(svc.offers) && svc.offers.length) row(t('offers'), svc.offers.join(t('listSep')));
  if (svc.capacity !== null && svc.capacity !== undefined) row(t('capacity'), t('capacityValue', { n: svc.capacity }));
  if (svc.note) row(t('note'), svc.note);
  const reported = reportedNote(svc);
  if (reported) dl.append(reported);
  const verified = svc.verified_at ? formatDate(svc.verified_at) : '';
  if (svc.stale === true) {
    dl.append(el('p', { class: 'verified stale-hint' }, verified ? t('staleHint') : t('neverCheckedHint'), verified ? t('inParens', { text: t('verifiedAt', { date: verified }) }) : ''));
  }
  else if (verified) dl.append(el('p', { class: 'verified muted' }, t('verifiedAt', { date: verified })));
  return dl;
}

/** reopensText is "预计12月1日恢复" / "Reopens 1 Dec" for a listing with a reopening day, else "". */
export function reopensText(svc) {
  const day = svc && svc.reopens_on ? formatDay(svc.reopens_on) : '';
  return day ? t('reopensOnDate', { date: day }) : '';
}

/**
 * serviceActions is the row of actions a listing offers wherever it is shown:
 * "服务范围 / Who can walk here", a button the page answers by data-catchment, and
 * "信息有误？", which report.js answers by data-report.
 */
export function serviceActions(svc) {
  return el(
    'p',
    { class: 'svc-actions' },
    navigateLinks(svc),
    el(
      'button',
      {
        type: 'button',
        class: 'btn btn-catchment',
        'data-catchment': svc.id,
        'aria-label': t('catchmentButtonLabel', { name: serviceName(svc) }),
      },
      t('catchmentButton'),
    ),
    reportButton(svc),
  );
}

/**
 * navigateLinks is "带我去 / Take me there": links that open the phone's map app
 * walking to the listing (Amap, Baidu, or any app through geo:), as the API gives
 * them in svc.navigate; null when it gives none.
 */
export function navigateLinks(svc) {
  const nav = svc.navigate;
  if (!nav) return null;
  const link = (href, key) => el('a', { href, class: 'nav-link', rel: 'noopener', target: '_blank' }, t(key));
  return el(
    'span',
    // A group, so its name is allowed and read (a plain span may not carry aria-label).
    { class: 'nav-links', role: 'group', 'aria-label': t('navigateLabel', { name: serviceName(svc) }) },
    el('span', { class: 'nav-title' }, t('navigate')),
    link(nav.amap, 'navAmap'),
    link(nav.baidu, 'navBaidu'),
    link(nav.geo, 'navGeo'),
  );
}

/** routeButton is "路线 / Route": draws the walk there along the streets (data-route). */
export function routeButton(svc) {
  return el(
    'button',
    { type: 'button', class: 'btn btn-route', 'data-route': svc.id, 'aria-label': t('routeButtonLabel', { name: serviceName(svc) }) },
    t('routeButton'),
  );
}

/** estimateNote marks one distance that is a straight-line estimate; null for a walked one. */
export function estimateNote(svc) {
  return svc && svc.estimate === 'straight_line' ? el('span', { class: 'estimate-inline' }, t('estimate')) : null;
}

/**
 * serviceTitle returns the service's name with a "sample" tag when it is sample data
 * and a gentle "not recently checked" tag when its staff have not checked it lately.
 */
export function serviceTitle(tag, svc, cls = 'svc-name') {
  return el(
    tag,
    { class: cls },
    serviceName(svc),
    svc.sample ? el('span', { class: 'tag-sample' }, t('sampleTag')) : null,
    svc.stale === true ? el('span', { class: 'tag-stale' }, svc.verified_at ? t('staleTag') : t('neverCheckedTag')) : null,
  );
}

/**
 * servicePopup is the content of a map marker's popup: category, name, the catchment
 * action, extra nodes (a catchment's answer once asked for) and details.
 */
export function servicePopup(svc, cat, extra = null) {
  return el(
    'div',
    { class: 'popup', lang: document.documentElement.lang },
    el('p', { class: 'popup-cat' }, swatch(svc.category), categoryName(cat) || svc.category),
    serviceTitle('h3', svc),
    // The action near the top: on a phone a long popup runs under the map's controls.
    serviceActions(svc),
    extra,
    serviceDetails(svc),
  );
}

/**
 * answerMeta describes where an answer starts from and at which speed, and says when
 * the distances are straight-line estimates.
 */
export function answerMeta(answer, areaName) {
  const parts = [
    el('span', { class: 'from' }, areaName ? t('fromArea', { area: areaName }) : t('fromPoint')),
    el('span', { class: 'speed' }, speedText(answer.speed_m_per_min)),
  ];
  if (answer.estimate === 'straight_line') parts.push(el('span', { class: 'estimate' }, t('estimate')));
  if (answer.outside_street) parts.push(outsideNote(answer.message));
  return parts;
}

/**
 * outsideNote shows that the point asked about lies outside the street: the
 * server's words ("此地点不在…内 / outside …") in the page's language.
 */
export function outsideNote(message) {
  const [zh, en] = String(message || '').split(' / ');
  return el('span', { class: 'estimate outside-street', role: 'note' }, lang() === 'en' && en ? en : zh);
}

/**
 * answerRows returns one <li> a category, in the answer's order: the category, the
 * nearest service with its distance and walking minutes, the doorstep and circle
 * badges, and its details; or "none found". short (elder mode) gives the short card:
 * name, minutes, open now and a large call button, the rest folded in 详细信息.
 * extra(entry) adds a line's own nodes after its badges (meals.js: today's menu, the
 * delivery note), also when the line found no service.
 */
export function answerRows(answer, categoriesById, { short = false, extra = () => null } = {}) {
  return (answer.categories || []).map((entry) => {
    const cat = categoriesById.get(entry.category) || { id: entry.category };
    const li = el(
      'li',
      { class: short ? 'answer-row answer-short' : 'answer-row', 'data-category': entry.category, tabindex: '-1' },
      el('h3', { class: 'row-head' }, swatch(entry.category), el('span', {}, categoryName(cat) || entry.category)),
    );
    const svc = entry.service;
    if (!svc) {
      li.classList.add('answer-none');
      li.append(...el('div', {}, el('p', { class: 'none' }, noneText(entry)), usualClosedNote(entry.usual), extra(entry)).childNodes);
      return li;
    }
    const circle = cat.circle_minutes || 15;
    const distance = el(
      'p',
      { class: 'distance' },
      el('strong', { class: 'metres' }, formatDistance(svc.distance_m)),
      ' · ',
      el('strong', { class: 'walk-minutes', 'data-minutes': svc.walk_minutes }, t('walkMinutes', { min: formatMinutes(svc.walk_minutes) })),
      // The whole answer's estimate is said once, in its meta line.
      answer.estimate ? null : estimateNote(svc),
    );
    const badges = el(
      'p',
      { class: 'badges' },
      entry.at_doorstep ? el('span', { class: 'badge badge-doorstep' }, `${t('badgeDoorstep')} · ${doorstepReason(svc, cat)}`) : null,
      entry.in_circle
        ? el('span', { class: 'badge badge-circle' }, t('badgeCircle', { n: circle }))
        : el('span', { class: 'badge badge-beyond' }, t('badgeBeyond', { n: circle })),
    );
    const usual = usualClosedNote(entry.usual);
    if (!short) {
      // Through el: it leaves out the parts a listing lacks (null), where append would write "null".
      li.append(...el('div', {}, serviceTitle('p', svc), distance, usual, readAloudButton(svc), badges, extra(entry), serviceDetails(svc), el('p', { class: 'route-actions' }, routeButton(svc)), serviceActions(svc)).childNodes);
      return li;
    }
    const st = openState(svc);
    const card = el(
      'div',
      {},
      serviceTitle('p', svc),
      el('p', { class: 'distance' }, distance.querySelector('.walk-minutes')),
      usual,
      extra(entry),
      st ? el('p', { class: 'short-status' }, el('span', { class: `status ${st.cls}` }, st.text), st.change ? ` · ${st.change}` : '') : null,
      svc.phone
        ? el('a', { href: telHref(svc.phone), class: 'btn btn-primary btn-call', 'aria-label': t('callPhone', { phone: svc.phone }) }, t('callButton'))
        : null,
      readAloudButton(svc),
      el('p', { class: 'route-actions' }, routeButton(svc)),
      el('details', { class: 'short-more' }, el('summary', {}, t('moreDetails')), badges, serviceDetails(svc), serviceActions(svc)),
    );
    li.append(...card.childNodes);
    return li;
  });
}

/**
 * readAloudButton is "朗读 / Read aloud" for a listing: its name, minutes on foot,
 * open now, address and phone, read by the browser; null where it cannot speak.
 */
export function readAloudButton(svc) {
  if (!canSpeak()) return null;
  const st = openState(svc);
  const words = [
    serviceName(svc),
    Number.isFinite(svc.walk_minutes) ? t('walkMinutes', { min: formatMinutes(svc.walk_minutes) }) : '',
    st ? st.text : '',
    st ? st.change : '',
    svc.address ? `${t('address')} ${svc.address}` : '',
    svc.phone ? `${t('phone')} ${svc.phone}` : '',
  ].filter(Boolean);
  const button = el('button', { type: 'button', class: 'btn btn-read', 'aria-label': t('readAloudLabel', { name: serviceName(svc) }) }, t('readAloud'));
  button.addEventListener('click', () => speak(words.join(t('spokenSep'))));
  return el('p', { class: 'read-actions' }, button);
}

/** noneText says why a kind has no answer: nothing open within the search's walk, or none at all. */
function noneText(entry) {
  if (entry.none_open_within_minutes) return t('noneOpenWithin', { min: entry.none_open_within_minutes });
  return t(entry.usual ? 'noneOpenNow' : 'noneFound');
}

/**
 * usualClosedNote says, with "只看现在开放的", that the usual nearest is closed now and
 * when it opens ("平时最近的凉城四村助餐点（步行约4分钟）现在不开放，明天10:30开门"); null without one.
 */
export function usualClosedNote(usual) {
  if (!usual) return null;
  const st = openState(usual);
  const text = t('usualClosed', { name: serviceName(usual), min: formatMinutes(usual.walk_minutes) });
  return el('p', { class: 'usual-closed' }, st && st.change ? `${text}${t('spokenSep')}${st.change}` : text);
}

/**
 * doorstepReason says why a listing is at the doorstep, by the server's one rule
 * (within the kind's doorstep minutes, or in the resident's own area): "步行5分钟内"
 * when the walk is short enough, else "就在您的小区".
 */
export function doorstepReason(svc, cat) {
  const n = cat.doorstep_minutes || 5;
  return Number(svc.walk_minutes) <= n ? t('doorstepNear', { n }) : t('doorstepOwnArea');
}

/**
 * servicesByCategory returns one <details> a category with its services sorted by
 * name: the list equivalent of the map's markers.
 */
export function servicesByCategory(services, categories) {
  return categories.map((cat) => {
    const mine = services
      .filter((s) => s.category === cat.id)
      .sort((a, b) => compareNames(serviceName(a), serviceName(b)));
    return el(
      'details',
      { class: 'cat-group', 'data-category': cat.id },
      el(
        'summary',
        {},
        swatch(cat.id),
        el('span', { class: 'cat-name' }, categoryName(cat)),
        el('span', { class: 'count' }, t('serviceCount', { n: mine.length })),
      ),
      mine.length
        ? el(
            'ul',
            { class: 'svc-list' },
            mine.map((s) => el('li', { class: 'svc-card', 'data-service': s.id }, serviceTitle('h3', s), serviceDetails(s), serviceActions(s))),
          )
        : el('p', { class: 'muted' }, t('noServices')),
    );
  });
}

/**
 * legendItems returns one <li> a category with its swatch (its marker's shape and
 * colour) and name, then the starting point, the metro station when the map has one
 * (stations), then the walking network's lines when the map shows them (network:
 * {real, sample}, true for each kind drawn).
 */
export function legendItems(categories, network = null, stations = false) {
  const items = [
    ...categories.map((cat) =>
      el('li', { class: 'legend-item', 'data-category': cat.id }, swatch(cat.id), el('span', {}, categoryName(cat))),
    ),
    el('li', { class: 'legend-item legend-origin' }, swatch('', { origin: true }), el('span', {}, t('legendOrigin'))),
  ];
  if (stations) items.push(el('li', { class: 'legend-item legend-metro' }, stationSwatch(), el('span', {}, t('legendMetro'))));
  if (network && network.real) items.push(el('li', { class: 'legend-item legend-network' }, lineSwatch(NETWORK_STYLE.real), el('span', {}, t('networkLegend'))));
  if (network && network.sample) {
    items.push(el('li', { class: 'legend-item legend-network-sample' }, lineSwatch(NETWORK_STYLE.sample), el('span', {}, t('networkSample'))));
  }
  return items;
}

/**
 * NETWORK_STYLE is how the map draws the walking network, lightly: real walkways as
 * thin grey lines, the sample street's generated ones dashed.
 */
export const NETWORK_STYLE = {
  real: { color: '#5d6b7a', weight: 1.5, opacity: 0.75 },
  sample: { color: '#5d6b7a', weight: 1.5, opacity: 0.75, dashArray: '4 4' },
};

/** lineSwatch is a short line in a network style, for the legend. */
function lineSwatch(style) {
  const svg = swatchFrame();
  const line = document.createElementNS(SVG_NS, 'line');
  for (const [k, v] of Object.entries({ x1: 1, y1: 12, x2: 23, y2: 12 })) line.setAttribute(k, String(v));
  line.setAttribute('stroke', style.color);
  line.setAttribute('stroke-width', '3');
  if (style.dashArray) line.setAttribute('stroke-dasharray', style.dashArray);
  svg.append(line);
  return svg;
}

/**
 * searchRows returns one <li> a found service: its category, name, how far it is
 * (when the search had a starting point) and its details.
 */
export function searchRows(services, categoriesById) {
  return services.map((svc) => {
    const cat = categoriesById.get(svc.category) || { id: svc.category };
    return el(
      'li',
      { class: 'answer-row search-row-item', 'data-service': svc.id, tabindex: '-1' },
      el('p', { class: 'row-head' }, swatch(svc.category), el('span', {}, categoryName(cat) || svc.category)),
      serviceTitle('h3', svc),
      Number.isFinite(svc.distance_m)
        ? el(
            'p',
            { class: 'distance' },
            el('strong', { class: 'metres' }, formatDistance(svc.distance_m)),
            ' · ',
            el('strong', { class: 'walk-minutes' }, t('walkMinutes', { min: formatMinutes(svc.walk_minutes) })),
            estimateNote(svc),
          )
        : null,
      serviceDetails(svc),
      // Nearest first from a starting point: the walk there can be drawn.
      Number.isFinite(svc.distance_m) ? el('p', { class: 'route-actions' }, routeButton(svc)) : null,
      serviceActions(svc),
    );
  });
}

/** suggestionItem is one <li role="option"> of the search suggestions: a residential area or a service. */
export function suggestionItem(id, item, categoriesById) {
  if (item.kind === 'area') {
    return el('li', { id, role: 'option', class: 'suggestion', 'aria-selected': 'false' }, el('strong', {}, item.name), el('span', { class: 'suggestion-kind' }, t('suggestArea')));
  }
  const svc = item.service;
  const cat = categoriesById.get(svc.category);
  const change = nextChangeText(svc);
  return el(
    'li',
    { id, role: 'option', class: 'suggestion', 'aria-selected': 'false' },
    el('strong', {}, serviceName(svc)),
    el('span', { class: 'suggestion-kind' }, [categoryName(cat) || svc.category, change ? ` · ${change}` : ''].join('')),
  );
}

/**
 * answerSentence says the answer in one line for the status line (read out by screen
 * readers): "最近的助餐点：凉城四村助餐点，步行约4分钟，现在不开放，明天10:30开门".
 * It speaks of the first kind of service the answer found one of.
 */
export function answerSentence(answer, categoriesById) {
  const entry = (answer.categories || []).find((e) => e.service);
  if (!entry) return t('answerNoneSpoken');
  const svc = entry.service;
  const parts = [t('answerSpoken', { cat: categoryName(categoriesById.get(entry.category)) || entry.category, name: serviceName(svc), min: formatMinutes(svc.walk_minutes) })];
  const st = openState(svc);
  if (st) parts.push(st.text);
  if (st && st.change) parts.push(st.change);
  return parts.join(t('spokenSep'));
}
