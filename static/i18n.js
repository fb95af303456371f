// i18n.js — every string the resident page shows, in Simplified Chinese (first) and
// English, and the formatting of numbers, days and opening hours in each language.

const STORAGE_KEY = 'doorstep.lang';

/** The dictionary: one entry a string, {name} marks a value filled in by t(). */
const STRINGS = {
  zh: {
    pageTitle: '家门口 · {street}',
    appName: '家门口',
    streetName: '{street}',
    noStreet: '尚未导入街道',
    theStreet: '街道',
    noStreetBanner: '尚未导入街道边界：请运行 doorstep import street',
    tagline: '找一找您家附近的助餐点、为老服务和社区服务',
    skipToAnswer: '跳到查询结果',
    viewGroup: '显示方式',
    viewMap: '地图',
    viewList: '列表',
    langButton: 'English',
    modeButton: '长辈模式',
    moreDetails: '详细信息',
    callButton: '打电话',
    readAloud: '朗读',
    readAloudLabel: '朗读：{name}',
    langButtonLabel: 'Switch to English',
    sampleBanner: '示例数据：居民区划分、服务点、电话和开放时间均为演示用的虚构数据',
    controlsTitle: '从哪里出发？',
    areaLabel: '选择您的居民区',
    areaPlaceholder: '— 请选择居民区 —',
    speedLabel: '步行速度',
    speedElder: '老年人步速（每分钟50米）',
    speedAdult: '成年人步速（每分钟67米）',
    myLocation: '我的位置',
    locating: '正在获取您的位置……',
    geoUnsupported: '这个浏览器不能提供位置。请在地图上点选，或选择您的居民区。',
    geoFailed: '没能获取您的位置（{reason}）。请在地图上点选，或选择您的居民区。',
    geoDenied: '没有允许本页使用位置',
    geoUnavailable: '暂时找不到位置',
    geoTimeout: '找位置的时间太长了',
    mapTitle: '地图',
    mapHint: '在地图上点一下您住的居民区（或任何地点），就能看到家门口有哪些服务。点圆点可查看服务详情。',
    mapLabel: '{street}地图：彩色符号是服务点，灰色块是居民区',
    metroStation: '地铁{name}站',
    legendMetro: '地铁站',
    bandEdge: '{m}分钟',
    mapUnavailable: '地图暂时无法显示，请改用“列表”查看。',
    zoomIn: '放大',
    zoomOut: '缩小',
    legendTitle: '图例',
    legendOrigin: '出发点',
    answerTitle: '离您最近的服务',
    answerEmpty: '请先选择居民区、在地图上点一下，或使用“我的位置”。',
    answerLoading: '正在查询……',
    answerReady: '已找到离您最近的服务，见“离您最近的服务”。',
    answerJump: '查看查询结果 ↓',
    fromArea: '从“{area}”出发',
    fromPoint: '从您选的地点出发',
    speedUsed: '按每分钟 {speed} 米的步速计算',
    estimate: '估算：直线距离×1.3',
    distance: '{m}米',
    walkMinutes: '步行约{min}分钟',
    distanceKm: '{km}公里',
    mapTwoFingers: '用两根手指移动地图',
    pickHere: '从这里查？',
    answerSpoken: '最近的{cat}：{name}，步行约{min}分钟',
    answerNoneSpoken: '已找到离您最近的服务。',
    spokenSep: '，',
    badgeDoorstep: '家门口',
    doorstepNear: '步行{n}分钟内',
    doorstepOwnArea: '就在您的小区',
    allDay: '全天',
    allDayEveryDay: '全天开放',
    neverCheckedTag: '从未核实',
    neverCheckedHint: '这条信息从未经工作人员核实，去之前最好先打电话问一问。',
    inParens: '（{text}）',
    badgeCircle: '{n}分钟服务圈内',
    badgeBeyond: '超出{n}分钟',
    usualClosed: '平时最近的{name}（步行约{min}分钟）现在不开放',
    noneOpenNow: '附近现在没有开放的此类服务。',
    noneOpenWithin: '步行{min}分钟内现在没有开放的此类服务。',
    noneFound: '附近没有找到开放的此类服务。',
    address: '地址',
    phone: '电话',
    callPhone: '拨打电话 {phone}',
    hours: '开放时间',
    offers: '服务内容',
    capacity: '容量',
    capacityValue: '{n} 人',
    note: '备注',
    status: '状态',
    openNow: '现在开放',
    closedNow: '现在不开放',
    statusTemporarilyClosed: '暂停服务',
    statusClosed: '已停止服务',
    reopensOn: '预计恢复',
    hoursUnknown: '开放时间不详，请先打电话问一问',
    everyDay: '每天',
    dayRange: '{from}至{to}',
    listSep: '、',
    sampleTag: '示例',
    verifiedAt: '核实于 {date}',
    allServicesTitle: '全部服务（按类别）',
    serviceCount: '{n} 处',
    noServices: '暂无此类服务。',
    errorPrefix: '抱歉，查询没有成功：{message}',
    errorLoad: '抱歉，数据没有载入成功。请稍后刷新页面再试。',
    errorNetwork: '网络连接有问题',
    origin: '出发点',
    footerData: '数据来源：{street}办事处及各服务点。',
    footerMap: '地图：© OpenStreetMap contributors（ODbL 许可）。',
    footerHelp: '看不清或不会用？请家人帮忙，或到就近的市民驿站咨询。',
    footerSuggest: '意见建议：给街道提意见或建议',
    searchLabel: '搜索服务或居民区',
    searchHint: '如：食堂、助浴、居民区名称',
    searchButton: '搜索',
    suggestionsLabel: '搜索建议',
    openNowLabel: '只看现在开放的',
    searchTitle: '搜索结果',
    searchCount: '“{q}”：找到 {n} 处',
    searchCountOpen: '现在开放的服务：{n} 处',
    searchShown: '（显示前 {n} 处）',
    searchNearest: '离您近的排在前面',
    searchOpenOnly: '只列出现在开放的',
    searchNone: '没有找到。换个说法试试，比如“食堂”“助浴”“驿站”。',
    searchLoading: '正在搜索……',
    searchReady: '搜索完成：找到{n}处，见“搜索结果”。',
    suggestArea: '居民区 · 查看家门口的服务',
    suggestService: '{category}',
    // The walking circle, a service's catchment, the walking network (issue 3).
    speedElderUsed: '按老年人步速（每分钟50米）计算',
    speedAdultUsed: '按成年人步速（每分钟67米）计算',
    circleButton: '步行圈',
    circleButtonMap: '看步行圈',
    circleHint: '看看步行5、10、15分钟能走到哪些服务',
    printCard: '打印服务卡',
    printCardHint: '本小区的家门口服务卡，A5纸一张，可以贴在冰箱上',
    circleTitle: '{n}分钟步行圈',
    circleIntro: '从出发点沿街巷步行能走到的范围，以及范围内的服务，按步行时间从近到远排列。',
    circleLoading: '正在画步行圈……',
    circleReady: '步行圈已画好：{m}分钟内能走到 {n} 处服务。',
    circleBand: '{m}分钟内：{n} 处',
    circleBandsLabel: '各时段能走到的服务数',
    circleListLabel: '步行圈内的服务，由近到远',
    circleNone: '{m}分钟内没有能走到的服务。',
    circleOffNetwork: '抱歉，这个地点离步行道超过300米，画不出步行圈。请在地图上点一个靠近街巷的地方，或选择您的居民区。',
    circleClose: '关闭步行圈',
    circleJump: '步行圈里的服务 ↓',
    circleMapNote: '地图上的蓝色越深，走过去越近。',
    showOnMap: '回到地图 ↑',
    legendMinutes: '分钟',
    walkLegendLabel: '步行圈图例：5、10、15分钟',
    catchmentButton: '服务范围',
    stepFree: '不走台阶',
    routeButton: '路线',
    routeButtonLabel: '步行路线：{name}',
    routeLoading: '正在找步行路线……',
    routeSummary: '沿街巷步行{d}，约{min}分钟，台阶{n}段',
    routeSummaryStepFree: '不走台阶：沿街巷步行{d}，约{min}分钟',
    navigate: '带我去：',
    navigateLabel: '用手机地图带我去：{name}',
    navAmap: '高德地图',
    navBaidu: '百度地图',
    navGeo: '其他地图',
    catchmentButtonLabel: '服务范围：{name}',
    catchmentTitle: '服务范围：{name}',
    catchmentLoading: '正在计算服务范围……',
    catchmentReady: '已画出“{name}”的{m}分钟服务范围。',
    catchmentResidents: '约{n}位居民（其中60岁以上约{m}位）住在{min}分钟步行范围内',
    catchmentIntro: '住在下面这些地方的居民，步行{min}分钟以内就能走到这里。',
    catchmentAreasTitle: '范围内的居民区',
    catchmentArea: '{share}的住户在范围内 · 约{n}人（60岁以上约{m}人）',
    catchmentAreasNone: '{min}分钟步行范围内没有居民区。',
    catchmentNote: '按每个居民区内住户均匀分布估算。',
    catchmentOffNetwork: '抱歉，这个服务点离步行道太远，画不出服务范围。',
    catchmentClose: '关闭服务范围',
    catchmentMore: '看范围内的居民区 ↓',
    staleTag: '信息待核实',
    staleHint: '工作人员超过90天没有核实这条信息，去之前最好先打电话问一问。',
    reopensOnDate: '预计{date}恢复',
    monthDay: '{m}月{d}日',
    yearMonthDay: '{y}年{m}月{d}日',
    networkLegend: '步行道',
    networkSample: '示例步行道',
    skipToMain: '跳到正文',
    // The sign-in form and session of the staff and office pages (session.js).
    signOut: '退出登录',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    signingIn: '正在登录……',
    fillBoth: '请填写用户名和密码。',
    wrongPassword: '用户名或密码不对，请再试一次。',
    tooMany: '登录失败次数太多，请 {min} 分钟后再试。',
    sessionEnded: '登录已过期，请重新登录。',
    signedOut: '您已退出登录。',
    whoOffice: '{user} · 街道办事处',
    whoAdmin: '{user} · 管理员',
  },
  en: {
    pageTitle: 'Doorstep · {street}',
    appName: 'Doorstep',
    streetName: '{street}',
    noStreet: 'no street imported',
    theStreet: 'the street',
    noStreetBanner: 'No street imported yet: run doorstep import street',
    tagline: 'Find meal points, services for older people and community services near your home',
    skipToAnswer: 'Skip to results',
    viewGroup: 'View',
    viewMap: 'Map',
    viewList: 'List',
    langButton: '中文',
    modeButton: 'Large text',
    moreDetails: 'More details',
    callButton: 'Call',
    readAloud: 'Read aloud',
    readAloudLabel: 'Read aloud: {name}',
    langButtonLabel: '切换到中文',
    sampleBanner: 'Sample data: residential areas, services, phones and hours are made up for demonstration',
    controlsTitle: 'Where do you start from?',
    areaLabel: 'Choose your residential area',
    areaPlaceholder: '— Choose your area —',
    speedLabel: 'Walking speed',
    speedElder: 'Older person (50 m a minute)',
    speedAdult: 'Adult (67 m a minute)',
    myLocation: 'My location',
    locating: 'Finding your location…',
    geoUnsupported: 'This browser cannot share your location. Tap the map or choose your area.',
    geoFailed: 'Your location could not be found ({reason}). Tap the map or choose your area.',
    geoDenied: 'this page may not use your location',
    geoUnavailable: 'no position for now',
    geoTimeout: 'it took too long',
    mapTitle: 'Map',
    mapHint: 'Tap your residential area on the map (or any point) to see what is at your doorstep. Tap a dot for details of a service.',
    mapLabel: 'Map of {street}: coloured symbols are services, grey shapes are residential areas',
    metroStation: '{name} metro',
    legendMetro: 'Metro station',
    bandEdge: '{m} min',
    mapUnavailable: 'The map cannot be shown right now; please use the List view.',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    legendTitle: 'Legend',
    legendOrigin: 'Starting point',
    answerTitle: 'Nearest services',
    answerEmpty: 'Choose your residential area, tap the map, or use “My location” first.',
    answerLoading: 'Looking up…',
    answerReady: 'Found the nearest services: see “Nearest services”.',
    answerJump: 'See the results ↓',
    fromArea: 'From “{area}”',
    fromPoint: 'From the point you chose',
    speedUsed: 'Walking at {speed} m a minute',
    estimate: 'Estimate: straight line × 1.3',
    distance: '{m} m',
    walkMinutes: 'about {min} min on foot',
    distanceKm: '{km} km',
    mapTwoFingers: 'Move the map with two fingers',
    pickHere: 'Look up from here?',
    answerSpoken: 'Nearest {cat}: {name}, about {min} min on foot',
    answerNoneSpoken: 'Found the nearest services.',
    spokenSep: ', ',
    badgeDoorstep: 'At your doorstep',
    doorstepNear: 'within {n} min on foot',
    doorstepOwnArea: 'in your own area',
    allDay: 'open 24 hours',
    allDayEveryDay: 'Open 24 hours, every day',
    neverCheckedTag: 'Never checked',
    neverCheckedHint: 'Staff have never checked this listing: please phone before you go.',
    inParens: ' ({text})',
    badgeCircle: 'Within {n} min',
    badgeBeyond: 'Beyond {n} min',
    usualClosed: 'The usual nearest, {name} (about {min} min on foot), is closed now',
    noneOpenNow: 'No service of this kind is open nearby now.',
    noneOpenWithin: 'Nothing of this kind is open now within {min} minutes on foot.',
    noneFound: 'None found nearby.',
    address: 'Address',
    phone: 'Phone',
    callPhone: 'Call {phone}',
    hours: 'Opening hours',
    offers: 'Offers',
    capacity: 'Capacity',
    capacityValue: '{n} people',
    note: 'Note',
    status: 'Status',
    openNow: 'Open now',
    closedNow: 'Closed now',
    statusTemporarilyClosed: 'Temporarily closed',
    statusClosed: 'Closed',
    reopensOn: 'Reopens',
    hoursUnknown: 'Hours unknown: please phone first',
    everyDay: 'Every day',
    dayRange: '{from}–{to}',
    listSep: ', ',
    sampleTag: 'Sample',
    verifiedAt: 'Checked {date}',
    allServicesTitle: 'All services by category',
    serviceCount: '{n} places',
    noServices: 'No services of this kind yet.',
    errorPrefix: 'Sorry, that did not work: {message}',
    errorLoad: 'Sorry, the data could not be loaded. Please reload the page later.',
    errorNetwork: 'the network connection failed',
    origin: 'Starting point',
    footerData: 'Data: the {street} office and the service points.',
    footerMap: 'Map: © OpenStreetMap contributors (ODbL).',
    footerHelp: 'Hard to read or use? Ask a family member, or ask at your nearest citizen station.',
    footerSuggest: 'Suggestions: tell the street office what could be better',
    searchLabel: 'Search services or residential areas',
    searchHint: 'e.g. 食堂 (canteen), 助浴 (bathing), an area name',
    searchButton: 'Search',
    suggestionsLabel: 'Suggestions',
    openNowLabel: 'Open now only',
    searchTitle: 'Search results',
    searchCount: '“{q}”: {n} found',
    searchCountOpen: 'Open now: {n}',
    searchShown: '(the first {n} shown)',
    searchNearest: 'nearest first',
    searchOpenOnly: 'open now only',
    searchNone: 'Nothing found. Try another word, such as 食堂 (canteen) or 助浴 (bathing).',
    searchLoading: 'Searching…',
    searchReady: 'Search done: {n} found, see “Search results”.',
    suggestArea: 'Residential area · see what is at its doorstep',
    suggestService: '{category}',
    speedElderUsed: 'At an older person’s pace (50 m a minute)',
    speedAdultUsed: 'At an adult’s pace (67 m a minute)',
    circleButton: 'Walking circle',
    circleButtonMap: 'Show walking circle',
    circleHint: 'See which services you can reach in a 5, 10 or 15-minute walk',
    printCard: 'Print card',
    printCardHint: 'This area’s doorstep service card: one A5 page for the fridge',
    circleTitle: '{n}-minute walking circle',
    circleIntro: 'Where you can get to on foot along the streets and lanes, and the services there, nearest first.',
    circleLoading: 'Drawing the walking circle…',
    circleReady: 'Walking circle ready: {n} services within {m} minutes on foot.',
    circleBand: 'Within {m} min: {n}',
    circleBandsLabel: 'Services within each walking time',
    circleListLabel: 'Services in the walking circle, nearest first',
    circleNone: 'No services within a {m}-minute walk.',
    circleOffNetwork: 'Sorry, this point is more than 300 m from any street or lane, so no walking circle can be drawn. Tap a point nearer a street, or choose your area.',
    circleClose: 'Close the walking circle',
    circleJump: 'Services in the circle ↓',
    circleMapNote: 'On the map, the darker the blue, the shorter the walk.',
    showOnMap: 'Back to the map ↑',
    legendMinutes: 'min',
    walkLegendLabel: 'Walking circle legend: 5, 10 and 15 minutes',
    catchmentButton: 'Who can walk here',
    stepFree: 'Avoid steps',
    routeButton: 'Route',
    routeButtonLabel: 'Walking route: {name}',
    routeLoading: 'Finding the walking route…',
    routeSummary: '{d} along the streets, about {min} min, {n} flights of steps',
    routeSummaryStepFree: 'Without steps: {d} along the streets, about {min} min',
    navigate: 'Take me there:',
    navigateLabel: 'Open a map app walking to {name}',
    navAmap: 'Amap',
    navBaidu: 'Baidu Maps',
    navGeo: 'Other map app',
    catchmentButtonLabel: 'Who can walk here: {name}',
    catchmentTitle: 'Who can walk here: {name}',
    catchmentLoading: 'Working out who can walk here…',
    catchmentReady: 'Showing who can walk to “{name}” within {m} minutes.',
    catchmentResidents: 'About {n} residents ({m} aged 60+) live within a {min}-minute walk',
    catchmentIntro: 'People living in these places can walk here within {min} minutes.',
    catchmentAreasTitle: 'Residential areas within reach',
    catchmentArea: '{share} of homes within reach · about {n} people ({m} aged 60+)',
    catchmentAreasNone: 'No residential area lies within a {min}-minute walk.',
    catchmentNote: 'Assumes residents are spread evenly over each residential area.',
    catchmentOffNetwork: 'Sorry, this service is too far from any street or lane to work out who can walk here.',
    catchmentClose: 'Close',
    catchmentMore: 'See the areas ↓',
    staleTag: 'Not recently checked',
    staleHint: 'Staff have not checked this listing for over 90 days: please phone before you go.',
    reopensOnDate: 'Reopens {date}',
    monthDay: '{d} {mon}',
    yearMonthDay: '{d} {mon} {y}',
    networkLegend: 'Walkways',
    networkSample: 'Sample walkways',
    skipToMain: 'Skip to the content',
    // The sign-in form and session of the staff and office pages (session.js).
    signOut: 'Sign out',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    fillBoth: 'Please give your username and password.',
    wrongPassword: 'Wrong username or password. Please try again.',
    tooMany: 'Too many failed sign-ins. Please try again in {min} minutes.',
    sessionEnded: 'Your session has ended. Please sign in again.',
    signedOut: 'You have signed out.',
    whoOffice: '{user} · street office',
    whoAdmin: '{user} · admin',
  },
};

