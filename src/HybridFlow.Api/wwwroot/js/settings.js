// A tenant's settings, every one the API has, in groups: the bot, pauses, business hours (with what happens outside
// them), handoff, typing and splitting, media, late messages, workflow and (platform admin) the token budget. Below the
// form: try the bot, and the saved replies. Tenant admins see their tenant; the platform admin the tenant in view.
// Only the fields changed are sent, so a default (the handoff or away text) is never stored by saving something else.
import { api } from './api.js';
import { announce, field, h, uid } from './dom.js';
import { t, validationMessages } from './i18n.js';
import './settings-strings.js';
import { renderSavedReplies } from './settings-saved-replies.js';
import { renderTryBot } from './settings-try-bot.js';
import { onTenantInViewChange, tenantInView } from './tenant-context.js';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const intervalPattern = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;
const providers = ['openai', 'anthropic', 'static'];

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


function checkbox(labelText, control) {
  return h('div', { class: 'checkbox' }, control, h('label', { for: control.id }, labelText));
}

function group(legend, ...children) {
  return h('fieldset', { class: 'settings-group' }, h('legend', {}, legend), ...children);
}

function select(name, options, value) {
  return h('select', { id: uid(name), name },
    options.map(([optionValue, label]) => h('option', { value: optionValue, selected: optionValue === (value ?? '') }, label)));
}

function numberInput(name, value, min, max) {
  return h('input', { id: uid(name), name, type: 'number', inputmode: 'numeric', step: '1', min, max, value: value ?? '' });
}

function textInput(name, value, type = 'text') {
  return h('input', { id: uid(name), name, type, value: value ?? '', autocomplete: type === 'password' ? 'new-password' : 'off' });
}

function textarea(name, value, rows) {
  const element = h('textarea', { id: uid(name), name, rows: String(rows) });
  element.value = value ?? '';
  return element;
}

const text = (control) => control.value.trim() || null;
const number = (control) => (control.value.trim() === '' ? null : Number(control.value));

/** Renders the page; the platform admin's page follows the tenant in view. */
export async function renderSettings(container, { user, allowed }) {
  const frame = h('div', { class: 'settings-frame' });
  container.replaceChildren(frame);
  if (user.role === 'platform_admin') {
    const stop = onTenantInViewChange(() => {
      if (!frame.isConnected) { stop(); return; }
      renderFor(frame, user, allowed);
    });
  }
  await renderFor(frame, user, allowed);
}

async function renderFor(frame, user, allowed) {
  const title = h('h1', {}, t('settings.title'));
  if (!allowed) {
    frame.replaceChildren(page(title, h('p', { role: 'alert' }, t('settings.forbidden'))));
    return;
  }
  const tenantId = tenantInView(user);
  if (!tenantId) {
    frame.replaceChildren(page(title, h('p', {}, t('settings.pick_tenant')),
      h('p', {}, h('a', { href: '#/setup/tenants' }, t('settings.pick_tenant_link')))));
    return;
  }
  frame.replaceChildren(page(title, h('p', { role: 'status' }, t('list.loading'))));
  let tenant;
  let models;
  let zones;
  try {
    [tenant, models, zones] = await Promise.all([
      api.get(`/api/tenants/${encodeURIComponent(tenantId)}`),
      api.get(`/api/settings/models?tenant_id=${encodeURIComponent(tenantId)}`),
      api.get('/api/settings/time-zones'),
    ]);
  } catch (error) {
    frame.replaceChildren(page(title, h('p', { role: 'alert' }, t('error.generic', { status: error.status }))));
    return;
  }
  const form = settingsForm(user, tenantId, tenant, models, zones.items ?? []);
  frame.replaceChildren(page(title,
    user.role === 'platform_admin' ? h('p', { class: 'hint' }, t('settings.tenant_in_view', { name: tenant.name })) : null,
    form.element,
    renderTryBot(tenantId, () => form.current()),
    renderSavedReplies(tenantId)));
}

