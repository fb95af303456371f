// staff.js — the staff editor at /staff: sign in, see the listings one keeps, change
// hours, phone, offers, capacity, status and the place of one, mark it checked
// today, and (office) read the audit log. Every user text reaches the page through
// textContent or form values, never as markup; the page runs under a strict CSP.

import { loadSession, seesCoverage, send, signOut as endSession, submitSignIn } from './session.js';

const STORAGE_KEY = 'doorstep.lang';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Every string the page shows, Simplified Chinese first. */
const STRINGS = {
  zh: {
    pageTitle: '家门口 · 服务点信息维护',
    appName: '家门口',
    pageName: '服务点信息维护',
    langButton: 'English',
    signOut: '退出登录',
    signInTitle: '工作人员登录',
    signInHint: '请用街道办事处发给您的用户名和密码登录。',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    signingIn: '正在登录……',
    wrongPassword: '用户名或密码不对，请再试一次。',
    accountDisabled: '这个账号已停用，请联系街道办事处。',
    tooMany: '登录失败次数太多，请 {min} 分钟后再试。',
    fillBoth: '请填写用户名和密码。',
    sessionEnded: '登录已过期，请重新登录。',
    signedOut: '您已退出登录。',
    whoStaff: '{user} · {org}',
    whoOffice: '{user} · 街道办事处',
    whoAdmin: '{user} · 管理员',
    myListings: '我的服务点',
    toAudit: '查看修改记录 ↓',
    allListings: '全部服务点',
    organization: '机构',
    allOrganizations: '全部机构',
    search: '按名称或地址查找',
    listSummary: '共 {n} 处，其中 {stale} 处需要核实（超过90天未核实的排在前面）。',
    listEmpty: '没有找到服务点。',
    newListing: '＋ 新增服务点',
    newListingTitle: '新增服务点',
    backToList: '← 返回列表',
    staleNever: '从未核实',
    staleDays: '{n} 天未核实',
    checkedOn: '{date} 核实',
    statusOpen: '正常开放',
    statusTemporarilyClosed: '暂停服务',
    statusClosed: '已停止服务',
    reopensOnShort: '预计 {date} 恢复',
    editMeta: '第 {version} 版 · 最后修改 {updated}',
    verifyNever: '这条信息还没有人核实过。',
    verifyStale: '上次核实是 {date}，已超过90天，请核实。',
    verifyRecent: '上次核实：{date}。',
    verifyToday: '今天已核实 ✓',
    checkedToday: '今天已核实',
    checkedTodayDone: '已记录：今天已核实。',
    basics: '基本信息',
    name: '名称',
    nameEn: '英文名称（可不填）',
    category: '类别',
    address: '地址',
    phone: '电话',
    phoneHint: '例如 021-6543-2100 或 13812345678',
    capacity: '容量（人数，可不填）',
    offers: '服务内容（每行一项）',
    statusTitle: '服务状态',
    status: '状态',
    reopensOn: '预计恢复日期',
    note: '备注（给居民看，最多500字）',
    hours: '开放时间',
    hoursHint: '每天可填一个或几个时段；不开放的日子不要勾选。',
    dayOpen: '开放',
    from: '从',
    to: '到',
    addRange: '＋ 加一个时段',
    removeRange: '删去这个时段',
    sameAsAbove: '同上一天',
    place: '位置',
    placeHint: '把图钉拖到服务点的大门口。也可以直接填写经纬度。',
    placeMap: '位置地图：可拖动的图钉是服务点的位置',
    lon: '经度',
    lat: '纬度',
    save: '保存',
    saving: '正在保存……',
    saved: '已保存。居民查询时马上能看到新的信息。',
    created: '已新增。居民查询时马上能看到。',
    nothingChanged: '没有需要保存的修改。',
    delete: '停止服务（删除）',
    deleteConfirm: '确定这个服务点已停止服务吗？居民将不再看到它。记录会保留，以后可以改回“正常开放”。',
    deleted: '已设为停止服务。',
    conflictTitle: '这条信息刚被别人修改过',
    conflictText: '您打开后，有人把它改成了第 {version} 版。下面是两边改动的项目：',
    conflictLine: '{field}：您改成“{mine}”，现在是“{now}”',
    conflictOther: '{field}：别人从“{from}”改成了“{now}”（会保留）',
    conflictReapply: '在最新版本上保存我的修改',
    conflictDiscard: '放弃我的修改，查看最新版本',
    fixFields: '请按提示修改标红的项目。',
    errorGeneric: '抱歉，没有成功：{message}',
    errorNetwork: '网络连接有问题，请稍后再试。',
    errorForbidden: '您只能修改本机构的服务点。',
    fieldName: '名称必填，最多100个字。',
    fieldNameEn: '英文名称最多100个字符。',
    fieldCategory: '请选择类别。',
    fieldAddress: '地址最多200个字。',
    fieldPhone: '电话格式不对，例如 021-6543-2100 或 13812345678。',
    fieldCapacity: '容量须为0或正整数，不知道可以不填。',
    fieldOffers: '每项服务内容1到30个字，最多30项。',
    fieldStatus: '请选择状态。',
    fieldReopens: '恢复日期只在“暂停服务”时填写，且不能早于今天。',
    fieldNote: '备注最多500字。',
    fieldHours: '开放时间有误：每个时段都要填开始和结束时间，且两者不能相同。',
    fieldPlace: '位置须在本街道或其周边2公里内。',
    fieldOrganization: '请选择机构。',
    hoursIncomplete: '{day}有一个时段没有填完整。',
    auditTitle: '修改记录',
    auditAction: '操作',
    auditAll: '全部',
    auditUser: '修改人（用户名）',
    auditThis: '只看正在编辑的服务点',
    actionCreate: '新增',
    actionUpdate: '修改',
    actionVerify: '核实',
    actionDelete: '停止服务',
    actionOther: '{action}',
    auditLine: '{when} · {who} · {action}',
    auditCommandLine: '命令行',
    auditEmpty: '还没有修改记录。',
    auditChange: '{field}：{from} → {to}',
    emptyValue: '（空）',
    more: '更多',
    yes: '是',
    no: '否',
    days: { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' },
    fields: {
      name: '名称', name_en: '英文名称', category: '类别', organization_id: '机构', address: '地址', lon: '经度', lat: '纬度',
      phone: '电话', hours: '开放时间', offers: '服务内容', capacity: '容量', status: '状态', note: '备注',
      reopens_on: '恢复日期', verified_at: '核实时间', sample: '示例数据', id: '编号',
    },
  },
  en: {
    pageTitle: 'Doorstep · Listings for staff',
    appName: 'Doorstep',
    pageName: 'Listings for staff',
    langButton: '中文',
    signOut: 'Sign out',
    signInTitle: 'Staff sign-in',
    signInHint: 'Sign in with the username and password the street office gave you.',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    wrongPassword: 'Wrong username or password. Please try again.',
    accountDisabled: 'This account is disabled. Please ask the street office.',
    tooMany: 'Too many failed sign-ins. Please try again in {min} minutes.',
    fillBoth: 'Please give your username and password.',
    sessionEnded: 'Your session has ended. Please sign in again.',
    signedOut: 'You have signed out.',
    whoStaff: '{user} · {org}',
    whoOffice: '{user} · street office',
    whoAdmin: '{user} · admin',
    myListings: 'My listings',
    toAudit: 'See the audit log ↓',
    allListings: 'All listings',
    organization: 'Organization',
    allOrganizations: 'All organizations',
    search: 'Find by name or address',
    listSummary: '{n} listings, {stale} to check (not checked for 90 days come first).',
    listEmpty: 'No listings found.',
    newListing: '+ New listing',
    newListingTitle: 'New listing',
    backToList: '← Back to the list',
    staleNever: 'Never checked',
    staleDays: 'Not checked for {n} days',
    checkedOn: 'Checked {date}',
    statusOpen: 'Open',
    statusTemporarilyClosed: 'Temporarily closed',
    statusClosed: 'Closed for good',
    reopensOnShort: 'reopens {date}',
    editMeta: 'Version {version} · last changed {updated}',
    verifyNever: 'Nobody has checked this listing yet.',
    verifyStale: 'Last checked {date}, over 90 days ago: please check it.',
    verifyRecent: 'Last checked {date}.',
    verifyToday: 'Checked today ✓',
    checkedToday: 'Checked today',
    checkedTodayDone: 'Recorded: checked today.',
    basics: 'Basics',
    name: 'Name',
    nameEn: 'English name (optional)',
    category: 'Category',
    address: 'Address',
    phone: 'Phone',
    phoneHint: 'For example 021-6543-2100 or 13812345678',
    capacity: 'Capacity (people, optional)',
    offers: 'Services offered (one a line)',
    statusTitle: 'Status',
    status: 'Status',
    reopensOn: 'Expected to reopen on',
    note: 'Note for residents (at most 500 characters)',
    hours: 'Opening hours',
    hoursHint: 'One or more times a day; leave closed days unticked.',
    dayOpen: 'Open',
    from: 'from',
    to: 'to',
    addRange: '+ Add a time',
    removeRange: 'Remove this time',
    sameAsAbove: 'Same as the day above',
    place: 'Place',
    placeHint: 'Drag the pin to the front door. Or type the coordinates.',
    placeMap: 'Map of the place: the draggable pin is the listing',
    lon: 'Longitude',
    lat: 'Latitude',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Saved. Residents see the new details right away.',
    created: 'Added. Residents see it right away.',
    nothingChanged: 'Nothing to save.',
    delete: 'Close for good (delete)',
    deleteConfirm: 'Has this place closed for good? Residents will no longer see it. The record is kept and can be set back to "Open".',
    deleted: 'Marked as closed for good.',
    conflictTitle: 'This listing was changed by someone else',
    conflictText: 'Since you opened it, someone changed it to version {version}. What each of you changed:',
    conflictLine: '{field}: you wrote "{mine}", it is now "{now}"',
    conflictOther: '{field}: changed by someone else from "{from}" to "{now}" (kept)',
    conflictReapply: 'Save my changes on the current version',
    conflictDiscard: 'Drop my changes and show the current version',
    fixFields: 'Please correct the fields marked in red.',
    errorGeneric: 'Sorry, that did not work: {message}',
    errorNetwork: 'There is a problem with the network. Please try again later.',
    errorForbidden: 'You may change only your own organization\'s listings.',
    fieldName: '',
    fieldNameEn: '',
    fieldCategory: '',
    fieldAddress: '',
    fieldPhone: '',
    fieldCapacity: '',
    fieldOffers: '',
    fieldStatus: '',
    fieldReopens: '',
    fieldNote: '',
    fieldHours: '',
    fieldPlace: '',
    fieldOrganization: '',
    hoursIncomplete: 'A time on {day} is not complete.',
    auditTitle: 'Audit log',
    auditAction: 'Action',
    auditAll: 'All',
    auditUser: 'Changed by (username)',
    auditThis: 'Only the listing being edited',
    actionCreate: 'added',
    actionUpdate: 'changed',
    actionVerify: 'checked',
    actionDelete: 'closed for good',
    actionOther: '{action}',
    auditLine: '{when} · {who} · {action}',
    auditCommandLine: 'command line',
    auditEmpty: 'No changes yet.',
    auditChange: '{field}: {from} → {to}',
    emptyValue: '(empty)',
    more: 'More',
    yes: 'yes',
    no: 'no',
    days: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
    fields: {
      name: 'name', name_en: 'English name', category: 'category', organization_id: 'organization', address: 'address',
      lon: 'longitude', lat: 'latitude', phone: 'phone', hours: 'hours', offers: 'services offered', capacity: 'capacity',
      status: 'status', note: 'note', reopens_on: 'reopening date', verified_at: 'checked', sample: 'sample', id: 'id',
    },
  },
};

/** Field errors in Chinese by field; in English the server's own message is shown. */
const FIELD_MESSAGES = {
  name: 'fieldName', name_en: 'fieldNameEn', category: 'fieldCategory', address: 'fieldAddress', phone: 'fieldPhone',
  capacity: 'fieldCapacity', offers: 'fieldOffers', status: 'fieldStatus', reopens_on: 'fieldReopens', note: 'fieldNote',
  hours: 'fieldHours', lon: 'fieldPlace', lat: 'fieldPlace', organization_id: 'fieldOrganization',
};

/** The members of a listing the form edits, in the order the form shows them. */
const EDITABLE = ['name', 'name_en', 'category', 'organization_id', 'address', 'phone', 'capacity', 'offers', 'status',
  'reopens_on', 'note', 'hours', 'lon', 'lat'];

const state = {
  lang: 'zh',
  user: null,
  categories: [],
  organizations: new Map(),
  listings: [],
  editing: null, // { original, isNew, conflict: {current, patch} | null }
  auditOffset: 0,
};

const $ = (id) => document.getElementById(id);

// ---- language -------------------------------------------------------------

function initialLang() {
  const fromURL = new URLSearchParams(window.location.search).get('lang');
  if (fromURL === 'zh' || fromURL === 'en') return fromURL;
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch {
    // storage may be off; Chinese is the default
  }
  return 'zh';
}

/** t returns the string for key in the current language, {name} filled from vars. */
function t(key, vars = {}) {
  let s = STRINGS[state.lang][key];
  if (s === undefined || s === '') s = STRINGS.zh[key] ?? key;
  return String(s).replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? '' : String(vars[k])));
}

