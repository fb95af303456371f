// staff.js — the staff editor at /staff: sign in, see the listings one keeps, change
// hours, phone, offers, capacity, status and the place of one, mark it checked
// today, and (office) read the audit log. Every user text reaches the page through
// textContent or form values, never as markup; the page runs under a strict CSP.
//
// The parts: staff-state.js (what they share), staff-list.js, staff-editor.js with
// staff-hours.js and staff-map.js, staff-audit.js, staff-reports.js (residents' reports);
// words in staff-strings.js.

import { api } from './api.js';
import { hideDaily, loadDaily, renderDaily } from './daily.js';
import { applyStatic, categoryName, lang, onLangChange, setLang, t } from './i18n.js';
import { showMessagesAgain } from './messages.js';
import { wireMode } from './mode.js';
import { loadSession, seesCoverage, signOut as endSession, submitSignIn } from './session.js';
import { renderActivities, showActivities, wireActivities } from './staff-activities.js';
import { loadAudit, renderAudit, wireAudit } from './staff-audit.js';
import { loadCards, renderCards, wireCards } from './staff-cards.js';
import { blankListing, openListing, relabelEditor, startEditing, wireEditor } from './staff-editor.js';
import { loadListings, renderList, whenOpened } from './staff-list.js';
import { loadReports, renderReports, wireReportQueue } from './staff-reports.js';
import { relabelMeals, wireMeals } from './staff-meals.js';
import { $, call, errorText, notice, problem, state, whenSessionEnds } from './staff-state.js';
import { markChinese } from './zh-marks.js';

function showSignIn(message = null) {
  state.user = null;
  state.editing = null;
  for (const id of ['reports-section', 'list-section', 'edit-section', 'meals-section', 'audit-section']) $(id).hidden = true;
  hideDaily();
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('signin-section').hidden = false;
  $('password').value = '';
  if (message) notice(message);
  $('username').focus();
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
  showSignIn(() => t('signedOut'));
}

function renderWho() {
  const u = state.user;
  if (!u) return;
  const org = state.organizations.get(u.organization_id);
  const key = u.role === 'admin' ? 'whoAdmin' : u.role === 'office' ? 'whoOffice' : 'whoStaff';
  $('who').textContent = t(key, { user: u.username, org: org ? org.name : '' });
}

async function showSignedIn() {
  $('signin-section').hidden = true;
  $('sign-out').hidden = false;
  $('who').hidden = false;
  $('reports-section').hidden = false;
  $('list-section').hidden = false;
  $('audit-section').hidden = false;
  $('org-filter-field').hidden = !seesCoverage(state.user);
  $('f-organization-field').hidden = !seesCoverage(state.user);
  notice(null);
  try {
    const orgs = await call('GET', '/api/organizations');
    state.organizations = new Map(orgs.organizations.map((o) => [o.id, o]));
  } catch (err) {
    problem(() => errorText(err));
  }
  fillOrganizationSelects();
  renderWho();
  loadDaily();
  await loadListings();
  loadReports();
  loadAudit(true);
}

/** fillSelect replaces a select's options, keeping its value when it is still there. */
function fillSelect(sel, options) {
  const value = sel.value;
  sel.replaceChildren(...options);
  if (value) sel.value = value;
}

function fillCategorySelect() {
  fillSelect($('f-category'), state.categories.map((c) => new Option(categoryName(c), c.id)));
}

function fillOrganizationSelects() {
  const orgs = [...state.organizations.values()].map((o) => new Option(o.name, String(o.id)));
  fillSelect($('org-filter'), [new Option(t('allOrganizations'), ''), ...orgs]);
  fillSelect($('f-organization_id'), orgs.map((o) => new Option(o.text, o.value)));
}

function applyLang() {
  applyStatic();
  $('lang-toggle').lang = lang() === 'zh' ? 'en' : 'zh-Hans';
  fillCategorySelect();
  fillOrganizationSelects();
  renderWho();
  renderList();
  relabelEditor();
  relabelMeals();
  renderAudit();
  renderReports();
  renderDaily();
  renderCards();
  renderActivities();
  showMessagesAgain();
}

/** openWithActivities opens listing id in the editor with its activities below. */
function openWithActivities(id) {
  openListing(id);
  const e = state.editing;
  showActivities(e && !e.isNew && e.original.id === id ? e.original : null);
}

function wire() {
  wireMode();
  markChinese();
  whenSessionEnds(() => {
    if (state.user) showSignIn(() => t('sessionEnded'));
  });
  whenOpened(openWithActivities);
  wireReportQueue(openWithActivities);
  onLangChange(applyLang);
  $('signin-form').addEventListener('submit', submitSignInForm);
  $('sign-out').addEventListener('click', signOut);
  $('lang-toggle').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  $('org-filter').addEventListener('change', loadListings);
  $('text-filter').addEventListener('input', renderList);
  $('new-listing').addEventListener('click', () => {
    startEditing(blankListing(), true);
    showActivities(null);
  });
  wireEditor();
  wireActivities();
  wireMeals();
  wireAudit();
  wireCards();
}

async function start() {
  wire();
  applyLang();
  try {
    const [user, cats, meta] = await Promise.all([loadSession(), api.categories(), api.meta().catch(() => null)]);
    state.categories = cats.categories;
    const b = meta && meta.bounds;
    if (Array.isArray(b) && b.length === 4) state.center = [Number(((b[0] + b[2]) / 2).toFixed(7)), Number(((b[1] + b[3]) / 2).toFixed(7))];
    fillCategorySelect();
    // The card links work signed in or not; a failure leaves only the all-areas link.
    loadCards().catch((err) => problem(() => errorText(err)));
    state.user = user;
    if (user) await showSignedIn();
    else showSignIn();
  } catch (err) {
    problem(() => errorText(err));
  }
  document.documentElement.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
