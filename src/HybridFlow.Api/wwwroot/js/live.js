// The inbox's live stream. EventSource reconnects by itself after a dropped connection (sending Last-Event-ID);
// when the server answers an error instead, it gives up, so a new one is opened with ?last_event_id=.
import { inbox } from './api.js';

const eventTypes = ['message.created', 'conversation.updated', 'session.paused', 'session.resumed', 'reply.sent',
  'handoff.requested', 'note.created'];
const retryDelayMs = 3000;

export function connectLive({ onEvent, onState, onUnauthorized }) {
  let source = null;
  let lastEventId = null;
  let stopped = false;
  let retryTimer = null;
  let everOpened = false;

  const open = () => {
    if (stopped) return;
    const url = lastEventId ? `/api/inbox/events?last_event_id=${encodeURIComponent(lastEventId)}` : '/api/inbox/events';
    source = new EventSource(url, { withCredentials: true });
    source.addEventListener('open', () => {
      onState('connected', everOpened);
      everOpened = true;
    });
    source.addEventListener('error', async () => {
      if (stopped) return;
      onState('reconnecting');
      if (source.readyState !== EventSource.CLOSED) return;
      try {
        await inbox.me();
      } catch (error) {
        if (error.status === 401) { onUnauthorized(); return; }
      }
      clearTimeout(retryTimer);
      retryTimer = setTimeout(open, retryDelayMs);
    });
    for (const type of eventTypes) {
      source.addEventListener(type, (message) => {
        if (message.lastEventId) lastEventId = message.lastEventId;
        let data;
        try { data = JSON.parse(message.data); } catch { return; }
        onEvent({ ...data, type: data.type ?? type });
      });
    }
  };

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    },
  };
}
