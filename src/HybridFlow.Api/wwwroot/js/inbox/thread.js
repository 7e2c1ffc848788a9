// The open conversation: its header (status, assignment, pause, tags), its timeline of messages, actions and notes
// (older items on demand), and the composer below it.
import { inbox } from '../api.js';
import { h } from '../dom.js';
import { actionLabel, detailText, formatTime, t } from '../i18n.js';
import { Composer } from './composer.js';
import { ContactPanel } from './contact-panel.js';
import { ConversationMenus } from './menus.js';
import { channelChip, displayName, errorText, serviceWindow, timeOf } from './shared.js';

// Bookkeeping steps of the reply pipeline: on the timeline API, not worth a line in a person's view.
const quietActions = new Set(['ai_queued', 'workflow_queued', 'recorded', 'duplicate_ignored', 'ignored_echo', 'ignored_event',
  'status_updated', 'ai_send_confirmed', 'media_attached']);

export class ConversationThread {
  /** @param view the InboxView: its page, selected conversation, conversationPane and list. */
  constructor(view) {
    this.actionsOpen = false;
    this.view = view;
    this.conversation = null;
    // Counts the times the header was set from the server: an answer to an older question must not undo a newer one.
    this.headerVersion = 0;
    this.timeline = new Map();
    this.nextBefore = undefined;
    this.menus = new ConversationMenus(view, this);
    this.composer = new Composer(view, this);
    this.contact = new ContactPanel(this);
  }

  /** Another conversation was selected: nothing of the last one is kept. */
  reset() {
    this.conversation = null;
    this.timeline = new Map();
    this.nextBefore = undefined;
  }

  async open(id, focus) {
    try {
      const [conversation, page] = await Promise.all([inbox.conversation(id), inbox.messages(id)]);
      if (this.view.destroyed || id !== this.view.selectedId) return;
      this.conversation = conversation;
      this.timeline = new Map();
      this.merge(page.items);
      this.nextBefore = page.next_before;
      this.render();
      this.scrollToBottom();
      if (focus) this.conversationTitle?.focus();
      if (conversation.unread_count > 0) {
        inbox.read(id).then(() => this.view.list.replace({ ...conversation, unread_count: 0 })).catch(() => {});
      }
    } catch (error) {
      if (this.view.destroyed || id !== this.view.selectedId) return;
      this.render(error.status === 404 ? t('conv.not_found') : errorText(error));
    }
  }

  async loadNewest() {
    const id = this.view.selectedId;
    try {
      const page = await inbox.messages(id);
      if (this.view.destroyed || id !== this.view.selectedId) return;
      const nearBottom = this.isNearBottom();
      const added = this.merge(page.items);
      if (this.nextBefore === undefined) this.nextBefore = page.next_before;
      this.renderTimeline();
      if (nearBottom || added) this.scrollToBottom();
    } catch { /* the next event or a reload shows it */ }
  }

