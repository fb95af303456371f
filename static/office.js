// office.js — the street office's coverage dashboard at /office. An office or admin
// user picks a kind of service, a walking time and a speed, and sees how many older
// residents live within the circle (a summary line), each residential area coloured
// by its share inside (the map) and listed by older residents left outside (a
// sortable table, the map's list equivalent). A point clicked on the map, a table
// row's button or a suggested site answers "what if we opened one here?"; "Suggest
// sites" proposes the best new places. Other users are told politely that the page
// needs a street-office account.
//
// State flows one way: user action → API → state → render(). A language switch
// re-renders from state. Every text from data goes in as text nodes, never as markup.

import { api } from './api.js';
import { hideDaily, loadDaily, renderDaily } from './daily.js';
import { CoverageMap, SHARE_CLASSES, ensureHatch, shareClass, shareSwatch } from './coveragemap.js';
import { interiorPoint } from './geometry.js';
import { addStrings, applyStatic, categoryName, formatNumber, lang, onLangChange, setLang, setPlace, t } from './i18n.js';
import { errorText, say, showError, showMessagesAgain } from './messages.js';
import { wireMode } from './mode.js';
import { loadSubsidyRules, renderSubsidyRules, wireSubsidyRules } from './office-subsidy.js';
import { loadSuggestions, renderSuggestionsOffice, wireSuggestionsOffice } from './office-suggestions.js';
import { el } from './render.js';
import { loadSession, seesCoverage, send, signOut, submitSignIn } from './session.js';
import { markChinese } from './zh-marks.js';

