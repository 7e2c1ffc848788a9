// The composer of a Cloud API conversation whose 24-hour window is closed: WhatsApp then takes only an approved
// template, so the person picks one of the instance's templates, fills in its variables and sees the body as the
// customer will read it before sending.
import { inbox } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { errorText, fillTemplate } from './shared.js';

export class TemplatePicker {
  /** @param view the InboxView (the selected conversation); @param thread the open conversation it sends in. */
  constructor(view, thread) {
    this.view = view;
    this.thread = thread;
    this.templates = null;
    this.instanceName = null;
    this.choice = '';
    this.variables = [];
  }

  keyOf(template) { return `${template.name}\u0000${template.language}`; }

  selected() { return this.templates?.find((x) => this.keyOf(x) === this.choice) ?? null; }

  /** @param modeControl the reply-or-note choice, shown on top; @param onSent draws the composer again once sent. */
  render(conversation, modeControl, onSent) {
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const selectId = uid('template');
    const status = h('p', { class: 'template-status', role: 'status', id: `${selectId}-status` }, t('templates.loading'));
    const select = h('select', { id: selectId, name: 'template', 'data-testid': 'template-select', disabled: true });
    const fields = h('div', { class: 'template-variables' });
    const preview = h('p', { class: 'template-preview', id: `${selectId}-preview`, 'data-testid': 'template-preview' });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'template-send-button', disabled: true }, t('templates.send'));

    const showPreview = () => {
      const template = this.selected();
      preview.textContent = template ? fillTemplate(template.body, this.variables) : '';
      submit.disabled = !template || this.variables.slice(0, template.variable_count).some((v) => !v.trim());
    };
    const showFields = () => {
      const template = this.selected();
      const count = template?.variable_count ?? 0;
      this.variables = Array.from({ length: count }, (_, i) => this.variables[i] ?? '');
      fields.replaceChildren(...this.variables.map((value, i) => {
        const id = uid('variable');
        return h('div', { class: 'field' },
          h('label', { for: id }, t('templates.variable', { n: i + 1 })),
          h('input', { id, type: 'text', value, autocomplete: 'off', 'data-testid': 'template-variable',
            'aria-describedby': preview.id,
            oninput: (e) => { this.variables[i] = e.target.value; showPreview(); } }));
      }));
      showPreview();
    };
    const showTemplates = () => {
      const list = this.templates ?? [];
      select.replaceChildren(
        h('option', { value: '' }, t('templates.choose')),
        ...list.map((x) => h('option', { value: this.keyOf(x), selected: this.keyOf(x) === this.choice },
          `${x.name} · ${x.language}`)));
      select.disabled = list.length === 0;
      status.textContent = list.length === 0 ? t('templates.none') : '';
      status.hidden = list.length !== 0;
      showFields();
    };
    select.addEventListener('change', () => { this.choice = select.value; this.variables = []; showFields(); });

    const send = async () => {
      const template = this.selected();
      if (!template) return;
      submit.disabled = true;
      error.hidden = true;
      try {
        const result = await inbox.sendTemplate(this.view.selectedId,
          { name: template.name, language: template.language, variables: this.variables });
        this.choice = '';
        this.variables = [];
        this.thread.show(result.conversation);
        announce(t('announce.sent'));
        onSent();
        this.thread.loadNewest();
      } catch (failure) {
        error.textContent = errorText(failure);
        error.hidden = false;
        submit.disabled = false;
      }
    };

    const form = h('form', { class: 'composer template-picker', 'data-testid': 'template-picker',
      onsubmit: (e) => { e.preventDefault(); send(); } },
    modeControl,
    h('p', { class: 'hint window-closed-hint' }, t('templates.window_closed')),
    h('div', { class: 'field' }, h('label', { for: selectId }, t('templates.label')), select),
    fields,
    h('div', { class: 'field' }, h('span', { class: 'label', id: `${selectId}-preview-label` }, t('templates.preview')), preview),
    h('div', { class: 'composer-row' }, submit),
    status,
    error);
    preview.setAttribute('aria-labelledby', `${selectId}-preview-label`);

    if (this.templates && this.instanceName === conversation.instance_name) showTemplates();
    else this.load(conversation.instance_name, showTemplates, status);
    return form;
  }

  async load(instanceName, onLoaded, status) {
    this.instanceName = instanceName;
    this.templates = null;
    try {
      const result = await inbox.templates(instanceName);
      if (this.view.destroyed || instanceName !== this.instanceName) return;
      this.templates = result.items ?? [];
      onLoaded();
    } catch (failure) {
      if (instanceName !== this.instanceName) return;
      status.textContent = errorText(failure);
    }
  }
}
