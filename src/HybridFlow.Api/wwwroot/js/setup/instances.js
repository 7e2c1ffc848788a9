// The WhatsApp numbers screen (#/setup/instances, tenant admins and the platform admin): Evolution instances and Cloud
// API numbers of the tenant in view, with test and configure-webhook one click each, a new number, and a number's page
// (#/setup/instances/<name>) with its edit form and, for Evolution, "Connect WhatsApp" by QR code. Secrets are
// write-only: the page says whether one is saved, never what it is. The QR code comes from this tenant's admin-only
// endpoints (GET …/connection is polled every 2 s while connecting, ADR-018) and is shown as an image with a text
// alternative and the pairing code.
import { api, request } from '../api.js';
import { field, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { knownTenants, tenantInView } from '../tenant-context.js';
import { problemText } from './tenants-instances-forms.js';
import './tenants-instances-strings.js';

const pollMs = 2000;
const evolutionFields = [
  ['evo_server_url', 'url'], ['evo_api_key', 'secret'], ['evo_global_api_key', 'secret'], ['webhook_secret', 'secret']];
const metaFields = [
  ['meta_phone_number_id', 'text'], ['meta_waba_id', 'text'], ['meta_access_token', 'secret'], ['meta_app_secret', 'secret'],
  ['meta_verify_token', 'secret']];
const hints = {
  evo_server_url: 'instances.evo_server_url_hint',
  evo_global_api_key: 'instances.evo_global_api_key_hint',
};

export function canManageInstances(user) { return user?.role === 'platform_admin' || user?.role === 'tenant_admin'; }

function path(name, suffix = '') { return `/api/instances/${encodeURIComponent(name)}${suffix}`; }

export async function renderInstances(container, { user, rest, navigate }) {
  container.classList.add('tenants-instances-screen');
  if (!canManageInstances(user)) {
    container.replaceChildren(h('h1', {}, t('instances.title')), h('p', { role: 'alert' }, t('instances.forbidden')));
    return;
  }
  if (rest[0]) await renderInstance(container, { name: rest[0], navigate });
  else await renderInstanceList(container, { user, navigate });
}

/** The tenant the list shows and new numbers go to: the user's own, or the platform admin's pick (null: all, no creating). */
function tenantOf(user) { return user.tenant_id ?? tenantInView(user); }

/** Sends the instance's test-webhook; answers the sentence to show. */
async function testInstance(name) {
  try {
    const report = await api.post(path(name, '/test-webhook'));
    return report.reachable
      ? t('instances.test_ok', { name, state: t(`connect.state.${report.state ?? 'unknown'}`) })
      : t('instances.test_failed', { name, error: report.error ?? '' });
  } catch (failure) {
    return t('instances.test_failed', { name, error: problemText(failure) });
  }
}

/** Points the instance's Evolution webhook at HybridFlow; answers the sentence to show. */
async function configureInstance(name, publicUrl) {
  try {
    const body = publicUrl ? { webhook_url_base: publicUrl } : undefined;
    const configured = await api.post(path(name, '/configure-webhook'), body);
    return t('instances.configured', { name, url: configured.webhook_url });
  } catch (failure) {
    return t('instances.test_failed', { name, error: problemText(failure) });
  }
}

function publicUrlField() {
  const input = h('input', { id: uid('public-url'), type: 'url', name: 'webhook_url_base', autocomplete: 'off', placeholder: location.origin });
  return { input, field: field(t('instances.public_url'), input, t('instances.public_url_hint')) };
}

async function renderInstanceList(container, { user, navigate }) {
  const tenantId = tenantOf(user);
  const status = h('p', { role: 'status', class: 'form-status', 'data-testid': 'instances-status' });
  const tableHolder = h('div', { class: 'table-holder' }, h('p', {}, t('list.loading')));
  const publicUrl = publicUrlField();
  const tenants = await knownTenants(user);
  const tenantName = tenants.find((tenant) => tenant.id === tenantId)?.name;
  const scope = user.tenant_id ? null
    : h('p', {}, tenantId ? t('instances.for_tenant', { name: tenantName ?? `#${tenantId}` }) : t('instances.all_tenants'));

  const act = async (button, work) => {
    button.disabled = true;
    status.textContent = '';
    try { status.textContent = await work(); } finally { button.disabled = false; }
  };

  async function load() {
    let page;
    try {
      page = await api.get(`/api/instances${tenantId && !user.tenant_id ? `?tenant_id=${tenantId}` : ''}`);
    } catch (failure) {
      tableHolder.replaceChildren(h('p', { role: 'alert' }, problemText(failure)));
      return;
    }
    if (!page.items.length) { tableHolder.replaceChildren(h('p', {}, t('instances.empty'))); return; }
    tableHolder.replaceChildren(h('table', { class: 'setup-table', 'data-testid': 'instances-table' },
      h('caption', { class: 'visually-hidden' }, t('instances.title')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('instances.name')), h('th', { scope: 'col' }, t('instances.provider')),
        h('th', { scope: 'col' }, t('instances.address')), h('th', { scope: 'col' }, t('instances.actions')))),
      h('tbody', {}, page.items.map((instance) => {
        const evolution = instance.provider !== 'meta_cloud';
        const name = instance.instance_name;
        return h('tr', { dataset: { instance: name } },
          h('th', { scope: 'row' }, name),
          h('td', {}, t(`instances.provider_${instance.provider}`)),
          h('td', { class: 'address' }, evolution ? instance.evo_server_url : instance.meta_phone_number_id),
          h('td', { class: 'row-actions' },
            h('a', {
              href: `#/setup/instances/${encodeURIComponent(name)}`, class: 'secondary button-link',
              'aria-label': `${evolution ? `${t('instances.edit')} / ${t('connect.title')}` : t('instances.edit')}: ${name}`,
            }, evolution ? `${t('instances.edit')} / ${t('connect.title')}` : t('instances.edit')),
            evolution ? h('button', {
              type: 'button', class: 'secondary', 'aria-label': `${t('instances.test')}: ${name}`,
              onclick: (event) => act(event.currentTarget, () => testInstance(name)),
            }, t('instances.test')) : null,
            evolution ? h('button', {
              type: 'button', class: 'secondary', 'aria-label': `${t('instances.configure')}: ${name}`,
              onclick: (event) => act(event.currentTarget, () => configureInstance(name, publicUrl.input.value.trim())),
            }, t('instances.configure')) : null));
      }))));
  }

  container.replaceChildren(h('h1', {}, t('instances.title')), scope, status, tableHolder, publicUrl.field,
    tenantId ? createForm(tenantId, user, { onCreated: async (created) => { status.textContent = t('instances.created_one', { name: created.instance_name }); await load(); } })
      : h('p', { class: 'hint' }, t('instances.pick_tenant')));
  await load();
}

