// What the inbox's views share: reading a time, a conversation's name, and an API error in words.
import { t } from '../i18n.js';

export function timeOf(iso) {
  const value = Date.parse(iso ?? '');
  return Number.isNaN(value) ? 0 : value;
}

export function displayName(conversation) {
  return conversation.contact_name || (conversation.phone ? `+${conversation.phone}` : conversation.chat_id);
}

export function errorText(error) {
  if (error.status === 0) return t('error.network');
  if (error.status === 502) return t('error.send_failed');
  const details = error.problem?.errors ? Object.values(error.problem.errors).flat().join(' ') : '';
  return details || error.problem?.detail || t('error.generic', { status: error.status });
}