addStrings({
  zh: {
    pageTitle: '家门口 · {street} · 服务圈覆盖',
    pageName: '{street}服务圈覆盖',
    tagline: '街道办事处：为老服务圈覆盖了多少老年人，缺口在哪里，新点开在哪里',
    sampleBanner: '示例数据：居民区划分、人口和服务点均为演示用的虚构数据',
    signInTitle: '街道办事处登录',
    signInHint: '请用街道办事处的账号登录。',
    accountDisabled: '这个账号已停用，请联系管理员。',
    forbiddenTitle: '这一页需要街道办事处的账号',
    forbiddenText: '服务圈覆盖供街道办事处规划使用。您登录的是服务点工作人员账号，可以继续维护本机构的服务点信息。',
    toStaff: '去维护服务点信息',
    signInOther: '换一个账号登录',
    controlsTitle: '看哪一类服务？',
    categoryLabel: '服务类别',
    minutesLabel: '步行时间',
    minutes5: '5分钟（家门口）',
    minutes10: '10分钟',
    minutes15: '15分钟（服务圈）',
    suggest: '建议选址',
    print: '打印',
    loading: '正在计算……',
    loaded: '已更新。',
    summaryTitle: '概况',
    summary: '{total}位老年人中有{covered}位（{share}）住在{category}{minutes}分钟步行范围内',
    summaryDetail: '按每分钟{speed}米的步速沿步行道路计算 · {areas}个居民区中，{full}个整个在圈内，{none}个完全在圈外',
    summaryStepFree: '不走台阶：轮椅、助行器能走的路线（不走台阶、不上高路缘）',
    profileLabel: '怎么走',
    profileWalk: '可走台阶',
    profileStepFree: '不走台阶（轮椅、助行器）',
    mapTitle: '地图：居民区在服务圈内的比例',
    mapHint: '在街道里点一下，看看在那里新开一处会多覆盖多少老年人。用键盘时，先用方向键把地图中心移到想看的地点，再按回车。',
    mapLabel: '街道地图：居民区按服务圈内的比例着色',
    legendTitle: '图例：居民区在圈内的比例',
    classNone: '0%（没有人在圈内，斜线）',
    class1: '1%–24%',
    class2: '25%–49%',
    class3: '50%–74%',
    class4: '75%–99%',
    classFull: '100%（整个在圈内）',
    legendChanged: '粗虚线边：新开后会变化的居民区',
    legendSite: '黄色圆点：假如新开的地点；编号方块：建议选址',
    whatIfTitle: '假如在这里新开一处{category}',
    whatIfHere: '假如在此新开',
    whatIfSummary: '{minutes}分钟步行范围内的老年人会从{before}位增加到{after}位（多{diff}位），比例从{shareBefore}升到{shareAfter}。',
    whatIfNothing: '在这里新开不会让更多老年人进入{minutes}分钟步行范围：附近的老年人已经走得到，或这里离居民区太远。',
    whatIfFrom: '地点：{place}',
    whatIfFromArea: '地点：{area}中间',
    whatIfFromSite: '地点：建议选址第{n}处',
    whatIfFromMap: '地点：地图上点的位置',
    figFull: '整个在圈内的居民区：{before} → {after}',
    figNone: '完全在圈外的居民区：{before} → {after}',
    figResidents: '圈内的居民（各年龄）：{before} → {after}',
    whatIfAreas: '会变化的居民区',
    whatIfNoAreas: '没有居民区会变化。',
    colShareChange: '圈内比例',
    colWalkChange: '步行中位数（分钟）',
    colGained: '新纳入的老年人',
    clear: '清除',
    outsideStreet: '这个点在街道范围以外，请点街道里面的地点。',
    offNetwork: '这个点离步行道路太远，请点靠近道路的地点。',
    suggestTitle: '建议选址：{category}',
    suggestMeta: '按{minutes}分钟、每分钟{speed}米计算，依次选出能让最多尚未覆盖的老年人进入范围的地点（每处只算前面几处还没覆盖的人）：',
    suggestItem: '第{n}处：新增{elderly}位老年人（共{residents}位居民）进入{minutes}分钟范围',
    suggestNone: '找不到能再多覆盖老年人的地点：圈外的老年人都已覆盖，或附近没有步行道路。',
    suggestSee: '看看在这里新开的效果',
    suggestMethod: '方法：贪心最大覆盖（Church 与 ReVelle，1974）：每一步选能让最多尚未覆盖的老年人进入服务圈的路网节点。',
    siteMarker: '建议选址第{n}处',
    tableTitle: '居民区：圈外的老年人',
    tableHint: '“圈外老年人” = 老年人数 ×（1 − 圈内比例）。“步行中位数”是这个居民区一半居民走到最近一处所需的时间。点列标题可以排序。',
    colArea: '居民区',
    colElderly: '老年人',
    colShare: '圈内比例',
    colOutside: '圈外老年人',
    colWalk: '步行中位数（分钟）',
    colDelivery: '步行或送餐上门',
    summaryDelivery: '算上送餐上门：{covered}位老年人（{share}）在步行圈内或在助餐点的送餐范围内',
    colAction: '假如新开',
    rowWhatIf: '在此新开？',
    rowWhatIfArea: '（假如在{area}中间新开一处）',
    walkNone: '走不到',
    areaCaption: '{category}，{minutes}分钟：各居民区按{col}排列（{dir}）',
    dirAsc: '从少到多',
    dirDesc: '从多到少',
    areaTooltip: '{name}：圈内{share}，圈外老年人{outside}位',
    people: '{n}位',
    footerMethod: '计算方法：把每个居民区的居民均匀分布在约20米间隔的点上，沿步行道路计算到最近一处开放中的服务点的时间。只计正常开放的服务点。',
  },
  en: {
    pageTitle: 'Doorstep · {street} · Service-circle coverage',
    pageName: 'Service-circle coverage, {street}',
    tagline: 'For the street office: how many older residents each service circle reaches, where the gaps are, where to open next',
    sampleBanner: 'Sample data: residential areas, residents and services are made up for demonstration',
    signInTitle: 'Street office sign-in',
    signInHint: 'Sign in with a street-office account.',
    accountDisabled: 'This account is disabled. Please ask an administrator.',
    forbiddenTitle: 'This page needs a street-office account',
    forbiddenText: 'Service-circle coverage is for the street office’s planning. You are signed in with a station staff account, which keeps your organization’s listings.',
    toStaff: 'Go to my listings',
    signInOther: 'Sign in with another account',
    controlsTitle: 'Which kind of service?',
    categoryLabel: 'Kind of service',
    minutesLabel: 'Walking time',
    minutes5: '5 minutes (doorstep)',
    minutes10: '10 minutes',
    minutes15: '15 minutes (service circle)',
    suggest: 'Suggest sites',
    print: 'Print',
    loading: 'Calculating…',
    loaded: 'Updated.',
    summaryTitle: 'Summary',
    summary: '{covered} of {total} older residents ({share}) live within {minutes} minutes of {category}',
    summaryDetail: 'Walking at {speed} m a minute along footways · of {areas} residential areas, {full} lie wholly inside the circle and {none} wholly outside',
    summaryStepFree: 'Step-free: the ways a wheelchair or walker can take (no steps, no raised kerbs)',
    profileLabel: 'Walking',
    profileWalk: 'Steps are fine',
    profileStepFree: 'Step-free (wheelchairs, walkers)',
    mapTitle: 'Map: share of each residential area inside the circle',
    mapHint: 'Click a point in the street to see how many more older residents a new site there would reach. With the keyboard, move the map’s centre with the arrow keys, then press Enter.',
    mapLabel: 'Map of the street: residential areas coloured by their share inside the circle',
    legendTitle: 'Legend: share of the area inside the circle',
    classNone: '0% (nobody inside, hatched)',
    class1: '1%–24%',
    class2: '25%–49%',
    class3: '50%–74%',
    class4: '75%–99%',
    classFull: '100% (all inside)',
    legendChanged: 'Thick dashed outline: areas a new site would change',
    legendSite: 'Yellow dot: the what-if site; numbered squares: suggested sites',
    whatIfTitle: 'What if {category} opened here',
    whatIfHere: 'What if here',
    whatIfSummary: 'Older residents within {minutes} minutes would go from {before} to {after} ({diff} more), from {shareBefore} to {shareAfter}.',
    whatIfNothing: 'A new site here would bring no more older residents within {minutes} minutes: those nearby can already walk to one, or it is too far from the homes.',
    whatIfFrom: 'Site: {place}',
    whatIfFromArea: 'Site: the middle of {area}',
    whatIfFromSite: 'Site: suggested site {n}',
    whatIfFromMap: 'Site: the point clicked on the map',
    figFull: 'Areas wholly inside: {before} → {after}',
    figNone: 'Areas wholly outside: {before} → {after}',
    figResidents: 'Residents of all ages inside: {before} → {after}',
    whatIfAreas: 'Areas that would change',
    whatIfNoAreas: 'No area would change.',
    colShareChange: 'Share inside',
    colWalkChange: 'Median walk (min)',
    colGained: 'Older residents brought inside',
    clear: 'Clear',
    outsideStreet: 'That point is outside the street. Please choose a point inside it.',
    offNetwork: 'That point is too far from any footway. Please choose a point near a road.',
    suggestTitle: 'Suggested sites: {category}',
    suggestMeta: 'For {minutes} minutes at {speed} m a minute, the sites that bring the most older residents not yet inside, one after another (each counts only those the earlier ones leave out):',
    suggestItem: 'Site {n}: {elderly} more older residents ({residents} residents of all ages) within {minutes} minutes',
    suggestNone: 'No site would bring more older residents inside: everyone is covered, or no footway runs near those left out.',
    suggestSee: 'See what opening here would change',
    suggestMethod: 'Method: greedy maximal covering (Church and ReVelle, 1974): each step takes the network node that brings the most older residents not yet inside the circle.',
    siteMarker: 'Suggested site {n}',
    tableTitle: 'Residential areas: older residents outside the circle',
    tableHint: '“Outside” = older residents × (1 − share inside). “Median walk” is the time within which half the area’s residents reach the nearest one. Click a column heading to sort.',
    colArea: 'Area',
    colElderly: 'Older residents',
    colShare: 'Share inside',
    colOutside: 'Outside',
    colWalk: 'Median walk (min)',
    colDelivery: 'Walking or delivery',
    summaryDelivery: 'With meals delivered to homes: {covered} older residents ({share}) are within the walk or inside a meal point’s delivery area',
    colAction: 'What if',
    rowWhatIf: 'Open here?',
    rowWhatIfArea: ' (what if one opened in the middle of {area})',
    walkNone: 'out of reach',
    areaCaption: '{category}, {minutes} minutes: areas by {col} ({dir})',
    dirAsc: 'fewest first',
    dirDesc: 'most first',
    areaTooltip: '{name}: {share} inside, {outside} older residents outside',
    people: '{n}',
    footerMethod: 'Method: each area’s residents are spread evenly over points about 20 m apart; walks follow the footways to the nearest service that is open. Only open services count.',
  },
});