function applyLang() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-Hans' : 'en';
  document.title = t('pageTitle');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  const toggle = $('lang-toggle');
  toggle.lang = state.lang === 'zh' ? 'en' : 'zh-Hans';
  fillCategorySelect();
  fillOrganizationSelects();
  renderWho();
  renderList();
  if (state.editing) {
    renderHoursLabels();
    renderEditMeta();
  }
  renderAudit(lastAudit);
}

function dayName(d) {
  return STRINGS[state.lang].days[d];
}

function fieldName(f) {
  return STRINGS[state.lang].fields[f] || f;
}

/** formatDate shows a date (an ISO string) as a calendar day in Shanghai time. */
function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleDateString(state.lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric',
  });
}

function formatDateTime(iso) {
  const d = new Date(iso);
  return d.toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** todayInShanghai is today's date as YYYY-MM-DD in Asia/Shanghai. */
function todayInShanghai() {
  return new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}

// ---- API ----------------------------------------------------------------

/**
 * call sends one API request through session.js (JSON body, the CSRF token on every
 * change, If-Match when given). A lost session (401) shows the sign-in form again.
 */
async function call(method, path, { body, ifMatch } = {}) {
  try {
    return await send(method, path, body, { ifMatch });
  } catch (err) {
    if (err.status === 401 && path !== '/api/session') sessionEnded();
    throw err;
  }
}

// ---- messages -----------------------------------------------------------

function showNotice(text) {
  const el = $('notice');
  el.textContent = text;
  el.hidden = !text;
  if (text) $('error').hidden = true;
}

function showError(text) {
  const el = $('error');
  el.textContent = text;
  el.hidden = !text;
  if (text) {
    $('notice').hidden = true;
    el.scrollIntoView({ block: 'nearest' });
  }
}

function errorText(err) {
  if (err.code === 'network') return t('errorNetwork');
  if (err.status === 403) return t('errorForbidden');
  return t('errorGeneric', { message: err.message });
}

// ---- sign-in --------------------------------------------------------------

function showSignIn(message = '') {
  state.user = null;
  state.editing = null;
  for (const id of ['list-section', 'edit-section', 'audit-section']) $(id).hidden = true;
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('signin-section').hidden = false;
  $('password').value = '';
  if (message) showNotice(message);
  $('username').focus();
}

function sessionEnded() {
  if (state.user) showSignIn(t('sessionEnded'));
}

function submitSignInForm(event) {
  return submitSignIn(event, {
    t,
    errorText,
    onSignedIn: async (user) => {
      state.user = user;
      await showSignedIn();
    },
  });
}

async function signOut() {
  await endSession();
  showSignIn(t('signedOut'));
}

function renderWho() {
  const el = $('who');
  if (!state.user) return;
  const u = state.user;
  const org = state.organizations.get(u.organization_id);
  const key = u.role === 'admin' ? 'whoAdmin' : u.role === 'office' ? 'whoOffice' : 'whoStaff';
  el.textContent = t(key, { user: u.username, org: org ? org.name : '' });
}

async function showSignedIn() {
  $('signin-section').hidden = true;
  $('sign-out').hidden = false;
  $('who').hidden = false;
  $('list-section').hidden = false;
  $('audit-section').hidden = false;
  $('org-filter-field').hidden = !seesCoverage(state.user);
  $('f-organization-field').hidden = !seesCoverage(state.user);
  showNotice('');
  try {
    const orgs = await call('GET', '/api/organizations');
    state.organizations = new Map(orgs.organizations.map((o) => [o.id, o]));
  } catch (err) {
    showError(errorText(err));
  }
  fillOrganizationSelects();
  renderWho();
  await loadListings();
  loadAudit(true);
}

// ---- listings ---------------------------------------------------------------

function categoryName(id) {
  const c = state.categories.find((x) => x.id === id);
  if (!c) return id;
  return state.lang === 'zh' ? c.name_zh : c.name_en;
}

function listingName(s) {
  return state.lang === 'en' && s.name_en ? s.name_en : s.name;
}

async function loadListings() {
  const list = $('listing-list');
  list.dataset.state = 'loading';
  const params = new URLSearchParams({ limit: '500' });
  const org = $('org-filter').value;
  if (seesCoverage(state.user) && org) params.set('organization_id', org);
  try {
    const body = await call('GET', `/api/staff/services?${params}`);
    state.listings = body.services;
    renderList();
    list.dataset.state = 'loaded';
  } catch (err) {
    list.dataset.state = 'error';
    if (err.status !== 401) showError(errorText(err));
  }
}

function daysSince(iso) {
  return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
}

function staleText(s) {
  if (!s.verified_at) return t('staleNever');
  if (s.stale) return t('staleDays', { n: daysSince(s.verified_at) });
  return t('checkedOn', { date: formatDate(s.verified_at) });
}

function statusText(s) {
  const key = { open: 'statusOpen', temporarily_closed: 'statusTemporarilyClosed', closed: 'statusClosed' }[s.status];
  let text = key ? t(key) : s.status;
  if (s.status === 'temporarily_closed' && s.reopens_on) text += ' · ' + t('reopensOnShort', { date: s.reopens_on });
  return text;
}

function renderList() {
  const ul = $('listing-list');
  if (!state.user) return;
  $('list-title').textContent = seesCoverage(state.user) ? t('allListings') : t('myListings');
  const q = $('text-filter').value.trim().toLowerCase();
  const shown = state.listings.filter((s) => !q || [s.name, s.name_en, s.address].some((v) => (v || '').toLowerCase().includes(q)));
  const items = shown.map((s) => {
    const li = document.createElement('li');
    li.className = 'listing';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'listing-button';
    button.dataset.id = String(s.id);
    const name = document.createElement('span');
    name.className = 'listing-name';
    name.textContent = listingName(s);
    const meta = document.createElement('span');
    meta.className = 'listing-meta';
    meta.textContent = `${categoryName(s.category)} · ${s.address || ''}`;
    const badges = document.createElement('span');
    badges.className = 'listing-badges';
    const status = document.createElement('span');
    status.className = `badge badge-${s.status}`;
    status.textContent = statusText(s);
    const check = document.createElement('span');
    check.className = s.stale ? 'badge badge-stale' : 'badge badge-fresh';
    check.textContent = staleText(s);
    badges.append(status, check);
    button.append(name, meta, badges);
    button.addEventListener('click', () => openListing(s.id));
    li.append(button);
    return li;
  });
  ul.replaceChildren(...items);
  const stale = shown.filter((s) => s.stale).length;
  $('list-summary').textContent = shown.length ? t('listSummary', { n: shown.length, stale }) : t('listEmpty');
}

function fillCategorySelect() {
  const sel = $('f-category');
  const value = sel.value;
  sel.replaceChildren(...state.categories.map((c) => new Option(state.lang === 'zh' ? c.name_zh : c.name_en, c.id)));
  if (value) sel.value = value;
}

function fillOrganizationSelects() {
  const orgs = [...state.organizations.values()];
  const filter = $('org-filter');
  const fv = filter.value;
  filter.replaceChildren(new Option(t('allOrganizations'), ''), ...orgs.map((o) => new Option(o.name, String(o.id))));
  filter.value = fv;
  const field = $('f-organization_id');
  const v = field.value;
  field.replaceChildren(...orgs.map((o) => new Option(o.name, String(o.id))));
  if (v) field.value = v;
}

// ---- the edit form --------------------------------------------------------

function clearFieldErrors() {
  for (const el of document.querySelectorAll('[data-error-for]')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of document.querySelectorAll('.invalid')) el.classList.remove('invalid');
}

/** showFieldError puts the message beside its field and says so; false when the form has no such field. */
function showFieldError(field, serverMessage) {
  const el = document.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
  if (!el) return false;
  const key = FIELD_MESSAGES[field];
  el.textContent = state.lang === 'zh' && key ? t(key) : serverMessage;
  if (state.lang === 'zh' && serverMessage && field === 'hours') el.textContent += `（${serverMessage}）`;
  el.hidden = false;
  const input = $(`f-${field}`) || el.closest('fieldset');
  if (input) {
    input.classList.add('invalid');
    input.scrollIntoView({ block: 'center' });
    if (input.focus) input.focus({ preventScroll: true });
  }
  showError(t('fixFields'));
  return true;
}

function blankListing() {
  const center = streetCenter();
  const org = state.user.organization_id || Number($('org-filter').value) || ([...state.organizations.keys()][0] ?? 0);
  return {
    id: 0, version: 0, name: '', name_en: '', category: state.categories[0] ? state.categories[0].id : '',
    organization_id: org, address: '', phone: '', capacity: null, offers: [], status: 'open', reopens_on: '',
    note: '', hours: [], lon: center[0], lat: center[1], verified_at: null, stale: false, updated_at: null,
  };
}

async function openListing(id) {
  const s = state.listings.find((x) => x.id === id);
  if (!s) return;
  startEditing(s, false);
}

function startEditing(listing, isNew) {
  state.editing = { original: listing, isNew, conflict: null };
  showNotice('');
  showError('');
  $('list-section').hidden = true;
  $('edit-section').hidden = false;
  $('conflict').hidden = true;
  $('delete-button').hidden = isNew || listing.status === 'closed';
  $('verify-box').hidden = isNew;
  fillForm(listing);
  renderEditMeta();
  $('edit-section').scrollIntoView({ block: 'start' });
  showPin(listing.lon, listing.lat);
  if ($('audit-this').checked) loadAudit(true);
  $('edit-form').dataset.state = 'editing';
}

function backToList() {
  state.editing = null;
  $('edit-section').hidden = true;
  $('list-section').hidden = false;
  showError('');
  renderList();
  if ($('audit-this').checked) loadAudit(true);
}

function renderEditMeta() {
  const { original, isNew } = state.editing;
  $('edit-title').textContent = isNew ? t('newListingTitle') : listingName(original);
  $('edit-meta').textContent = isNew ? '' : t('editMeta', { version: original.version, updated: formatDateTime(original.updated_at) });
  const v = $('verify-status');
  const vb = $('verify-button');
  const today = original.verified_at && new Date(original.verified_at).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' }) === todayInShanghai();
  if (today) v.textContent = t('verifyToday');
  else if (!original.verified_at) v.textContent = t('verifyNever');
  else if (original.stale) v.textContent = t('verifyStale', { date: formatDate(original.verified_at) });
  else v.textContent = t('verifyRecent', { date: formatDate(original.verified_at) });
  v.className = original.stale && !today ? 'stale-warning' : '';
  vb.textContent = t('checkedToday');
}

function fillForm(s) {
  clearFieldErrors();
  $('f-name').value = s.name;
  $('f-name_en').value = s.name_en || '';
  fillCategorySelect();
  $('f-category').value = s.category;
  $('f-organization_id').value = String(s.organization_id);
  $('f-address').value = s.address || '';
  $('f-phone').value = s.phone || '';
  $('f-capacity').value = s.capacity === null || s.capacity === undefined ? '' : String(s.capacity);
  $('f-offers').value = (s.offers || []).join('\n');
  $('f-status').value = s.status;
  $('f-reopens_on').value = s.reopens_on || '';
  $('f-note').value = s.note || '';
  $('f-lon').value = String(s.lon);
  $('f-lat').value = String(s.lat);
  renderHours(s.hours || []);
  syncClosureFields();
}

function syncClosureFields() {
  $('reopens-field').hidden = $('f-status').value !== 'temporarily_closed';
}

/** formValue reads the form into the editable members of a listing. */
function formValue() {
  const capacity = $('f-capacity').value.trim();
  const value = {
    name: $('f-name').value.trim(),
    name_en: $('f-name_en').value.trim(),
    category: $('f-category').value,
    organization_id: Number($('f-organization_id').value) || state.editing.original.organization_id,
    address: $('f-address').value.trim(),
    phone: $('f-phone').value.trim(),
    capacity: capacity === '' ? null : Number(capacity),
    offers: $('f-offers').value.split('\n').map((x) => x.trim()).filter(Boolean),
    status: $('f-status').value,
    reopens_on: $('f-status').value === 'temporarily_closed' ? $('f-reopens_on').value : '',
    note: $('f-note').value,
    hours: readHours(),
    lon: Number($('f-lon').value),
    lat: Number($('f-lat').value),
  };
  if (!Number.isInteger(value.capacity) && value.capacity !== null) value.capacity = $('f-capacity').value;
  return value;
}

/** comparable gives a member's value in one canonical form, so an unchanged member compares equal. */
function comparable(field, v) {
  if (field === 'hours') return JSON.stringify(normalizeHours(v || []));
  if (field === 'lon' || field === 'lat') return Number(v).toFixed(7);
  if (v === undefined || v === null) return field === 'capacity' ? 'null' : '""';
  return JSON.stringify(v);
}

/** changesFrom returns the members of value that differ from original: the PATCH body. */
function changesFrom(original, value) {
  const patch = {};
  for (const f of EDITABLE) {
    if (comparable(f, original[f]) !== comparable(f, value[f])) patch[f] = value[f];
  }
  return patch;
}

async function save(event) {
  event.preventDefault();
  clearFieldErrors();
  showError('');
  const { original, isNew } = state.editing;
  let value;
  try {
    value = formValue();
  } catch (err) {
    if (err.field) showFieldError(err.field, err.message);
    return;
  }
  const button = $('save-button');
  button.disabled = true;
  button.textContent = t('saving');
  $('edit-form').dataset.state = 'saving';
  try {
    if (isNew) {
      const created = await call('POST', '/api/services', { body: value });
      state.listings.push(created);
      finishSave(created, t('created'));
      return;
    }
    const patch = changesFrom(original, value);
    if (Object.keys(patch).length === 0) {
      showNotice(t('nothingChanged'));
      $('edit-form').dataset.state = 'saved';
      return;
    }
    await sendPatch(patch, original.version);
  } catch (err) {
    handleEditError(err, null);
  } finally {
    button.disabled = false;
    button.textContent = t('save');
  }
}

async function sendPatch(patch, version) {
  try {
    const updated = await call('PATCH', `/api/services/${state.editing.original.id}`, { body: patch, ifMatch: version });
    finishSave(updated, t('saved'));
  } catch (err) {
    handleEditError(err, patch);
  }
}

function finishSave(listing, message) {
  replaceListing(listing);
  state.editing = { original: listing, isNew: false, conflict: null };
  $('conflict').hidden = true;
  $('delete-button').hidden = listing.status === 'closed';
  $('verify-box').hidden = false;
  fillForm(listing);
  renderEditMeta();
  showPin(listing.lon, listing.lat);
  showNotice(message);
  $('edit-form').dataset.state = 'saved';
  loadAudit(true);
}

function replaceListing(listing) {
  const i = state.listings.findIndex((x) => x.id === listing.id);
  if (i >= 0) state.listings[i] = listing;
  else state.listings.push(listing);
}

function handleEditError(err, patch) {
  if (err.status === 409 && err.body && err.body.current) {
    showConflict(err.body.current, patch);
    return;
  }
  $('edit-form').dataset.state = 'error';
  if (err.status === 400 && err.field && showFieldError(err.field, err.message)) return;
  if (err.status === 401) return; // sessionEnded has shown the sign-in form
  showError(errorText(err));
}

/** display turns a member's value into short text for a person. */
function display(field, v) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return t('emptyValue');
  if (field === 'hours') return hoursText(v);
  if (field === 'status') return statusText({ status: v });
  if (field === 'category') return categoryName(v);
  if (field === 'organization_id') return (state.organizations.get(v) || { name: String(v) }).name;
  if (field === 'verified_at') return formatDateTime(v);
  if (Array.isArray(v)) return v.join(state.lang === 'zh' ? '、' : ', ');
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  return String(v);
}