const DAY_NAMES = {
  zh: { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' },
  en: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
};

/** dayName is a weekday's short name ("mon" → 周一 / Mon). */
export function dayName(day) {
  return DAY_NAMES[current][day] || day;
}

/** Weekdays in the order a week is shown, Monday first as in China. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The languages the page speaks, and the value of <html lang> for each. */
export const LANGS = { zh: 'zh-Hans', en: 'en' };

let current = initialLang();
const listeners = [];

function initialLang() {
  const fromURL = new URLSearchParams(window.location.search).get('lang');
  if (fromURL && fromURL in STRINGS) return fromURL;
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved && saved in STRINGS) return saved;
  } catch {
    // Storage can be switched off; Chinese is the default.
  }
  return 'zh';
}

/** lang returns the current language code, "zh" or "en". */
export function lang() {
  return current;
}

/** setLang switches the page language, remembers it and tells every listener. */
export function setLang(next) {
  if (!(next in STRINGS) || next === current) return;
  current = next;
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered; the page still switches.
  }
  for (const fn of listeners) fn(next);
}

/** onLangChange registers fn to run after every language switch. */
export function onLangChange(fn) {
  listeners.push(fn);
}

/**
 * addStrings adds a page's own strings to the dictionary: extra is {zh: {...}, en: {...}}
 * with the same keys in each language. The office dashboard uses it to share t(),
 * applyStatic and the language switch with the resident page.
 */