const $ = (id) => document.getElementById(id);

const state = {
  user: null,
  meta: { sample: true, bounds: null },
  categories: [],
  catById: new Map(),
  areas: [], // GeoJSON features of /api/areas
  street: null,
  params: paramsFromURL(),
  coverage: null, // the answer of GET /api/coverage for params
  sort: { key: 'outside', dir: 'desc' },
  whatIf: null, // { answer, place: () => text }
  suggestions: null, // the answer of GET /api/coverage/suggest
  // Only the latest answer of each kind is shown; clearing one drops answers on their way.
  seq: { coverage: 0, whatIf: 0, suggest: 0 },
};

let coverageMap = null;

// ---- messages ---------------------------------------------------------------

/** failed shows an API failure: a lost session asks to sign in again, a refusal explains. */
function failed(err) {
  say(null);
  if (err.status === 401) return showSignIn(() => t('sessionEnded'));
  if (err.status === 403 && err.code === 'forbidden' && !err.field) return showForbidden();
  showError(() => errorText(err));
}

// ---- formatting -------------------------------------------------------------

const locale = () => (lang() === 'en' ? 'en-GB' : 'zh-CN');
const whole = (n) => Math.round(Number(n) || 0).toLocaleString(locale());
const pct = (share) => `${formatNumber((Number(share) || 0) * 100, 1)}%`;
/** minutesText shows a median walk with one decimal, or says it is out of reach (null). */
const minutesText = (m) => (m === null || m === undefined ? t('walkNone') : Number(m).toFixed(1));

