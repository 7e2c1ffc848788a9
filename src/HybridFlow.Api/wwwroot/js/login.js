import { inbox } from './api.js';
import { h, uid } from './dom.js';
import { t } from './i18n.js';

export function renderLogin(container, { onLoggedIn, header }) {
  const emailId = uid('email');
  const passwordId = uid('password');
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const email = h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: passwordId, name: 'password', type: 'password', autocomplete: 'current-password', required: true });

  const form = h('form', {
    class: 'login-form', 'aria-labelledby': 'login-title', novalidate: false,
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      submit.textContent = t('login.busy');
      try {
        const user = await inbox.login(email.value.trim(), password.value);
        await onLoggedIn(user);
      } catch (failure) {
        error.textContent = failure.status === 401 ? t('login.wrong')
          : failure.status === 429 ? t('login.locked', { minutes: Math.max(1, Math.ceil((failure.retryAfter ?? 60) / 60)) })
          : failure.status === 0 ? t('error.network')
          : t('login.failed', { status: failure.status });
        error.hidden = false;
        password.value = '';
        password.focus();
      } finally {
        submit.disabled = false;
        submit.textContent = t('login.submit');
      }
    },
  },
  h('h1', { id: 'login-title' }, t('login.title')),
  h('div', { class: 'field' }, h('label', { for: emailId }, t('login.email')), email),
  h('div', { class: 'field' }, h('label', { for: passwordId }, t('login.password')), password),
  error,
  submit);

  container.replaceChildren(h('div', { class: 'login-page' }, h('div', { class: 'login-card' },
    h('div', { class: 'login-brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'H'), t('app.name'), header), form)));
  email.focus();
}
