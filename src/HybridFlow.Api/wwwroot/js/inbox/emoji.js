// The composer's emoji picker (issue 23): a button that opens a small grid of common emoji; the chosen one goes in at the
// cursor and the focus returns to the text. Arrow keys move in the grid, Escape closes it. No font or image is fetched.
import { h, uid } from '../dom.js';
import { addStrings, t } from '../i18n.js';

addStrings({
  en: { 'emoji.button': 'Insert an emoji', 'emoji.grid': 'Emoji' },
  pt: { 'emoji.button': 'Inserir um emoji', 'emoji.grid': 'Emojis' },
  es: { 'emoji.button': 'Insertar un emoji', 'emoji.grid': 'Emojis' },
});

export const emojis = ['😀', '😊', '😂', '🥰', '😍', '😉', '🙂', '😅', '🤔', '😢', '😮', '😎',
  '👍', '👎', '👏', '🙏', '👋', '💪', '🤝', '👌', '❤️', '🎉', '✅', '❌',
  '⭐', '🔥', '💯', '📦', '🚚', '🕐', '📞', '💬', '🛒', '💳', '🍞', '☕'];

const columns = 6;

/** The emoji button and its grid, writing into <textarea>. */
export function emojiPicker(textarea) {
  const gridId = uid('emoji-grid');
  const insert = (emoji) => {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    textarea.setRangeText(emoji, start, end, 'end');
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    close();
    textarea.focus();
  };
  const cells = emojis.map((emoji, index) => h('button', {
    type: 'button', class: 'emoji-cell', role: 'gridcell', tabindex: index === 0 ? '0' : '-1', 'aria-label': emoji,
    onclick: () => insert(emoji),
  }, emoji));
  const grid = h('div', {
    class: 'emoji-grid', id: gridId, role: 'grid', 'aria-label': t('emoji.grid'), hidden: true,
    onkeydown(event) {
      const index = cells.indexOf(document.activeElement);
      if (event.key === 'Escape') { event.preventDefault(); close(); button.focus(); return; }
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[event.key];
      if (step === undefined || index < 0) return;
      event.preventDefault();
      const next = cells[Math.min(cells.length - 1, Math.max(0, index + step))];
      cells[index].tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    },
  }, Array.from({ length: Math.ceil(cells.length / columns) }, (_, row) =>
    h('div', { role: 'row', class: 'emoji-row' }, cells.slice(row * columns, (row + 1) * columns))));
  const button = h('button', {
    type: 'button', class: 'secondary emoji-button', 'aria-label': t('emoji.button'), 'aria-expanded': 'false', 'aria-controls': gridId,
    onclick: () => (grid.hidden ? openGrid() : close()),
  }, '😊');
  function openGrid() {
    grid.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    cells.find((c) => c.tabIndex === 0)?.focus();
  }
  function close() {
    grid.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }
  return h('div', { class: 'emoji-picker' }, button, grid);
}
