// Meter drill-down (issue 8 page 3): registry archive, class memberships (blacklist, ledger),
// readings chart with zoom, monthly usage against the same month last year (the bulk-meter
// archive chart of domain.md §5), and the meter's alerts.
import { h, getJson, chart } from '../dom.js';
import { t } from '../i18n.js';
import { formatTime, startOfDayIso, dayOf } from '../zone.js';
import { alertTable } from './alert-table.js';

const REGISTRY_FIELDS = ['customerName', 'customerId', 'address', 'contact', 'category', 'kind', 'spec', 'qmax', 'status', 'manufacturer', 'model', 'propertyCompany', 'households', 'commercialUnits'];

function searchBox(state, go) {
  const input = h('input', { type: 'text', name: 'meter', value: state.meter ?? '', placeholder: t('meter.placeholder') });
  return h('form', { class: 'search no-print', onsubmit: (e) => { e.preventDefault(); go({ meter: input.value.trim() }); } }, input, h('button', { type: 'submit' }, t('meter.search')));
}

/** Monthly usage needs whole months and at least a year to compare; widen short ranges. */
function usageRange(range) {
  const from = Date.parse(range.from);
  const yearBefore = Date.parse(range.to) - 365 * 86_400_000;
  return { from: from < yearBefore ? range.from : startOfDayIso(`${dayOf(yearBefore).slice(0, 7)}-01`), to: range.to };
}

export async function render(main, { go, state, range }) {
  const box = searchBox(state, go);
  if (!state.meter) {
    main.replaceChildren(h('h1', {}, t('nav.meter')), box);
    return;
  }
  const id = encodeURIComponent(state.meter);
  const u = usageRange(range);
  const [info, readings, usage, alerts] = await Promise.all([
    getJson(`/api/meters/${id}`),
    // Aggregated in the database (SAMPLE BY) to ≤ 1500 buckets, whatever the range.
    getJson(`/api/meters/${id}/readings/sampled?points=1500&from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`),
    getJson(`/api/meters/${id}/usage?granularity=month&from=${encodeURIComponent(u.from)}&to=${encodeURIComponent(u.to)}`),
    getJson(`/api/alerts?meterId=${id}&limit=200`),
  ]);
  const m = info.meter;
  const registry = h('dl', { class: 'registry' }, REGISTRY_FIELDS.filter((f) => m[f] !== undefined && m[f] !== null).flatMap((f) => [h('dt', {}, t(`reg.${f}`)), h('dd', {}, String(m[f]))]));
  if (info.parent) registry.append(h('dt', {}, t('meter.parent')), h('dd', {}, h('a', { href: `?page=meter&meter=${info.parent.meterId}`, onclick: (e) => { e.preventDefault(); go({ meter: info.parent.meterId }); } }, info.parent.meterId)));
  const c = info.classes ?? {};
  const yes = (b) => h('span', { class: b ? 'flag on' : 'flag' }, b ? t('meter.yes') : t('meter.no'));
  const classes = h('dl', { class: 'registry classes' },
    h('dt', {}, t('meter.blacklist')), h('dd', { id: 'blacklist-status' }, yes(c.blacklist?.member)),
    h('dt', {}, t('meter.ledger')), h('dd', {}, yes(c.ledger?.open), ' ', (c.ledger?.cases ?? []).map((x) => h('a', { class: 'chip', href: `?page=ledger&case=${x.caseId}`, onclick: (e) => { e.preventDefault(); go({ page: 'ledger', tab: 'cases', case: x.caseId }); } }, `${x.caseId} · ${x.state}`))),
    h('dt', {}, t('meter.largeFlow')), h('dd', {}, yes(c.largeFlow?.member)),
    h('dt', {}, t('meter.highUsage')), h('dd', {}, yes(c.highMonthlyUsage?.member)));
  const households = info.households?.length
    ? h('p', {}, `${t('meter.households')}: `, info.households.map((x) => h('a', { href: `?page=meter&meter=${x.meterId}`, class: 'chip', onclick: (e) => { e.preventDefault(); go({ meter: x.meterId }); } }, x.meterId)))
    : null;

  const readingsBox = h('div', { class: 'chart', id: 'readings-chart' });
  const usageBox = h('div', { class: 'chart', id: 'usage-chart' });
  main.replaceChildren(
    h('h1', {}, `${t('nav.meter')} ${m.meterId}`, m.customerName ? ` · ${m.customerName}` : ''), box,
    h('div', { class: 'cards' }, h('section', { class: 'card' }, h('h2', {}, t('meter.registry')), registry, households), h('section', { class: 'card' }, h('h2', {}, t('meter.classes')), classes)),
    h('section', { class: 'card' }, h('h2', {}, t('meter.readings')), readingsBox),
    h('section', { class: 'card' }, h('h2', {}, t('meter.usage')), usageBox),
    h('section', { class: 'card' }, h('h2', {}, t('meter.alerts')), alertTable(alerts.items, { actions: true, go }).table));

  chart(readingsBox, {
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 20, top: 20, bottom: 70 },
    xAxis: { type: 'category', data: readings.items.map((r) => formatTime(r.ts)) },
    yAxis: { type: 'value', name: t('m3'), scale: true },
    dataZoom: [{ type: 'inside' }, { type: 'slider' }],
    series: [{ name: t('meter.reading'), type: 'line', showSymbol: false, data: readings.items.map((r) => r.last) }],
  });
  chart(usageBox, {
    tooltip: { trigger: 'axis' },
    legend: { data: [t('meter.current'), t('meter.previous')] },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: usage.periods.map((p) => p.start.slice(0, 7)) },
    yAxis: { type: 'value', name: t('m3') },
    series: [
      { name: t('meter.current'), type: 'bar', data: usage.periods.map((p) => (p.usage === null ? null : Math.round(p.usage * 10) / 10)) },
      { name: t('meter.previous'), type: 'bar', data: usage.periods.map((p) => (p.previousYear === null ? null : Math.round(p.previousYear * 10) / 10)) },
    ],
  });
  main.dataset.readings = String(readings.items.length);
  main.dataset.usagePeriods = String(usage.periods.length);
}
