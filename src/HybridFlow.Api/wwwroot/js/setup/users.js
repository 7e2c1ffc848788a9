// The users screen (#/setup/users): a tenant admin's own tenant, or for the platform admin the tenant in view
// (js/tenant-context.js), and the platform admins when none is picked. A new user gets no typed password: the server
// answers a one-time link, shown here once, on which the person chooses it (js/welcome.js). Role, a new link (reset),
// lock and unlock, and ending a user's logins are one click each.
import { ApiError, api, request } from '../api.js';
import { announce, field, h, uid } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { onTenantInViewChange, tenantInView } from '../tenant-context.js';
import { problemText, secretPanel, tenantLabel } from './people-shared.js';

export function canManageUsers(user) {
  return user?.role === 'tenant_admin' || (user?.role === 'platform_admin' && !user.tenant_id);
}

const tenantRoles = ['agent', 'tenant_admin'];

function roleName(role) { return t(`people.role.${role}`); }

function linkUrl(path) { return new URL(path, location.origin).href; }

let stopListening = null;

export async function renderUsers(container, { user }) {
  stopListening?.();
  if (!canManageUsers(user)) {
    container.replaceChildren(h('h1', {}, t('people.users')), h('p', { role: 'alert' }, t('people.forbidden')));
    return;
  }
  const draw = () => drawUsers(container, user, tenantInView(user));
  // The platform admin may pick another tenant while the screen is open; a screen replaced meanwhile stops listening.
  stopListening = onTenantInViewChange(() => {
    if (container.isConnected) draw();
    else stopListening?.();
  });
  await draw();
}

async function drawUsers(container, user, tenantId) {
  const base = tenantId ? `/api/tenants/${encodeURIComponent(tenantId)}/users` : '/api/users';
  const status = h('p', { role: 'status', class: 'form-status' });
  const secretSlot = h('div', { class: 'secret-slot' });
  // Focusable, so a keyboard can scroll a table wider than the screen.
  const tableHolder = h('div', { class: 'people-table-holder', tabindex: '0', role: 'region', 'aria-label': t('people.users') },
    h('p', {}, t('list.loading')));

  function say(text) {
    status.textContent = text;
    announce(text);
  }

  function showLink(name, link) {
    secretSlot.replaceChildren(secretPanel({
      title: t('people.link_title', { name }),
      label: t('people.link_label'),
      value: linkUrl(link.path),
      note: t('people.link_once', { name, time: formatTime(link.expires_at) }),
      testId: 'one-time-link',
    }));
  }

  const email = h('input', { id: uid('user-email'), type: 'email', name: 'email', required: true, autocomplete: 'off', maxlength: '256' });
  const name = h('input', { id: uid('user-name'), type: 'text', name: 'display_name', autocomplete: 'off', maxlength: '100' });
  const role = tenantId
    ? h('select', { id: uid('user-role'), name: 'role' }, tenantRoles.map((r) => h('option', { value: r }, roleName(r))))
    : null;
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('people.create_user'));
  const form = h('form', {
    class: 'settings-form people-form', 'aria-labelledby': 'new-user-title',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        const body = { email: email.value.trim(), display_name: name.value.trim() || null };
        if (role) body.role = role.value;
        const invited = await api.post(`${base}/invite`, body);
        form.reset();
        say(t('people.user_created', { name: invited.user.display_name }));
        showLink(invited.user.display_name, invited.password_link);
        await load();
      } catch (failure) {
        error.textContent = problemText(failure);
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'new-user-title' }, t('people.new_user')),
  h('p', { class: 'hint' }, t('people.no_password_hint')),
  field(t('people.email'), email),
  field(t('people.name'), name),
  role ? field(t('people.role'), role) : null,
  error,
  submit);

  async function act(work, done) {
    try {
      await work();
      say(done);
    } catch (failure) {
      say(problemText(failure));
    }
    await load();
  }

  function stateText(item) {
    if (item.state === 'pending') {
      return `${t('people.state.pending')} (${item.link_expires_at
        ? t('people.state.link_until', { time: formatTime(item.link_expires_at) }) : t('people.state.no_link')})`;
    }
    return t(`people.state.${item.state}`);
  }

  function row(item) {
    const self = item.id === user.id;
    const label = item.display_name || item.email;
    const userPath = `${base}/${item.id}`;
    const roleCell = tenantId && !self
      ? h('select', {
        'aria-label': t('people.role_of', { name: label }), 'data-testid': 'user-role',
        onchange(event) {
          const chosen = event.target.value;
          act(() => api.patch(userPath, { role: chosen }), t('people.role_changed', { name: label, role: roleName(chosen) }));
        },
      }, tenantRoles.map((r) => h('option', { value: r, selected: r === item.role }, roleName(r))))
      : roleName(item.role);
    const locked = item.state === 'locked';
    const actions = self ? [] : [
      h('button', {
        type: 'button', class: 'secondary small',
        async onclick() {
          try {
            const link = await api.post(`${userPath}/password-link`);
            showLink(label, link);
          } catch (failure) {
            say(problemText(failure));
          }
          await load();
        },
      }, t('people.reset')),
      h('button', {
        type: 'button', class: 'secondary small',
        onclick: () => act(() => api.patch(userPath, { locked: !locked }),
          t(locked ? 'people.unlocked_one' : 'people.locked_one', { name: label })),
      }, t(locked ? 'people.unlock' : 'people.lock')),
      h('button', {
        type: 'button', class: 'secondary small',
        onclick: () => act(() => request('DELETE', `${userPath}/sessions`), t('people.sessions_ended', { name: label })),
      }, t('people.end_sessions')),
    ];
    return h('tr', { 'data-user-id': String(item.id), 'data-email': item.email },
      h('th', { scope: 'row' }, label, self ? ` ${t('people.you')}` : ''),
      h('td', {}, item.email),
      h('td', {}, roleCell),
      h('td', { 'data-testid': 'user-state' }, stateText(item)),
      h('td', {}, h('div', { class: 'people-actions', role: 'group', 'aria-label': label }, actions)));
  }

  async function load() {
    let list;
    try {
      list = await api.get(base);
    } catch (failure) {
      tableHolder.replaceChildren(h('p', { role: 'alert' }, failure instanceof ApiError ? problemText(failure) : String(failure)));
      return;
    }
    if (!list.items.length) { tableHolder.replaceChildren(h('p', {}, t('people.empty'))); return; }
    tableHolder.replaceChildren(h('table', { class: 'people-table' },
      h('caption', { class: 'visually-hidden' }, t('people.users')),
      h('thead', {}, h('tr', {},
        [t('people.name'), t('people.email'), t('people.role'), t('people.state'), t('people.actions')]
          .map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, list.items.map(row))));
  }

  const intro = h('p', { class: 'hint' }, tenantId ? t('people.users_of_tenant', { tenant: `#${tenantId}` }) : t('people.users_platform'));
  if (tenantId) tenantLabel(tenantId).then((tenant) => { intro.textContent = t('people.users_of_tenant', { tenant }); });
  container.replaceChildren(
    h('h1', {}, t('people.users')),
    intro,
    status,
    secretSlot,
    form,
    tableHolder);
  await load();
}
