// The conversation list: filters, newest activity first, unread badges, more pages on demand, arrow keys, and the
// live updates that move a conversation in or out of it. Which conversations belong is the server's rule (visibility
// and filters): changed ones are asked about in one batched call, never judged here.
import { inbox } from '../api.js';
import { announce, h, uid } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { channelChip, displayName, errorText, serviceWindow, timeOf } from './shared.js';
import { knownTenants, tenantInView } from '../tenant-context.js';

const pageSize = 50;
const statusOptions = ['open', 'bot', 'paused', 'handoff', 'needs_person', 'resolved', 'all'];
// Changes that arrive together are asked about together; the server answers at most 100 ids at once.
const changeBatchMs = 100;
const maxChangedIds = 100;

function newestFirst(a, b) { return timeOf(b.last_message_at) - timeOf(a.last_message_at); }

function previewText(message) {
  if (!message) return t('list.no_message');
  if (message.text) return message.text;
  return t('list.media', { type: message.message_type || '…' });
}

export class ConversationList {
  /** @param view the InboxView: its page, selected conversation, user and listPane. */
  constructor(view) {
    this.view = view;
    this.filters = { status: 'open', assigned_to: '', tag: '', q: '' };
    this.items = [];
    this.total = 0;
    this.loadedPages = 0;
    this.listRequest = 0;
    this.changedIds = new Map();
    this.changedTimer = null;
  }

  effectiveFilters() {
    const filters = this.view.page === 'needs' ? { ...this.filters, status: 'needs_person' } : this.filters;
    // The platform admin's tenant in view (js/tenant-context.js); a tenant's own users see their tenant anyway.
    return this.view.user.tenant_id ? filters : { ...filters, tenant_id: tenantInView(this.view.user) };
  }

  /** With several tenants in view (the platform admin's "all"), each conversation is labelled with its tenant's name. */
  tenantLabel(conversation) {
    if (this.view.user.tenant_id || tenantInView(this.view.user) !== null || !this.tenantNames) return null;
    const name = this.tenantNames.get(conversation.tenant_id) ?? `#${conversation.tenant_id}`;
    return h('span', { class: 'tenant-chip', 'data-testid': 'tenant-label' }, t('list.tenant', { name }));
  }