export function addStrings(extra) {
  for (const [code, dict] of Object.entries(extra)) {
    if (code in STRINGS) Object.assign(STRINGS[code], dict);
  }
}

/** The street the portal serves, from /api/meta: its names in each language. */
let place = null;

/**
 * setPlace names the street every string's {street} stands for, from /api/meta's
 * street and street_en; without a street it reads "no street imported".
 */
export function setPlace(meta) {
  place = { zh: meta.street || '', en: meta.street_en || meta.street || '' };
}

/** streetLabel is the street's name in the current language, or the words for none. */
export function streetLabel() {
  if (!place) return t('theStreet'); // before /api/meta has answered
  const name = current === 'en' ? place.en : place.zh;
  return name || t('noStreet');
}

/**
 * t returns the string for key in the current language, with {name} filled from
 * vars and {street} from setPlace.
 */
export function t(key, vars = {}) {
  const s = STRINGS[current][key] ?? STRINGS.zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => {
    if (name in vars) return String(vars[name]);
    if (name === 'street') return streetLabel();
    return m;
  });
}

/**
 * applyStatic fills every element under root marked with data-i18n (its text),
 * data-i18n-label (its aria-label) or data-i18n-title (its title), and sets
 * <html lang> and the document title.
 */
export function applyStatic(root = document) {
  document.documentElement.lang = LANGS[current];
  document.title = t('pageTitle');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}

