// The one-time link's page (#/welcome/<token>): the person an admin created, or whose password an admin reset,
// chooses a password and is logged in. The token stays in the fragment and goes to the server only in a POST body.
import { api } from './api.js';
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import './setup/people-strings.js';

const passwordMin = 10;

function card(header, ...children) {
  return h('div', { class: 'login-page' }, h('div', { class: 'login-card' },
    h('div', { class: 'login-brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'H'), t('app.name'), header),
    ...children));
}

function invalid(container, header) {
  container.replaceChildren(card(header,
    h('h1', { id: 'welcome-title' }, t('welcome.title')),
    h('p', { role: 'alert', class: 'form-error' }, t('welcome.invalid')),
    h('a', { href: '#/login' }, t('welcome.to_login'))));
}

export async function renderWelcome(container, { token, header, onLoggedIn }) {
  container.replaceChildren(card(header, h('h1', {}, t('welcome.title')), h('p', { role: 'status' }, t('welcome.checking'))));
  let link;
  try {
    link = await api.post('/api/auth/password-link', { token: token ?? '' }, { allowUnauthorized: true });
  } catch {
    invalid(container, header);
    return;
  }

  const passwordId = uid('new-password');
  const repeatId = uid('repeat-password');
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('welcome.submit'));
  // The email as the user name, so a password manager saves the new password under it.
  const username = h('input', { type: 'email', name: 'username', autocomplete: 'username', value: link.email, hidden: true, readonly: true });
  const password = h('input', {
    id: passwordId, name: 'new-password', type: 'password', autocomplete: 'new-password', required: true,
    minlength: String(passwordMin), 'aria-describedby': 'welcome-for',
  });
  const repeat = h('input', { id: repeatId, name: 'repeat-password', type: 'password', autocomplete: 'new-password', required: true });

  const form = h('form', {
    class: 'login-form', 'aria-labelledby': 'welcome-title', novalidate: true,
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      const problem = password.value.length < passwordMin ? t('welcome.too_short')
        : password.value !== repeat.value ? t('welcome.mismatch') : null;
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        password.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t('welcome.busy');
      try {
        const user = await api.post('/api/auth/password-link/password', { token, password: password.value }, { allowUnauthorized: true });
        await onLoggedIn(user);
      } catch (failure) {
        if (failure.status === 404) { invalid(container, header); return; }
        const errors = failure.problem?.errors;
        error.textContent = (errors && Object.values(errors).flat()[0]) || failure.problem?.detail
          || (failure.status === 0 ? t('error.network') : t('error.generic', { status: failure.status }));
        error.hidden = false;
        password.focus();
      } finally {
        submit.disabled = false;
        submit.textContent = t('welcome.submit');
      }
    },
  },
  h('h1', { id: 'welcome-title' }, t(link.purpose === 'reset' ? 'welcome.reset_title' : 'welcome.title')),
  h('p', { class: 'hint welcome-for', id: 'welcome-for' }, t('welcome.for', { email: link.email })),
  username,
  h('div', { class: 'field' }, h('label', { for: passwordId }, t('welcome.password')), password),
  h('div', { class: 'field' }, h('label', { for: repeatId }, t('welcome.repeat')), repeat),
  error,
  submit);

  container.replaceChildren(card(header, form));
  password.focus();
}