function hoursText(hours) {
  return normalizeHours(hours).map((span) => {
    const days = span.days.map(dayName).join(state.lang === 'zh' ? '、' : ', ');
    return `${days} ${span.opens}–${span.closes}`;
  }).join('; ');
}

function showConflict(current, patch) {
  state.editing.conflict = { current, patch };
  const list = $('conflict-list');
  const mine = Object.keys(patch || {});
  const lines = mine.map((f) => {
    const li = document.createElement('li');
    li.textContent = t('conflictLine', { field: fieldName(f), mine: display(f, patch[f]), now: display(f, current[f]) });
    return li;
  });
  // What the other editor changed that this one did not touch.
  for (const f of Object.keys(changesFrom(state.editing.original, current))) {
    if (mine.includes(f)) continue;
    const li = document.createElement('li');
    li.textContent = t('conflictOther', { field: fieldName(f), from: display(f, state.editing.original[f]), now: display(f, current[f]) });
    lines.push(li);
  }
  list.replaceChildren(...lines);
  $('conflict-text').textContent = t('conflictText', { version: current.version });
  $('conflict').hidden = false;
  $('conflict').scrollIntoView({ block: 'start' });
  $('edit-form').dataset.state = 'conflict';
  replaceListing(current);
}

async function reapplyConflict() {
  const c = state.editing && state.editing.conflict;
  if (!c) return;
  $('conflict').hidden = true;
  state.editing.original = c.current;
  state.editing.conflict = null;
  renderEditMeta();
  if (c.patch && Object.keys(c.patch).length) await sendPatch(c.patch, c.current.version);
}

