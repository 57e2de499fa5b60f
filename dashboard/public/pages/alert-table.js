// The alert table shared by the live page, the inspection lists and the meter page.
import { h, num, postJson } from '../dom.js';
import { t, ruleName, severityName, statusName } from '../i18n.js';
import { formatTime, formatDay } from '../zone.js';
import { alertMessage } from '../messages.js';

async function setStatus(alert, status, row, onChanged) {
  const res = await postJson(`/api/alerts/${encodeURIComponent(alert.id)}/status`, { status });
  if (!res.ok) {
    row.classList.add('failed');
    return;
  }
  const updated = await res.json();
  Object.assign(alert, updated);
  onChanged?.(alert);
}

/** One row; `actions` adds acknowledge / assign / close buttons (POST /api/alerts/{id}/status). */
export function alertRow(alert, opts = {}) {
  const { actions = false, go, onChanged, fresh = false } = opts;
  const row = h('tr', { class: `sev-${alert.severity}${fresh ? ' fresh' : ''}`, 'data-alert-id': alert.id, 'data-rule': alert.rule });
  const redraw = () => row.replaceChildren(...cells().filter(Boolean));
  const cells = () => [
    h('td', {}, formatTime(alert.raisedAt)),
    h('td', {}, h('a', { href: `?page=meter&meter=${encodeURIComponent(alert.meterId)}`, onclick: (e) => { if (go) { e.preventDefault(); go({ page: 'meter', meter: alert.meterId }); } } }, alert.meterId)),
    opts.customer ? h('td', {}, alert.customer?.customerName ?? '') : null,
    opts.customer ? h('td', { class: 'msg' }, alert.customer?.address ?? '') : null,
    h('td', {}, alert.district ?? ''),
    h('td', {}, alert.route ?? ''),
    h('td', {}, ruleName(alert.rule)),
    h('td', {}, h('span', { class: `sev sev-${alert.severity}` }, severityName(alert.severity))),
    h('td', {}, `${formatDay(alert.periodStart)} – ${formatDay(alert.periodEnd)}`),
    h('td', { class: 'n' }, num(alert.value, 2)),
    h('td', { class: 'n' }, num(alert.score, 1)),
    h('td', { class: 'status' }, statusName(alert.status)),
    h('td', { class: 'msg' }, alertMessage(alert)),
    actions ? h('td', { class: 'actions no-print' },
      alert.status === 'open' ? h('button', { type: 'button', class: 'ack', onclick: () => setStatus(alert, 'acknowledged', row, (a) => { redraw(); onChanged?.(a); }) }, t('a.ack')) : null,
      alert.status !== 'assigned' && alert.status !== 'closed' ? h('button', { type: 'button', class: 'assign', onclick: () => setStatus(alert, 'assigned', row, (a) => { redraw(); onChanged?.(a); }) }, t('a.assign')) : null,
      alert.status !== 'closed' ? h('button', { type: 'button', class: 'close', onclick: () => setStatus(alert, 'closed', row, (a) => { redraw(); onChanged?.(a); }) }, t('a.close')) : null) : null,
  ];
  redraw();
  return row;
}

export function alertTable(alerts, opts = {}) {
  const head = ['col.raisedAt', 'col.meterId', ...(opts.customer ? ['col.customer', 'col.address'] : []), 'col.district', 'col.route', 'col.rule', 'col.severity', 'col.period', 'col.value', 'col.score', 'col.status', 'col.message'];
  if (opts.actions) head.push('col.actions');
  const body = h('tbody', {}, alerts.map((a) => alertRow(a, opts)));
  const table = h('table', { class: 'alerts' }, h('thead', {}, h('tr', {}, head.map((k) => h('th', { class: k === 'col.actions' ? 'no-print' : '' }, t(k))))), body);
  return { table, body };
}

/** Query string of GET /api/alerts for the page's filters and time range. */
export function alertQuery(state, range, extra = {}) {
  const q = new URLSearchParams();
  for (const k of ['rule', 'district', 'route', 'severity', 'status', 'meterId']) if (state[k]) q.set(k, state[k]);
  q.set('from', range.from);
  q.set('to', range.to);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') q.set(k, v);
  return q;
}