function settingsForm(user, tenantId, tenant, models, zones) {
  // Each setting: its API name, its control, and how the control's value reads as the API's value.
  const settings = [];
  const add = (key, control, read) => { settings.push({ key, control, read }); return control; };

  // The bot.
  const replyMode = add('reply_mode', select('reply_mode',
    [['ai', t('settings.reply_mode_ai')], ['workflow', t('settings.reply_mode_workflow')], ['off', t('settings.reply_mode_off')]], tenant.reply_mode),
  (c) => c.value);
  const prompt = add('system_prompt', textarea('system_prompt', tenant.system_prompt, 8), text);
  const language = add('language', select('language',
    [['pt', 'Português'], ['es', 'Español'], ['en', 'English']], tenant.language), (c) => c.value);
  const provider = add('llm_provider', select('llm_provider',
    [['', t('settings.provider_default', { provider: models.default_provider })], ...providers.map((p) => [p, p])], tenant.llm_provider), text);
  const modelListId = uid('models');
  const model = models.own_account
    ? h('input', { id: uid('llm_model'), name: 'llm_model', type: 'text', list: modelListId, value: tenant.llm_model ?? '', autocomplete: 'off' })
    : h('select', { id: uid('llm_model'), name: 'llm_model' });
  add('llm_model', model, text);
  const fillModels = () => {
    if (models.own_account) return;
    const chosenProvider = provider.value || models.default_provider;
    const offered = models.items.filter((m) => m.provider === chosenProvider);
    const current = model.value || tenant.llm_model || '';
    const defaultModel = offered.find((m) => m.is_default)?.model ?? '';
    const options = [['', t('settings.model_default', { model: defaultModel || '—' })], ...offered.filter((m) => !m.is_default).map((m) => [m.model, m.model])];
    // A model chosen earlier and no longer offered stays visible, so saving something else does not drop it.
    if (current && !options.some(([value]) => value === current)) options.push([current, current]);
    model.replaceChildren(...options.map(([value, label]) => h('option', { value, selected: value === current }, label)));
  };
  fillModels();
  provider.addEventListener('change', () => { model.value = ''; fillModels(); });
  const key = textInput('llm_api_key', '', 'password');
  const removeKey = h('input', { id: uid('remove-key'), type: 'checkbox' });
  add('llm_api_key', key, (c) => (removeKey.checked ? null : c.value.trim() || undefined));
  const keyState = h('p', { class: 'hint' }, tenant.llm_api_key ? t('settings.own_key_set', { tail: tenant.llm_api_key.slice(-4) }) : t('settings.own_key_none'));
  const baseUrl = add('llm_base_url', textInput('llm_base_url', tenant.llm_base_url, 'url'), text);
  const historyMessages = add('history_messages', numberInput('history_messages', tenant.history_messages, 0, 200), number);
  const historyBudget = add('history_token_budget', numberInput('history_token_budget', tenant.history_token_budget, 100, 200000), number);
  const debounce = add('debounce_seconds', numberInput('debounce_seconds', tenant.debounce_seconds, 0, 600), number);

  // Pauses.
  const quiet = add('resume_after_minutes', numberInput('resume_after_minutes', tenant.resume_after_minutes, 1, 43200), number);
  const externalPause = add('external_sends_pause',
    h('input', { id: uid('external'), type: 'checkbox', name: 'external_sends_pause', checked: tenant.external_sends_pause }), (c) => c.checked);

  // Business hours and what happens outside them.
  const zoneListId = uid('zones');
  const timezone = add('timezone', h('input', {
    id: uid('timezone'), type: 'text', list: zoneListId, name: 'timezone', value: tenant.timezone ?? 'UTC', autocomplete: 'off',
  }), text);
  const alwaysOpen = h('input', { id: uid('always'), type: 'checkbox', checked: !tenant.business_hours });
  const dayInputs = days.map((day) => h('input', {
    id: uid(`hours-${day}`), type: 'text', name: `hours_${day}`, placeholder: tenant.business_hours ? '09:00-18:00' : '',
    value: hoursText(tenant.business_hours?.[day]), disabled: !tenant.business_hours, autocomplete: 'off',
  }));
  const hoursControl = h('div', { class: 'hours-grid' },
    days.map((day, index) => h('div', { class: 'field day' }, h('label', { for: dayInputs[index].id }, t(`day.${day}`)), dayInputs[index])));
  settings.push({ key: 'business_hours', control: hoursControl, read: () => readHours().value });
  const outsideHours = add('outside_hours', select('outside_hours',
    [['reply', t('settings.outside_reply')], ['away_message', t('settings.outside_away')], ['silent', t('settings.outside_silent')]], tenant.outside_hours),
  (c) => c.value);
  const awayMessage = add('away_message', textarea('away_message', tenant.away_message, 3), text);
  const noEffect = h('p', { class: 'hint notice', id: uid('no-effect') }, t('settings.hours_no_effect'));
  const syncHours = () => {
    for (const input of dayInputs) {
      input.disabled = alwaysOpen.checked;
      input.placeholder = alwaysOpen.checked ? '' : '09:00-18:00';
    }
    noEffect.hidden = alwaysOpen.checked || outsideHours.value !== 'reply';
  };
  alwaysOpen.addEventListener('change', syncHours);
  outsideHours.addEventListener('change', syncHours);
  outsideHours.setAttribute('aria-describedby', noEffect.id);

  // Handoff.
  const keywords = add('handoff_keywords', textarea('handoff_keywords', (tenant.handoff_keywords ?? []).join('\n'), 5),
    (c) => c.value.split('\n').map((k) => k.trim()).filter(Boolean));
  const handoffMessage = add('handoff_message', textarea('handoff_message', tenant.handoff_message, 3), text);
  const notifyUrl = add('notify_url', textInput('notify_url', tenant.notify_url, 'url'), text);

  // Typing and splitting.
  const typing = add('typing_indicator', h('input', { id: uid('typing'), type: 'checkbox', name: 'typing_indicator', checked: tenant.typing_indicator }),
    (c) => c.checked);
  const typingMs = add('typing_ms_per_char', numberInput('typing_ms_per_char', tenant.typing_ms_per_char, 0, 1000), number);
  const split = add('split_messages', h('input', { id: uid('split'), type: 'checkbox', name: 'split_messages', checked: tenant.split_messages }),
    (c) => c.checked);
  const maxParts = add('max_reply_parts', numberInput('max_reply_parts', tenant.max_reply_parts, 1, 10), number);

  // Media.
  const transcription = add('transcription_model', textInput('transcription_model', tenant.transcription_model), text);
  const vision = add('vision_model', textInput('vision_model', tenant.vision_model), text);
  const unsupported = add('unsupported_media_reply', textarea('unsupported_media_reply', tenant.unsupported_media_reply, 2), text);

  // Late messages.
  const stale = add('stale_message_minutes', numberInput('stale_message_minutes', tenant.stale_message_minutes, 1, 10080), number);

  // Workflow.
  const workflowUrl = add('workflow_url', textInput('workflow_url', tenant.workflow_url, 'url'), text);
  const workflowSecret = add('workflow_secret', textInput('workflow_secret', '', 'password'), (c) => c.value.trim() || undefined);

  // The budget limits what the platform pays for: only the platform admin sets it.
  const budget = user.role === 'platform_admin'
    ? add('monthly_token_budget', numberInput('monthly_token_budget', tenant.monthly_token_budget, 0, undefined), number)
    : null;

  function readHours() {
    if (alwaysOpen.checked) return { value: null };
    const hours = {};
    for (const [index, day] of days.entries()) {
      const intervals = parseHours(dayInputs[index].value);
      if (intervals === null) return { error: `${t(`day.${day}`)}: ${t('settings.bad_hours')}`, input: dayInputs[index] };
      if (intervals.length) hours[day] = intervals;
    }
    return { value: hours };
  }

  const values = () => Object.fromEntries(settings.map((s) => [s.key, s.read(s.control)]));
  let saved = values();
  syncHours();

  const status = h('p', { role: 'status', class: 'form-status' });
  const error = h('div', { role: 'alert', class: 'form-error', hidden: true });
  const showErrors = (lines, focus) => {
    error.replaceChildren(...lines.map((line) => h('p', {}, line)));
    error.hidden = false;
    focus?.focus();
  };

  const submit = h('button', { type: 'submit', class: 'primary' }, t('settings.save'));
  const form = h('form', {
    class: 'settings-form',
    novalidate: true,
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      status.textContent = '';
      for (const s of settings) s.control.removeAttribute('aria-invalid');
      const hours = readHours();
      if (hours.error) {
        hours.input.setAttribute('aria-invalid', 'true');
        showErrors([hours.error], hours.input);
        return;
      }
      const now = values();
      const changes = {};
      for (const [name, value] of Object.entries(now)) {
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(saved[name])) changes[name] = value;
      }
      if (!Object.keys(changes).length) { status.textContent = t('settings.nothing_changed'); return; }
      submit.disabled = true;
      try {
        const updated = await api.patch(`/api/tenants/${encodeURIComponent(tenantId)}`, changes);
        saved = values();
        key.value = '';
        workflowSecret.value = '';
        if (removeKey.checked) removeKey.checked = false;
        saved.llm_api_key = undefined;
        saved.workflow_secret = undefined;
        keyState.textContent = updated?.llm_api_key ? t('settings.own_key_set', { tail: updated.llm_api_key.slice(-4) }) : t('settings.own_key_none');
        status.textContent = t('settings.saved');
        announce(t('settings.saved'));
      } catch (failure) {
        const errors = failure.problem?.errors ? Object.entries(failure.problem.errors) : [];
        let first = null;
        for (const [name] of errors) {
          const control = settings.find((s) => s.key === name)?.control;
          control?.setAttribute('aria-invalid', 'true');
          first ??= control?.matches?.('input, select, textarea') ? control : null;
        }
        const lines = errors.length ? validationMessages(failure.problem).map((m) => `${m.field}: ${m.text}`)
          : [failure.problem?.detail || t('error.generic', { status: failure.status })];
        showErrors([t('settings.errors'), ...lines], first);
      } finally {
        submit.disabled = false;
      }
    },
  },
  group(t('settings.group_bot'),
    field(t('settings.reply_mode'), replyMode),
    field(t('settings.prompt'), prompt, t('settings.prompt_hint')),
    field(t('settings.language'), language, t('settings.language_hint')),
    field(t('settings.provider'), provider),
    field(t('settings.model'), model, models.own_account ? t('settings.model_free_hint') : t('settings.model_hint')),
    models.own_account ? h('datalist', { id: modelListId }, models.items.map((m) => h('option', { value: m.model }))) : null,
    field(t('settings.own_key'), key, t('settings.own_key_hint')),
    keyState,
    tenant.llm_api_key ? checkbox(t('settings.own_key_remove'), removeKey) : null,
    field(t('settings.base_url'), baseUrl),
    field(t('settings.history_messages'), historyMessages),
    field(t('settings.history_token_budget'), historyBudget),
    field(t('settings.debounce'), debounce, t('settings.debounce_hint'))),
  group(t('settings.group_pauses'),
    field(t('settings.quiet'), quiet, t('settings.quiet_hint')),
    checkbox(t('settings.external_pause'), externalPause)),
  group(t('settings.group_hours'),
    field(t('settings.timezone'), timezone),
    h('datalist', { id: zoneListId }, zones.map((zone) => h('option', { value: zone }))),
    h('p', { class: 'hint' }, t('settings.hours_hint')),
    checkbox(t('settings.hours_always'), alwaysOpen),
    hoursControl,
    field(t('settings.outside_hours'), outsideHours),
    noEffect,
    field(t('settings.away_message'), awayMessage, t('settings.away_hint'))),
  group(t('settings.group_handoff'),
    field(t('settings.handoff_keywords'), keywords, t('settings.handoff_keywords_hint')),
    field(t('settings.handoff_message'), handoffMessage),
    field(t('settings.notify_url'), notifyUrl, t('settings.notify_url_hint'))),
  group(t('settings.group_typing'),
    checkbox(t('settings.typing_indicator'), typing),
    field(t('settings.typing_ms'), typingMs),
    checkbox(t('settings.split_messages'), split),
    field(t('settings.max_parts'), maxParts)),
  group(t('settings.group_media'),
    field(t('settings.transcription_model'), transcription),
    field(t('settings.vision_model'), vision),
    field(t('settings.unsupported_media'), unsupported, t('settings.unsupported_media_hint'))),
  group(t('settings.group_stale'),
    field(t('settings.stale_minutes'), stale, t('settings.stale_hint'))),
  group(t('settings.group_workflow'),
    field(t('settings.workflow_url'), workflowUrl),
    field(t('settings.workflow_secret'), workflowSecret, t('settings.workflow_secret_hint'))),
  budget ? group(t('settings.group_budget'), field(t('settings.monthly_budget'), budget, t('settings.monthly_budget_hint'))) : null,
  error,
  status,
  submit);

  return {
    element: form,
    // Try the bot reads the saved reply mode (it previews what is saved, not what is typed).
    current: () => ({ reply_mode: saved.reply_mode }),
  };
}