  render() {
    const statusId = uid('status');
    const assignedId = uid('assigned');
    const tagId = uid('tag');
    const searchId = uid('search');
    const onFilter = () => this.load();
    let searchTimer = null;
    const page = this.view.page;
    const title = page === 'needs' ? t('nav.needs') : t('list.title');

    this.listElement = h('ul', { class: 'conversation-list', id: 'conversation-list', 'aria-labelledby': 'list-title',
      onkeydown: (event) => this.onKey(event) });
    this.listStatus = h('p', { class: 'list-status', role: 'status' }, t('list.loading'));
    this.moreButton = h('button', { type: 'button', class: 'secondary more', hidden: true, onclick: () => this.load(true) }, t('list.more'));

    this.view.listPane.replaceChildren(
      h('h1', { id: 'list-title', class: 'pane-title' }, title,
        page === 'needs' ? h('span', { class: 'count-badge', id: 'needs-title-count' }, '') : null),
      h('form', { class: 'filters', role: 'search', 'aria-label': t('filters.title'), onsubmit: (e) => { e.preventDefault(); onFilter(); } },
        page === 'needs' ? null : h('div', { class: 'field' },
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
    this.renderItems();
  }

  async load(more = false) {
    const requestNumber = ++this.listRequest;
    const page = more ? this.loadedPages + 1 : 1;
    if (!more) this.listStatus.textContent = t('list.loading');
    try {
      const [result, tenants] = await Promise.all([
        inbox.conversations({ ...this.effectiveFilters(), page, page_size: pageSize }), knownTenants(this.view.user)]);
      if (this.view.destroyed || requestNumber !== this.listRequest) return;
      this.tenantNames = new Map(tenants.map((tenant) => [tenant.id, tenant.name]));
      this.items = more ? [...this.items, ...result.items.filter((i) => !this.items.some((x) => x.session_id === i.session_id))] : result.items;
      this.total = result.total;
      this.loadedPages = page;
      this.renderItems();
    } catch (error) {
      if (this.view.destroyed || requestNumber !== this.listRequest) return;
      this.listStatus.textContent = errorText(error);
    }
  }

  renderItems() {
    if (!this.listElement) return;
    this.listElement.replaceChildren(...this.items.map((c) => this.item(c)));
    this.listStatus.textContent = this.loadedPages === 0 ? t('list.loading') : this.items.length === 0 ? t('list.empty') : '';
    this.listStatus.hidden = this.listStatus.textContent === '';
    this.moreButton.hidden = this.items.length >= this.total;
    const titleCount = document.getElementById('needs-title-count');
    if (titleCount && this.view.page === 'needs') titleCount.textContent = this.loadedPages ? String(this.total) : '';
  }

  item(conversation) {
    const id = String(conversation.session_id);
    const selected = id === this.view.selectedId;
    const unread = conversation.unread_count > 0;
    // One conversation's status: the singular labels (the filter's are plural, "Pausadas").
    const statusKey = conversation.status === 'handoff' ? 'item.status.handoff' : conversation.status === 'paused' ? 'item.status.paused'
      : conversation.status === 'resolved' ? 'item.status.resolved' : 'item.status.bot';
    return h('li', { class: 'conversation-item', dataset: { sessionId: id } },
      h('a', {
        href: `#/${this.view.page}/${id}`, class: `conversation-link${unread ? ' unread' : ''}`,
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
        this.tenantLabel(conversation),
        conversation.needs_attention ? h('span', { class: 'status-chip attention' }, t('list.needs_attention')) : null,
        channelChip(conversation),
        serviceWindow(conversation)?.open === false ? h('span', { class: 'status-chip window-closed' }, t('list.window_closed')) : null,
        h('span', { class: 'assignee' }, conversation.assignee ? conversation.assignee.display_name : t('list.unassigned')),
        (conversation.tags ?? []).map((tag) => h('span', { class: 'tag' }, tag)))));
  }

  markActive() {
    for (const link of this.listElement?.querySelectorAll('a.conversation-link') ?? []) {
      const active = link.closest('li').dataset.sessionId === this.view.selectedId;
      if (active) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  }

  onKey(event) {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    const links = [...this.listElement.querySelectorAll('a.conversation-link')];
    if (links.length === 0) return;
    const index = links.indexOf(document.activeElement);
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? links.length - 1
      : event.key === 'ArrowDown' ? Math.min(links.length - 1, index + 1) : Math.max(0, index - 1);
    event.preventDefault();
    links[next].focus();
  }

  /** Shows the conversation's new state in place, if the list has it; whether it still belongs is asked with changed(). */
  replace(conversation) {
    const index = this.items.findIndex((c) => String(c.session_id) === String(conversation.session_id));
    if (index >= 0) { this.items[index] = conversation; this.renderItems(); }
  }

  /** A conversation changed: soon, one call asks the server which of the changed ones belong in this list now. */
  changed(id, { announceMessage = false } = {}) {
    const key = String(id);
    this.changedIds.set(key, announceMessage || this.changedIds.get(key) === true);
    if (!this.changedTimer) this.changedTimer = setTimeout(() => this.refreshChanged(), changeBatchMs);
  }

  async refreshChanged() {
    this.changedTimer = null;
    const changes = new Map(this.changedIds);
    this.changedIds.clear();
    if (this.view.destroyed || changes.size === 0) return;
    if (changes.size > maxChangedIds) { this.load(); return; }
    const listRequest = this.listRequest;
    let result;
    try {
      result = await inbox.conversations({ ...this.effectiveFilters(), ids: [...changes.keys()].join(',') });
    } catch { return; /* the next change or reload asks again */ }
    if (this.view.destroyed) return;
    // The list was reloaded meanwhile (other filters, or older data): ask again about the new list.
    if (listRequest !== this.listRequest) { for (const [id, announceMessage] of changes) this.changed(id, { announceMessage }); return; }
    const belonging = new Map(result.items.map((c) => [String(c.session_id), c]));
    for (const id of changes.keys()) this.place(id, belonging.get(id));
    this.items.sort(newestFirst);
    this.renderItems();
    for (const [id, announceMessage] of changes) {
      const conversation = belonging.get(id) ?? (id === this.view.selectedId ? this.view.thread.conversation : null);
      if (announceMessage && conversation) announce(t('announce.new_message', { name: displayName(conversation) }));
    }
  }

  place(id, answered) {
    const index = this.items.findIndex((c) => String(c.session_id) === id);
    // The open conversation is being read: its messages are marked read as they arrive.
    const conversation = answered && id === this.view.selectedId && document.visibilityState === 'visible'
      ? { ...answered, unread_count: 0 } : answered;
    if (index >= 0 && conversation) this.items[index] = conversation;
    else if (index >= 0) { this.items.splice(index, 1); this.total = Math.max(0, this.total - 1); }
    else if (conversation) { this.items.push(conversation); this.total += 1; }
  }
}
