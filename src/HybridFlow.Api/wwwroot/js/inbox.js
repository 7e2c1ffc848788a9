// The conversation list (filters, unread badges, live updates) and the open conversation (timeline, composer,
// pause/resume, assignment, tags, notes). Everything rendered from data goes in as text (dom.js).
import { inbox } from './api.js';
import { announce, h, uid } from './dom.js';
import { actionLabel, formatTime, t } from './i18n.js';

const pageSize = 50;
const typingEveryMs = 5000;
const pauseChoices = [15, 30, 60, 120, 240, 480, 1440];
// The quiet period is the tenant's, decided by the server (agents cannot read tenant settings); until resumed is
// the pause without a body.
const pauseBody = (choice) => choice === 'quiet_period' ? { for: 'quiet_period' }
  : choice === 'until_resumed' ? {} : { minutes: Number(choice) };
// Bookkeeping steps of the reply pipeline: on the timeline API, not worth a line in a person's view.
const quietActions = new Set(['ai_queued', 'workflow_queued', 'recorded', 'duplicate_ignored', 'ignored_echo', 'ignored_event',
  'status_updated', 'ai_send_confirmed', 'media_attached']);

function timeOf(iso) {
  const value = Date.parse(iso ?? '');
  return Number.isNaN(value) ? 0 : value;
}

function newestFirst(a, b) { return timeOf(b.last_message_at) - timeOf(a.last_message_at); }

function displayName(conversation) {
  return conversation.contact_name || (conversation.phone ? `+${conversation.phone}` : conversation.chat_id);
}

function matchesFilters(conversation, filters, user) {
  const resolved = conversation.status === 'resolved';
  const byStatus = {
    open: !resolved,
    bot: conversation.status === 'bot',
    paused: !resolved && conversation.is_paused,
    handoff: conversation.status === 'handoff',
    needs_person: !resolved && (conversation.status === 'handoff' || conversation.needs_attention),
    resolved,
    all: true,
  }[filters.status] ?? true;
  if (!byStatus) return false;
  if (filters.assigned_to === 'me' && conversation.assignee?.id !== user.id) return false;
  if (filters.assigned_to === 'unassigned' && conversation.assignee) return false;
  if (filters.tag && !(conversation.tags ?? []).includes(filters.tag.trim().toLowerCase())) return false;
  return true;
}

function previewText(message) {
  if (!message) return t('list.no_message');
  if (message.text) return message.text;
  return t('list.media', { type: message.message_type || '…' });
}

function errorText(error) {
  if (error.status === 0) return t('error.network');
  if (error.status === 502) return t('error.send_failed');
  const details = error.problem?.errors ? Object.values(error.problem.errors).flat().join(' ') : '';
  return details || error.problem?.detail || t('error.generic', { status: error.status });
}

export class InboxView {
  constructor(container, { user, onNeedsCount }) {
    this.container = container;
    this.user = user;
    this.onNeedsCount = onNeedsCount;
    this.page = 'inbox';
    this.filters = { status: 'open', assigned_to: '', tag: '', q: '' };
    this.items = [];
    this.total = 0;
    this.loadedPages = 0;
    this.selectedId = null;
    this.conversation = null;
    this.timeline = new Map();
    this.nextBefore = undefined;
    this.lastTypingAt = 0;
    this.composerMode = 'reply';
    this.assignees = null;
    this.destroyed = false;
    this.listRequest = 0;
    this.needsTimer = null;
    this.onDocumentClick = (event) => {
      if (this.openMenu && !this.openMenu.contains(event.target)) this.closeMenu(false);
    };
    document.addEventListener('click', this.onDocumentClick);
    this.build();
    this.refreshNeedsCount();
  }

  destroy() {
    this.destroyed = true;
    document.removeEventListener('click', this.onDocumentClick);
    clearTimeout(this.needsTimer);
  }

  // ---- layout ------------------------------------------------------------------------------------------------

  build() {
    this.listPane = h('section', { class: 'pane list-pane', 'aria-labelledby': 'list-title' });
    this.conversationPane = h('section', { class: 'pane conversation-pane', 'aria-label': t('conv.timeline') });
    this.layout = h('div', { class: 'layout' }, this.listPane, this.conversationPane);
    this.container.replaceChildren(this.layout);
    this.renderListPane();
    this.renderConversationPane();
  }

