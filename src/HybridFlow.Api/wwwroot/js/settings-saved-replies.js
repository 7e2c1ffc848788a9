// The tenant's saved replies on the settings page: list, add, edit and delete. Agents pick them in the composer with "/".
import { api, request } from './api.js';
import { announce, h, uid } from './dom.js';
import { t } from './i18n.js';
import './settings-strings.js';

export function renderSavedReplies(tenantId) {
  const base = `/api/tenants/${encodeURIComponent(tenantId)}/saved-replies`;
  const headingId = uid('replies');
  const list = h('ul', { class: 'saved-replies', 'aria-labelledby': headingId });
  const status = h('p', { role: 'status', class: 'form-status' });
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });
  const shortcut = h('input', {
    id: uid('reply-shortcut'), name: 'shortcut', type: 'text', autocomplete: 'off', maxlength: '32',
    pattern: '[a-z0-9][a-z0-9_\\-]{0,31}', spellcheck: 'false', autocapitalize: 'none',
  });
  const text = h('textarea', { id: uid('reply-text'), name: 'text', rows: '3', maxlength: '4096' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('replies.add'));
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => stopEditing() }, t('replies.cancel'));
  const editing = h('p', { class: 'hint', hidden: true });
  let replies = [];
  let editingId = null;

  const fail = (failure, name) => {
    error.textContent = failure.status === 409
      ? t('replies.taken', { shortcut: name })
      : (failure.problem?.errors ? Object.values(failure.problem.errors).flat().join(' ') : failure.problem?.detail)
        || t('error.generic', { status: failure.status });
    error.hidden = false;
  };

  function stopEditing() {
    editingId = null;
    shortcut.value = '';
    text.value = '';
    submit.textContent = t('replies.add');
    cancel.hidden = true;
    editing.hidden = true;
    shortcut.focus();
  }

  function draw() {
    list.replaceChildren(...(replies.length ? replies.map((reply) => h('li', { class: 'saved-reply' },
      h('span', { class: 'saved-reply-shortcut' }, `/${reply.shortcut}`),
      h('span', { class: 'saved-reply-text' }, reply.text),
      h('span', { class: 'saved-reply-actions' },
        h('button', {
          type: 'button', class: 'link-button', 'aria-label': t('replies.edit', { shortcut: reply.shortcut }),
          onclick() {
            editingId = reply.id;
            shortcut.value = reply.shortcut;
            text.value = reply.text;
            submit.textContent = t('replies.save');
            cancel.hidden = false;
            editing.textContent = t('replies.editing', { shortcut: reply.shortcut });
            editing.hidden = false;
            text.focus();
          },
        }, t('replies.edit_short')),
        h('button', {
          type: 'button', class: 'link-button danger', 'aria-label': t('replies.delete', { shortcut: reply.shortcut }),
          async onclick() {
            error.hidden = true;
            try {
              await request('DELETE', `${base}/${reply.id}`);
              replies = replies.filter((r) => r.id !== reply.id);
              if (editingId === reply.id) stopEditing();
              draw();
              status.textContent = t('replies.deleted', { shortcut: reply.shortcut });
              announce(status.textContent);
              shortcut.focus();
            } catch (failure) { fail(failure, reply.shortcut); }
          },
        }, t('replies.delete_short')))))
      : [h('li', { class: 'hint' }, t('replies.empty'))]));
  }

  const form = h('form', {
    class: 'saved-reply-form',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      status.textContent = '';
      const body = { shortcut: shortcut.value.trim().replace(/^\//, ''), text: text.value.trim() };
      submit.disabled = true;
      try {
        if (editingId) {
          const changed = await api.patch(`${base}/${editingId}`, body);
          replies = replies.map((r) => (r.id === changed.id ? changed : r));
          status.textContent = t('replies.saved', { shortcut: changed.shortcut });
        } else {
          const added = await api.post(base, body);
          replies = [...replies, added];
          status.textContent = t('replies.added', { shortcut: added.shortcut });
        }
        replies.sort((a, b) => (a.shortcut < b.shortcut ? -1 : 1));
        draw();
        announce(status.textContent);
        stopEditing();
      } catch (failure) {
        fail(failure, body.shortcut);
        (failure.problem?.errors?.text ? text : shortcut).focus();
      } finally {
        submit.disabled = false;
      }
    },
  },
  editing,
  h('div', { class: 'field' }, h('label', { for: shortcut.id }, t('replies.shortcut')), shortcut,
    h('p', { class: 'hint', id: `${shortcut.id}-hint` }, t('replies.shortcut_hint'))),
  h('div', { class: 'field' }, h('label', { for: text.id }, t('replies.text')), text),
  error,
  status,
  h('div', { class: 'trybot-actions' }, submit, cancel));
  shortcut.setAttribute('aria-describedby', `${shortcut.id}-hint`);

  api.get(base).then((answer) => { replies = answer.items; draw(); })
    .catch((failure) => fail(failure, ''));

  return h('section', { class: 'settings-section', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('replies.title')),
    h('p', { class: 'hint' }, t('replies.intro')),
    list,
    form);
}
