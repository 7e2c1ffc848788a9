// The inbox's entry point: who is logged in, hash routing (#/inbox, #/inbox/ID, #/needs, #/needs/ID, #/settings,
// #/setup/<screen>/..., #/login), the header, and the live stream shared by the views.
import { inbox, setUnauthorizedHandler } from './api.js';
import { h, uid } from './dom.js';
import { language, languages, setLanguage, t } from './i18n.js';
import { connectLive } from './live.js';
import { renderLogin } from './login.js';
import { InboxView } from './inbox.js';
import { renderSettings } from './settings.js';
import { allowedSetupPages, renderSetup } from './setup/shell.js';
import { tenantPicker } from './tenant-context.js';
import { renderWelcome } from './welcome.js';
import { renderDashboard } from './dashboard/dashboard.js';
import { Attention, attentionControls, showCountInTitle } from './attention.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');

const app = {
  user: null,
  live: null,
  liveState: 'connecting',
  needsCount: null,
  accountOpen: false,
  inboxView: null,
  attention: null,
  listeners: new Set(),
};

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [page = 'inbox', id = null, ...rest] = parts.map(decodeURIComponent);
  if (['login', 'inbox', 'needs', 'settings', 'setup', 'welcome', 'dashboard'].includes(page)) return { page, id, rest };
  return { page: 'inbox', id: null, rest: [] };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function isTenantAdmin() { return app.user?.role === 'tenant_admin'; }

// Settings: a tenant admin's own tenant, or the tenant the platform admin has in view.
function mayOpenSettings() { return isTenantAdmin() || app.user?.role === 'platform_admin'; }

function languageSwitch() {
  const id = uid('lang');
  return h('div', { class: 'lang-switch' },
    h('label', { for: id, class: 'visually-hidden' }, t('lang.label')),
    h('select', {
      id, 'data-testid': 'language',
      onchange(event) {
        setLanguage(event.target.value);
        render();
      },
    }, languages.map(([code, name]) => h('option', { value: code, selected: code === language(), lang: code }, name))));
}

function renderHeader(current) {
  if (!app.user) { topbar.hidden = true; topbar.replaceChildren(); return; }
  topbar.hidden = false;
  topbar.classList.toggle('account-open', app.accountOpen);
  const link = (page, label, extra) => h('a', {
    href: `#/${page}`, class: 'nav-link', 'aria-current': current === page ? 'page' : null,
  }, label, extra);
  const needsBadge = h('span', { class: 'count-badge', id: 'needs-count', hidden: !app.needsCount },
    app.needsCount ? String(app.needsCount) : '');
  topbar.replaceChildren(
    h('a', { class: 'brand', href: '#/inbox' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'H'),
      h('span', { class: 'brand-name' }, t('app.name'))),
    h('nav', { 'aria-label': t('nav.main'), class: 'nav' },
      link('inbox', t('nav.inbox')),
      link('needs', t('nav.needs'), needsBadge),
      mayOpenSettings() ? link('settings', t('nav.settings')) : null,
      app.user.role !== 'agent' ? link('dashboard', t('nav.dashboard')) : null,
      allowedSetupPages(app.user).length ? link('setup', t('nav.setup')) : null),
    h('span', {
      class: `live-state ${app.liveState}`, role: 'status', id: 'live-state',
    }, app.liveState === 'reconnecting' ? t('live.reconnecting') : app.liveState === 'connected' ? t('live.connected') : ''),
    // On a phone the account (language, name, log out) folds behind this button so the bar keeps one row.
    h('button', {
      type: 'button', class: 'account-toggle secondary small', id: 'account-toggle', 'aria-expanded': String(app.accountOpen),
      'aria-controls': 'user-box', 'aria-label': t('user.menu'),
      onclick() {
        app.accountOpen = !app.accountOpen;
        topbar.classList.toggle('account-open', app.accountOpen);
        this.setAttribute('aria-expanded', String(app.accountOpen));
      },
    }, h('span', { 'aria-hidden': 'true' }, '☰')),
    h('div', { class: 'user-box', id: 'user-box' },
      tenantPicker(app.user),
      attentionControls(() => renderHeader(current)),
      languageSwitch(),
      h('span', { class: 'user-name', title: app.user.email }, app.user.display_name || app.user.email),
      h('button', { type: 'button', class: 'link-button', id: 'logout', onclick: logout }, t('user.logout'))));
}