function discardConflict() {
  const c = state.editing && state.editing.conflict;
  if (!c) return;
  startEditing(c.current, false);
}

async function verifyToday() {
  const { original } = state.editing;
  const button = $('verify-button');
  button.disabled = true;
  try {
    const updated = await call('POST', `/api/services/${original.id}/verify`, { ifMatch: original.version });
    // Only verified_at and the version changed: keep what is typed in the form.
    state.editing.original = updated;
    replaceListing(updated);
    renderEditMeta();
    showNotice(t('checkedTodayDone'));
    loadAudit(true);
  } catch (err) {
    let mine = {};
    try {
      mine = changesFrom(original, formValue());
    } catch {
      // an incomplete form: show the conflict without the user's changes
    }
    handleEditError(err, mine);
  } finally {
    button.disabled = false;
  }
}

async function closeForGood() {
  const { original } = state.editing;
  if (!window.confirm(t('deleteConfirm'))) return;
  try {
    const closed = await call('DELETE', `/api/services/${original.id}`, { ifMatch: original.version });
    finishSave(closed, t('deleted'));
  } catch (err) {
    handleEditError(err, { status: 'closed' });
  }
}

// ---- opening hours, one row a day -------------------------------------------

/** normalizeHours rebuilds a schedule through the day rows, merging days with the same times. */
function normalizeHours(hours) {
  const byDay = Object.fromEntries(WEEKDAYS.map((d) => [d, []]));
  for (const span of hours) for (const d of span.days) if (byDay[d]) byDay[d].push([span.opens, span.closes]);
  return spansFromDays(byDay);
}

