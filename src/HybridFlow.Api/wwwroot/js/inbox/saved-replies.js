// Saved replies in the composer: "/" at the start of a reply lists the tenant's saved replies by shortcut (typing more
// narrows them). The list is a listbox the textarea points into with aria-activedescendant (the textarea keeps focus):
// arrows move, Enter or a click chooses, Escape closes. The chosen reply replaces the text, with {{contact_name}} and
// {{agent_name}} filled in.
import { api, query } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import './saved-replies-strings.js';

const trigger = /^\/([a-z0-9_-]*)$/i;

/** The reply's text with its variables filled in; an unknown name stays as written. */
export function fillVariables(text, values) {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name) => (name in values ? values[name] ?? '' : whole));
}

export class SavedReplyMenu {
  /**
   * @param textarea the composer's text box
   * @param context () => { tenantId, contactName, agentName } of the open conversation, read when a reply is chosen
   * @param isReply () => whether the composer writes a reply (notes get no list)
   */
  constructor(textarea, { context, isReply }) {
    this.textarea = textarea;
    this.context = context;
    this.isReply = isReply;
    this.replies = null;
    this.matches = [];
    this.active = -1;
    this.listId = uid('saved-replies');
    this.element = h('ul', { id: this.listId, role: 'listbox', class: 'saved-reply-menu', 'aria-label': t('saved.list'), hidden: true });
    this.textarea.setAttribute('aria-autocomplete', 'list');
    this.textarea.setAttribute('aria-controls', this.listId);
    this.textarea.addEventListener('input', () => this.update());
    this.textarea.addEventListener('keydown', (event) => this.onKey(event));
    this.textarea.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  async load() {
    if (this.replies) return this.replies;
    const { tenantId } = this.context();
    try {
      const answer = await api.get(`/api/inbox/saved-replies${query({ tenant_id: tenantId })}`);
      this.replies = answer.items;
    } catch {
      this.replies = [];
    }
    return this.replies;
  }

  async update() {
    const match = this.isReply() ? trigger.exec(this.textarea.value) : null;
    if (!match) { this.close(); return; }
    const prefix = match[1].toLowerCase();
    const replies = await this.load();
    // The text may have changed while the list loaded.
    if (!trigger.test(this.textarea.value)) { this.close(); return; }
    this.matches = replies.filter((r) => r.shortcut.startsWith(prefix));
    this.active = this.matches.length ? 0 : -1;
    this.draw();
    if (this.matches.length) announce(t('saved.count', { count: this.matches.length }));
    else if (replies.length) announce(t('saved.none', { prefix }));
  }

  draw() {
    const open = this.matches.length > 0;
    this.element.hidden = !open;
    this.element.replaceChildren(...this.matches.map((reply, index) => h('li', {
      id: `${this.listId}-${reply.id}`, role: 'option', class: 'saved-reply-option', 'aria-selected': index === this.active ? 'true' : 'false',
      onmousedown: (event) => { event.preventDefault(); this.choose(index); },
    }, h('span', { class: 'saved-reply-shortcut' }, `/${reply.shortcut}`), ' ', h('span', { class: 'saved-reply-text' }, reply.text))));
    if (open && this.active >= 0) {
      const option = this.element.children[this.active];
      this.textarea.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView?.({ block: 'nearest' });
    } else {
      this.textarea.removeAttribute('aria-activedescendant');
    }
  }

  isOpen() { return !this.element.hidden; }

  onKey(event) {
    if (!this.isOpen() || event.isComposing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.matches.length) % this.matches.length;
      this.draw();
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      if (this.active < 0) return;
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.close();
    }
  }

  choose(index) {
    const reply = this.matches[index];
    if (!reply) return;
    const { contactName, agentName } = this.context();
    this.textarea.value = fillVariables(reply.text, { contact_name: contactName, agent_name: agentName });
    this.close();
    this.textarea.focus();
    this.textarea.setSelectionRange(this.textarea.value.length, this.textarea.value.length);
    announce(t('saved.chosen', { shortcut: reply.shortcut }));
  }

  close() {
    this.matches = [];
    this.active = -1;
    this.element.hidden = true;
    this.element.replaceChildren();
    this.textarea.removeAttribute('aria-activedescendant');
  }
}
