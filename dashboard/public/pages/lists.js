// Alert lists for inspection teams (issue 8 page 2): by district, route, rule and date,
// strongest cases first on request; printable, and exported as CSV (BOM) or XLSX.
import { h, getJson, download } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { formatTime, formatDay } from '../zone.js';
import { alertFilters } from './filters.js';
import { alertTable, alertQuery } from './alert-table.js';

export async function render(main, { go, state, range }) {
  const filters = await alertFilters(state, go, { route: true });
  const sort = state.sort === 'score' ? 'score' : undefined;
  const q = alertQuery(state, range, { limit: '5000', sort });
  const withCustomer = new URLSearchParams(q);
  withCustomer.set('include', 'customer');
  const { items } = await getJson(`/api/alerts?${withCustomer}`);
  const { table } = alertTable(items, { go, customer: true });
  const exportUrl = (format) => {
    const e = new URLSearchParams(q);
    e.set('format', format);
    e.set('lang', getLang() === 'en' ? 'en' : 'zh');
    return `/api/alerts?${e}`;
  };
  const sortBox = h('label', { class: 'field no-print' }, h('input', { type: 'checkbox', name: 'sort', checked: sort === 'score', onchange: (e) => go({ sort: e.target.checked ? 'score' : '' }) }), t('lists.sort'));
  const tools = h('div', { class: 'tools no-print' },
    h('button', { type: 'button', id: 'print', onclick: () => window.print() }, t('lists.print')),
    h('button', { type: 'button', id: 'export-csv', onclick: () => download(exportUrl('csv'), 'alerts.csv') }, t('lists.csv')),
    h('button', { type: 'button', id: 'export-xlsx', onclick: () => download(exportUrl('xlsx'), 'alerts.xlsx') }, t('lists.xlsx')));
  const scope = [state.district, state.route, state.rule].filter(Boolean).join(' · ');
  main.replaceChildren(
    h('h1', {}, t('lists.title'), scope ? ` — ${scope}` : ''),
    h('p', { class: 'print-only' }, `${formatDay(range.from)} – ${formatDay(range.to)} · ${t('lists.printed')}: ${formatTime(Date.now())}`),
    filters, h('div', { class: 'row no-print' }, sortBox, tools),
    h('p', { class: 'count' }, `${items.length} ${t('lists.count')}`),
    table);
}
