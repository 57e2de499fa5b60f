// Live alerts (issue 8 page 1): recent alerts, then every new one from the WebSocket on top,
// coloured by severity, filtered like the list, with acknowledge / assign / close.
import { h, getJson } from '../dom.js';
import { t } from '../i18n.js';
import { feed, feedOpen } from '../feed.js';
import { getState } from '../state.js';
import { alertFilters, passes } from './filters.js';
import { alertRow, alertTable, alertQuery } from './alert-table.js';

let detach;

export async function render(main, { go, state, range }) {
  detach?.();
  const status = h('p', { class: `feed-status ${feedOpen() ? 'up' : 'down'}`, id: 'feed-status' }, feedOpen() ? t('live.connected') : t('live.disconnected'));
  const filters = await alertFilters(state, go);
  const { items } = await getJson(`/api/alerts?${alertQuery(state, range, { limit: '200' })}`);
  const { table, body } = alertTable(items, { actions: true, go });
  body.id = 'live-alerts';
  main.replaceChildren(h('h1', {}, t('nav.live')), filters, status, table);

  const onAlert = (e) => {
    if (getState().page && getState().page !== 'live') return;
    if (!passes(e.detail, getState())) return;
    body.querySelector(`[data-alert-id="${CSS.escape(e.detail.id)}"]`)?.remove();
    body.prepend(alertRow(e.detail, { actions: true, go, fresh: true }));
  };
  const onStatus = (e) => {
    status.className = `feed-status ${e.detail === 'open' ? 'up' : 'down'}`;
    status.textContent = e.detail === 'open' ? t('live.connected') : t('live.disconnected');
  };
  feed.addEventListener('alert', onAlert);
  feed.addEventListener('status', onStatus);
  detach = () => {
    feed.removeEventListener('alert', onAlert);
    feed.removeEventListener('status', onStatus);
  };
}
