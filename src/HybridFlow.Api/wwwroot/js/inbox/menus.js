// The conversation header's controls: the assignment menu (a menu button: arrow keys, Escape, a click outside closes
// it), pause for a while or resume, and the tags.
import { inbox } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { t } from '../i18n.js';

const pauseChoices = [15, 30, 60, 120, 240, 480, 1440];
// The quiet period is the tenant's, decided by the server (agents cannot read tenant settings); until resumed is
// the pause without a body.
const pauseBody = (choice) => choice === 'quiet_period' ? { for: 'quiet_period' }
  : choice === 'until_resumed' ? {} : { minutes: Number(choice) };

export class ConversationMenus {
  /** @param view the InboxView (user, selected conversation); @param thread the open conversation these controls change. */
  constructor(view, thread) {
    this.view = view;
    this.thread = thread;
    this.assignees = null;
  }

  onDocumentClick(event) {
    if (this.openMenu && !this.openMenu.contains(event.target)) this.closeMenu(false);
  }

  assignControl(c) {
    const menuId = uid('assign-menu');
    const button = h('button', {
      type: 'button', class: 'secondary', id: 'assign-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId,
      onclick: (event) => { event.stopPropagation(); if (this.openMenu) this.closeMenu(true); else this.showAssignMenu(button, menu, c); },
    }, `${t('conv.assignee')}: ${c.assignee ? c.assignee.display_name : t('conv.assignee_none')}`, h('span', { 'aria-hidden': 'true' }, ' ▾'));
    const menu = h('ul', { class: 'menu', role: 'menu', id: menuId, hidden: true,
      onkeydown: (event) => this.onMenuKey(event) });
    return h('div', { class: 'menu-wrap' }, button, menu);
  }

  async showAssignMenu(button, menu, c) {
    const user = this.view.user;
    const item = (label, assigneeId) => h('li', { role: 'none' }, h('button', {
      type: 'button', role: 'menuitem', tabindex: '-1',
      onclick: () => { this.closeMenu(true); this.thread.update({ assignee_user_id: assigneeId }); },
    }, label));
    const entries = [];
    if (c.assignee?.id !== user.id && user.tenant_id) entries.push(item(t('conv.assign_me'), user.id));
    if (c.assignee) entries.push(item(t('conv.unassign'), null));
    if (user.role !== 'agent') {
      try {
        if (!this.assignees || this.assigneesTenant !== c.tenant_id) {
          this.assignees = (await inbox.assignees(user.tenant_id ? undefined : c.tenant_id)).items;
          this.assigneesTenant = c.tenant_id;
        }
        for (const person of this.assignees) {
          if (person.id !== c.assignee?.id && person.id !== user.id) entries.push(item(person.display_name, person.id));
        }
      } catch { /* the list is optional: self-assignment still works */ }
    }
    menu.replaceChildren(...entries);
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    this.openMenu = menu.parentElement;
    this.openMenuButton = button;
    menu.querySelector('button')?.focus();
  }

  closeMenu(returnFocus) {
    if (!this.openMenu) return;
    this.openMenu.querySelector('[role=menu]').hidden = true;
    this.openMenuButton?.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.openMenuButton?.focus();
    this.openMenu = null;
  }

  onMenuKey(event) {
    const items = [...event.currentTarget.querySelectorAll('[role=menuitem]')];
    const index = items.indexOf(document.activeElement);
    if (event.key === 'Escape') { event.preventDefault(); this.closeMenu(true); }
    else if (event.key === 'ArrowDown') { event.preventDefault(); items[(index + 1) % items.length]?.focus(); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); items[(index - 1 + items.length) % items.length]?.focus(); }
    else if (event.key === 'Tab') this.closeMenu(false);
  }

  pauseControl(c) {
    if (c.is_paused) {
      return h('button', {
        type: 'button', class: 'primary', id: 'resume-button',
        onclick: async () => {
          try {
            this.thread.show(await inbox.resume(this.view.selectedId));
            announce(t('announce.resumed'));
            document.getElementById('pause-button')?.focus();
          } catch (error) { this.thread.showError(error); }
        },
      }, t('conv.resume'));
    }
    const selectId = uid('pause-minutes');
    const select = h('select', { id: selectId, 'data-keep': 'pause-length' },
      h('option', { value: 'quiet_period' }, t('conv.pause_default')),
      h('option', { value: 'until_resumed' }, t('conv.pause_until_resumed')),
      pauseChoices.map((m) => h('option', { value: String(m) }, m < 60 ? t('conv.minutes', { n: m }) : t('conv.hours', { n: m / 60 }))));
    return h('div', { class: 'pause-group' },
      h('label', { for: selectId }, t('conv.pause_for')),
      select,
      h('button', {
        type: 'button', class: 'secondary', id: 'pause-button',
        onclick: async () => {
          try {
            this.thread.show(await inbox.pause(this.view.selectedId, pauseBody(select.value)));
            announce(t('announce.paused'));
            document.getElementById('resume-button')?.focus();
          } catch (error) { this.thread.showError(error); }
        },
      }, t('conv.pause')));
  }

  tagsControl(c) {
    const inputId = uid('tag-input');
    const input = h('input', { id: inputId, type: 'text', maxlength: '32', autocomplete: 'off', class: 'tag-input', 'data-keep': 'new-tag' });
    const tags = c.tags ?? [];
    const add = () => {
      const tag = input.value.trim().toLowerCase();
      if (!tag) return;
      input.value = '';
      this.thread.update({ tags: [...new Set([...tags, tag])] }).then(() => document.getElementById(inputId)?.focus());
    };
    return h('div', { class: 'tags' },
      h('span', { class: 'tags-label', id: `${inputId}-label` }, t('conv.tags')),
      h('ul', { class: 'tag-list', 'aria-labelledby': `${inputId}-label` },
        tags.map((tag) => h('li', { class: 'tag' }, tag, h('button', {
          type: 'button', class: 'tag-remove', 'aria-label': t('conv.tag_remove', { tag }),
          onclick: () => this.thread.update({ tags: tags.filter((x) => x !== tag) }),
        }, '×')))),
      h('form', { class: 'tag-form', onsubmit: (e) => { e.preventDefault(); add(); } },
        h('label', { for: inputId, class: 'visually-hidden' }, t('conv.tag_add')),
        input,
        h('button', { type: 'submit', class: 'secondary small' }, t('conv.tag_add'))));
  }
}