/** Inputs for one provider's fields; secrets are password inputs that the browser does not fill in. */
function providerInputs(fields, instance) {
  return fields.map(([setting, kind]) => {
    const input = h('input', {
      id: uid(setting), name: setting, type: kind === 'secret' ? 'password' : kind, autocomplete: kind === 'secret' ? 'new-password' : 'off',
      value: kind === 'secret' ? '' : instance?.[setting] ?? '',
    });
    let hint = hints[setting] ? t(hints[setting]) : null;
    if (kind === 'secret') {
      const saved = setting === 'evo_global_api_key' ? instance?.evo_global_api_key_set : Boolean(instance?.[setting]);
      const state = instance ? t(saved ? 'instances.secret_set' : 'instances.secret_unset') : t('instances.secret_hint');
      hint = hint ? `${hint} ${state}` : state;
    }
    return { field: setting, kind, input, element: field(t(`instances.${setting}`), input, hint) };
  });
}

function createForm(tenantId, user, { onCreated }) {
  const name = h('input', { id: uid('instance-name'), type: 'text', name: 'instance_name', required: true, autocomplete: 'off', maxlength: '100' });
  const provider = h('select', { id: uid('provider'), name: 'provider' },
    h('option', { value: 'evolution' }, t('instances.provider_evolution')),
    h('option', { value: 'meta_cloud' }, t('instances.provider_meta_cloud')));
  const groups = { evolution: providerInputs(evolutionFields, null), meta_cloud: providerInputs(metaFields, null) };
  const groupElements = Object.fromEntries(Object.entries(groups).map(([key, inputs]) =>
    [key, h('div', { class: 'provider-fields', dataset: { provider: key } }, inputs.map((i) => i.element))]));
  const showProvider = () => {
    for (const [key, element] of Object.entries(groupElements)) {
      element.hidden = key !== provider.value;
      for (const { input } of groups[key]) input.disabled = key !== provider.value;
    }
  };
  provider.addEventListener('change', showProvider);
  showProvider();
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const form = h('form', {
    class: 'settings-form setup-form', 'aria-labelledby': 'new-instance-title',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      const body = { instance_name: name.value.trim(), provider: provider.value };
      if (!user.tenant_id) body.tenant_id = tenantId;
      for (const { field, input } of groups[provider.value]) if (input.value.trim()) body[field] = input.value.trim();
      try {
        const created = await api.post('/api/instances', body);
        form.reset();
        showProvider();
        await onCreated(created);
      } catch (failure) {
        error.textContent = problemText(failure);
        error.hidden = false;
      }
    },
  },
  h('h2', { id: 'new-instance-title' }, t('instances.new')),
  field(t('instances.name'), name),
  field(t('instances.provider'), provider),
  Object.values(groupElements),
  error,
  h('button', { type: 'submit', class: 'primary' }, t('instances.create')));
  return form;
}

