// The contact panel beside a conversation (issue 23): who the customer is to the business. The name a person gives
// them (shown in the inbox instead of WhatsApp's; emptied, WhatsApp's comes back), number, channel, tags, first seen,
// the tenant's chats with them, and notes: GET and PATCH /api/inbox/conversations/{id}/contact.
import { api } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { addStrings, formatTime, t } from '../i18n.js';
import { errorText } from './shared.js';

addStrings({
  en: {
    'contact.button': 'Contact',
    'contact.title': 'Contact',
    'contact.close': 'Close the contact panel',
    'contact.name': 'Name',
    'contact.name_hint': 'WhatsApp calls them “{name}”. Leave empty to use that name.',
    'contact.name_hint_none': 'Leave empty to use the name WhatsApp gives.',
    'contact.number': 'Number',
    'contact.channel': 'Channel',
    'contact.channel.evolution': 'WhatsApp (Evolution)',
    'contact.channel.meta_cloud': 'WhatsApp Cloud API',
    'contact.tags': 'Tags',
    'contact.no_tags': 'none',
    'contact.first_seen': 'First seen',
    'contact.conversations': 'Conversations',
    'contact.notes': 'Notes',
    'contact.save': 'Save contact',
    'contact.saved': 'Contact saved.',
    'contact.updated_by': 'Last changed {time} by {name}.',
    'contact.loading': 'Loading the contact…',
  },
  pt: {
    'contact.button': 'Contato',
    'contact.title': 'Contato',
    'contact.close': 'Fechar o painel do contato',
    'contact.name': 'Nome',
    'contact.name_hint': 'No WhatsApp o nome é “{name}”. Deixe vazio para usar esse nome.',
    'contact.name_hint_none': 'Deixe vazio para usar o nome do WhatsApp.',
    'contact.number': 'Número',
    'contact.channel': 'Canal',
    'contact.channel.evolution': 'WhatsApp (Evolution)',
    'contact.channel.meta_cloud': 'WhatsApp Cloud API',
    'contact.tags': 'Etiquetas',
    'contact.no_tags': 'nenhuma',
    'contact.first_seen': 'Primeiro contato',
    'contact.conversations': 'Conversas',
    'contact.notes': 'Notas',
    'contact.save': 'Salvar contato',
    'contact.saved': 'Contato salvo.',
    'contact.updated_by': 'Alterado {time} por {name}.',
    'contact.loading': 'Carregando o contato…',
  },
  es: {
    'contact.button': 'Contacto',
    'contact.title': 'Contacto',
    'contact.close': 'Cerrar el panel del contacto',
    'contact.name': 'Nombre',
    'contact.name_hint': 'En WhatsApp se llama “{name}”. Déjalo vacío para usar ese nombre.',
    'contact.name_hint_none': 'Déjalo vacío para usar el nombre de WhatsApp.',
    'contact.number': 'Número',
    'contact.channel': 'Canal',
    'contact.channel.evolution': 'WhatsApp (Evolution)',
    'contact.channel.meta_cloud': 'WhatsApp Cloud API',
    'contact.tags': 'Etiquetas',
    'contact.no_tags': 'ninguna',
    'contact.first_seen': 'Primer contacto',
    'contact.conversations': 'Conversaciones',
    'contact.notes': 'Notas',
    'contact.save': 'Guardar contacto',
    'contact.saved': 'Contacto guardado.',
    'contact.updated_by': 'Cambiado {time} por {name}.',
    'contact.loading': 'Cargando el contacto…',
  },
});

const path = (id) => `/api/inbox/conversations/${encodeURIComponent(id)}/contact`;

export class ContactPanel {
  /** @param thread the open conversation (its view, conversation and pane). */
  constructor(thread) {
    this.thread = thread;
    this.open = false;
    this.element = null;
  }

  /** The header's button that shows or hides the panel. */
  toggleButton() {
    return h('button', {
      type: 'button', class: 'secondary', id: 'contact-toggle', 'aria-expanded': String(this.open), 'aria-controls': 'contact-panel',
      onclick: () => this.toggle(),
    }, t('contact.button'));
  }