/** categoryPhrase is the category as the summary sentence names it: 助餐点/长者食堂, "a meal point / elder canteen". */
function categoryPhrase(id) {
  const cat = state.catById.get(id);
  if (lang() !== 'en') return categoryName(cat) || id;
  const name = ((cat && cat.name_en) || id).toLowerCase();
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

function paramsFromURL() {
  const q = new URLSearchParams(window.location.search);
  const minutes = ['5', '10', '15'].includes(q.get('minutes')) ? q.get('minutes') : '15';
  const speed = ['50', '67'].includes(q.get('speed')) ? q.get('speed') : '50';
  const profile = q.get('profile') === 'step_free' ? 'step_free' : 'walk';
  return { category: q.get('category') || 'meal_point', minutes, speed, profile };
}

function paramsToURL() {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(state.params)) url.searchParams.set(k, v);
  window.history.replaceState(null, '', url);
}

// ---- views: sign-in, not allowed, dashboard ------------------------------------

function setView(view) {
  document.body.dataset.view = view;
  $('signin-section').hidden = view !== 'signin';
  $('forbidden-section').hidden = view !== 'forbidden';
  $('dashboard').hidden = view !== 'dashboard';
  $('sign-out').hidden = view !== 'dashboard';
  $('who').hidden = view !== 'dashboard';
  if (view !== 'dashboard') hideDaily();
}

function showSignIn(message = null) {
  state.user = null;
  setView('signin');
  say(message);
  $('password').value = '';
  $('username').focus();
}

function showForbidden() {
  setView('forbidden');
  say(null);
}

function submitSignInForm(event) {
  return submitSignIn(event, {
    t,
    errorText,
    onSignedIn: async (user) => {
      state.user = user;
      say(null);
      await route();
    },
  });
}

async function doSignOut() {
  await signOut();
  showSignIn(() => t('signedOut'));
}

/** route shows the view for the signed-in user. */
async function route() {
  if (!state.user) return showSignIn();
  if (!seesCoverage(state.user)) return showForbidden();
  setView('dashboard');
  renderWho();
  loadDaily();
  await startDashboard();
}

function renderWho() {
  const u = state.user;
  if (!u) return;
  $('who').textContent = t(u.role === 'admin' ? 'whoAdmin' : 'whoOffice', { user: u.username });
}

// ---- the dashboard -------------------------------------------------------------

let started = false;

/** startDashboard loads the categories, areas and street once, builds the map and asks for coverage. */
async function startDashboard() {
  if (!started) {
    const [meta, cats, areas, street] = await Promise.allSettled([api.meta(), api.categories(), api.areas(), api.street()]);
    if (cats.status === 'rejected' || areas.status === 'rejected') {
      const err = (cats.status === 'rejected' ? cats : areas).reason;
      showError(() => `${t('errorLoad')} (${err.message || err})`);
      document.documentElement.dataset.ready = 'error';
      return;
    }
    if (meta.status === 'fulfilled') Object.assign(state.meta, meta.value);
    // The printed report is headed with the street's name from the database.
    setPlace(state.meta);
    applyStatic();
    state.categories = cats.value.categories || [];
    state.catById = new Map(state.categories.map((c) => [c.id, c]));
    state.areas = (areas.value.features || []).filter((f) => f.properties && f.geometry);
    state.street = street.status === 'fulfilled' ? street.value : null;
    if (!state.catById.has(state.params.category) && state.categories.length) state.params.category = state.categories[0].id;
    $('sample-banner').hidden = !state.meta.sample;
    renderFitBanner();
    buildMap();
    started = true;
  }
  renderControls();
  renderLegend();
  loadSuggestions();
  loadSubsidyRules();
  await loadCoverage();
  document.documentElement.dataset.ready = 'true';
}

