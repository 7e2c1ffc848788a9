// The composer under the open conversation: a reply to the customer (sent as the person: the bot pauses) or an internal
// note. Enter sends, Shift+Enter is a new line, and the customer sees "typing…" while a reply is written. A Cloud API
// conversation whose 24-hour window is closed takes only a template: the reply becomes the template picker.
import { inbox } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { errorText, serviceWindow } from './shared.js';
import { TemplatePicker } from './templates.js';
import { emojiPicker } from './emoji.js';
import { SavedReplyMenu } from './saved-replies.js';

const typingEveryMs = 5000;

export class Composer {
  /** @param view the InboxView (the selected conversation); @param thread the open conversation it writes in. */
  constructor(view, thread) {
    this.view = view;
    this.thread = thread;
    // The person's choice of reply or note outlasts re-renders and other conversations.
    this.mode = 'reply';
    this.lastTypingAt = 0;
    this.picker = new TemplatePicker(view, thread);
  }

  /** Whether a reply may only be a template now: a Cloud API conversation whose window is closed. */
  templatesOnly() {
    const state = serviceWindow(this.thread.conversation);
    return state !== null && !state.open;
  }

  render() {
    this.slot = h('div', { class: 'composer-slot' });
    this.fill();
    return this.slot;
  }

  /** The conversation changed: the composer is drawn again only if the window opened or closed. */
  sync() {
    if (this.slot && this.templatesOnly() !== this.showingTemplates) this.fill();
  }

  fill() {
    this.showingTemplates = this.templatesOnly();
    this.slot.replaceChildren(this.showingTemplates && this.mode === 'reply'
      ? this.picker.render(this.thread.conversation, this.modeControl(() => this.refill()),
        () => { this.fill(); this.slot.querySelector('select')?.focus(); })
      : this.form());
  }

  /** Drawn again for the mode just chosen, the focus kept on the choice. */
  refill() {
    this.fill();
    this.slot.querySelector(`input[value="${this.mode}"]`)?.focus();
  }

  /** Reply or note; <onChange> runs after the choice is kept. */
  modeControl(onChange) {
    const modeName = uid('mode');
    const modeOption = (mode, key) => h('label', { class: 'mode-option' },
      h('input', { type: 'radio', name: modeName, value: mode, checked: this.mode === mode,
        onchange: () => { this.mode = mode; onChange(); } }),
      t(key));
    return h('fieldset', { class: 'mode' }, h('legend', { class: 'visually-hidden' }, t('composer.mode')),
      modeOption('reply', 'composer.mode_reply'), modeOption('note', 'composer.mode_note'));
  }

  form() {
    const textId = uid('composer');
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const textarea = h('textarea', { id: textId, rows: '2', name: 'text', 'data-testid': 'composer' });
    const label = h('label', { for: textId }, t('composer.label'));
    const submit = h('button', { type: 'submit', class: 'primary', id: 'send-button' }, t('composer.send'));
    const hint = h('p', { class: 'hint', id: `${textId}-hint` }, t('composer.takeover_hint'));
    textarea.setAttribute('aria-describedby', hint.id);
    const applyMode = () => {
      const note = this.mode === 'note';
      label.textContent = note ? t('composer.note_label') : t('composer.label');
      // A phone's composer is too narrow for the whole sentence; its hint says the rest.
      const narrow = window.matchMedia('(max-width: 720px)').matches;
      textarea.placeholder = note ? t('composer.note_placeholder') : t(narrow ? 'composer.placeholder_short' : 'composer.placeholder');
      submit.textContent = note ? t('composer.save_note') : t('composer.send');
      hint.hidden = note;
      form.classList.toggle('note-mode', note);
    };
    const onModeChange = () => {
      if (this.showingTemplates) { this.refill(); return; }
      applyMode();
      textarea.focus();
    };
    const send = async () => {
      const text = textarea.value.trim();
      if (!text) return;
      submit.disabled = true;
      error.hidden = true;
      try {
        if (this.mode === 'note') {
          this.thread.merge([await inbox.note(this.view.selectedId, text)]);
        } else {
          const result = await inbox.send(this.view.selectedId, text);
          this.thread.show(result.conversation);
          announce(t('announce.sent'));
        }
        textarea.value = '';
        this.thread.renderTimeline();
        this.thread.scrollToBottom();
        this.thread.loadNewest();
      } catch (failure) {
        error.textContent = errorText(failure);
        error.hidden = false;
      } finally {
        submit.disabled = false;
        textarea.focus();
      }
    };
    // "/" at the start of a reply lists the saved replies; its keys (Enter too) come before the composer's.
    const savedReplies = new SavedReplyMenu(textarea, {
      isReply: () => this.mode === 'reply',
      context: () => ({
        tenantId: this.view.user.role === 'platform_admin' ? this.thread.conversation?.tenant_id : undefined,
        contactName: this.thread.conversation?.contact_name ?? '',
        agentName: this.view.user.display_name || this.view.user.email,
      }),
    });
    const form = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); send(); } },
      this.modeControl(onModeChange),
      label,
      savedReplies.element,
      h('div', { class: 'composer-row' }, textarea, emojiPicker(textarea), submit),
      hint,
      error);
    textarea.addEventListener('keydown', (event) => {
      if (event.defaultPrevented) return;
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    textarea.addEventListener('input', () => {
      if (this.mode !== 'reply' || !textarea.value) return;
      const now = Date.now();
      if (now - this.lastTypingAt < typingEveryMs) return;
      this.lastTypingAt = now;
      inbox.typing(this.view.selectedId).catch(() => {});
    });
    applyMode();
    return form;
  }
}
