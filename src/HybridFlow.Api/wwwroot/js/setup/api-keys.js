// The API keys screen (#/setup/api-keys): the keys of the tenant in view (js/tenant-context.js), who made each and
// when, a new key shown once, and revoking. The API keeps no last use of a key, so none is shown.
import { api, request } from '../api.js';
import { announce, field, h, uid } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { onTenantInViewChange, tenantInView } from '../tenant-context.js';
import { problemText, secretPanel, tenantLabel } from './people-shared.js';

export function canManageApiKeys(user) {
  return user?.role === 'tenant_admin' || (user?.role === 'platform_admin' && !user.tenant_id);
}

const keyRoles = ['agent', 'tenant_admin'];

let stopListening = null;

export async function renderApiKeys(container, { user }) {
  stopListening?.();
  if (!canManageApiKeys(user)) {
    container.replaceChildren(h('h1', {}, t('keys.title')), h('p', { role: 'alert' }, t('people.forbidden')));
    return;
  }
  const draw = () => drawKeys(container, tenantInView(user));
  stopListening = onTenantInViewChange(() => {
    if (container.isConnected) draw();
    else stopListening?.();
  });
  await draw();
}

function madeBy(key) {
  if (key.created_by_name) return key.created_by_name;
  if (key.created_by_user_id) return t('keys.by_gone', { id: key.created_by_user_id });
  if (key.created_by_key_id) return t('keys.by_key', { id: key.created_by_key_id });
  return t('keys.by_platform');
}

async function drawKeys(container, tenantId) {
  if (!tenantId) {
    container.replaceChildren(h('h1', {}, t('keys.title')), h('p', {}, t('keys.pick_tenant')));
    return;
  }
  const base = `/api/tenants/${encodeURIComponent(tenantId)}/api-keys`;
  const status = h('p', { role: 'status', class: 'form-status' });
  const secretSlot = h('div', { class: 'secret-slot' });
  // Focusable, so a keyboard can scroll a table wider than the screen.
  const tableHolder = h('div', { class: 'people-table-holder', tabindex: '0', role: 'region', 'aria-label': t('keys.title') },
    h('p', {}, t('list.loading')));

  function say(text) {
    status.textContent = text;
    announce(text);
  }

  const name = h('input', { id: uid('key-name'), type: 'text', name: 'name', required: true, autocomplete: 'off', maxlength: '100' });
  const role = h('select', { id: uid('key-role'), name: 'role' }, keyRoles.map((r) => h('option', { value: r }, t(`people.role.${r}`))));
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('keys.create'));
  const form = h('form', {
    class: 'settings-form people-form', 'aria-labelledby': 'new-key-title',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        const created = await api.post(base, { name: name.value.trim(), role: role.value });
        form.reset();
        secretSlot.replaceChildren(secretPanel({
          title: t('keys.shown_title', { name: created.name }),
          label: t('keys.shown_label'),
          value: created.key,
          note: t('keys.shown_once'),
          testId: 'new-api-key',
        }));
        await load();
      } catch (failure) {
        error.textContent = problemText(failure);
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'new-key-title' }, t('keys.new')),
  field(t('keys.name'), name),
  field(t('keys.role'), role),
  error,
  submit);

  function row(key) {
    const revoke = key.revoked_at ? null : h('button', {
      type: 'button', class: 'secondary small', 'aria-label': t('keys.revoke_named', { name: key.name }),
      async onclick() {
        try {
          await request('DELETE', `${base}/${key.id}`);
          say(t('keys.revoked_one', { name: key.name }));
        } catch (failure) {
          say(problemText(failure));
        }
        await load();
      },
    }, t('keys.revoke'));
    return h('tr', { 'data-key-id': String(key.id) },
      h('th', { scope: 'row' }, key.name),
      h('td', {}, t(`people.role.${key.role}`)),
      h('td', {}, madeBy(key)),
      h('td', {}, formatTime(key.created_at)),
      h('td', { 'data-testid': 'key-state' }, key.revoked_at ? t('keys.revoked', { time: formatTime(key.revoked_at) }) : t('keys.active')),
      h('td', {}, revoke));
  }

  async function load() {
    let keys;
    try {
      keys = await api.get(base);
    } catch (failure) {
      tableHolder.replaceChildren(h('p', { role: 'alert' }, problemText(failure)));
      return;
    }
    if (!keys.length) { tableHolder.replaceChildren(h('p', {}, t('keys.empty'))); return; }
    // Newest first: the key just made is at the top.
    const rows = [...keys].sort((a, b) => b.id - a.id);
    tableHolder.replaceChildren(h('table', { class: 'people-table' },
      h('caption', { class: 'visually-hidden' }, t('keys.title')),
      h('thead', {}, h('tr', {},
        [t('keys.name'), t('keys.role'), t('keys.made_by'), t('keys.created'), t('keys.state'), t('people.actions')]
          .map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.map(row))));
  }

  const intro = h('p', { class: 'hint' }, t('keys.intro', { tenant: `#${tenantId}` }));
  tenantLabel(tenantId).then((tenant) => { intro.textContent = t('keys.intro', { tenant }); });
  container.replaceChildren(
    h('h1', {}, t('keys.title')),
    intro,
    status,
    secretSlot,
    form,
    tableHolder);
  await load();
}