  relabel() {
    const focusedId = document.activeElement?.id;
    this.build();
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  async show(page, id) {
    const pageChanged = page !== this.page || this.loadedPages === 0;
    this.page = page;
    if (pageChanged) {
      this.renderListPane();
      this.loadList();
    }
    const selected = id ? String(id) : null;
    this.layout.classList.toggle('showing-conversation', Boolean(selected));
    if (selected !== this.selectedId) {
      this.selectedId = selected;
      this.conversation = null;
      this.timeline = new Map();
      this.nextBefore = undefined;
      this.markActive();
      this.renderConversationPane();
      if (selected) await this.openConversation(selected, true);
    }
  }

  refresh() {
    this.loadList();
    this.refreshNeedsCount();
    if (this.selectedId) this.openConversation(this.selectedId, false);
  }

  effectiveFilters() {
    return this.page === 'needs' ? { ...this.filters, status: 'needs_person' } : this.filters;
  }

  // ---- list --------------------------------------------------------------------------------------------------

  renderListPane() {
    const statusId = uid('status');
    const assignedId = uid('assigned');
    const tagId = uid('tag');
    const searchId = uid('search');
    const onFilter = () => this.loadList();
    let searchTimer = null;
    const statusOptions = ['open', 'bot', 'paused', 'handoff', 'needs_person', 'resolved', 'all'];
    const title = this.page === 'needs' ? t('nav.needs') : t('list.title');

    this.listElement = h('ul', { class: 'conversation-list', id: 'conversation-list', 'aria-labelledby': 'list-title',
      onkeydown: (event) => this.onListKey(event) });
    this.listStatus = h('p', { class: 'list-status', role: 'status' }, t('list.loading'));
    this.moreButton = h('button', { type: 'button', class: 'secondary more', hidden: true, onclick: () => this.loadList(true) }, t('list.more'));

    this.listPane.replaceChildren(
      h('h1', { id: 'list-title', class: 'pane-title' }, title,
        this.page === 'needs' ? h('span', { class: 'count-badge', id: 'needs-title-count' }, '') : null),
      h('form', { class: 'filters', role: 'search', 'aria-label': t('filters.title'), onsubmit: (e) => { e.preventDefault(); onFilter(); } },
        this.page === 'needs' ? null : h('div', { class: 'field' },
          h('label', { for: statusId }, t('filters.status')),
          h('select', { id: statusId, name: 'status', onchange: (e) => { this.filters.status = e.target.value; onFilter(); } },
            statusOptions.map((s) => h('option', { value: s, selected: this.filters.status === s }, t(`status.${s}`))))),
        h('div', { class: 'field' },
          h('label', { for: assignedId }, t('filters.assigned')),
          h('select', { id: assignedId, name: 'assigned_to', onchange: (e) => { this.filters.assigned_to = e.target.value; onFilter(); } },
            [['', 'assigned.all'], ['me', 'assigned.me'], ['unassigned', 'assigned.unassigned']]
              .map(([value, key]) => h('option', { value, selected: this.filters.assigned_to === value }, t(key))))),
        h('div', { class: 'field' },
          h('label', { for: tagId }, t('filters.tag')),
          h('input', { id: tagId, name: 'tag', type: 'text', value: this.filters.tag, autocomplete: 'off',
            onchange: (e) => { this.filters.tag = e.target.value.trim(); onFilter(); } })),
        h('div', { class: 'field field-wide' },
          h('label', { for: searchId }, t('filters.search')),
          h('input', { id: searchId, name: 'q', type: 'search', value: this.filters.q, placeholder: t('filters.search_placeholder'),
            autocomplete: 'off',
            oninput: (e) => {
              clearTimeout(searchTimer);
              searchTimer = setTimeout(() => { this.filters.q = e.target.value.trim(); onFilter(); }, 300);
            } }))),
      this.listStatus,
      this.listElement,
      this.moreButton);
    this.renderList();
  }

  async loadList(more = false) {
    const requestNumber = ++this.listRequest;
    const page = more ? this.loadedPages + 1 : 1;
    if (!more) this.listStatus.textContent = t('list.loading');
    try {
      const result = await inbox.conversations({ ...this.effectiveFilters(), page, page_size: pageSize });
      if (this.destroyed || requestNumber !== this.listRequest) return;
      this.items = more ? [...this.items, ...result.items.filter((i) => !this.items.some((x) => x.session_id === i.session_id))] : result.items;
      this.total = result.total;
      this.loadedPages = page;
      this.renderList();
    } catch (error) {
      if (this.destroyed || requestNumber !== this.listRequest) return;
      this.listStatus.textContent = errorText(error);
    }
  }

  renderList() {
    if (!this.listElement) return;
    this.listElement.replaceChildren(...this.items.map((c) => this.listItem(c)));
    this.listStatus.textContent = this.loadedPages === 0 ? t('list.loading') : this.items.length === 0 ? t('list.empty') : '';
    this.listStatus.hidden = this.listStatus.textContent === '';
    this.moreButton.hidden = this.items.length >= this.total;
    const titleCount = document.getElementById('needs-title-count');
    if (titleCount && this.page === 'needs') titleCount.textContent = this.loadedPages ? String(this.total) : '';
  }

  listItem(conversation) {
    const id = String(conversation.session_id);
    const selected = id === this.selectedId;
    const unread = conversation.unread_count > 0;
    const statusKey = conversation.status === 'handoff' ? 'status.handoff' : conversation.status === 'paused' ? 'status.paused'
      : conversation.status === 'resolved' ? 'status.resolved' : 'status.bot';
    return h('li', { class: 'conversation-item', dataset: { sessionId: id } },
      h('a', {
        href: `#/${this.page}/${id}`, class: `conversation-link${unread ? ' unread' : ''}`,
        'aria-current': selected ? 'true' : null, 'data-testid': 'conversation-link',
      },
      h('span', { class: 'row' },
        h('span', { class: 'contact' }, displayName(conversation)),
        h('time', { class: 'when', datetime: conversation.last_message_at ?? '' }, formatTime(conversation.last_message_at))),
      h('span', { class: 'row' },
        h('span', { class: 'preview' }, conversation.last_message?.direction === 'inbound' ? '' : '↪ ', previewText(conversation.last_message)),
        unread ? h('span', { class: 'unread-badge', 'aria-label': t('list.unread', { count: conversation.unread_count }) },
          String(conversation.unread_count)) : null),
      h('span', { class: 'row meta' },
        h('span', { class: `status-chip status-${conversation.status}` }, t(statusKey)),
        conversation.needs_attention ? h('span', { class: 'status-chip attention' }, t('list.needs_attention')) : null,
        h('span', { class: 'assignee' }, conversation.assignee ? conversation.assignee.display_name : t('list.unassigned')),
        (conversation.tags ?? []).map((tag) => h('span', { class: 'tag' }, tag)))));
  }

  markActive() {
    for (const link of this.listElement?.querySelectorAll('a.conversation-link') ?? []) {
      const active = link.closest('li').dataset.sessionId === this.selectedId;
      if (active) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  }

  onListKey(event) {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    const links = [...this.listElement.querySelectorAll('a.conversation-link')];
    if (links.length === 0) return;
    const index = links.indexOf(document.activeElement);
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? links.length - 1
      : event.key === 'ArrowDown' ? Math.min(links.length - 1, index + 1) : Math.max(0, index - 1);
    event.preventDefault();
    links[next].focus();
  }

  upsert(conversation) {
    const id = String(conversation.session_id);
    const index = this.items.findIndex((c) => String(c.session_id) === id);
    const belongs = matchesFilters(conversation, this.effectiveFilters(), this.user);
    if (index >= 0) this.items.splice(index, 1);
    if (belongs) {
      this.items.push(conversation);
      this.items.sort(newestFirst);
    }
    if (index < 0 && belongs) this.total += 1;
    if (index >= 0 && !belongs) this.total = Math.max(0, this.total - 1);
    this.renderList();
  }

  remove(id) {
    const index = this.items.findIndex((c) => String(c.session_id) === String(id));
    if (index >= 0) { this.items.splice(index, 1); this.total = Math.max(0, this.total - 1); this.renderList(); }
  }

  refreshNeedsCount() {
    clearTimeout(this.needsTimer);
    this.needsTimer = setTimeout(async () => {
      try {
        const result = await inbox.conversations({ status: 'needs_person', page: 1, page_size: 1 });
        if (!this.destroyed) this.onNeedsCount(result.total);
      } catch { /* the count is a hint; the next event tries again */ }
    }, 200);
  }

  // ---- live events -------------------------------------------------------------------------------------------

  async onEvent(event) {
    if (this.destroyed || !event.session_id) return;
    const id = String(event.session_id);
    this.refreshNeedsCount();
    let conversation;
    try {
      conversation = await inbox.conversation(id);
    } catch (error) {
      if (error.status === 404) {
        this.remove(id);
        if (id === this.selectedId) this.renderConversationPane(t('conv.not_found'));
      }
      return;
    }
    if (this.destroyed) return;
    const isOpen = id === this.selectedId;
    if (isOpen && conversation.unread_count > 0 && document.visibilityState === 'visible') {
      conversation = { ...conversation, unread_count: 0 };
      inbox.read(id).catch(() => {});
    }
    // With a search, only the server knows what matches.
    if (this.filters.q) this.loadList();
    else this.upsert(conversation);
    // The event's own direction: by now a later message (the bot's answer) may be the conversation's last.
    if (event.type === 'message.created' && (event.direction ?? conversation.last_message?.direction) === 'inbound') {
      announce(t('announce.new_message', { name: displayName(conversation) }));
    }
    if (isOpen) {
      this.conversation = conversation;
      this.renderConversationHeader();
      await this.loadNewest();
    }
  }

  // ---- conversation ------------------------------------------------------------------------------------------

  async openConversation(id, focus) {
    try {
      const [conversation, page] = await Promise.all([inbox.conversation(id), inbox.messages(id)]);
      if (this.destroyed || id !== this.selectedId) return;
      this.conversation = conversation;
      this.timeline = new Map();
      this.mergeTimeline(page.items);
      this.nextBefore = page.next_before;
      this.renderConversationPane();
      this.scrollToBottom();
      if (focus) this.conversationTitle?.focus();
      if (conversation.unread_count > 0) {
        inbox.read(id).then(() => this.upsert({ ...conversation, unread_count: 0 })).catch(() => {});
      }
    } catch (error) {
      if (this.destroyed || id !== this.selectedId) return;
      this.renderConversationPane(error.status === 404 ? t('conv.not_found') : errorText(error));
    }
  }

  async loadNewest() {
    const id = this.selectedId;
    try {
      const page = await inbox.messages(id);
      if (this.destroyed || id !== this.selectedId) return;
      const nearBottom = this.isNearBottom();
      const added = this.mergeTimeline(page.items);
      if (this.nextBefore === undefined) this.nextBefore = page.next_before;
      this.renderTimeline();
      if (nearBottom || added) this.scrollToBottom();
    } catch { /* the next event or a reload shows it */ }
  }

  async loadOlder() {
    const id = this.selectedId;
    if (!this.nextBefore || this.loadingOlder) return;
    this.loadingOlder = true;
    document.getElementById('older-button')?.setAttribute('disabled', '');
    try {
      const page = await inbox.messages(id, this.nextBefore);
      if (this.destroyed || id !== this.selectedId) return;
      const before = this.timelineElement.scrollHeight;
      this.mergeTimeline(page.items);
      this.nextBefore = page.next_before;
      this.renderTimeline();
      this.timelineElement.scrollTop += this.timelineElement.scrollHeight - before;
      document.getElementById('older-button')?.focus();
    } catch {
      document.getElementById('older-button')?.removeAttribute('disabled');
    } finally {
      this.loadingOlder = false;
    }
  }

  mergeTimeline(items) {
    let added = 0;
    for (const item of items ?? []) {
      const key = `${item.kind}:${item.id}`;
      if (!this.timeline.has(key)) added += 1;
      this.timeline.set(key, item);
    }
    return added;
  }

  orderedTimeline() {
    const kindOrder = { message: 0, event: 1, note: 2 };
    return [...this.timeline.values()]
      .filter((item) => item.kind !== 'event' || !quietActions.has(item.action))
      .sort((a, b) => timeOf(a.at) - timeOf(b.at)
        || (a.kind === b.kind ? Number(a.id) - Number(b.id) : kindOrder[a.kind] - kindOrder[b.kind]));
  }

  isNearBottom() {
    const element = this.timelineElement;
    return !element || element.scrollHeight - element.scrollTop - element.clientHeight < 80;
  }

  scrollToBottom() {
    if (this.timelineElement) this.timelineElement.scrollTop = this.timelineElement.scrollHeight;
  }

  renderConversationPane(message) {
    this.conversationTitle = null;
    this.timelineElement = null;
    if (!this.selectedId || !this.conversation) {
      const text = message ?? (this.selectedId ? t('list.loading') : t('conv.pick'));
      this.conversationPane.replaceChildren(
        this.selectedId ? this.backButton() : null,
        h('p', { class: 'empty-state', role: message ? 'alert' : null }, text));
      return;
    }
    this.headerElement = h('div', { class: 'conversation-header' });
    this.timelineElement = h('ol', { class: 'timeline', id: 'timeline', 'aria-label': t('conv.timeline'), tabindex: '0' });
    this.conversationPane.replaceChildren(this.headerElement, this.timelineElement, this.composer());
    this.renderConversationHeader();
    this.renderTimeline();
  }

  backButton() {
    return h('a', { class: 'back-button', href: `#/${this.page}` }, h('span', { 'aria-hidden': 'true' }, '← '), t('conv.back'));
  }

  renderConversationHeader() {
    if (!this.headerElement || !this.conversation) return;
    const c = this.conversation;
    const titleId = 'conversation-title';
    const hadFocus = this.headerElement.contains(document.activeElement) ? document.activeElement.id : null;
    // A live event re-renders the header: a tag being typed keeps its text and focus.
    const typingTag = this.headerElement.querySelector('.tag-input');
    const pendingTag = typingTag?.value ?? '';
    const tagHadFocus = typingTag !== null && typingTag === document.activeElement;
    this.conversationTitle = h('h2', { id: titleId, tabindex: '-1' }, displayName(c));
    this.conversationPane.setAttribute('aria-labelledby', titleId);
    const statusText = c.status === 'resolved' ? t('conv.status.resolved')
      : c.status === 'handoff' ? t('conv.status.handoff')
      : c.is_paused ? (c.paused_until ? t('conv.status.paused_until', { time: formatTime(c.paused_until) }) : t('conv.status.paused'))
      : t('conv.status.bot');
    this.headerElement.replaceChildren(
      this.backButton(),
      h('div', { class: 'conversation-title' },
        this.conversationTitle,
        h('span', { class: 'phone' }, c.phone ? `+${c.phone}` : c.chat_id),
        h('span', { class: `status-chip status-${c.status}`, id: 'conversation-status', 'data-paused': c.is_paused ? 'true' : 'false' }, statusText),
        c.needs_attention ? h('span', { class: 'status-chip attention' }, t('conv.needs_attention')) : null),
      h('div', { class: 'toolbar', role: 'group', 'aria-label': t('conv.actions') },
        this.assignControl(c),
        this.pauseControl(c),
        h('button', {
          type: 'button', class: 'secondary', id: 'resolve-button',
          onclick: () => this.update({ status: c.status === 'resolved' ? 'open' : 'resolved' }),
        }, c.status === 'resolved' ? t('conv.reopen') : t('conv.resolve'))),
      this.tagsControl(c),
      h('p', { class: 'form-error', role: 'alert', id: 'conversation-error', hidden: true }));
    if (hadFocus) document.getElementById(hadFocus)?.focus();
    const tagInput = this.headerElement.querySelector('.tag-input');
    if (tagInput && pendingTag) tagInput.value = pendingTag;
    if (tagInput && tagHadFocus) tagInput.focus();
  }

  showError(error) {
    const element = document.getElementById('conversation-error');
    if (!element) return;
    element.textContent = error ? errorText(error) : '';
    element.hidden = !error;
  }

  async update(changes) {
    try {
      this.conversation = await inbox.update(this.selectedId, changes);
      this.upsert(this.conversation);
      this.renderConversationHeader();
      this.showError(null);
    } catch (error) {
      this.showError(error);
    }
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
    const item = (label, assigneeId) => h('li', { role: 'none' }, h('button', {
      type: 'button', role: 'menuitem', tabindex: '-1',
      onclick: () => { this.closeMenu(true); this.update({ assignee_user_id: assigneeId }); },
    }, label));
    const entries = [];
    if (c.assignee?.id !== this.user.id && this.user.tenant_id) entries.push(item(t('conv.assign_me'), this.user.id));
    if (c.assignee) entries.push(item(t('conv.unassign'), null));
    if (this.user.role !== 'agent') {
      try {
        if (!this.assignees || this.assigneesTenant !== c.tenant_id) {
          this.assignees = (await inbox.assignees(this.user.tenant_id ? undefined : c.tenant_id)).items;
          this.assigneesTenant = c.tenant_id;
        }
        for (const person of this.assignees) {
          if (person.id !== c.assignee?.id && person.id !== this.user.id) entries.push(item(person.display_name, person.id));
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
            this.conversation = await inbox.resume(this.selectedId);
            this.upsert(this.conversation);
            this.renderConversationHeader();
            announce(t('announce.resumed'));
            document.getElementById('pause-button')?.focus();
          } catch (error) { this.showError(error); }
        },
      }, t('conv.resume'));
    }
    const selectId = uid('pause-minutes');
    const select = h('select', { id: selectId },
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
            this.conversation = await inbox.pause(this.selectedId, pauseBody(select.value));
            this.upsert(this.conversation);
            this.renderConversationHeader();
            announce(t('announce.paused'));
            document.getElementById('resume-button')?.focus();
          } catch (error) { this.showError(error); }
        },
      }, t('conv.pause')));
  }

  tagsControl(c) {
    const inputId = uid('tag-input');
    const input = h('input', { id: inputId, type: 'text', maxlength: '32', autocomplete: 'off', class: 'tag-input' });
    const tags = c.tags ?? [];
    const add = () => {
      const tag = input.value.trim().toLowerCase();
      if (!tag) return;
      input.value = '';
      this.update({ tags: [...new Set([...tags, tag])] }).then(() => document.getElementById(inputId)?.focus());
    };
    return h('div', { class: 'tags' },
      h('span', { class: 'tags-label', id: `${inputId}-label` }, t('conv.tags')),
      h('ul', { class: 'tag-list', 'aria-labelledby': `${inputId}-label` },
        tags.map((tag) => h('li', { class: 'tag' }, tag, h('button', {
          type: 'button', class: 'tag-remove', 'aria-label': t('conv.tag_remove', { tag }),
          onclick: () => this.update({ tags: tags.filter((x) => x !== tag) }),
        }, '×')))),
      h('form', { class: 'tag-form', onsubmit: (e) => { e.preventDefault(); add(); } },
        h('label', { for: inputId, class: 'visually-hidden' }, t('conv.tag_add')),
        input,
        h('button', { type: 'submit', class: 'secondary small' }, t('conv.tag_add'))));
  }

  renderTimeline() {
    if (!this.timelineElement) return;
    const items = this.orderedTimeline();
    const head = this.nextBefore
      ? h('li', { class: 'timeline-more' }, h('button', { type: 'button', class: 'secondary small', id: 'older-button', onclick: () => this.loadOlder() }, t('conv.older')))
      : h('li', { class: 'timeline-start' }, t('conv.start'));
    this.timelineElement.replaceChildren(head, ...items.map((item) => this.timelineItem(item)));
  }

  timelineItem(item) {
    const time = h('time', { datetime: item.at ?? '' }, formatTime(item.at));
    if (item.kind === 'event') {
      return h('li', { class: 'event', 'data-kind': 'event', 'data-action': item.action },
        h('span', {}, actionLabel(item.action), item.detail ? ` · ${item.detail}` : '', ' · ', time));
    }
    if (item.kind === 'note') {
      return h('li', { class: 'bubble note', 'data-kind': 'note' },
        h('span', { class: 'sender' }, `${t('conv.note')} · ${item.author?.display_name ?? ''}`),
        h('p', { class: 'text' }, item.text ?? ''),
        h('span', { class: 'meta' }, time));
    }
    const direction = item.direction ?? 'inbound';
    const sender = direction === 'inbound' ? t('conv.customer') : direction === 'bot' ? t('conv.bot')
      : item.sent_by?.display_name ?? t('conv.person');
    const text = item.deleted ? t('conv.deleted') : (item.text || item.media_text || `[${item.message_type ?? '…'}]`);
    return h('li', { class: `bubble ${direction}${item.deleted ? ' deleted' : ''}`, 'data-kind': 'message', 'data-direction': direction },
      h('span', { class: 'sender' }, sender),
      h('p', { class: 'text' }, text),
      item.text && item.media_text && !item.deleted ? h('p', { class: 'media-text' }, item.media_text) : null,
      h('span', { class: 'meta' }, time, direction === 'inbound' ? null : this.receipt(item)));
  }

  receipt(item) {
    const state = item.read_at || item.status === 'read' || item.status === 'played' ? 'read'
      : item.delivered_at || item.status === 'delivered' || item.status === 'delivery_ack' ? 'delivered' : 'sent';
    const label = t(`conv.receipt.${state}`);
    return h('span', { class: `receipt ${state}`, title: label, 'data-receipt': state },
      h('span', { 'aria-hidden': 'true' }, state === 'sent' ? ' ✓' : ' ✓✓'),
      h('span', { class: 'visually-hidden' }, ` ${label}`));
  }

  composer() {
    const textId = uid('composer');
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const textarea = h('textarea', { id: textId, rows: '2', name: 'text', 'data-testid': 'composer' });
    const label = h('label', { for: textId }, t('composer.label'));
    const submit = h('button', { type: 'submit', class: 'primary', id: 'send-button' }, t('composer.send'));
    const hint = h('p', { class: 'hint', id: `${textId}-hint` }, t('composer.takeover_hint'));
    textarea.setAttribute('aria-describedby', hint.id);
    const applyMode = () => {
      const note = this.composerMode === 'note';
      label.textContent = note ? t('composer.note_label') : t('composer.label');
      textarea.placeholder = note ? t('composer.note_placeholder') : t('composer.placeholder');
      submit.textContent = note ? t('composer.save_note') : t('composer.send');
      hint.hidden = note;
      form.classList.toggle('note-mode', note);
    };
    const modeName = uid('mode');
    const modeOption = (mode, key) => h('label', { class: 'mode-option' },
      h('input', { type: 'radio', name: modeName, value: mode, checked: this.composerMode === mode,
        onchange: () => { this.composerMode = mode; applyMode(); textarea.focus(); } }),
      t(key));
    const send = async () => {
      const text = textarea.value.trim();
      if (!text) return;
      submit.disabled = true;
      error.hidden = true;
      try {
        if (this.composerMode === 'note') {
          this.mergeTimeline([await inbox.note(this.selectedId, text)]);
        } else {
          const result = await inbox.send(this.selectedId, text);
          this.conversation = result.conversation;
          this.upsert(this.conversation);
          this.renderConversationHeader();
          announce(t('announce.sent'));
        }
        textarea.value = '';
        this.renderTimeline();
        this.scrollToBottom();
        this.loadNewest();
      } catch (failure) {
        error.textContent = errorText(failure);
        error.hidden = false;
      } finally {
        submit.disabled = false;
        textarea.focus();
      }
    };
    const form = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); send(); } },
      h('fieldset', { class: 'mode' }, h('legend', { class: 'visually-hidden' }, t('composer.mode')),
        modeOption('reply', 'composer.mode_reply'), modeOption('note', 'composer.mode_note')),
      label,
      h('div', { class: 'composer-row' }, textarea, submit),
      hint,
      error);
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    textarea.addEventListener('input', () => {
      if (this.composerMode !== 'reply' || !textarea.value) return;
      const now = Date.now();
      if (now - this.lastTypingAt < typingEveryMs) return;
      this.lastTypingAt = now;
      inbox.typing(this.selectedId).catch(() => {});
    });
    applyMode();
    return form;
  }
}