function buildMap() {
  try {
    coverageMap = new CoverageMap($('map'), { onPick: (p) => whatIf(p.lon, p.lat, () => t('whatIfFromMap')), onSite: chooseSite });
    coverageMap.setMeta(state.meta);
    if (state.street) coverageMap.drawStreet(state.street);
    coverageMap.drawAreas({ features: state.areas }, areaTooltip);
    coverageMap.relabel();
  } catch (err) {
    coverageMap = null;
    console.warn('map unavailable:', err);
    $('map').replaceChildren(el('p', { class: 'map-fallback' }, t('mapUnavailable')));
  }
}

function renderControls() {
  const select = $('category-select');
  select.replaceChildren(...state.categories.map((c) => el('option', { value: c.id }, categoryName(c))));
  select.value = state.params.category;
  $('minutes-select').value = state.params.minutes;
  $('speed-select').value = state.params.speed;
  $('profile-select').value = state.params.profile;
}

function renderLegend() {
  const items = SHARE_CLASSES.map((c, i) => el('li', { class: 'legend-item', 'data-class': c.key }, shareSwatch(i), el('span', {}, t(c.label))));
  items.push(el('li', { class: 'legend-item legend-note' }, el('span', {}, t('legendChanged'))));
  items.push(el('li', { class: 'legend-item legend-note' }, el('span', {}, t('legendSite'))));
  $('legend-list').replaceChildren(...items);
}

/** areaRows joins the coverage answer for the chosen category to each area. */
function areaRows() {
  const c = state.coverage;
  if (!c) return [];
  const cat = state.params.category;
  return c.areas.map((a) => {
    const share = a.share_within[cat] ?? 0;
    // With delivery (送餐上门): the share within the circle or inside a delivery area, a separate figure.
    const delivery = a.share_within_or_delivery ? (a.share_within_or_delivery[cat] ?? null) : null;
    return { id: String(a.id), name: a.name, elderly: a.elderly, share, delivery, walk: a.walk_minutes[cat] ?? null, outside: a.elderly * (1 - share) };
  });
}

function areaTooltip(id) {
  const row = areaRows().find((r) => r.id === id);
  if (!row) {
    const f = state.areas.find((a) => String(a.properties.id) === id);
    return f ? f.properties.name : '';
  }
  return t('areaTooltip', { name: row.name, share: pct(row.share), outside: whole(row.outside) });
}

/** loadCoverage asks for coverage at the chosen parameters; only the latest answer is shown. */
async function loadCoverage() {
  const seq = ++state.seq.coverage;
  const { category, minutes, speed, profile } = state.params;
  $('area-rows').dataset.state = 'loading';
  say(() => t('loading'));
  showError(null);
  try {
    const answer = await send('GET', `/api/coverage?${new URLSearchParams({ category, minutes, speed, profile })}`);
    if (seq !== state.seq.coverage) return;
    state.coverage = answer;
    renderCoverage();
    say(() => t('loaded'));
  } catch (err) {
    if (seq !== state.seq.coverage) return;
    $('area-rows').dataset.state = 'error';
    failed(err);
  }
}

function renderCoverage() {
  renderSummary();
  renderTable();
  if (coverageMap) coverageMap.colour(new Map(areaRows().map((r) => [r.id, r.share])));
}

function renderSummary() {
  const c = state.coverage && state.coverage.categories[0];
  if (!c) return;
  $('summary').textContent = t('summary', {
    total: whole(c.elderly_total),
    covered: whole(c.elderly_covered),
    share: pct(c.elderly_share),
    category: categoryPhrase(c.category),
    minutes: state.coverage.minutes,
  });
  $('summary-detail').textContent = t('summaryDetail', {
    speed: state.coverage.speed_m_per_min,
    areas: c.areas_total,
    full: c.areas_full,
    none: c.areas_none,
  });
  $('summary-detail').dataset.profile = state.coverage.profile || 'walk';
  const d = c.with_delivery;
  $('summary-delivery').hidden = !d;
  $('summary-delivery').textContent = d ? t('summaryDelivery', { covered: whole(d.elderly_covered), share: pct(d.elderly_share) }) : '';
  if (state.coverage.profile === 'step_free') $('summary-detail').textContent += ` · ${t('summaryStepFree')}`;
}