function spansFromDays(byDay) {
  const spans = new Map();
  for (const d of WEEKDAYS) {
    const ranges = [...byDay[d]].sort((a, b) => a[0].localeCompare(b[0]));
    for (const [opens, closes] of ranges) {
      const key = `${opens}-${closes}`;
      if (!spans.has(key)) spans.set(key, { days: [], opens, closes });
      if (!spans.get(key).days.includes(d)) spans.get(key).days.push(d);
    }
  }
  return [...spans.values()].sort((a, b) => WEEKDAYS.indexOf(a.days[0]) - WEEKDAYS.indexOf(b.days[0]) || a.opens.localeCompare(b.opens));
}

function renderHours(hours) {
  const byDay = Object.fromEntries(WEEKDAYS.map((d) => [d, []]));
  for (const span of hours) for (const d of span.days) if (byDay[d]) byDay[d].push([span.opens, span.closes]);
  const rows = WEEKDAYS.map((d, i) => dayRow(d, byDay[d], i));
  $('hours-editor').replaceChildren(...rows);
}

function dayRow(day, ranges, index) {
  const row = document.createElement('div');
  row.className = 'day-row';
  row.dataset.day = day;
  const head = document.createElement('div');
  head.className = 'day-head';
  const label = document.createElement('label');
  label.className = 'check day-open-label';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.className = 'day-open';
  box.checked = ranges.length > 0;
  const name = document.createElement('span');
  name.className = 'day-name';
  label.append(box, name);
  head.append(label);
  if (index > 0) {
    const same = document.createElement('button');
    same.type = 'button';
    same.className = 'btn btn-small same-as-above';
    same.addEventListener('click', () => copyFromAbove(row));
    head.append(same);
  }
  const list = document.createElement('div');
  list.className = 'ranges';
  const add = document.createElement('button');
  add.type = 'button';
  add.className = 'btn btn-small add-range';
  add.addEventListener('click', () => {
    list.append(rangeRow(day, '', ''));
    box.checked = true;
    syncDayRow(row);
    list.lastElementChild.querySelector('input').focus();
  });
  box.addEventListener('change', () => {
    if (box.checked && list.children.length === 0) list.append(rangeRow(day, '09:00', '17:00'));
    syncDayRow(row);
  });
  for (const [opens, closes] of ranges) list.append(rangeRow(day, opens, closes));
  row.append(head, list, add);
  syncDayRow(row);
  renderDayRowLabels(row);
  return row;
}

