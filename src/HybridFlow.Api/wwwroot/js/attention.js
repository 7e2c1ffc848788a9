// Telling a person that a chat needs them (issue 23): when a conversation enters "needs a person", or a customer writes
// in one assigned to them, a short sound plays (switchable, remembered) and, once permission was given, a browser
// notification shows. The tab's title carries the needs-a-person count. Nothing fires for the conversation the person
// is reading in a visible tab.
import { inbox } from './api.js';
import { h } from './dom.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'attention.sound_on': 'Sound on',
    'attention.sound_off': 'Sound off',
    'attention.sound_label': 'Play a sound when a chat needs me',
    'attention.enable': 'Turn on notifications',
    'attention.needs_title': '{name} needs a person',
    'attention.message_title': '{name} wrote to you',
    'attention.body_needs': 'A conversation is waiting in "Needs a person".',
    'attention.body_message': 'New message in a conversation assigned to you.',
  },
  pt: {
    'attention.sound_on': 'Som ligado',
    'attention.sound_off': 'Som desligado',
    'attention.sound_label': 'Tocar um som quando uma conversa precisar de mim',
    'attention.enable': 'Ativar notificações',
    'attention.needs_title': '{name} precisa de uma pessoa',
    'attention.message_title': '{name} escreveu para você',
    'attention.body_needs': 'Uma conversa espera em "Precisa de uma pessoa".',
    'attention.body_message': 'Nova mensagem numa conversa atribuída a você.',
  },
  es: {
    'attention.sound_on': 'Sonido activado',
    'attention.sound_off': 'Sonido desactivado',
    'attention.sound_label': 'Sonar cuando una conversación me necesite',
    'attention.enable': 'Activar notificaciones',
    'attention.needs_title': '{name} necesita a una persona',
    'attention.message_title': '{name} te escribió',
    'attention.body_needs': 'Una conversación espera en "Necesita a una persona".',
    'attention.body_message': 'Nuevo mensaje en una conversación asignada a ti.',
  },
});

const soundKey = 'hybridflow.sound';

export function soundEnabled() {
  try { return localStorage.getItem(soundKey) !== 'off'; } catch { return true; }
}

function setSoundEnabled(on) {
  try { localStorage.setItem(soundKey, on ? 'on' : 'off'); } catch { /* storage may be off */ }
}

let audio = null;

/** Two short tones from the Web Audio API: no sound file to serve, and nothing fetched. */
function chime() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio ??= new Context();
  if (audio.state === 'suspended') audio.resume().catch(() => {});
  const start = audio.currentTime;
  for (const [offset, frequency] of [[0, 880], [0.16, 1320]]) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.14);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.15);
  }
}

function nameOf(conversation) {
  return conversation.contact_name || conversation.chat_id?.split('@')[0] || String(conversation.session_id);
}

export class Attention {
  constructor({ user, isReading }) {
    this.user = user;
    this.isReading = isReading;
    this.needs = null;
  }

  /** The conversations needing a person now: entering that set later is what alerts. */
  async start() {
    try {
      const result = await inbox.conversations({ status: 'needs_person', page: 1, page_size: 100 });
      this.needs = new Set(result.items.map((c) => String(c.session_id)));
    } catch {
      this.needs = new Set();
    }
  }

  async onEvent(event) {
    if (!this.needs || !event.session_id) return;
    const id = String(event.session_id);
    let needsNow;
    try {
      needsNow = (await inbox.conversations({ status: 'needs_person', ids: id })).items[0] ?? null;
    } catch { return; }
    if (needsNow && !this.needs.has(id)) {
      this.needs.add(id);
      this.alert(needsNow, 'needs');
      return;
    }
    if (!needsNow) this.needs.delete(id);
    if (event.type !== 'message.created' || event.direction !== 'inbound') return;
    let conversation;
    try { conversation = await inbox.conversation(id); } catch { return; }
    if (conversation.assignee?.id === this.user.id) this.alert(conversation, 'message');
  }

  alert(conversation, why) {
    const id = String(conversation.session_id);
    if (this.isReading(id) && document.visibilityState === 'visible') return;
    if (soundEnabled()) chime();
    if ('Notification' in window && Notification.permission === 'granted') {
      const name = nameOf(conversation);
      const notification = new Notification(t(why === 'needs' ? 'attention.needs_title' : 'attention.message_title', { name }), {
        body: t(why === 'needs' ? 'attention.body_needs' : 'attention.body_message'),
        tag: `hybridflow-${id}`,
        icon: 'favicon.svg',
      });
      notification.onclick = () => {
        window.focus();
        location.hash = why === 'needs' ? `#/needs/${id}` : `#/inbox/${id}`;
        notification.close();
      };
    }
  }
}

/** The header's controls: the sound switch, and the one-time permission request while the browser has not been asked. */
export function attentionControls(onChange) {
  const on = soundEnabled();
  const sound = h('button', {
    type: 'button', class: 'link-button', id: 'sound-toggle', 'aria-pressed': String(on), title: t('attention.sound_label'),
    onclick() {
      setSoundEnabled(!soundEnabled());
      if (soundEnabled()) chime();
      onChange();
    },
  }, on ? t('attention.sound_on') : t('attention.sound_off'));
  const ask = 'Notification' in window && Notification.permission === 'default'
    ? h('button', {
      type: 'button', class: 'link-button', id: 'enable-notifications',
      async onclick() {
        await Notification.requestPermission();
        onChange();
      },
    }, t('attention.enable'))
    : null;
  return [sound, ask];
}

/** "(3) HybridFlow": the needs-a-person count in the tab's title. */
export function showCountInTitle(count) {
  const base = t('app.name');
  document.title = count ? `(${count}) ${base}` : base;
}
