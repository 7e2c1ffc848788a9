// What the tenants and instances screens' forms share: an API error in words.
import { t } from '../i18n.js';


/** The problem's field errors, or its detail, or the status. */
export function problemText(failure) {
  if (failure.status === 0) return t('error.network');
  const errors = failure.problem?.errors;
  const details = errors ? Object.entries(errors).map(([field, messages]) => `${field}: ${[messages].flat().join(' ')}`).join(' ') : '';
  return details || failure.problem?.detail || t('error.generic', { status: failure.status });
}