/** nextChangeText says when a service next opens or closes ("13:00关门" / "closes 13:00"), or "". */
export function nextChangeText(svc) {
  const c = svc && svc.next_change;
  if (!c) return '';
  return current === 'en' ? c.text_en : c.text_zh;
}

/** categoryName returns a category's name in the current language. */
export function categoryName(cat) {
  if (!cat) return '';
  return current === 'en' ? cat.name_en || cat.name_zh || cat.id : cat.name_zh || cat.name_en || cat.id;
}

/** serviceName returns a service's name in the current language (Chinese when no English). */
export function serviceName(svc) {
  return current === 'en' && svc.name_en ? svc.name_en : svc.name;
}

/** formatNumber shows n with at most `digits` decimals, e.g. 8.4, 420. */
export function formatNumber(n, digits = 1) {
  const f = 10 ** digits;
  return String(Math.round(Number(n) * f) / f);
}

/**
 * formatMinutes is a walk in whole minutes, never 0 ("约1分钟" at the least): an
 * older reader reads 4 at a glance, 4.1 is noise.
 */
export function formatMinutes(min) {
  return String(Math.max(1, Math.round(Number(min) || 0)));
}

/** formatDistance is metres under 1,000 ("420 米") and kilometres from 1,000 ("1.2公里"). */
export function formatDistance(m) {
  const v = Math.round(Number(m) || 0);
  if (v < 1000) return t('distance', { m: v });
  return t('distanceKm', { km: (v / 1000).toFixed(1) });
}