function rangeRow(day, opens, closes) {
  const div = document.createElement('div');
  div.className = 'range';
  const from = document.createElement('input');
  from.type = 'time';
  from.className = 'opens';
  from.value = opens;
  from.step = 300;
  const to = document.createElement('input');
  to.type = 'time';
  to.className = 'closes';
  to.value = closes;
  to.step = 300;
  const dash = document.createElement('span');
  dash.className = 'range-dash';
  dash.textContent = '–';
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'btn btn-small remove-range';
  remove.textContent = '✕';
  remove.addEventListener('click', () => {
    const row = div.closest('.day-row');
    div.remove();
    syncDayRow(row);
  });
  div.append(from, dash, to, remove);
  div.dataset.day = day;
  return div;
}

function syncDayRow(row) {
  const box = row.querySelector('.day-open');
  const list = row.querySelector('.ranges');
  if (list.children.length === 0) box.checked = false;
  list.hidden = !box.checked;
  row.classList.toggle('day-closed', !box.checked);
}

function renderDayRowLabels(row) {
  const day = row.dataset.day;
  row.querySelector('.day-name').textContent = `${dayName(day)} ${t('dayOpen')}`;
  const same = row.querySelector('.same-as-above');
  if (same) same.textContent = t('sameAsAbove');
  row.querySelector('.add-range').textContent = t('addRange');
  for (const r of row.querySelectorAll('.range')) {
    r.querySelector('.opens').setAttribute('aria-label', `${dayName(day)} ${t('from')}`);
    r.querySelector('.closes').setAttribute('aria-label', `${dayName(day)} ${t('to')}`);
    r.querySelector('.remove-range').setAttribute('aria-label', `${dayName(day)} ${t('removeRange')}`);
  }
}