// ---- the table -------------------------------------------------------------------

const COLUMNS = [
  { key: 'name', label: 'colArea', num: false },
  { key: 'elderly', label: 'colElderly', num: true },
  { key: 'share', label: 'colShare', num: true },
  { key: 'outside', label: 'colOutside', num: true },
  { key: 'walk', label: 'colWalk', num: true },
];

function sortRows(rows) {
  const { key, dir } = state.sort;
  const collator = new Intl.Collator(lang() === 'en' ? 'en' : 'zh-Hans-CN', { numeric: true });
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    let d;
    if (key === 'name') d = collator.compare(a.name, b.name);
    else if (key === 'walk' || key === 'delivery') d = (a[key] ?? Infinity) - (b[key] ?? Infinity);
    else d = a[key] - b[key];
    return sign * d || collator.compare(a.name, b.name);
  });
}

/** columns are the table's columns: "步行或送餐" only where some service delivers. */
function columns() {
  const delivers = areaRows().some((r) => r.delivery !== null);
  return delivers ? [...COLUMNS.slice(0, 3), { key: 'delivery', label: 'colDelivery', num: true }, ...COLUMNS.slice(3)] : COLUMNS;
}

function renderTable() {
  const cols = columns();
  const head = cols.map((col) => {
    const active = state.sort.key === col.key;
    const arrow = active ? (state.sort.dir === 'asc' ? '▲' : '▼') : '↕';
    const button = el('button', { type: 'button', class: 'sort-button', 'data-sort': col.key }, t(col.label), el('span', { class: 'sort-arrow', 'aria-hidden': 'true' }, ` ${arrow}`));
    button.addEventListener('click', () => sortBy(col.key));
    return el('th', { scope: 'col', class: col.num ? 'num' : null, 'aria-sort': active ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' }, button);
  });
  head.push(el('th', { scope: 'col', class: 'action-col' }, t('colAction')));
  $('area-head').replaceChildren(...head);

  const rows = sortRows(areaRows()).map((r) => {
    // The button's name starts with what it shows (WCAG 2.5.3), then says which area.
    const button = el(
      'button',
      { type: 'button', class: 'btn btn-small' },
      t('rowWhatIf'),
      el('span', { class: 'visually-hidden' }, t('rowWhatIfArea', { area: r.name })),
    );
    button.addEventListener('click', () => whatIfInArea(r.id));
    return el(
      'tr',
      { 'data-area': r.id, 'data-share-class': SHARE_CLASSES[shareClass(r.share)].key },
      el('th', { scope: 'row' }, shareSwatch(shareClass(r.share)), el('span', {}, r.name)),
      el('td', { class: 'num' }, whole(r.elderly)),
      el('td', { class: 'num' }, pct(r.share)),
      r.delivery !== null ? el('td', { class: 'num delivery' }, pct(r.delivery)) : null,
      el('td', { class: 'num outside' }, whole(r.outside)),
      el('td', { class: 'num' }, minutesText(r.walk)),
      el('td', { class: 'action-col' }, button),
    );
  });
  $('area-rows').replaceChildren(...rows);
  $('area-rows').dataset.state = 'loaded';
  const col = cols.find((c) => c.key === state.sort.key) || COLUMNS[0];
  $('area-caption').textContent = t('areaCaption', {
    category: categoryName(state.catById.get(state.params.category)),
    minutes: state.params.minutes,
    col: t(col.label),
    dir: t(state.sort.dir === 'asc' ? 'dirAsc' : 'dirDesc'),
  });
}

function sortBy(key) {
  if (state.sort.key === key) state.sort.dir = state.sort.dir === 'asc' ? 'desc' : 'asc';
  else state.sort = { key, dir: key === 'name' || key === 'share' ? 'asc' : 'desc' };
  renderTable();
  const button = document.querySelector(`#area-head button[data-sort="${key}"]`);
  if (button) button.focus();
}

// ---- what if ----------------------------------------------------------------------

/** whatIf asks what a new site at (lon, lat) would change; place() describes the site. */
async function whatIf(lon, lat, place) {
  const seq = ++state.seq.whatIf;
  const { category, minutes, speed, profile } = state.params;
  const section = $('whatif-section');
  section.dataset.state = 'loading';
  say(() => t('loading'));
  showError(null);
  try {
    const answer = await send('POST', '/api/coverage/whatif', {
      category,
      lon: Number(lon.toFixed(6)),
      lat: Number(lat.toFixed(6)),
      minutes: Number(minutes),
      speed: Number(speed),
      profile,
    });
    if (seq !== state.seq.whatIf) return;
    state.whatIf = { answer, place };
    renderWhatIf();
    if (coverageMap) {
      coverageMap.showSite(answer.site[0], answer.site[1]);
      coverageMap.markChanged(answer.areas.map((a) => a.id));
    }
    say(() => t('loaded'));
    section.focus({ preventScroll: true });
    section.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    if (seq !== state.seq.whatIf) return;
    section.dataset.state = state.whatIf ? 'loaded' : 'error';
    if (err.status === 400 && (err.field === 'lon' || err.field === 'lat')) {
      say(null);
      showError(() => t('outsideStreet'));
    } else if (err.status === 422) {
      say(null);
      showError(() => t('offNetwork'));
    } else failed(err);
  }
}

function whatIfInArea(id) {
  const f = state.areas.find((a) => String(a.properties.id) === id);
  const p = f && interiorPoint(f.geometry);
  if (p) whatIf(p[0], p[1], () => t('whatIfFromArea', { area: f.properties.name }));
}

function chooseSite(site, n) {
  whatIf(site.lon, site.lat, () => t('whatIfFromSite', { n }));
}

function clearWhatIf() {
  state.seq.whatIf++;
  state.whatIf = null;
  $('whatif-section').hidden = true;
  delete $('whatif-section').dataset.state;
  if (coverageMap) coverageMap.clearSite();
}

function renderWhatIf() {
  const section = $('whatif-section');
  const w = state.whatIf;
  if (!w) {
    section.hidden = true;
    return;
  }
  const a = w.answer;
  const { before, after, difference } = a;
  $('whatif-title').textContent = t('whatIfTitle', { category: categoryPhrase(a.category) });
  const gained = Math.round(difference.elderly_covered);
  $('whatif-summary').replaceChildren(
    el('span', { class: 'whatif-place' }, w.place()),
    ' ',
    gained > 0
      ? t('whatIfSummary', {
          minutes: a.minutes,
          before: whole(before.elderly_covered),
          after: whole(after.elderly_covered),
          diff: whole(gained),
          shareBefore: pct(before.elderly_share),
          shareAfter: pct(after.elderly_share),
        })
      : t('whatIfNothing', { minutes: a.minutes }),
  );
  $('whatif-figures').replaceChildren(
    el('li', {}, t('figFull', { before: before.areas_full, after: after.areas_full })),
    el('li', {}, t('figNone', { before: before.areas_none, after: after.areas_none })),
    el('li', {}, t('figResidents', { before: whole(before.population_covered), after: whole(after.population_covered) })),
  );
  const rows = [...a.areas]
    .sort((x, y) => y.elderly * (y.share_after - y.share_before) - x.elderly * (x.share_after - x.share_before))
    .map((r) =>
      el(
        'tr',
        { 'data-area': String(r.id) },
        el('th', { scope: 'row' }, r.name),
        el('td', { class: 'num' }, `${pct(r.share_before)} → ${pct(r.share_after)}`),
        el('td', { class: 'num' }, `${minutesText(r.walk_minutes_before)} → ${minutesText(r.walk_minutes_after)}`),
        el('td', { class: 'num' }, whole(r.elderly * (r.share_after - r.share_before))),
      ),
    );
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '4' }, t('whatIfNoAreas'))));
  $('whatif-rows').replaceChildren(...rows);
  section.hidden = false;
  section.dataset.state = 'loaded';
  section.dataset.gained = String(gained);
}