const CN_DIGITS = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** cnNumber reads a Chinese numeral up to the hundreds: 四 → 4, 十二 → 12, 二十 → 20. */
export function cnNumber(s) {
  let total = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch in CN_DIGITS) digit = CN_DIGITS[ch];
    else if (ch === '十' || ch === '百') {
      total += (digit || 1) * (ch === '十' ? 10 : 100);
      digit = 0;
    }
  }
  return total + digit;
}

const nameCollator = new Intl.Collator('zh-Hans-CN', { numeric: true });

/**
 * compareNames puts names in the order a resident counts them: 凉城一村, 二村, 三村 …
 * then 十村, by the number (Chinese or Arabic) before 村/号/弄/期/坊/站, the rest by
 * pinyin.
 */
export function compareNames(a, b) {
  const key = (s) => String(s).replace(/[〇零一二两三四五六七八九十百]+(?=[村号弄期坊站])/g, (m) => String(cnNumber(m)));
  return nameCollator.compare(key(a), key(b));
}

/** formatDays turns ["mon","tue","wed","thu","fri"] into 周一至周五 / Mon–Fri. */
export function formatDays(days) {
  const names = DAY_NAMES[current];
  const idx = [...new Set(days)].map((d) => WEEKDAYS.indexOf(d)).filter((i) => i >= 0).sort((a, b) => a - b);
  if (idx.length === 7) return t('everyDay');
  // Join runs of consecutive days: [0,1,2,4] → 周一至周三、周五.
  const parts = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    const from = names[WEEKDAYS[idx[i]]];
    const to = names[WEEKDAYS[idx[j]]];
    if (j - i >= 2) parts.push(t('dayRange', { from, to }));
    else for (let k = i; k <= j; k++) parts.push(names[WEEKDAYS[idx[k]]]);
    i = j + 1;
  }
  return parts.join(t('listSep'));
}

