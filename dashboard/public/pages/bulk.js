// Bulk meters (issue 8 page 4): household sum against bulk usage and loss share per month
// (domain.md §2, §7), worst first; one bulk meter's months on a chart.
import { h, getJson, chart, num, pct } from '../dom.js';
import { t } from '../i18n.js';

function monthParams(range) {
  return `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
}

export function lossChart(el, months, inLabel, outLabel, inKey, outKey) {
  return chart(el, {
    tooltip: { trigger: 'axis' },
    legend: { data: [inLabel, outLabel, t('bulk.share')] },
    grid: { left: 60, right: 60, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: [{ type: 'value', name: t('m3') }, { type: 'value', name: '%', axisLabel: { formatter: (v) => `${v}` } }],
    series: [
      { name: inLabel, type: 'bar', data: months.map((m) => m[inKey]) },
      { name: outLabel, type: 'bar', data: months.map((m) => m[outKey]) },
      { name: t('bulk.share'), type: 'line', yAxisIndex: 1, data: months.map((m) => (m.lossShare === null ? null : Math.round(m.lossShare * 1000) / 10)) },
    ],
  });
}

export async function render(main, { go, state, range }) {
  const list = await getJson(`/api/loss/bulk-meters?${monthParams(range)}&limit=100`);
  const rows = list.items.map((b) => h('tr', { class: b.bulkMeterId === state.bulk ? 'selected' : '', 'data-bulk': b.bulkMeterId },
    h('td', {}, h('a', { href: `?page=bulk&bulk=${b.bulkMeterId}`, onclick: (e) => { e.preventDefault(); go({ bulk: b.bulkMeterId }); } }, b.bulkMeterId)),
    h('td', {}, b.district ?? ''), h('td', { class: 'n' }, String(b.householdMeters)),
    h('td', { class: 'n' }, num(b.total.bulk)), h('td', { class: 'n' }, num(b.total.households)), h('td', { class: 'n' }, num(b.total.loss)),
    h('td', { class: b.total.lossShare > 0.08 || b.total.lossShare < 0 ? 'n bad' : 'n' }, pct(b.total.lossShare))));
  const table = h('table', { class: 'data', id: 'bulk-table' },
    h('thead', {}, h('tr', {}, ['bulk.meter', 'f.district', 'meter.households', 'bulk.bulk', 'bulk.households', 'bulk.loss', 'bulk.share'].map((k) => h('th', {}, t(k))))), h('tbody', {}, rows));
  const selected = list.items.find((b) => b.bulkMeterId === state.bulk) ?? list.items[0];
  const box = h('div', { class: 'chart', id: 'bulk-chart' });
  main.replaceChildren(h('h1', {}, t('bulk.title')), table,
    selected ? h('section', { class: 'card' }, h('h2', {}, `${t('bulk.meter')} ${selected.bulkMeterId}`), box, monthTable(selected.months)) : h('p', {}, t('none')));
  if (selected) lossChart(box, selected.months, t('bulk.bulk'), t('bulk.households'), 'bulk', 'households');
}

function monthTable(months) {
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), months.map((m) => h('th', {}, m.month)))),
    h('tbody', {},
      h('tr', {}, h('th', {}, t('bulk.bulk')), months.map((m) => h('td', { class: 'n' }, num(m.bulk)))),
      h('tr', {}, h('th', {}, t('bulk.households')), months.map((m) => h('td', { class: 'n' }, num(m.households)))),
      h('tr', {}, h('th', {}, t('bulk.share')), months.map((m) => h('td', { class: `n${m.lossShare > 0.08 ? ' bad' : ''}${m.minCoverage < 1 ? ' window' : ''}`, title: m.minCoverage < 1 ? t('loss.window') : '' }, pct(m.lossShare))))));
}
