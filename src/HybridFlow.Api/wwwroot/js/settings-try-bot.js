// Try the bot: the admin writes as a customer and sees what the bot would answer (POST /api/tenants/{id}/preview-reply),
// with the saved settings. Nothing is sent to WhatsApp. The conversation so far is sent back as history, so a follow-up
// question is answered in context.
import { api } from './api.js';
import { announce, h, uid } from './dom.js';
import { t } from './i18n.js';
import './settings-strings.js';

export function renderTryBot(tenantId, settingsNow) {
  const history = [];
  const headingId = uid('trybot');
  const transcript = h('ol', { class: 'trybot-transcript', 'aria-label': t('trybot.transcript'), 'data-testid': 'trybot-transcript' });
  const outcome = h('p', { class: 'trybot-outcome', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const message = h('textarea', { id: uid('trybot-message'), rows: '2', name: 'preview_text', maxlength: '4096' });
  const send = h('button', { type: 'submit', class: 'primary' }, t('trybot.send'));
  const reset = h('button', {
    type: 'button',
    onclick() {
      history.length = 0;
      transcript.replaceChildren();
      outcome.textContent = '';
      error.hidden = true;
      message.focus();
    },
  }, t('trybot.reset'));

  const line = (role, text, extra) => h('li', { class: `trybot-line ${role}` },
    h('span', { class: 'trybot-who' }, role === 'customer' ? t('trybot.customer') : t('trybot.bot')),
    h('span', { class: 'trybot-text' }, text), extra ?? null);

  const form = h('form', {
    class: 'trybot-form',
    async onsubmit(event) {
      event.preventDefault();
      const text = message.value.trim();
      if (!text) { message.focus(); return; }
      error.hidden = true;
      const mode = settingsNow().reply_mode;
      if (mode !== 'ai') {
        error.textContent = t('trybot.off', { mode });
        error.hidden = false;
        return;
      }
      send.disabled = true;
      outcome.textContent = t('trybot.busy');
      try {
        const answer = await api.post(`/api/tenants/${encodeURIComponent(tenantId)}/preview-reply`, { text, history: [...history] });
        transcript.append(line('customer', text));
        history.push({ role: 'customer', text });
        for (const part of answer.parts) {
          transcript.append(line('bot', part));
          history.push({ role: 'bot', text: part });
        }
        const tokens = t('trybot.tokens', { input: answer.tokens.input, output: answer.tokens.output });
        const said = answer.handoff
          ? t('trybot.handoff', { reason: t(`trybot.reason_${answer.handoff_reason}`) })
          : t('trybot.no_handoff', { count: answer.parts.length });
        outcome.textContent = `${said} ${tokens}`;
        outcome.classList.toggle('handoff', answer.handoff);
        announce(answer.parts.join(' '));
        message.value = '';
      } catch (failure) {
        outcome.textContent = '';
        error.textContent = failure.status === 429
          ? t('trybot.wait', { seconds: failure.retryAfter ?? 60 })
          : (failure.problem?.errors ? Object.values(failure.problem.errors).flat().join(' ') : failure.problem?.detail)
            || t('error.generic', { status: failure.status });
        error.hidden = false;
      } finally {
        send.disabled = false;
        message.focus();
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: message.id }, t('trybot.message')), message),
  h('div', { class: 'trybot-actions' }, send, reset));
  message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  return h('section', { class: 'settings-section trybot', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('trybot.title')),
    h('p', { class: 'hint' }, t('trybot.intro')),
    transcript,
    outcome,
    error,
    form);
}
