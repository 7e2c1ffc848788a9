// Pieces the users and API keys screens share: a problem's text, and the panel that shows a secret once.
import { inbox } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import './people-strings.js';


/** What went wrong, in words: the server's field errors or detail, else a generic line. */
export function problemText(failure) {
  if (failure?.status === 0) return t('error.network');
  const errors = failure?.problem?.errors;
  if (errors && typeof errors === 'object') {
    const first = Object.values(errors).flat()[0];
    if (first) return String(first);
  }
  return failure?.problem?.detail || t('error.generic', { status: failure?.status ?? '?' });
}

/**
 * A secret shown once (a one-time link or an API key): a read-only field, a Copy button, and Done, which removes it.
 * The field is focused, so a keyboard or screen reader user lands on it.
 */
export function secretPanel({ title, label, value, note, testId, onDone }) {
  const inputId = uid('secret');
  const titleId = uid('secret-title');
  const input = h('input', {
    id: inputId, type: 'text', readonly: true, value, class: 'secret-value', 'data-testid': testId,
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${inputId}-note`,
  });
  input.addEventListener('focus', () => input.select());
  const copied = h('span', { role: 'status', class: 'form-status' });
  const panel = h('section', { class: 'secret-panel', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    h('p', { class: 'hint', id: `${inputId}-note` }, note),
    h('div', { class: 'field' }, h('label', { for: inputId }, label),
      h('div', { class: 'secret-row' }, input,
        h('button', {
          type: 'button', class: 'secondary',
          async onclick() {
            try {
              await navigator.clipboard.writeText(value);
              copied.textContent = t('people.copied');
            } catch {
              input.select();
              copied.textContent = t('people.copy_failed');
            }
          },
        }, t('people.copy')))),
    copied,
    h('button', {
      type: 'button', class: 'primary',
      onclick() { panel.remove(); onDone?.(); },
    }, t('people.done')));
  setTimeout(() => input.focus(), 0);
  announce(title);
  return panel;
}

/** The tenant's name for a heading's line, or its id when it cannot be read. */
export async function tenantLabel(tenantId) {
  try {
    const tenant = await inbox.tenant(tenantId);
    return tenant?.name || `#${tenantId}`;
  } catch {
    return `#${tenantId}`;
  }
}
