// Plain SVG bar charts for the dashboard: one group of bars per day, one bar per series, with the numbers beside
// them in a table (the chart is an image for screen readers; the table is the same data, readable and checkable).
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';

const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A round top for the axis: 1, 2, 5 × 10^n at or above max. */
function niceTop(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/**
 * A chart of days × series.
 * @param {{ id: string, title: string, dates: string[], series: { key: string, label: string, values: (number|null)[] }[],
 *           format: (value: number) => string, formatDate: (date: string) => string }} chart
 */
export function barChart({ id, title, dates, series, format, formatDate }) {
  const width = 640;
  const height = 220;
  const left = 48;
  const bottom = 28;
  const top = 12;
  const plotHeight = height - top - bottom;
  const plotWidth = width - left - 8;
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const max = niceTop(Math.max(0, ...values));
  const groupWidth = plotWidth / Math.max(1, dates.length);
  const barWidth = Math.max(1, (groupWidth * 0.8) / series.length);
  const labelEvery = Math.max(1, Math.ceil(dates.length / 8));
  const titleId = uid(`${id}-title`);
  const descId = uid(`${id}-desc`);

  const gridlines = [0, 0.5, 1].map((fraction) => {
    const y = top + plotHeight - fraction * plotHeight;
    return svg('g', { class: 'chart-grid' },
      svg('line', { x1: left, x2: width - 8, y1: y, y2: y }),
      svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, format(max * fraction)));
  });
  const bars = dates.map((date, day) => svg('g', { class: 'chart-day' },
    series.map((s, index) => {
      const value = s.values[day];
      if (value === null || value === undefined) return null;
      const barHeight = (value / max) * plotHeight;
      return svg('rect', {
        class: `chart-bar series-${index}`,
        x: left + day * groupWidth + groupWidth * 0.1 + index * barWidth,
        y: top + plotHeight - barHeight,
        width: barWidth,
        height: Math.max(barHeight, value > 0 ? 1 : 0),
        'data-date': date,
        'data-series': s.key,
        'data-value': value,
      }, svg('title', {}, `${formatDate(date)} · ${s.label}: ${format(value)}`));
    }),
    day % labelEvery === 0
      ? svg('text', { class: 'chart-date', x: left + day * groupWidth + groupWidth / 2, y: height - 8, 'text-anchor': 'middle' }, formatDate(date))
      : null));

  const image = svg('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`,
    preserveAspectRatio: 'none',
  },
  svg('desc', { id: descId }, t('dash.chart_desc', { title, count: dates.length, max: format(Math.max(0, ...values)) })),
  gridlines, bars);

  const legend = series.length > 1
    ? h('ul', { class: 'chart-legend' }, series.map((s, index) => h('li', {}, h('span', { class: `swatch series-${index}`, 'aria-hidden': 'true' }), s.label)))
    : null;

  const table = h('details', { class: 'chart-numbers' },
    h('summary', {}, t('dash.table')),
    h('table', { 'data-testid': `${id}-table` },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('dash.date')), series.map((s) => h('th', { scope: 'col' }, s.label)))),
      h('tbody', {}, dates.map((date, day) => h('tr', { 'data-date': date },
        h('th', { scope: 'row' }, formatDate(date)),
        series.map((s) => h('td', { 'data-series': s.key, 'data-value': s.values[day] ?? '' },
          s.values[day] === null || s.values[day] === undefined ? t('dash.none') : format(s.values[day]))))))));

  return h('section', { class: 'chart-card', 'data-testid': id, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title), legend, image, table);
}
