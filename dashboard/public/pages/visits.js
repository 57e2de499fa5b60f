// Visit schedule for inspection teams (issue 6 item 2; domain.md §4): the ≥40 m³/h class is
// checked twice a month (1st–15th, 16th–end), the ≥100 m³/month residential class monthly.
// Every window of the month with its state, overdue first; filters and the day in the URL;
// printable, and exported as CSV (BOM) or XLSX like the inspection lists.
import { h, select, getJson, download, num } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { formatTime, formatDay, dayOf, startOfDayIso } from '../zone.js';

const CLASSES = ['large_flow', 'monthly'];
const STATES = ['overdue', 'due', 'upcoming', 'done'];

/** The end of a company-zone day (the schedule as it stands that evening), as epoch ms. */
function endOfDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return Date.parse(startOfDayIso(next)) - 1;
}

function query(state) {
  const q = new URLSearchParams();
  if (state.asOf && /^\d{4}-\d{2}-\d{2}$/.test(state.asOf)) q.set('asOf', String(endOfDay(state.asOf)));
  for (const k of ['district', 'route', 'class', 'state']) if (state[k]) q.set(k, state[k]);
  return q;
}

function row(r, go) {
  const meterLink = h('a', { href: `?page=meter&meter=${encodeURIComponent(r.meterId)}`, onclick: (e) => { e.preventDefault(); go({ page: 'meter', meter: r.meterId }); } }, r.meterId);
  return h('tr', { class: `visit-${r.state}`, 'data-meter-id': r.meterId, 'data-window': r.window, 'data-state': r.state },
    h('td', {}, h('span', { class: `vstate vstate-${r.state}` }, t(`visits.state.${r.state}`))),
    h('td', {}, `${formatDay(r.windowStart)} – ${formatDay(Date.parse(r.windowEnd) - 1)}`),
    h('td', {}, meterLink),
    h('td', {}, r.customerName ?? ''),
    h('td', { class: 'msg' }, r.address ?? ''),
    h('td', {}, r.contact ?? ''),
    h('td', {}, r.district ?? ''),
    h('td', {}, r.route ?? ''),
    h('td', {}, t(`visits.class.${r.visitClass}`)),
    h('td', {}, r.visitedAt ? formatTime(r.visitedAt) : ''),
    h('td', {}, r.inspector ?? ''),
    h('td', { class: 'n' }, `${r.classMonth} · ${num(r.classValue, 1)}`));
}

export async function render(main, { go, state }) {
  const q = query(state);
  const [data, areas] = await Promise.all([getJson(`/api/visits/due?${q}`), getJson('/api/registry/areas').catch(() => ({ districts: [], routes: [] }))]);
  const all = ['', t('f.all')];
  // A district or route from a shared URL stays selected even when the registry list lacks it.
  const withCurrent = (list, v) => (v && !list.includes(v) ? [...list, v] : list);
  const dayIn = h('input', { type: 'date', name: 'asOf', value: state.asOf || dayOf(Date.now()), onchange: (e) => go({ asOf: e.target.value }) });
  const filters = h('div', { class: 'filters no-print' },
    h('label', { class: 'field' }, t('visits.asOf'), dayIn),
    select('district', t('f.district'), [all, ...withCurrent(areas.districts, state.district).map((d) => [d, d])], state.district, (v) => go({ district: v })),
    select('route', t('f.route'), [all, ...withCurrent(areas.routes, state.route).map((r) => [r, r])], state.route, (v) => go({ route: v })),
    select('class', t('visits.class'), [all, ...CLASSES.map((c) => [c, t(`visits.class.${c}`)])], state.class, (v) => go({ class: v })),
    select('state', t('f.status'), [all, ...STATES.map((s) => [s, t(`visits.state.${s}`)])], state.state, (v) => go({ state: v })));
  const exportUrl = (format) => {
    const e = new URLSearchParams(q);
    e.set('format', format);
    e.set('lang', getLang() === 'en' ? 'en' : 'zh');
    return `/api/visits/due?${e}`;
  };
  const tools = h('div', { class: 'tools no-print' },
    h('button', { type: 'button', id: 'print', onclick: () => window.print() }, t('lists.print')),
    h('button', { type: 'button', id: 'export-csv', onclick: () => download(exportUrl('csv'), 'visits-due.csv') }, t('lists.csv')),
    h('button', { type: 'button', id: 'export-xlsx', onclick: () => download(exportUrl('xlsx'), 'visits-due.xlsx') }, t('lists.xlsx')));
  const head = ['visits.col.state', 'visits.col.window', 'col.meterId', 'col.customer', 'col.address', 'reg.contact', 'col.district', 'col.route', 'visits.class', 'visits.col.visitedAt', 'visits.col.inspector', 'visits.col.evidence'];
  const table = data.items.length
    ? h('table', { class: 'visits' }, h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(k))))), h('tbody', {}, data.items.map((r) => row(r, go))))
    : h('p', { class: 'muted' }, t('none'));
  const tot = data.totals;
  const scope = [state.district, state.route, state.class ? t(`visits.class.${state.class}`) : ''].filter(Boolean).join(' · ');
  main.replaceChildren(
    h('h1', {}, t('visits.title'), scope ? ` — ${scope}` : ''),
    h('p', { class: 'muted' }, t('visits.explain')),
    h('p', { class: 'print-only' }, `${t('visits.asOf')}: ${formatTime(data.asOf)} · ${t('lists.printed')}: ${formatTime(Date.now())}`),
    filters, tools,
    h('p', { class: 'count', id: 'visit-totals' }, STATES.map((s) => `${t(`visits.state.${s}`)} ${tot[s]}`).join(' · ')),
    table);
}