// ---- suggested sites ------------------------------------------------------------------

async function suggest() {
  const seq = ++state.seq.suggest;
  const { category, minutes, speed, profile } = state.params;
  const list = $('suggest-list');
  list.dataset.state = 'loading';
  const button = $('suggest-button');
  button.disabled = true;
  say(() => t('loading'));
  showError(null);
  try {
    const answer = await send('GET', `/api/coverage/suggest?${new URLSearchParams({ category, minutes, speed, profile, count: '3' })}`);
    if (seq !== state.seq.suggest) return;
    state.suggestions = answer;
    renderSuggestions();
    if (coverageMap) coverageMap.showSuggestions(answer.sites);
    say(() => t('loaded'));
    $('suggest-section').focus({ preventScroll: true });
    $('suggest-section').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    if (seq !== state.seq.suggest) return;
    list.dataset.state = 'error';
    failed(err);
  } finally {
    button.disabled = false;
  }
}

function renderSuggestions() {
  const s = state.suggestions;
  const section = $('suggest-section');
  if (!s) {
    section.hidden = true;
    return;
  }
  $('suggest-title').textContent = t('suggestTitle', { category: categoryName(state.catById.get(s.category)) });
  $('suggest-meta').textContent = s.sites.length ? t('suggestMeta', { minutes: s.minutes, speed: s.speed_m_per_min }) : t('suggestNone');
  const items = s.sites.map((site, i) => {
    const n = i + 1;
    const see = el('button', { type: 'button', class: 'btn btn-small' }, t('suggestSee'));
    see.addEventListener('click', () => chooseSite(site, n));
    return el(
      'li',
      { 'data-site': String(n) },
      el('span', { class: 'site-number', 'aria-hidden': 'true' }, String(n)),
      el('span', { class: 'site-text' }, t('suggestItem', { n, elderly: whole(site.elderly_added), residents: whole(site.residents_added), minutes: s.minutes })),
      el('span', { class: 'site-coords' }, `${site.lon.toFixed(5)}, ${site.lat.toFixed(5)}`),
      see,
    );
  });
  $('suggest-list').replaceChildren(...items);
  $('suggest-list').dataset.state = 'loaded';
  section.hidden = false;
}

