// The tenant's dashboard (#/dashboard): a period's figures and charts, drawn from GET /api/tenants/{id}/stats?interval=day
// (the numbers are the API's own), and the conversations CSV of the same period.
import { api, query } from '../api.js';
import { h, uid } from '../dom.js';
import { locale, t } from '../i18n.js';
import { tenantInView } from '../tenant-context.js';
import { barChart } from './charts.js';
import './strings.js';

const presets = [7, 30, 90];

/** The zone's UTC offset in minutes at an instant. */
function offsetMinutes(zone, date) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date);
  const part = (type) => Number(parts.find((p) => p.type === type).value);
  return (Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - date.getTime()) / 60000;
}

/** The instant a local date (YYYY-MM-DD) begins in the zone: the tenant's days are the stats' days. */
export function zonedMidnight(isoDate, zone) {
  const guess = Date.parse(`${isoDate}T00:00:00Z`);
  let instant = guess - offsetMinutes(zone, new Date(guess)) * 60000;
  const corrected = guess - offsetMinutes(zone, new Date(instant)) * 60000;
  if (corrected !== instant) instant = corrected;
  return new Date(instant);
}

function todayIn(zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(isoDate, days) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function page(...children) {
  return h('div', { class: 'scroll-area' }, h('div', { class: 'dashboard-page' }, h('h1', {}, t('dash.title')), ...children));
}

export async function renderDashboard(container, { user }) {
  const tenantId = tenantInView(user);
  if (user.role === 'agent') {
    container.replaceChildren(page(h('p', { role: 'alert' }, t('dash.forbidden'))));
    return;
  }
  if (!tenantId) {
    container.replaceChildren(page(h('p', { role: 'status' }, t('dash.pick_tenant'))));
    return;
  }
  container.replaceChildren(page(h('p', { role: 'status' }, t('dash.loading'))));
  let tenant;
  try {
    tenant = await api.get(`/api/tenants/${encodeURIComponent(tenantId)}`);
  } catch (error) {
    container.replaceChildren(page(h('p', { role: 'alert' }, t('error.generic', { status: error.status }))));
    return;
  }
  const zone = tenant.timezone || 'UTC';
  const numbers = new Intl.NumberFormat(locale());
  const decimals = new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const dayLabel = new Intl.DateTimeFormat(locale(), { day: '2-digit', month: 'short', timeZone: 'UTC' });
  const formatDate = (date) => dayLabel.format(new Date(`${date}T00:00:00Z`));

  const periodId = uid('period');
  const fromInput = h('input', { id: uid('from'), type: 'date', required: true });
  const toInput = h('input', { id: uid('to'), type: 'date', required: true });
  const preset = h('select', { id: periodId, 'data-testid': 'dashboard-period' },
    presets.map((days) => h('option', { value: String(days) }, t('dash.last_days', { days }))),
    h('option', { value: 'custom' }, t('dash.custom')));
  const customFields = h('div', { class: 'dashboard-dates', hidden: true },
    h('div', { class: 'field' }, h('label', { for: fromInput.id }, t('dash.from')), fromInput),
    h('div', { class: 'field' }, h('label', { for: toInput.id }, t('dash.to')), toInput));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const results = h('div', { class: 'dashboard-results', 'aria-live': 'polite' });

  function chosenDates() {
    if (preset.value !== 'custom') {
      const last = todayIn(zone);
      return [addDays(last, 1 - Number(preset.value)), last];
    }
    return [fromInput.value, toInput.value];
  }

  async function show() {
    error.hidden = true;
    const [first, last] = chosenDates();
    const span = first && last ? (Date.parse(last) - Date.parse(first)) / 86400000 + 1 : 0;
    if (!first || !last || span < 1 || span > 366) {
      error.textContent = t('dash.bad_period');
      error.hidden = false;
      return;
    }
    const from = zonedMidnight(first, zone).toISOString();
    const to = zonedMidnight(addDays(last, 1), zone).toISOString();
    results.replaceChildren(h('p', { role: 'status' }, t('dash.loading')));
    let stats;
    try {
      stats = await api.get(`/api/tenants/${encodeURIComponent(tenantId)}/stats${query({ from, to, interval: 'day' })}`);
    } catch (failure) {
      results.replaceChildren(h('p', { role: 'alert' }, failure.problem?.detail || t('error.generic', { status: failure.status })));
      return;
    }
    results.replaceChildren(...draw(stats, { first, last, from, to }));
  }

  function card(id, label, value) {
    return h('div', { class: 'stat-card', 'data-testid': id }, h('span', { class: 'stat-label' }, label), h('strong', { class: 'stat-value' }, value));
  }

  function draw(stats, period) {
    const days = stats.days ?? [];
    const dates = days.map((d) => d.date);
    const share = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 10);
    const hasCost = stats.tokens.cost !== null && stats.tokens.cost !== undefined;
    const csv = `/api/tenants/${encodeURIComponent(tenantId)}/conversations.csv${query({ from: period.from, to: period.to })}`;
    const charts = [
      barChart({ id: 'chart-conversations', title: t('dash.chart.conversations'), dates, formatDate, format: (v) => numbers.format(v),
        series: [{ key: 'conversations', label: t('dash.series.conversations'), values: days.map((d) => d.conversations) }] }),
      barChart({ id: 'chart-bot-share', title: t('dash.chart.bot_share'), dates, formatDate, format: (v) => `${decimals.format(v)}%`,
        series: [{ key: 'handled_by_bot_share', label: t('dash.series.bot_share'), values: days.map((d) => share(d.handled_by_bot_share)) }] }),
      barChart({ id: 'chart-first-reply', title: t('dash.chart.first_reply'), dates, formatDate, format: (v) => decimals.format(v),
        series: [
          { key: 'median_seconds', label: t('dash.series.median'), values: days.map((d) => d.first_reply.median_seconds) },
          { key: 'p90_seconds', label: t('dash.series.p90'), values: days.map((d) => d.first_reply.p90_seconds) },
        ] }),
      barChart({ id: 'chart-people', title: t('dash.chart.people'), dates, formatDate, format: (v) => numbers.format(v),
        series: [
          { key: 'human_takeovers', label: t('dash.series.takeovers'), values: days.map((d) => d.human_takeovers) },
          { key: 'handoff_requests', label: t('dash.series.handoffs'), values: days.map((d) => d.handoff_requests) },
        ] }),
      barChart({ id: 'chart-tokens', title: t('dash.chart.tokens'), dates, formatDate, format: (v) => numbers.format(v),
        series: [
          { key: 'input', label: t('dash.series.input'), values: days.map((d) => d.tokens.input) },
          { key: 'output', label: t('dash.series.output'), values: days.map((d) => d.tokens.output) },
        ] }),
      hasCost
        ? barChart({ id: 'chart-cost', title: t('dash.chart.cost'), dates, formatDate, format: (v) => money.format(v),
          series: [{ key: 'cost', label: t('dash.series.cost'), values: days.map((d) => d.tokens.cost) }] })
        : null,
    ];
    return [
      h('p', { class: 'dashboard-caption' }, t('dash.period_caption', { from: formatDate(period.first), to: formatDate(period.last), zone })),
      h('div', { class: 'stat-cards' },
        card('card-conversations', t('dash.card.conversations'), numbers.format(stats.conversations)),
        card('card-bot-share', t('dash.card.bot_share'), stats.handled_by_bot_share === null ? t('dash.none') : `${decimals.format(share(stats.handled_by_bot_share))}%`),
        card('card-first-reply', t('dash.card.first_reply'), stats.first_reply.median_seconds === null ? t('dash.none') : `${decimals.format(stats.first_reply.median_seconds)} s`),
        card('card-takeovers', t('dash.card.takeovers'), numbers.format(stats.human_takeovers)),
        card('card-handoffs', t('dash.card.handoffs'), numbers.format(stats.handoff_requests)),
        card('card-tokens', t('dash.card.tokens'), numbers.format(stats.tokens.input + stats.tokens.output)),
        card('card-cost', t('dash.card.cost'), hasCost ? money.format(stats.tokens.cost) : t('dash.no_prices'))),
      h('p', {}, h('a', { class: 'download-link', href: csv, download: '', 'data-testid': 'download-csv' }, t('dash.download'))),
      h('div', { class: 'charts' }, charts),
    ];
  }

  preset.addEventListener('change', () => {
    customFields.hidden = preset.value !== 'custom';
    if (preset.value !== 'custom') show();
    else {
      const [first, last] = [addDays(todayIn(zone), -6), todayIn(zone)];
      fromInput.value ||= first;
      toInput.value ||= last;
    }
  });
  const form = h('form', { class: 'dashboard-period', onsubmit(event) { event.preventDefault(); show(); } },
    h('div', { class: 'field' }, h('label', { for: periodId }, t('dash.period')), preset),
    customFields,
    h('button', { type: 'submit', class: 'primary' }, t('dash.show')),
    error);
  container.replaceChildren(page(form, results));
  await show();
}
