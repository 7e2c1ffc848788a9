// The inbox page: the conversation list (inbox/list.js) beside the open conversation (inbox/thread.js, with its
// header controls in inbox/menus.js and its composer in inbox/composer.js). This module holds what the views share
// (the page, the selected conversation, the "needs a person" count) and hands live events to them. Everything rendered
// from data goes in as text (dom.js).
import { inbox } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { ConversationList } from './inbox/list.js';
import { ConversationThread } from './inbox/thread.js';
import { onTenantInViewChange, tenantInView } from './tenant-context.js';

export class InboxView {
  constructor(container, { user, onNeedsCount }) {
    this.container = container;
    this.user = user;
    this.onNeedsCount = onNeedsCount;
    this.page = 'inbox';
    this.selectedId = null;
    this.destroyed = false;
    this.needsTimer = null;
    this.list = new ConversationList(this);
    this.thread = new ConversationThread(this);
    this.onDocumentClick = (event) => this.thread.menus.onDocumentClick(event);
    document.addEventListener('click', this.onDocumentClick);
    this.build();
    this.refreshNeedsCount();
    this.stopTenantWatch = onTenantInViewChange(() => { this.list.load(); this.refreshNeedsCount(); });
  }

  destroy() {
    this.destroyed = true;
    document.removeEventListener('click', this.onDocumentClick);
    clearTimeout(this.needsTimer);
    this.stopTenantWatch();
  }

  build() {
    this.listPane = h('section', { class: 'pane list-pane', 'aria-labelledby': 'list-title' });
    this.conversationPane = h('section', { class: 'pane conversation-pane', 'aria-label': t('conv.timeline') });
    this.layout = h('div', { class: 'layout' }, this.listPane, this.conversationPane);
    // The list's title is the page's level-one heading; on a phone showing a conversation the list is hidden, so this
    // one (visually hidden, shown to assistive technology only then) takes its place.
    this.phoneHeading = h('h1', { class: 'visually-hidden phone-heading' }, this.pageTitle());
    this.container.replaceChildren(this.layout, this.phoneHeading);
    this.list.render();
    this.thread.render();
  }

  pageTitle() { return this.page === 'needs' ? t('nav.needs') : t('list.title'); }

  relabel() {
    const focusedId = document.activeElement?.id;
    this.build();
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  async show(page, id) {
    const pageChanged = page !== this.page || this.list.loadedPages === 0;
    this.page = page;
    this.phoneHeading.textContent = this.pageTitle();
    if (pageChanged) {
      this.list.render();
      this.list.load();
    }
    const selected = id ? String(id) : null;
    this.layout.classList.toggle('showing-conversation', Boolean(selected));
    if (selected !== this.selectedId) {
      this.selectedId = selected;
      this.thread.reset();
      this.list.markActive();
      this.thread.render();
      if (selected) await this.thread.open(selected, true);
    }
  }

  refresh() {
    this.list.load();
    this.refreshNeedsCount();
    if (this.selectedId) this.thread.open(this.selectedId, false);
  }

  refreshNeedsCount() {
    clearTimeout(this.needsTimer);
    this.needsTimer = setTimeout(async () => {
      try {
        const tenantId = this.user.tenant_id ? undefined : tenantInView(this.user);
        const result = await inbox.conversations({ status: 'needs_person', page: 1, page_size: 1, tenant_id: tenantId });
        if (!this.destroyed) this.onNeedsCount(result.total);
      } catch { /* the count is a hint; the next event tries again */ }
    }, 200);
  }

  async onEvent(event) {
    if (this.destroyed || !event.session_id) return;
    const id = String(event.session_id);
    this.refreshNeedsCount();
    // The event's own direction: by now a later message (the bot's answer) may be the conversation's last.
    this.list.changed(id, { announceMessage: event.type === 'message.created' && event.direction === 'inbound' });
    if (id !== this.selectedId) return;
    let conversation;
    const asked = ++this.thread.headerVersion;
    try {
      conversation = await inbox.conversation(id);
    } catch (error) {
      if (error.status === 404 && id === this.selectedId) this.thread.render(t('conv.not_found'));
      return;
    }
    if (this.destroyed || id !== this.selectedId) return;
    // A pause or resume answered meanwhile (or a later event asked again): this answer may be older than what is shown.
    if (asked !== this.thread.headerVersion) { await this.thread.loadNewest(); return; }
    if (conversation.unread_count > 0 && document.visibilityState === 'visible') {
      conversation = { ...conversation, unread_count: 0 };
      inbox.read(id).catch(() => {});
    }
    this.thread.conversation = conversation;
    this.thread.renderHeader();
    await this.thread.loadNewest();
  }
}