  async loadOlder() {
    const id = this.view.selectedId;
    if (!this.nextBefore || this.loadingOlder) return;
    this.loadingOlder = true;
    document.getElementById('older-button')?.setAttribute('disabled', '');
    try {
      const page = await inbox.messages(id, this.nextBefore);
      if (this.view.destroyed || id !== this.view.selectedId) return;
      const before = this.timelineElement.scrollHeight;
      this.merge(page.items);
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

  /** Adds or replaces timeline items by kind and id; answers how many were new. */
  merge(items) {
    let added = 0;
    for (const item of items ?? []) {
      const key = `${item.kind}:${item.id}`;
      if (!this.timeline.has(key)) added += 1;
      this.timeline.set(key, item);
    }
    return added;
  }

  ordered() {
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

  /** The whole pane: the conversation, or (none loaded) the message given, the loading note or the hint to pick one. */
  render(message) {
    const pane = this.view.conversationPane;
    this.conversationTitle = null;
    this.timelineElement = null;
    if (!this.view.selectedId || !this.conversation) {
      pane.classList.remove('with-contact');
      const text = message ?? (this.view.selectedId ? t('list.loading') : t('conv.pick'));
      // Without a selection there is no back link; replaceChildren would write a null as the text "null".
      pane.replaceChildren(...[
        this.view.selectedId ? this.backButton() : null,
        h('p', { class: 'empty-state', role: message ? 'alert' : null }, text)].filter(Boolean));
      return;
    }
    this.headerElement = h('div', { class: 'conversation-header' });
    this.timelineElement = h('ol', { class: 'timeline', id: 'timeline', 'aria-label': t('conv.timeline'), tabindex: '0' });
    pane.replaceChildren(this.headerElement, this.timelineElement, this.composer.render(), this.contact.render());
    this.renderHeader();
    this.renderTimeline();
  }

  backButton() {
    return h('a', { class: 'back-button', href: `#/${this.view.page}` }, h('span', { 'aria-hidden': 'true' }, '← '),
      h('span', { class: 'back-text' }, t('conv.back')));
  }

  /** The conversation as the server answered it now: kept, shown in the header and the list, which asks if it still belongs. */
  show(conversation) {
    this.headerVersion++;
    this.conversation = conversation;
    this.view.list.replace(conversation);
    this.view.list.changed(conversation.session_id);
    this.renderHeader();
  }

  renderHeader() {
    if (!this.headerElement || !this.conversation) return;
    const c = this.conversation;
    const titleId = 'conversation-title';
    const hadFocus = this.headerElement.contains(document.activeElement) ? document.activeElement.id : null;
    // A live event re-renders the header: what is being typed or chosen (a control marked data-keep: the new tag,
    // the pause length) keeps its value and focus, else a half-typed tag is lost or "Pause bot" sends the default.
    const kept = new Map([...this.headerElement.querySelectorAll('[data-keep]')].map((e) => [e.dataset.keep, e.value]));
    const keptFocus = this.headerElement.contains(document.activeElement) ? document.activeElement.dataset.keep : undefined;
    this.conversationTitle = h('h2', { id: titleId, tabindex: '-1' }, displayName(c));
    this.view.conversationPane.setAttribute('aria-labelledby', titleId);
    this.headerElement.classList.toggle('actions-open', Boolean(this.actionsOpen));
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
        c.needs_attention ? h('span', { class: 'status-chip attention' }, t('conv.needs_attention')) : null,
        channelChip(c),
        this.windowChip(c)),
      // On a phone the actions fold behind this button, so the thread keeps most of the screen.
      h('button', {
        type: 'button', class: 'actions-toggle secondary small', id: 'actions-toggle', 'aria-expanded': String(this.actionsOpen),
        'aria-controls': 'conversation-actions',
        onclick: () => {
          this.actionsOpen = !this.actionsOpen;
          this.headerElement.classList.toggle('actions-open', this.actionsOpen);
          document.getElementById('actions-toggle')?.setAttribute('aria-expanded', String(this.actionsOpen));
        },
      }, t('conv.more_actions'), h('span', { 'aria-hidden': 'true' }, ' ▾')),
      h('div', { class: 'conversation-actions', id: 'conversation-actions' },
        h('div', { class: 'toolbar', role: 'group', 'aria-label': t('conv.actions') },
          this.menus.assignControl(c),
          this.menus.pauseControl(c),
          h('button', {
            type: 'button', class: 'secondary', id: 'resolve-button',
            onclick: () => this.update({ status: c.status === 'resolved' ? 'open' : 'resolved' }),
          }, c.status === 'resolved' ? t('conv.reopen') : t('conv.resolve')),
          this.contact.toggleButton()),
        this.menus.tagsControl(c)),
      h('p', { class: 'form-error', role: 'alert', id: 'conversation-error', hidden: true }));
    this.composer.sync();
    if (hadFocus) document.getElementById(hadFocus)?.focus();
    for (const control of this.headerElement.querySelectorAll('[data-keep]')) {
      const value = kept.get(control.dataset.keep);
      if (value) control.value = value;
      if (keptFocus === control.dataset.keep) control.focus();
    }
  }

  /**
   * A Cloud API conversation's 24-hour window: open until a time, or closed (templates only). When it closes while
   * shown, the header and the composer are drawn again then.
   */
  windowChip(c) {
    clearTimeout(this.windowTimer);
    const state = serviceWindow(c);
    if (!state) return null;
    if (state.open) {
      const left = timeOf(state.closesAt) - Date.now();
      // setTimeout holds at most about 24.8 days; the window is never longer than 24 hours.
      if (left > 0 && left < 2 ** 31) this.windowTimer = setTimeout(() => { if (this.conversation === c) this.renderHeader(); }, left + 500);
    }
    const text = state.open ? t('conv.window.open', { time: formatTime(state.closesAt) })
      : state.closesAt ? t('conv.window.closed_at', { time: formatTime(state.closesAt) }) : t('conv.window.closed');
    return h('span', { class: `status-chip window-${state.open ? 'open' : 'closed'}`, id: 'service-window',
      'data-window': state.open ? 'open' : 'closed', title: t('conv.window.rule') }, text);
  }

  showError(error) {
    const element = document.getElementById('conversation-error');
    if (!element) return;
    element.textContent = error ? errorText(error) : '';
    element.hidden = !error;
  }

  async update(changes) {
    try {
      this.show(await inbox.update(this.view.selectedId, changes));
      this.showError(null);
    } catch (error) {
      this.showError(error);
    }
  }

  renderTimeline() {
    if (!this.timelineElement) return;
    const items = this.ordered();
    const head = this.nextBefore
      ? h('li', { class: 'timeline-more' }, h('button', { type: 'button', class: 'secondary small', id: 'older-button', onclick: () => this.loadOlder() }, t('conv.older')))
      : h('li', { class: 'timeline-start' }, t('conv.start'));
    this.timelineElement.replaceChildren(head, ...items.map((item) => this.timelineItem(item)));
  }

  timelineItem(item) {
    const time = h('time', { datetime: item.at ?? '' }, formatTime(item.at));
    if (item.kind === 'event') {
      return h('li', { class: 'event', 'data-kind': 'event', 'data-action': item.action },
        h('span', {}, actionLabel(item.action), item.detail ? ` · ${detailText(item)}` : '', ' · ', time));
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
}