function renderHoursLabels() {
  for (const row of document.querySelectorAll('.day-row')) renderDayRowLabels(row);
}

function copyFromAbove(row) {
  const above = row.previousElementSibling;
  const ranges = [...above.querySelectorAll('.range')].map((r) => [r.querySelector('.opens').value, r.querySelector('.closes').value]);
  const open = above.querySelector('.day-open').checked;
  const list = row.querySelector('.ranges');
  list.replaceChildren(...(open ? ranges : []).map(([o, c]) => rangeRow(row.dataset.day, o, c)));
  row.querySelector('.day-open').checked = open && ranges.length > 0;
  syncDayRow(row);
  renderDayRowLabels(row);
}

/** readHours reads the day rows into a schedule; an incomplete time is a field error. */
function readHours() {
  const byDay = {};
  for (const row of document.querySelectorAll('.day-row')) {
    const day = row.dataset.day;
    byDay[day] = [];
    if (!row.querySelector('.day-open').checked) continue;
    for (const r of row.querySelectorAll('.range')) {
      const opens = r.querySelector('.opens').value;
      const closes = r.querySelector('.closes').value;
      if (!opens && !closes) continue;
      if (!opens || !closes) {
        const err = new Error(t('hoursIncomplete', { day: dayName(day) }));
        err.field = 'hours';
        throw err;
      }
      byDay[day].push([opens.slice(0, 5), closes.slice(0, 5)]);
    }
  }
  return spansFromDays(byDay);
}

// ---- the map with the draggable pin -------------------------------------------

let map = null;
let pin = null;
let streetLayer = null;
let streetBounds = null;

function streetCenter() {
  if (streetBounds) {
    const c = streetBounds.getCenter();
    return [Number(c.lng.toFixed(7)), Number(c.lat.toFixed(7))];
  }
  return [121.465, 31.29];
}

async function loadStreet() {
  try {
    const fc = await call('GET', '/api/street');
    return fc;
  } catch {
    return null;
  }
}

let streetData = null;