/** formatHours returns one line a span of a weekly schedule, e.g. "周一至周五 10:30–13:00". */
export function formatHours(hours) {
  if (!Array.isArray(hours) || hours.length === 0) return [];
  return hours.map((span) => {
    const allDay = span.opens === '00:00' && span.closes === '24:00';
    if (allDay && new Set(span.days || []).size === 7) return t('allDayEveryDay');
    return `${formatDays(span.days || [])} ${allDay ? t('allDay') : `${span.opens}–${span.closes}`}`;
  });
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * formatDay shows a calendar day "YYYY-MM-DD" (a day in Shanghai, as reopens_on is)
 * as 12月1日 / 1 Dec, adding the year only when it is not this year. Returns "" for
 * anything else.
 */
export function formatDay(ymd, now = new Date()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd || ''));
  if (!m) return '';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return '';
  const thisYear = Number(now.toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' }).slice(0, 4));
  const vars = { y, m: mo, d, mon: MONTHS_EN[mo - 1] };
  return t(y === thisYear ? 'monthDay' : 'yearMonthDay', vars);
}

/** formatCount shows a count of people with the language's digit grouping: 31,468. */
export function formatCount(n) {
  return Math.round(Number(n) || 0).toLocaleString(current === 'en' ? 'en-GB' : 'zh-CN');
}

/**
 * speedText says which walking speed an answer used: the older person's and the
 * adult's paces by name, any other speed in metres a minute.
 */
export function speedText(speed) {
  const v = Number(speed);
  if (v === 50) return t('speedElderUsed');
  if (v === 67) return t('speedAdultUsed');
  return t('speedUsed', { speed: formatNumber(v) });
}

/** formatDate shows an RFC 3339 timestamp as a date in Shanghai: 2025年3月1日 / 1 Mar 2025. */
export function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const locale = current === 'en' ? 'en-GB' : 'zh-CN';
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'Asia/Shanghai' });
}

/** formatDateTime shows an RFC 3339 timestamp as date and time in Shanghai: 2025/3/1 09:30. */
export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(current === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}
