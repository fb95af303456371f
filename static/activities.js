// activities.js — "本周活动 / this week": what is on at the places within the
// resident's 15-minute walk, by day (今天, 明天, 周三 …), and each place's classes on
// its answer card with a link to subscribe to its calendar (.ics).
//
// The days are the street's: the API's window starts today in the street's time
// zone, so "today" is its first day whatever the phone's clock says.

import { addStrings, formatMinutes, lang, t } from './i18n.js';
import { el } from './render.js';

addStrings({
  zh: {
    weekTitle: '本周活动',
    weekIntro: '步行15分钟内的市民驿站、活动室这一周的活动。',
    weekEmpty: '步行15分钟内这一周没有登记的活动。',
    weekLoading: '正在查找本周活动…',
    weekError: '本周活动暂时查不到，请稍后再试。',
    weekToday: '今天',
    weekTomorrow: '明天',
    weekDay: '{weekday} {month}月{day}日',
    weekWalk: '步行 {min} 分钟',
    weekSignUp: '需报名',
    weekCapacity: '名额 {n} 人',
    weekCancelled: '已取消',
    weekSample: '示例',
    weekMore: '还有更多活动未列出。',
    weekDayMore: '更多（{n}）',
    placeWeekTitle: '本周活动',
    addToCalendar: '订阅日历',
    addToCalendarLabel: '订阅日历：把{place}的活动加到手机日历', // starts with what the button shows (WCAG 2.5.3)
  },
  en: {
    weekTitle: 'This week',
    weekIntro: "This week's activities at the citizen stations and activity rooms within a 15-minute walk.",
    weekEmpty: 'No activities are listed within a 15-minute walk this week.',
    weekLoading: "Looking up this week's activities…",
    weekError: "This week's activities could not be loaded; please try again later.",
    weekToday: 'Today',
    weekTomorrow: 'Tomorrow',
    weekDay: '{weekday} {day} {monthName}',
    weekWalk: '{min} min walk',
    weekSignUp: 'Sign-up needed',
    weekCapacity: '{n} places',
    weekCancelled: 'Cancelled',
    weekSample: 'sample',
    weekMore: 'More activities are not shown.',
    weekDayMore: 'More ({n})',
    placeWeekTitle: 'This week',
    addToCalendar: 'Add to calendar',
    addToCalendarLabel: "Add to calendar: {place}'s activities on your phone",
  },
});

const WEEKDAYS = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * loadWeek asks /api/activities for the week from today at the places within 15
 * minutes of (lon, lat), walking as the resident walks ({speed, profile}).
 */
export function loadWeek(getJSON, lon, lat, walking, opts) {
  return getJSON('/api/activities', { lon, lat, minutes: 15, ...walking }, opts);
}

/** dayNumber is a "YYYY-MM-DD" day as a count of days, for differences. */
function dayNumber(date) {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86400000;
}

/** dayLabel is 今天, 明天, or "周三 12月9日" for date, the window starting at from. */
export function dayLabel(date, from) {
  const n = dayNumber(date) - dayNumber(from);
  if (n === 0) return t('weekToday');
  if (n === 1) return t('weekTomorrow');
  const [, m, d] = date.split('-').map(Number);
  const weekday = WEEKDAYS[lang() === 'en' ? 'en' : 'zh'][new Date(dayNumber(date) * 86400000).getUTCDay()];
  return t('weekDay', { weekday, month: m, day: d, monthName: MONTHS[m - 1] });
}

/** clock is "14:00–15:30" from an occurrence's RFC 3339 start and end (the street's offset). */
function clock(o) {
  return `${o.start.slice(11, 16)}–${o.end.slice(11, 16)}`;
}

function title(o) {
  return lang() === 'en' && o.title_en ? o.title_en : o.title;
}

function placeName(p) {
  return lang() === 'en' && p.name_en ? p.name_en : p.name;
}