export function setNeedsCount(count) {
  app.needsCount = count;
  showCountInTitle(count);
  const badge = document.getElementById('needs-count');
  if (!badge) return;
  badge.textContent = count ? String(count) : '';
  badge.hidden = !count;
}

let needsTimer = null;

/** Reads the Needs-a-person count for the header's badge (batched: a burst of events asks once). */
function refreshNeedsCount() {
  clearTimeout(needsTimer);
  needsTimer = setTimeout(async () => {
    if (!app.user || app.inboxView) return;
    try {
      const result = await inbox.conversations({ status: 'needs_person', page: 1, page_size: 1 });
      setNeedsCount(result.total);
    } catch { /* the count is a hint; the next event or page asks again */ }
  }, 200);
}

function setLiveState(state, reconnected) {
  app.liveState = state;
  const element = document.getElementById('live-state');
  if (element) {
    element.className = `live-state ${state}`;
    element.textContent = state === 'reconnecting' ? t('live.reconnecting') : t('live.connected');
  }
  // Events missed while away older than the replay window are caught up by reading the list again.
  if (state === 'connected' && reconnected) app.inboxView?.refresh();
}

function startLive() {
  app.live?.close();
  app.attention = new Attention({ user: app.user, isReading: (id) => app.inboxView?.selectedId === id });
  app.attention.start();
  app.live = connectLive({
    onEvent: (event) => {
      if (app.inboxView) app.inboxView.onEvent(event);
      else refreshNeedsCount();
      app.attention?.onEvent(event);
    },
    onState: setLiveState,
    onUnauthorized: toLogin,
  });
}

function toLogin() {
  app.live?.close();
  app.live = null;
  app.attention = null;
  app.user = null;
  app.inboxView?.destroy();
  app.inboxView = null;
  if (parseRoute().page !== 'login') location.hash = '#/login';
  else route();
}

async function logout() {
  try { await inbox.logout(); } catch { /* the cookie is gone or the server is; either way, back to login */ }
  toLogin();
}

function render() {
  const current = parseRoute();
  // A one-time link's page shows whoever is logged in: choosing the password logs its person in.
  if (current.page === 'welcome') {
    renderHeader(null);
    app.inboxView?.destroy();
    app.inboxView = null;
    renderWelcome(main, {
      token: current.id,
      header: languageSwitch(),
      async onLoggedIn(user) {
        app.user = user;
        startLive();
        navigate('#/inbox');
      },
    });
    return;
  }
  if (!app.user || current.page === 'login') {
    renderHeader(null);
    app.inboxView?.destroy();
    app.inboxView = null;
    renderLogin(main, {
      header: languageSwitch(),
      async onLoggedIn(user) {
        app.user = user;
        startLive();
        navigate('#/inbox');
      },
    });
    return;
  }
  renderHeader(current.page);
  // Outside the inbox nobody else keeps the Needs-a-person badge: it is read here (and again on live events).
  if (current.page === 'setup' || current.page === 'settings' || current.page === 'dashboard') refreshNeedsCount();
  if (current.page === 'dashboard') {
    app.inboxView?.destroy();
    app.inboxView = null;
    renderDashboard(main, { user: app.user });
    return;
  }
  if (current.page === 'setup') {
    app.inboxView?.destroy();
    app.inboxView = null;
    renderSetup(main, { user: app.user, id: current.id, rest: current.rest, navigate });
    return;
  }
  if (current.page === 'settings') {
    app.inboxView?.destroy();
    app.inboxView = null;
    renderSettings(main, { user: app.user, allowed: mayOpenSettings() });
    return;
  }
  if (!app.inboxView) {
    app.inboxView = new InboxView(main, { user: app.user, onNeedsCount: setNeedsCount });
  } else {
    app.inboxView.relabel();
  }
  app.inboxView.show(current.page, current.id);
}

function route() {
  const current = parseRoute();
  if (!app.user && current.page !== 'login' && current.page !== 'welcome') { location.hash = '#/login'; return; }
  if (app.user && current.page === 'login') { location.hash = '#/inbox'; return; }
  render();
}

setUnauthorizedHandler(toLogin);
window.addEventListener('hashchange', route);

async function boot() {
  try {
    app.user = (await inbox.session())?.user ?? null;
    if (app.user) startLive();
  } catch {
    app.user = null;
  }
  route();
}

boot();
