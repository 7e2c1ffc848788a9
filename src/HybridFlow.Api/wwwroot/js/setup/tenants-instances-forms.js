// What the tenants and instances screens' forms share: a labelled field with its hint, and an API error in words.
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** A label over its control, and an optional hint the control is described by. */
export function textField(labelText, control, hintText) {
  const hintId = hintText ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control,
    hintText ? h('p', { class: 'hint', id: hintId }, hintText) : null);
}

/** The problem's field errors, or its detail, or the status. */
export function problemText(failure) {
  if (failure.status === 0) return t('error.network');
  const errors = failure.problem?.errors;
  const details = errors ? Object.entries(errors).map(([field, messages]) => `${field}: ${[messages].flat().join(' ')}`).join(' ') : '';
  return details || failure.problem?.detail || t('error.generic', { status: failure.status });
}