async function renderInstance(container, { name, navigate }) {
  const back = h('a', { href: '#/setup/instances' }, t('instances.back'));
  let instance;
  try {
    instance = await api.get(path(name));
  } catch (failure) {
    container.replaceChildren(h('h1', {}, t('instances.title')),
      h('p', { role: 'alert' }, failure.status === 404 ? t('instances.not_found') : problemText(failure)), back);
    return;
  }
  const evolution = instance.provider !== 'meta_cloud';
  const status = h('p', { role: 'status', class: 'form-status', 'data-testid': 'instance-status' });
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const inputs = providerInputs(evolution ? evolutionFields : metaFields, instance);
  const publicUrl = publicUrlField();

  const form = h('form', {
    class: 'settings-form setup-form', 'aria-labelledby': 'edit-instance-title',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      status.textContent = '';
      const changes = {};
      for (const { field, kind, input } of inputs) {
        const value = input.value.trim();
        if (kind === 'secret') { if (value) changes[field] = value; } else if (value !== (instance[field] ?? '')) changes[field] = value || null;
      }
      try {
        instance = await api.patch(path(name, `?tenant_id=${instance.tenant_id}`), changes);
        status.textContent = t('instances.saved');
        for (const { kind, input } of inputs) if (kind === 'secret') input.value = '';
      } catch (failure) {
        error.textContent = problemText(failure);
        error.hidden = false;
      }
    },
  },
  h('h2', { id: 'edit-instance-title' }, t('instances.edit')),
  h('p', {}, `${t('instances.provider')}: ${t(`instances.provider_${instance.provider}`)}`),
  inputs.map((i) => i.element),
  error,
  h('button', { type: 'submit', class: 'primary' }, t('instances.save')));

  const act = async (button, work) => {
    button.disabled = true;
    status.textContent = '';
    try { status.textContent = await work(); } finally { button.disabled = false; }
  };
  const actions = h('div', { class: 'row-actions' },
    evolution ? h('button', { type: 'button', class: 'secondary', onclick: (e) => act(e.currentTarget, () => testInstance(name)) }, t('instances.test')) : null,
    evolution ? h('button', {
      type: 'button', class: 'secondary', onclick: (e) => act(e.currentTarget, () => configureInstance(name, publicUrl.input.value.trim())),
    }, t('instances.configure')) : null,
    h('button', {
      type: 'button', class: 'secondary danger',
      async onclick() {
        if (!window.confirm(t('instances.delete_confirm', { name }))) return;
        try {
          await request('DELETE', path(name, `?tenant_id=${instance.tenant_id}`));
          navigate('#/setup/instances');
        } catch (failure) {
          status.textContent = problemText(failure);
        }
      },
    }, t('instances.delete')));

  container.replaceChildren(h('h1', {}, t('instances.edit_title', { name })), back, status,
    evolution ? connectSection(container, name, () => publicUrl.input.value.trim(), status)
      : h('p', { class: 'hint' }, t('instances.meta_webhook_hint', { url: `${location.origin}/webhooks/meta` })),
    actions, evolution ? publicUrl.field : null, form);
}

