// Gas loss for managers (issue 8 page 5, domain.md §7): monthly loss trend per district
// (supply minus customer usage) and the worst N bulk meters. Months where some meter's reads
// do not cover the whole month are marked: reads on different days distort loss.
import { h, getJson, chart, num, pct } from '../dom.js';
import { t } from '../i18n.js';

export async function render(main, { go, state, range }) {
  const n = Number.parseInt(state.n ?? '5', 10) || 5;
  const p = `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
  const [districts, worst] = await Promise.all([getJson(`/api/loss/districts?${p}`), getJson(`/api/loss/bulk-meters?${p}&limit=${n}`)]);
  const months = [...new Set(districts.districts.flatMap((d) => d.months.map((m) => m.month)))].sort();
  const trend = h('div', { class: 'chart', id: 'loss-chart' });
  const table = h('table', { class: 'data', id: 'district-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('f.district')), h('th', {}, t('loss.supply')), h('th', {}, t('loss.customers')), h('th', {}, t('bulk.loss')), h('th', {}, t('bulk.share')), months.map((m) => h('th', {}, m)))),
    h('tbody', {}, districts.districts.map((d) => h('tr', {},
      h('td', {}, d.district), h('td', { class: 'n' }, num(d.total.supply)), h('td', { class: 'n' }, num(d.total.customers)), h('td', { class: 'n' }, num(d.total.loss)), h('td', { class: 'n' }, pct(d.total.lossShare)),
      months.map((mo) => {
        const m = d.months.find((x) => x.month === mo);
        return h('td', { class: `n${m && m.minCoverage < 1 ? ' window' : ''}`, title: m && m.minCoverage < 1 ? t('loss.window') : '' }, m ? pct(m.lossShare) : '');
      })))));
  const nBox = h('label', { class: 'field no-print' }, t('loss.n'), h('input', { type: 'number', min: '1', max: '100', value: String(n), name: 'n', onchange: (e) => go({ n: e.target.value }) }));
  const worstTable = h('table', { class: 'data', id: 'worst-table' },
    h('thead', {}, h('tr', {}, ['bulk.meter', 'f.district', 'bulk.bulk', 'bulk.households', 'bulk.loss', 'bulk.share'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, worst.items.map((b) => h('tr', {},
      h('td', {}, h('a', { href: `?page=bulk&bulk=${b.bulkMeterId}`, onclick: (e) => { e.preventDefault(); go({ page: 'bulk', bulk: b.bulkMeterId }); } }, b.bulkMeterId)),
      h('td', {}, b.district ?? ''), h('td', { class: 'n' }, num(b.total.bulk)), h('td', { class: 'n' }, num(b.total.households)), h('td', { class: 'n' }, num(b.total.loss)),
      h('td', { class: b.total.lossShare > 0.08 ? 'n bad' : 'n' }, pct(b.total.lossShare))))));
  const bulkTrend = h('div', { class: 'chart', id: 'bulk-trend-chart' });
  main.replaceChildren(h('h1', {}, t('loss.title')), h('section', { class: 'card' }, trend), h('section', { class: 'card scroll' }, table),
    h('section', { class: 'card' }, h('h2', {}, t('loss.worst')), nBox, worstTable, bulkTrend));
  chart(trend, {
    tooltip: { trigger: 'axis' },
    legend: { data: districts.districts.map((d) => d.district) },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', name: `${t('bulk.share')} %` },
    series: districts.districts.map((d) => ({ name: d.district, type: 'line', data: months.map((mo) => { const m = d.months.find((x) => x.month === mo); return m && m.lossShare !== null ? Math.round(m.lossShare * 1000) / 10 : null; }) })),
  });
  const bulkMonths = [...new Set(worst.items.flatMap((b) => b.months.map((m) => m.month)))].sort();
  chart(bulkTrend, {
    tooltip: { trigger: 'axis' },
    legend: { data: worst.items.map((b) => b.bulkMeterId) },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: bulkMonths },
    yAxis: { type: 'value', name: `${t('bulk.share')} %` },
    series: worst.items.map((b) => ({ name: b.bulkMeterId, type: 'line', data: bulkMonths.map((mo) => { const m = b.months.find((x) => x.month === mo); return m && m.lossShare !== null ? Math.round(m.lossShare * 1000) / 10 : null; }) })),
  });
}