function clearSuggestions() {
  state.seq.suggest++;
  state.suggestions = null;
  $('suggest-section').hidden = true;
  $('suggest-list').dataset.state = 'empty';
  if (coverageMap) coverageMap.clearSuggestions();
}

// ---- wiring -------------------------------------------------------------------------

function paramsChanged() {
  state.params = {
    category: $('category-select').value,
    minutes: $('minutes-select').value,
    speed: $('speed-select').value,
    profile: $('profile-select').value,
  };
  paramsToURL();
  // What-if answers and suggestions belong to the old parameters.
  clearWhatIf();
  clearSuggestions();
  loadCoverage();
}

function renderAll() {
  applyStatic();
  $('lang-toggle').lang = lang() === 'zh' ? 'en' : 'zh-Hans';
  $('lang-toggle').setAttribute('aria-label', lang() === 'zh' ? 'Switch to English' : '切换到中文');
  renderWho();
  renderFitBanner();
  if (state.categories.length) renderControls();
  renderLegend();
  if (state.coverage) {
    renderSummary();
    renderTable();
  }
  renderWhatIf();
  renderSuggestions();
  renderSuggestionsOffice();
  renderSubsidyRules();
  renderDaily();
  if (coverageMap) {
    coverageMap.relabel();
    if (state.suggestions) coverageMap.showSuggestions(state.suggestions.sites, { fit: false });
  }
  showMessagesAgain();
}

function wire() {
  wireMode();
  markChinese();
  $('lang-toggle').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  $('signin-form').addEventListener('submit', submitSignInForm);
  $('sign-out').addEventListener('click', doSignOut);
  $('forbidden-sign-out').addEventListener('click', doSignOut);
  for (const id of ['category-select', 'minutes-select', 'speed-select', 'profile-select']) $(id).addEventListener('change', paramsChanged);
  $('suggest-button').addEventListener('click', suggest);
  $('print-button').addEventListener('click', () => window.print());
  $('whatif-clear').addEventListener('click', clearWhatIf);
  wireSuggestionsOffice();
  wireSubsidyRules();
  // The printed map is another size: show the whole street in it, and again after.
  window.addEventListener('beforeprint', () => coverageMap && coverageMap.fit());
  window.addEventListener('afterprint', () => coverageMap && coverageMap.fit());
  onLangChange(renderAll);
}

async function start() {
  ensureHatch();
  wire();
  renderAll();
  state.user = await loadSession();
  await route();
}

start().catch((err) => {
  showError(() => errorText(err));
  document.documentElement.dataset.ready = 'error';
});

/**
 * renderFitBanner lists the ways the data does not fit the street (/api/meta's
 * fit_problems: a network of another place, areas or listings outside it), in the
 * page's language, or hides the banner when all fits.
 */
function renderFitBanner() {
  const problems = state.meta.fit_problems || [];
  const banner = $('fit-banner');
  banner.hidden = problems.length === 0;
  banner.replaceChildren(...problems.map((p) => el('p', { 'data-kind': p.kind }, lang() === 'en' ? p.en : p.zh)));
}
