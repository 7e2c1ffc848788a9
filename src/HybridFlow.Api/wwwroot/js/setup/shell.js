// The set-up area's frame: tabs for the screens this user may open, and the chosen screen below them.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { setupPages } from './pages.js';

export function allowedSetupPages(user) {
  return setupPages.filter((page) => page.allowed(user));
}

export async function renderSetup(container, { user, id, rest, navigate }) {
  const pages = allowedSetupPages(user);
  const page = pages.find((p) => p.id === id) ?? pages[0];
  if (!page) {
    container.replaceChildren(h('div', { class: 'scroll-area' }, h('div', { class: 'settings-page' },
      h('h1', {}, t('setup.title')), h('p', { role: 'alert' }, t('settings.forbidden')))));
    return;
  }
  const body = h('div', { class: 'setup-body' });
  container.replaceChildren(h('div', { class: 'scroll-area' }, h('div', { class: 'setup-page' },
    h('nav', { class: 'setup-tabs', 'aria-label': t('setup.title') },
      pages.map((p) => h('a', {
        href: `#/setup/${p.id}`, class: 'setup-tab', 'aria-current': p === page ? 'page' : null,
      }, t(p.label)))),
    body)));
  await page.render(body, { user, rest: page.id === id ? rest : [], navigate });
}
