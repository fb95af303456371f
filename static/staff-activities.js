// staff-activities.js — a place's activities on the staff page: the list with each
// activity's next days, add and change one with the repetition built from simple
// choices (不重复 / 每周 / 每两周 / 每月, the weekdays, the times — never a raw RRULE),
// cancel or restore one day, and remove an activity. Changes carry If-Match; a stale
// version shows the current activity again.

import { addStrings, lang, t } from './i18n.js';
import { el } from './render.js';
import { $, call, errorText, notice, problem } from './staff-state.js';

addStrings({
  zh: {
    activitiesTitle: '活动安排',
    activitiesFor: '{place}的活动（居民在“本周活动”和日历订阅中看到）',
    activitiesNone: '还没有活动。',
    activityNew: '＋ 新增活动',
    activityEdit: '修改',
    activityDelete: '删除活动',
    activityDeleteConfirm: '确定删除“{title}”吗？居民将不再看到它。',
    activityCancelDay: '取消这一次',
    activityRestoreDay: '恢复这一次',
    activityCancelled: '已取消',
    activitySaved: '活动已保存。',
    activityDeleted: '活动已删除。',
    activityDayCancelled: '{date}的活动已取消，居民会看到“已取消”。',
    activityDayRestored: '{date}的活动已恢复。',
    activityStale: '这个活动刚被别人改过，已显示最新内容，请再操作一次。',
    activityFormNew: '新增活动',
    activityFormEdit: '修改活动',
    repeatOnce: '不重复（只一次）',
    repeatWeekly: '每周',
    repeatBiweekly: '每两周',
    repeatMonthly: '每月（第几个星期几，按第一次的日期）',
    ruleOnce: '{date} 一次',
    ruleWeekly: '每周{days}',
    ruleBiweekly: '每两周{days}',
    ruleMonthly: '每月第{n}个{day}',
    ruleMonthlyLast: '每月最后一个{day}',
    ruleOther: '按规则重复',
    nextDays: '接下来：',
    pickADay: '请至少选一个星期几。',
    activityWholeCancelled: '整个活动已取消',
    auditEntity: '记录',
    auditEntityService: '服务点',
    auditEntityActivity: '活动',
    member_title: '活动名称',
    member_title_en: '英文名称',
    member_description: '说明',
    member_start: '开始',
    member_end: '结束',
    member_rrule: '重复规则',
    member_exdates: '不举办的日期',
    member_cancelled_dates: '取消的日期',
    member_sign_up: '需要报名',
    member_cancelled: '整个活动取消',
    aTitle: '活动名称',
    aTitleEn: '英文名称（可不填）',
    aDescription: '说明（可不填）',
    aDate: '第一次的日期',
    aStart: '开始时间',
    aEnd: '结束时间',
    aRepeat: '重复',
    aDays: '星期几',
    aCapacity: '名额（可不填）',
    aSignUp: '需要报名',
    aCancelled: '整个活动取消',
    aSave: '保存活动',
    aCancelEdit: '不保存',
    day_mon: '周一',
    day_tue: '周二',
    day_wed: '周三',
    day_thu: '周四',
    day_fri: '周五',
    day_sat: '周六',
    day_sun: '周日',
  },
  en: {
    activitiesTitle: 'Activities',
    activitiesFor: "{place}'s activities (residents see them in “This week” and the calendar feed)",
    activitiesNone: 'No activities yet.',
    activityNew: '+ New activity',
    activityEdit: 'Edit',
    activityDelete: 'Delete activity',
    activityDeleteConfirm: 'Delete “{title}”? Residents will no longer see it.',
    activityCancelDay: 'Cancel this day',
    activityRestoreDay: 'Restore this day',
    activityCancelled: 'Cancelled',
    activitySaved: 'Activity saved.',
    activityDeleted: 'Activity deleted.',
    activityDayCancelled: 'The activity on {date} is cancelled; residents see “Cancelled”.',
    activityDayRestored: 'The activity on {date} is on again.',
    activityStale: 'Someone else just changed this activity; it now shows the latest. Please try again.',
    activityFormNew: 'New activity',
    activityFormEdit: 'Edit activity',
    repeatOnce: 'Once only',
    repeatWeekly: 'Every week',
    repeatBiweekly: 'Every two weeks',
    repeatMonthly: 'Every month (the same weekday of the month as the first date)',
    ruleOnce: 'Once, {date}',
    ruleWeekly: 'Every week on {days}',
    ruleBiweekly: 'Every two weeks on {days}',
    ruleMonthly: 'Monthly, the {n}. {day}',
    ruleMonthlyLast: 'Monthly, the last {day}',
    ruleOther: 'Repeats by a rule',
    nextDays: 'Next: ',
    pickADay: 'Please choose at least one weekday.',
    activityWholeCancelled: 'The whole activity is cancelled',
    auditEntity: 'Records of',
    auditEntityService: 'Listings',
    auditEntityActivity: 'Activities',
    member_title: 'Title',
    member_title_en: 'English title',
    member_description: 'Description',
    member_start: 'Starts',
    member_end: 'Ends',
    member_rrule: 'Repeats',
    member_exdates: 'Days left out',
    member_cancelled_dates: 'Days cancelled',
    member_sign_up: 'Sign-up needed',
    member_cancelled: 'Whole activity cancelled',
    aTitle: 'Title',
    aTitleEn: 'English title (optional)',
    aDescription: 'Description (optional)',
    aDate: 'First date',
    aStart: 'Starts',
    aEnd: 'Ends',
    aRepeat: 'Repeats',
    aDays: 'Weekdays',
    aCapacity: 'Places (optional)',
    aSignUp: 'Sign-up needed',
    aCancelled: 'The whole activity is cancelled',
    aSave: 'Save activity',
    aCancelEdit: "Don't save",
    day_mon: 'Mon',
    day_tue: 'Tue',
    day_wed: 'Wed',
    day_thu: 'Thu',
    day_fri: 'Fri',
    day_sat: 'Sat',
    day_sun: 'Sun',
  },
});

const CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const DAY_WORDS = {
  zh: { MO: '周一', TU: '周二', WE: '周三', TH: '周四', FR: '周五', SA: '周六', SU: '周日' },
  en: { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' },
};

const place = { service: null, activities: [], occurrences: [], editing: null };

function dayWord(code) {
  return DAY_WORDS[lang() === 'en' ? 'en' : 'zh'][code] || code;
}

/** parseRule reads the parts of an RRULE the form builds: FREQ, INTERVAL, BYDAY. */
export function parseRule(rule) {
  const parts = Object.fromEntries(
    String(rule || '')
      .replace(/^RRULE:/, '')
      .split(';')
      .filter(Boolean)
      .map((p) => p.split('=')),
  );
  return { freq: parts.FREQ || '', interval: Number(parts.INTERVAL || 1), days: parts.BYDAY ? parts.BYDAY.split(',') : [] };
}

/** ruleText says an activity's repetition as staff chose it. */
export function ruleText(a) {
  const r = parseRule(a.rrule);
  const sep = lang() === 'en' ? ', ' : '、';
  if (!a.rrule) return t('ruleOnce', { date: a.start.slice(0, 10) });
  if (r.freq === 'WEEKLY') return t(r.interval === 2 ? 'ruleBiweekly' : 'ruleWeekly', { days: r.days.map(dayWord).join(sep) });
  if (r.freq === 'MONTHLY' && r.days.length === 1) {
    const m = /^([+-]?\d)([A-Z]{2})$/.exec(r.days[0]);
    if (m && m[1] === '-1') return t('ruleMonthlyLast', { day: dayWord(m[2]) });
    if (m) return t('ruleMonthly', { n: Number(m[1]), day: dayWord(m[2]) });
  }
  return t('ruleOther');
}

/** weekdayCode is the RRULE weekday of a "YYYY-MM-DD" day. */
function weekdayCode(date) {
  const [y, m, d] = date.split('-').map(Number);
  return CODES[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7];
}

function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * buildRule makes the RRULE and the first date from the form's choices: the first
 * date moves forward to the first chosen weekday, since a rule's first day must be
 * one of its days.
 */
export function buildRule(repeat, date, days) {
  if (repeat === 'once') return { rrule: '', date };
  if (repeat === 'monthly') {
    const n = Math.ceil(Number(date.slice(8, 10)) / 7);
    return { rrule: `FREQ=MONTHLY;BYDAY=${n > 4 ? -1 : n}${weekdayCode(date)}`, date };
  }
  let first = date;
  for (let i = 0; i < 7 && !days.includes(weekdayCode(first)); i++) first = addDays(first, 1);
  const ordered = CODES.filter((c) => days.includes(c));
  return { rrule: `FREQ=WEEKLY;${repeat === 'biweekly' ? 'INTERVAL=2;' : ''}BYDAY=${ordered.join(',')}`, date: first };
}

/** showActivities shows the activities of the place svc (null hides the part). */
export async function showActivities(svc) {
  place.service = svc;
  place.editing = null;
  $('activities-part').hidden = !svc;
  $('activity-form').hidden = true;
  if (!svc) return;
  await loadActivities();
}

async function loadActivities() {
  const svc = place.service;
  const list = $('activity-list');
  list.dataset.state = 'loading';
  try {
    // The window starts today by the server's clock, in the street's zone; five weeks on.
    const today = new Date().toISOString().slice(0, 10);
    const body = await call('GET', `/api/services/${svc.id}/activities?to=${addDays(today, 35)}`);
    if (place.service !== svc) return;
    place.activities = body.activities;
    place.occurrences = body.occurrences;
  } catch (err) {
    problem(() => errorText(err));
  }
  renderActivities();
}

/** renderActivities draws the place's activities, each with its next days. */
export function renderActivities() {
  const svc = place.service;
  if (!svc) return;
  $('activities-for').textContent = t('activitiesFor', { place: svc.name });
  const list = $('activity-list');
  list.dataset.state = place.activities.length ? 'loaded' : 'empty';
  if (!place.activities.length) {
    list.replaceChildren(el('li', { class: 'muted' }, t('activitiesNone')));
    return;
  }
  list.replaceChildren(
    ...place.activities.map((a) => {
      const next = place.occurrences.filter((o) => o.activity_id === a.id).slice(0, 4);
      return el(
        'li',
        { class: 'activity-item', 'data-id': a.id },
        el('p', {}, el('strong', {}, a.title), ' ', `${ruleText(a)} ${a.start.slice(11)}–${a.end.slice(11)}`, a.cancelled ? el('span', { class: 'tag tag-cancelled' }, t('activityWholeCancelled')) : null),
        next.length
          ? el(
              'ul',
              { class: 'activity-days' },
              next.map((o) =>
                el(
                  'li',
                  { 'data-date': o.date },
                  `${o.date} ${o.start.slice(11, 16)} `,
                  o.cancelled ? el('span', { class: 'tag tag-cancelled' }, t('activityCancelled')) : null,
                  a.rrule && !a.cancelled ? dayButton(a, o.date) : null,
                ),
              ),
            )
          : null,
        el(
          'p',
          { class: 'activity-actions' },
          button(t('activityEdit'), 'btn', () => openForm(a)),
          button(t('activityDelete'), 'btn btn-danger', () => removeActivity(a)),
        ),
      );
    }),
  );
}

function button(text, cls, onClick) {
  const b = el('button', { type: 'button', class: cls }, text);
  b.addEventListener('click', onClick);
  return b;
}

/** dayButton cancels one day of a recurring activity, or restores it. */
function dayButton(a, date) {
  const cancelled = a.cancelled_dates.includes(date);
  return button(t(cancelled ? 'activityRestoreDay' : 'activityCancelDay'), 'btn btn-quiet', () => {
    const dates = cancelled ? a.cancelled_dates.filter((d) => d !== date) : [...a.cancelled_dates, date];
    change(a, { cancelled_dates: dates }, () => t(cancelled ? 'activityDayRestored' : 'activityDayCancelled', { date }));
  });
}

/** change PATCHes the activity at its version; a stale version reloads the list. */
async function change(a, patch, message) {
  try {
    await call('PATCH', `/api/activities/${a.id}`, { body: patch, ifMatch: a.version });
    notice(message);
  } catch (err) {
    if (err.status === 409) notice(() => t('activityStale'));
    else problem(() => errorText(err));
  }
  await loadActivities();
}

async function removeActivity(a) {
  if (!window.confirm(t('activityDeleteConfirm', { title: a.title }))) return;
  try {
    await call('DELETE', `/api/activities/${a.id}`, { ifMatch: a.version });
    notice(() => t('activityDeleted'));
  } catch (err) {
    if (err.status === 409) notice(() => t('activityStale'));
    else problem(() => errorText(err));
  }
  await loadActivities();
}

/** openForm fills the form with activity a, or a new one's defaults when a is null. */
function openForm(a) {
  place.editing = a;
  const form = $('activity-form');
  form.hidden = false;
  $('activity-form-title').textContent = t(a ? 'activityFormEdit' : 'activityFormNew');
  $('activity-error').hidden = true;
  const today = new Date().toISOString().slice(0, 10);
  const r = parseRule(a ? a.rrule : 'FREQ=WEEKLY');
  $('a-title').value = a ? a.title : '';
  $('a-title_en').value = a ? a.title_en : '';
  $('a-description').value = a ? a.description : '';
  $('a-date').value = a ? a.start.slice(0, 10) : today;
  $('a-start').value = a ? a.start.slice(11) : '14:00';
  $('a-end').value = a ? a.end.slice(11) : '15:30';
  $('a-repeat').value = !a || r.freq === 'WEEKLY' ? (r.interval === 2 ? 'biweekly' : 'weekly') : r.freq === 'MONTHLY' ? 'monthly' : 'once';
  if (a && !a.rrule) $('a-repeat').value = 'once';
  const days = a ? r.days : [weekdayCode(today)];
  for (const c of CODES) $(`a-day-${c}`).checked = days.includes(c);
  $('a-capacity').value = a && a.capacity ? String(a.capacity) : '';
  $('a-sign_up').checked = Boolean(a && a.sign_up);
  $('a-cancelled').checked = Boolean(a && a.cancelled);
  showDays();
  $('a-title').focus();
}

function showDays() {
  const repeat = $('a-repeat').value;
  $('a-days-field').hidden = repeat !== 'weekly' && repeat !== 'biweekly';
}

/** formBody is the activity the form describes, as the API takes it. */
function formBody() {
  const repeat = $('a-repeat').value;
  const days = CODES.filter((c) => $(`a-day-${c}`).checked);
  if ((repeat === 'weekly' || repeat === 'biweekly') && !days.length) return { error: t('pickADay') };
  const { rrule, date } = buildRule(repeat, $('a-date').value, days);
  const capacity = $('a-capacity').value.trim();
  return {
    body: {
      title: $('a-title').value,
      title_en: $('a-title_en').value,
      description: $('a-description').value,
      start: `${date}T${$('a-start').value}`,
      end: `${date}T${$('a-end').value}`,
      rrule,
      capacity: capacity ? Number(capacity) : null,
      sign_up: $('a-sign_up').checked,
      cancelled: $('a-cancelled').checked,
    },
  };
}

async function submitForm(event) {
  event.preventDefault();
  const { body, error } = formBody();
  const box = $('activity-error');
  if (error) {
    box.textContent = error;
    box.hidden = false;
    return;
  }
  const a = place.editing;
  try {
    if (a) await call('PATCH', `/api/activities/${a.id}`, { body, ifMatch: a.version });
    else await call('POST', `/api/services/${place.service.id}/activities`, { body });
    $('activity-form').hidden = true;
    notice(() => t('activitySaved'));
    await loadActivities();
  } catch (err) {
    if (err.status === 409) {
      notice(() => t('activityStale'));
      await loadActivities();
      return;
    }
    box.textContent = errorText(err);
    box.hidden = false;
  }
}

/** wireActivities connects the part's buttons and form. */
export function wireActivities() {
  $('new-activity').addEventListener('click', () => openForm(null));
  $('activity-form').addEventListener('submit', submitForm);
  $('activity-form-cancel').addEventListener('click', () => {
    $('activity-form').hidden = true;
  });
  $('a-repeat').addEventListener('change', showDays);
}