  /** The panel's place in the pane (empty and hidden while closed); loads the contact when open. */
  render() {
    this.element = h('aside', { class: 'contact-panel', id: 'contact-panel', hidden: !this.open, 'aria-label': t('contact.title') });
    this.thread.view.conversationPane.classList.toggle('with-contact', this.open);
    if (this.open) this.load();
    return this.element;
  }

  toggle() {
    this.open = !this.open;
    document.getElementById('contact-toggle')?.setAttribute('aria-expanded', String(this.open));
    this.thread.view.conversationPane.classList.toggle('with-contact', this.open);
    if (!this.element) return;
    this.element.hidden = !this.open;
    if (this.open) this.load(true);
  }

  async load(focus = false) {
    const id = this.thread.view.selectedId;
    this.element.replaceChildren(h('p', { role: 'status' }, t('contact.loading')));
    let contact;
    try {
      contact = await api.get(path(id));
    } catch (error) {
      if (id === this.thread.view.selectedId) this.element.replaceChildren(h('p', { role: 'alert' }, errorText(error)));
      return;
    }
    if (id !== this.thread.view.selectedId || !this.element) return;
    this.draw(id, contact);
    if (focus) this.element.querySelector('h2')?.focus();
  }

  draw(id, contact) {
    const nameInput = h('input', { id: uid('contact-name'), type: 'text', maxlength: '100', autocomplete: 'off',
      value: contact.name_set_by_person ? contact.name : '', placeholder: contact.whatsapp_name ?? '' });
    const nameHintId = uid('contact-name-hint');
    nameInput.setAttribute('aria-describedby', nameHintId);
    const notes = h('textarea', { id: uid('contact-notes'), rows: '5', maxlength: '4000' });
    notes.value = contact.notes ?? '';
    const status = h('p', { role: 'status', class: 'form-status' });
    const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
    const fact = (label, value, testId) => [h('dt', {}, label), h('dd', { 'data-testid': testId }, value)];
    const form = h('form', {
      class: 'contact-form',
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        status.textContent = '';
        try {
          const saved = await api.patch(path(id), { name: nameInput.value.trim() || null, notes: notes.value });
          if (id !== this.thread.view.selectedId) return;
          this.draw(id, saved);
          const shown = this.element.querySelector('[role=status]');
          if (shown) shown.textContent = t('contact.saved');
          announce(t('contact.saved'));
          // The list and the header show the new name.
          this.thread.view.list.changed(String(id));
          if (this.thread.conversation) {
            this.thread.conversation = { ...this.thread.conversation, contact_name: saved.name };
            this.thread.renderHeader();
          }
        } catch (failure) {
          error.textContent = errorText(failure);
          error.hidden = false;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: nameInput.id }, t('contact.name')), nameInput,
      h('p', { class: 'hint', id: nameHintId }, contact.whatsapp_name ? t('contact.name_hint', { name: contact.whatsapp_name }) : t('contact.name_hint_none'))),
    h('div', { class: 'field' }, h('label', { for: notes.id }, t('contact.notes')), notes),
    error, status,
    h('button', { type: 'submit', class: 'primary' }, t('contact.save')),
    contact.updated_by && contact.updated_at
      ? h('p', { class: 'hint' }, t('contact.updated_by', { time: formatTime(contact.updated_at), name: contact.updated_by })) : null);

    this.element.replaceChildren(
      h('div', { class: 'contact-panel-head' },
        h('h2', { tabindex: '-1' }, contact.name ?? contact.chat_id),
        h('button', { type: 'button', class: 'link-button', 'aria-label': t('contact.close'), onclick: () => this.toggle() }, '×')),
      h('dl', { class: 'contact-facts' },
        fact(t('contact.number'), contact.phone ? `+${contact.phone}` : contact.chat_id, 'contact-number'),
        fact(t('contact.channel'), t(`contact.channel.${contact.channel}`), 'contact-channel'),
        fact(t('contact.tags'), contact.tags.length ? contact.tags.join(', ') : t('contact.no_tags'), 'contact-tags'),
        fact(t('contact.first_seen'), contact.first_seen_at ? formatTime(contact.first_seen_at) : '—', 'contact-first-seen'),
        fact(t('contact.conversations'), String(contact.conversations), 'contact-conversations')),
      form);
  }
}