/** tags are an occurrence's marks: cancelled, sign-up, places, sample. */
function tags(o) {
  return [
    o.cancelled ? el('span', { class: 'tag tag-cancelled' }, t('weekCancelled')) : null,
    o.sign_up ? el('span', { class: 'tag' }, t('weekSignUp')) : null,
    o.capacity ? el('span', { class: 'tag' }, t('weekCapacity', { n: o.capacity })) : null,
    o.sample ? el('span', { class: 'tag-sample' }, t('weekSample')) : null,
  ];
}

/** calendarLink is "订阅日历", the place's .ics feed. */
export function calendarLink(place) {
  return el('a', { class: 'btn btn-calendar', href: place.ical, 'aria-label': t('addToCalendarLabel', { place: placeName(place) }) }, t('addToCalendar'));
}

/**
 * DAY_FIRST is how many of a day's activities show before the rest fold under
 * 更多（N）; a day is folded only when at least two would be hidden, since 更多 for
 * one line takes the room of the line.
 */
const DAY_FIRST = 3;

/** openDays are the days whose 更多 the resident opened, kept across redraws (a language switch). */
const openDays = new Set();

function weekItem(o) {
  return el(
    'li',
    { class: o.cancelled ? 'week-item cancelled' : 'week-item', 'data-activity': o.activity_id },
    el('p', { class: 'week-when' }, el('span', { class: 'week-time' }, clock(o)), ' ', el('strong', { class: 'week-title' }, title(o)), ' ', ...tags(o)),
    el('p', { class: 'week-where' }, placeName(o.place), ' · ', t('weekWalk', { min: formatMinutes(o.walk_minutes) })),
  );
}

/**
 * dayLists are a day's occurrences as a list: all of them, or the first DAY_FIRST
 * and the rest in a <details> whose summary 更多（N）opens it by keyboard (Enter or
 * Space) or touch and says to a screen reader whether it is open.
 */
function dayLists(date, list) {
  const items = list.map(weekItem);
  if (items.length < DAY_FIRST + 2) return [el('ol', { class: 'week-list' }, items)];
  const more = el(
    'details',
    { class: 'week-more', open: openDays.has(date) },
    el('summary', { class: 'week-more-toggle' }, t('weekDayMore', { n: items.length - DAY_FIRST })),
    el('ol', { class: 'week-list', start: DAY_FIRST + 1 }, items.slice(DAY_FIRST)),
  );
  more.addEventListener('toggle', () => (more.open ? openDays.add(date) : openDays.delete(date)));
  return [el('ol', { class: 'week-list' }, items.slice(0, DAY_FIRST)), more];
}

/**
 * weekNodes renders a /api/activities answer as one group per day: a heading
 * (今天, 明天, 周三 12月9日) and the day's occurrences by start, each with its time,
 * title, place and walk; a long day shows its first few and folds the rest.
 */
export function weekNodes(week) {
  const days = new Map();
  for (const o of week.occurrences) {
    if (!days.has(o.date)) days.set(o.date, []);
    days.get(o.date).push(o);
  }
  const groups = [...days].map(([date, list]) =>
    el('section', { class: 'week-day', 'data-date': date }, el('h3', {}, dayLabel(date, week.from)), ...dayLists(date, list)),
  );
  if (week.truncated) groups.push(el('p', { class: 'muted' }, t('weekMore')));
  return groups;
}

/**
 * placeWeekNodes are a place's own occurrences this week, for its answer card (at
 * most 3), with the link to subscribe to its calendar; null when it has none.
 */
export function placeWeekNodes(week, placeId) {
  if (!week || !placeId) return null;
  const mine = week.occurrences.filter((o) => o.place.id === placeId);
  if (!mine.length) return null;
  return el(
    'div',
    { class: 'place-week' },
    el('p', {}, el('strong', {}, t('placeWeekTitle'))),
    el(
      'ul',
      {},
      mine.slice(0, 3).map((o) => el('li', { class: o.cancelled ? 'cancelled' : null }, `${dayLabel(o.date, week.from)} ${clock(o)} ${title(o)}`, ' ', ...tags(o))),
    ),
    calendarLink(mine[0].place),
  );
}