function ensureMap() {
  if (map || !window.L) return map;
  const L = window.L;
  map = L.map('pin-map', { zoomControl: true, attributionControl: true, scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  if (streetData) {
    streetLayer = L.geoJSON(streetData, {
      interactive: false,
      style: (f) => (f.properties.kind === 'street'
        ? { color: '#0b4f8a', weight: 3, fillColor: '#0b4f8a', fillOpacity: 0.05 }
        : { color: '#8a8f94', weight: 2, fillOpacity: 0 }),
      filter: (f) => f.geometry.type !== 'Point',
    }).addTo(map);
    const street = streetData.features.find((f) => f.properties.kind === 'street');
    if (street) streetBounds = L.geoJSON(street).getBounds();
    if (streetData.attribution) map.attributionControl.addAttribution(streetData.attribution);
  }
  pin = L.marker([31.29, 121.465], { draggable: true, autoPan: true, keyboard: true, title: t('placeMap') }).addTo(map);
  pin.on('dragend', () => {
    const p = pin.getLatLng();
    $('f-lon').value = p.lng.toFixed(7);
    $('f-lat').value = p.lat.toFixed(7);
    $('pin-map').dataset.moved = 'true';
  });
  return map;
}

function showPin(lon, lat) {
  if (!ensureMap()) return;
  map.invalidateSize();
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return;
  pin.setLatLng([lat, lon]);
  map.setView([lat, lon], 17, { animate: false });
  drawSurroundings(lon, lat);
}

let areasLayer = null;
let networkLayer = null;

/**
 * drawSurroundings draws what helps find the right door: the residential areas and
 * the walkable streets and lanes around the pin. They are context only; if they
 * cannot be loaded the pin still works.
 */
async function drawSurroundings(lon, lat) {
  const L = window.L;
  if (!areasLayer) {
    map.createPane('areas').style.zIndex = 350;
    map.createPane('walkways').style.zIndex = 360;
    areasLayer = L.layerGroup().addTo(map);
    try {
      const fc = await call('GET', '/api/areas');
      L.geoJSON(fc, {
        pane: 'areas', interactive: false, style: { color: '#6b7780', weight: 1, fillColor: '#c9d3da', fillOpacity: 0.45 },
      }).addTo(areasLayer);
    } catch {
      // context only
    }
  }
  const box = [lon - 0.006, lat - 0.005, lon + 0.006, lat + 0.005].map((v) => v.toFixed(5)).join(',');
  if (networkLayer && networkLayer.box === box) return;
  try {
    const fc = await call('GET', `/api/network?bbox=${box}`);
    if (networkLayer) networkLayer.remove();
    networkLayer = L.geoJSON(fc, {
      pane: 'walkways', interactive: false,
      style: (f) => ({ color: '#ffffff', weight: f.properties.kind === 'footway' || f.properties.kind === 'lane' ? 3 : 6, opacity: 1 }),
    }).addTo(map);
    networkLayer.box = box;
  } catch {
    // context only
  }
}

function pinFromInputs() {
  const lon = Number($('f-lon').value);
  const lat = Number($('f-lat').value);
  if (pin && Number.isFinite(lon) && Number.isFinite(lat) && $('f-lon').value && $('f-lat').value) {
    pin.setLatLng([lat, lon]);
    map.panTo([lat, lon], { animate: false });
  }
}

// ---- the audit log -----------------------------------------------------------

let lastAudit = null;

async function loadAudit(reset) {
  if (!state.user) return;
  if (reset) state.auditOffset = 0;
  const params = new URLSearchParams({ entity: 'service', limit: '20', offset: String(state.auditOffset) });
  const action = $('audit-action').value;
  const user = $('audit-user').value.trim();
  if (action) params.set('action', action);
  if (user) params.set('user', user);
  if ($('audit-this').checked && state.editing && !state.editing.isNew) params.set('entity_id', String(state.editing.original.id));
  const list = $('audit-list');
  list.dataset.state = 'loading';
  try {
    const body = await call('GET', `/api/audit?${params}`);
    if (reset || !lastAudit) lastAudit = body;
    else lastAudit = { ...body, entries: [...lastAudit.entries, ...body.entries] };
    state.auditOffset = lastAudit.entries.length;
    renderAudit(lastAudit);
    list.dataset.state = 'loaded';
  } catch (err) {
    list.dataset.state = 'error';
    if (err.status !== 401) showError(errorText(err));
  }
}

function actionText(action) {
  const key = { create: 'actionCreate', update: 'actionUpdate', verify: 'actionVerify', delete: 'actionDelete' }[action];
  return key ? t(key) : t('actionOther', { action });
}

function renderAudit(body) {
  const ol = $('audit-list');
  if (!body) return;
  if (body.entries.length === 0) {
    const li = document.createElement('li');
    li.className = 'audit-empty';
    li.textContent = t('auditEmpty');
    ol.replaceChildren(li);
  } else {
    ol.replaceChildren(...body.entries.map(auditItem));
  }
  $('audit-more').hidden = body.entries.length >= body.total;
}

function auditItem(e) {
  const li = document.createElement('li');
  li.className = 'audit-entry';
  li.dataset.action = e.action;
  const head = document.createElement('p');
  head.className = 'audit-head';
  head.textContent = t('auditLine', { when: formatDateTime(e.at), who: e.username || t('auditCommandLine'), action: actionText(e.action) });
  const subject = document.createElement('p');
  subject.className = 'audit-subject';
  const named = e.after || e.before || {};
  subject.textContent = `${named.name || ''} (#${e.entity_id})`;
  li.append(head, subject);
  const changes = (e.changes || []).filter((c) => e.action !== 'create' || c.to !== null);
  if (changes.length) {
    const ul = document.createElement('ul');
    ul.className = 'audit-changes';
    for (const c of changes) {
      const item = document.createElement('li');
      item.textContent = t('auditChange', { field: fieldName(c.field), from: display(c.field, c.from), to: display(c.field, c.to) });
      ul.append(item);
    }
    li.append(ul);
  }
  return li;
}

// ---- start --------------------------------------------------------------------

function wire() {
  $('signin-form').addEventListener('submit', submitSignInForm);
  $('sign-out').addEventListener('click', signOut);
  $('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    try {
      window.localStorage.setItem(STORAGE_KEY, state.lang);
    } catch {
      // the choice holds for this page only
    }
    applyLang();
  });
  $('org-filter').addEventListener('change', loadListings);
  $('text-filter').addEventListener('input', renderList);
  $('new-listing').addEventListener('click', () => startEditing(blankListing(), true));
  $('back-to-list').addEventListener('click', backToList);
  $('edit-form').addEventListener('submit', save);
  $('f-status').addEventListener('change', syncClosureFields);
  $('f-lon').addEventListener('change', pinFromInputs);
  $('f-lat').addEventListener('change', pinFromInputs);
  $('verify-button').addEventListener('click', verifyToday);
  $('delete-button').addEventListener('click', closeForGood);
  $('conflict-reapply').addEventListener('click', reapplyConflict);
  $('conflict-discard').addEventListener('click', discardConflict);
  $('audit-action').addEventListener('change', () => loadAudit(true));
  $('audit-user').addEventListener('change', () => loadAudit(true));
  $('audit-this').addEventListener('change', () => loadAudit(true));
  $('audit-more').addEventListener('click', () => loadAudit(false));
}

async function start() {
  state.lang = initialLang();
  wire();
  applyLang();
  try {
    const [user, cats, street] = await Promise.all([
      loadSession(),
      call('GET', '/api/categories'),
      loadStreet(),
    ]);
    state.categories = cats.categories;
    streetData = street;
    fillCategorySelect();
    state.user = user;
    if (user) await showSignedIn();
    else showSignIn();
  } catch (err) {
    showError(errorText(err));
  }
  document.documentElement.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
