// The tenants screen (#/setup/tenants, platform admin only): the list, a new tenant, a tenant's edit form
// (#/setup/tenants/<id>), and "show in inbox", which makes it the tenant in view (js/tenant-context.js).
import { api } from '../api.js';
import { field, h, uid } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { forgetKnownTenants, setTenantInView, tenantInView } from '../tenant-context.js';
import { problemText } from './tenants-instances-forms.js';
import './tenants-instances-strings.js';

export function canManageTenants(user) { return user?.role === 'platform_admin' && !user.tenant_id; }

export async function renderTenants(container, { user, rest, navigate }) {
  container.classList.add('tenants-instances-screen');
  if (!canManageTenants(user)) {
    container.replaceChildren(h('h1', {}, t('tenants.title')), h('p', { role: 'alert' }, t('tenants.forbidden')));
    return;
  }
  if (rest[0]) await renderTenantEdit(container, { id: rest[0], navigate });
  else await renderTenantList(container, { user, navigate });
}

async function renderTenantList(container, { user, navigate }) {
  const status = h('p', { role: 'status', class: 'form-status', 'data-testid': 'tenants-status' });
  const tableHolder = h('div', { class: 'table-holder' }, h('p', {}, t('list.loading')));

  const name = h('input', { id: uid('tenant-name'), type: 'text', name: 'name', required: true, autocomplete: 'off', maxlength: '200' });
  const prompt = h('textarea', { id: uid('tenant-prompt'), rows: '3', name: 'system_prompt' });
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const form = h('form', {
    class: 'settings-form setup-form', 'aria-labelledby': 'new-tenant-title',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      try {
        const created = await api.post('/api/tenants', { name: name.value.trim(), system_prompt: prompt.value.trim() || null });
        forgetKnownTenants();
        form.reset();
        status.textContent = t('tenants.created_one', { name: created.name });
        await load();
      } catch (failure) {
        error.textContent = problemText(failure);
        error.hidden = false;
      }
    },
  },
  h('h2', { id: 'new-tenant-title' }, t('tenants.new')),
  field(t('tenants.name'), name),
  field(t('tenants.prompt'), prompt),
  error,
  h('button', { type: 'submit', class: 'primary' }, t('tenants.create')));

  async function load() {
    let page;
    try {
      page = await api.get('/api/tenants?page_size=200');
    } catch (failure) {
      tableHolder.replaceChildren(h('p', { role: 'alert' }, problemText(failure)));
      return;
    }
    if (!page.items.length) { tableHolder.replaceChildren(h('p', {}, t('tenants.empty'))); return; }
    const inView = tenantInView(user);
    tableHolder.replaceChildren(h('table', { class: 'setup-table', 'data-testid': 'tenants-table' },
      h('caption', { class: 'visually-hidden' }, t('tenants.title')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('tenants.name')), h('th', { scope: 'col' }, t('tenants.id')),
        h('th', { scope: 'col' }, t('tenants.created')), h('th', { scope: 'col' }, t('tenants.actions')))),
      h('tbody', {}, page.items.map((tenant) => h('tr', { dataset: { tenantId: String(tenant.id) } },
        h('th', { scope: 'row' }, tenant.name, tenant.id === inView ? h('span', { class: 'status-chip' }, t('tenants.in_view')) : null),
        h('td', {}, String(tenant.id)),
        h('td', {}, formatTime(tenant.created_at)),
        h('td', { class: 'row-actions' },
          h('a', { href: `#/setup/tenants/${tenant.id}`, class: 'secondary button-link', 'aria-label': `${t('tenants.edit')}: ${tenant.name}` }, t('tenants.edit')),
          h('button', {
            type: 'button', class: 'secondary', 'aria-label': `${t('tenants.show_inbox')}: ${tenant.name}`,
            onclick: () => { setTenantInView(tenant.id); navigate('#/inbox'); },
          }, t('tenants.show_inbox'))))))));
  }

  container.replaceChildren(h('h1', {}, t('tenants.title')), status, tableHolder, form);
  await load();
}

async function renderTenantEdit(container, { id, navigate }) {
  const back = h('a', { href: '#/setup/tenants' }, t('tenants.back'));
  let tenant;
  try {
    tenant = await api.get(`/api/tenants/${encodeURIComponent(id)}`);
  } catch (failure) {
    container.replaceChildren(h('h1', {}, t('tenants.title')),
      h('p', { role: 'alert' }, failure.status === 404 ? t('tenants.not_found') : problemText(failure)), back);
    return;
  }
  const name = h('input', { id: uid('tenant-name'), type: 'text', name: 'name', required: true, autocomplete: 'off', maxlength: '200', value: tenant.name });
  const prompt = h('textarea', { id: uid('tenant-prompt'), rows: '6', name: 'system_prompt' });
  prompt.value = tenant.system_prompt ?? '';
  const status = h('p', { role: 'status', class: 'form-status' });
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const title = h('h1', {}, t('tenants.edit_title', { name: tenant.name }));
  const form = h('form', {
    class: 'settings-form setup-form',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      status.textContent = '';
      try {
        tenant = await api.patch(`/api/tenants/${tenant.id}`, { name: name.value.trim(), system_prompt: prompt.value.trim() || null });
        forgetKnownTenants();
        title.textContent = t('tenants.edit_title', { name: tenant.name });
        status.textContent = t('tenants.saved');
      } catch (failure) {
        error.textContent = problemText(failure);
        error.hidden = false;
      }
    },
  },
  field(t('tenants.name'), name),
  field(t('tenants.prompt'), prompt),
  error,
  status,
  h('div', { class: 'row-actions' },
    h('button', { type: 'submit', class: 'primary' }, t('tenants.save')),
    h('button', { type: 'button', class: 'secondary', onclick: () => { setTenantInView(tenant.id); navigate('#/inbox'); } }, t('tenants.show_inbox'))));
  container.replaceChildren(title, back, form);
}
