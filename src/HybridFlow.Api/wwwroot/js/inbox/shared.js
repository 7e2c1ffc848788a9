// What the inbox's views share: reading a time, a conversation's name, and an API error in words.
import { h } from '../dom.js';
import { t, validationMessages } from '../i18n.js';

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
  const details = validationMessages(error.problem).map((message) => message.text).join(' ');
  return details || error.problem?.detail || t('error.generic', { status: error.status });
}

/**
 * WhatsApp's 24-hour window of a Cloud API conversation, as of now: null for a channel without one (Evolution).
 * The server's closes_at is the truth; the clock only tells whether it has passed since the answer came.
 */
export function serviceWindow(conversation, now = Date.now()) {
  if (conversation?.channel !== 'meta_cloud') return null;
  const closesAt = conversation.service_window?.closes_at ?? null;
  const open = Boolean(conversation.service_window?.open) && closesAt !== null && timeOf(closesAt) > now;
  return { open, closesAt };
}

/** A template's body with its {{n}} filled from variables (an empty one keeps its placeholder). */
export function fillTemplate(body, variables) {
  return (body ?? '').replace(/\{\{(\d+)\}\}/g, (placeholder, n) => {
    const value = variables[Number(n) - 1];
    return value ? value : placeholder;
  });
}

/** The conversation's channel: WhatsApp through Evolution or through Meta's Cloud API. */
export function channelChip(conversation) {
  const channel = conversation.channel ?? 'evolution';
  return h('span', { class: `channel-chip channel-${channel}`, 'data-channel': channel }, t(`channel.${channel}`));
}