/** "Connect WhatsApp": the state, the QR code and pairing code while connecting, polled until the link is open. */
function connectSection(container, name, publicUrl, status) {
  const state = h('p', { class: 'connection-state', role: 'status', 'data-testid': 'connection-state' }, t('list.loading'));
  const qrHolder = h('div', { class: 'qr-holder', 'data-testid': 'qr-holder' });
  let timer = null;
  let shownQr = null;

  const show = (connection) => {
    state.textContent = t(`connect.state.${connection.state ?? 'unknown'}`);
    state.dataset.state = connection.state ?? 'unknown';
    if (connection.qr_code && connection.state === 'connecting') {
      if (connection.qr_code !== shownQr) {
        shownQr = connection.qr_code;
        qrHolder.replaceChildren(
          h('p', { id: `${qrHolder.dataset.testid}-how` }, t('connect.scan')),
          h('img', { class: 'qr-code', src: connection.qr_code, width: '264', height: '264', alt: t('connect.qr_alt', { name }) }),
          connection.pairing_code ? h('p', { class: 'pairing-code', 'data-testid': 'pairing-code' }, t('connect.pairing', { code: connection.pairing_code })) : null);
      }
    } else {
      shownQr = null;
      qrHolder.replaceChildren();
    }
    button.textContent = connection.state === 'connecting' ? t('connect.again') : t('connect.start');
  };

  const poll = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!container.isConnected || !state.isConnected) return;
      try {
        const connection = await api.get(path(name, '/connection'));
        if (!state.isConnected) return;
        show(connection);
        if (connection.state === 'connecting') poll();
      } catch {
        if (state.isConnected) poll();
      }
    }, pollMs);
  };

  const button = h('button', {
    type: 'button', class: 'primary', 'data-testid': 'connect',
    async onclick() {
      button.disabled = true;
      status.textContent = t('connect.asking');
      try {
        const connection = await api.post(path(name, '/connect'));
        status.textContent = '';
        if (connection.created_on_evolution) {
          const configured = await configureInstance(name, publicUrl());
          status.textContent = `${t('connect.created')} ${configured}`;
        }
        show(connection);
        if (connection.state !== 'open') poll();
      } catch (failure) {
        status.textContent = problemText(failure);
      } finally {
        button.disabled = false;
      }
    },
  }, t('connect.start'));

  api.get(path(name, '/connection')).then((connection) => {
    show(connection);
    if (connection.state === 'connecting') poll();
  }).catch((failure) => { state.textContent = problemText(failure); });

  return h('section', { class: 'connect-section', 'aria-labelledby': 'connect-title' },
    h('h2', { id: 'connect-title' }, t('connect.title')), state, button, qrHolder);
}
