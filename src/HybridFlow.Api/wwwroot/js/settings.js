// The tenant's settings a tenant admin changes from the inbox: prompt, quiet period, business hours, handoff.
import { inbox } from './api.js';
import { h, uid } from './dom.js';
import { t } from './i18n.js';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const intervalPattern = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;

function hoursText(intervals) {
  return (intervals ?? []).map(([from, to]) => `${from}-${to}`).join(', ');
}

function parseHours(text) {
  const parts = text.split(',').map((p) => p.replace(/\s+/g, '')).filter(Boolean);
  if (!parts.every((p) => intervalPattern.test(p))) return null;
  return parts.map((p) => p.split('-'));
}

function page(...children) {
  return h('div', { class: 'scroll-area' }, h('div', { class: 'settings-page' }, ...children));
}

function field(labelText, control, hintText) {
  const hintId = hintText ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control,
    hintText ? h('p', { class: 'hint', id: hintId }, hintText) : null);
}

export async function renderSettings(container, { user, allowed }) {
  if (!allowed || !user.tenant_id) {
    container.replaceChildren(page(h('h1', {}, t('settings.title')), h('p', { role: 'alert' }, t('settings.forbidden'))));
    return;
  }
  container.replaceChildren(page(h('h1', {}, t('settings.title')), h('p', { role: 'status' }, t('list.loading'))));
  let tenant;
  try {
    tenant = await inbox.tenant(user.tenant_id);
  } catch (error) {
    container.replaceChildren(page(h('h1', {}, t('settings.title')), h('p', { role: 'alert' }, t('error.generic', { status: error.status }))));
    return;
  }

  const prompt = h('textarea', { id: uid('prompt'), rows: '8', name: 'system_prompt' });
  prompt.value = tenant.system_prompt ?? '';
  const quiet = h('input', { id: uid('quiet'), type: 'number', min: '1', step: '1', name: 'resume_after_minutes', value: String(tenant.resume_after_minutes ?? '') });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zoneListId = uid('zones');
  const timezone = h('input', { id: uid('timezone'), type: 'text', list: zoneListId, name: 'timezone', value: tenant.timezone ?? 'UTC', autocomplete: 'off' });
  const alwaysOpen = h('input', { id: uid('always'), type: 'checkbox', checked: !tenant.business_hours });
  const dayInputs = days.map((day) => h('input', {
    id: uid(`hours-${day}`), type: 'text', name: `hours_${day}`, placeholder: tenant.business_hours ? '09:00-18:00' : '',
    value: hoursText(tenant.business_hours?.[day]), disabled: !tenant.business_hours, autocomplete: 'off',
  }));
  alwaysOpen.addEventListener('change', () => {
    for (const input of dayInputs) {
      input.disabled = alwaysOpen.checked;
      input.placeholder = alwaysOpen.checked ? '' : '09:00-18:00';
    }
  });
  const keywords = h('textarea', { id: uid('keywords'), rows: '5', name: 'handoff_keywords' });
  keywords.value = (tenant.handoff_keywords ?? []).join('\n');
  const handoffMessage = h('textarea', { id: uid('handoff-message'), rows: '3', name: 'handoff_message' });
  handoffMessage.value = tenant.handoff_message ?? '';
  const status = h('p', { role: 'status', class: 'form-status' });
  const error = h('p', { role: 'alert', class: 'form-error', hidden: true });

  const form = h('form', {
    class: 'settings-form',
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      status.textContent = '';
      let businessHours = null;
      if (!alwaysOpen.checked) {
        businessHours = {};
        for (const [index, day] of days.entries()) {
          const intervals = parseHours(dayInputs[index].value);
          if (intervals === null) {
            error.textContent = `${t(`day.${day}`)}: ${t('settings.bad_hours')}`;
            error.hidden = false;
            dayInputs[index].focus();
            return;
          }
          if (intervals.length) businessHours[day] = intervals;
        }
      }
      const changes = {
        system_prompt: prompt.value.trim() || null,
        resume_after_minutes: Number(quiet.value),
        timezone: timezone.value.trim() || null,
        business_hours: businessHours,
        handoff_keywords: keywords.value.split('\n').map((k) => k.trim()).filter(Boolean),
        handoff_message: handoffMessage.value.trim() || null,
      };
      try {
        await inbox.updateTenant(user.tenant_id, changes);
        status.textContent = t('settings.saved');
      } catch (failure) {
        const details = failure.problem?.errors ? Object.entries(failure.problem.errors).map(([k, v]) => `${k}: ${[v].flat().join(' ')}`).join(' ') : '';
        error.textContent = details || failure.problem?.detail || t('error.generic', { status: failure.status });
        error.hidden = false;
      }
    },
  },
  field(t('settings.prompt'), prompt, t('settings.prompt_hint')),
  field(t('settings.quiet'), quiet, t('settings.quiet_hint')),
  field(t('settings.timezone'), timezone),
  h('datalist', { id: zoneListId }, zones.map((zone) => h('option', { value: zone }))),
  h('fieldset', { class: 'hours' },
    h('legend', {}, t('settings.hours')),
    h('p', { class: 'hint' }, t('settings.hours_hint')),
    h('div', { class: 'checkbox' }, alwaysOpen, h('label', { for: alwaysOpen.id }, t('settings.hours_always'))),
    days.map((day, index) => h('div', { class: 'field day' }, h('label', { for: dayInputs[index].id }, t(`day.${day}`)), dayInputs[index]))),
  field(t('settings.handoff_keywords'), keywords, t('settings.handoff_keywords_hint')),
  field(t('settings.handoff_message'), handoffMessage),
  error,
  status,
  h('button', { type: 'submit', class: 'primary' }, t('settings.save')));

  container.replaceChildren(page(h('h1', {}, t('settings.title')), form));
}
