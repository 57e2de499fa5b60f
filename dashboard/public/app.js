// The dashboard shell: navigation, language toggle (remembered), time-range picker, the
// badge for new critical alerts, and a router on `?page=` (issue 8 item 1, 7).
import { h, getJson } from './dom.js';
import { getLang, setLang, t } from './i18n.js';
import { getState, setState, QUICK_RANGES } from './state.js';
import { setZone, getZone, resolveRange } from './zone.js';
import { connectFeed, feed } from './feed.js';

const PAGES = {
  live: () => import('./pages/live.js'),
  lists: () => import('./pages/lists.js'),
  visits: () => import('./pages/visits.js'),
  meter: () => import('./pages/meter.js'),
  bulk: () => import('./pages/bulk.js'),
  loss: () => import('./pages/loss.js'),
  ledger: () => import('./pages/ledger.js'),
};

let criticalCount = 0;
let renderToken = 0;

function renderNav() {
  const page = getState().page || 'live';
  const nav = document.getElementById('nav');
  nav.replaceChildren(...Object.keys(PAGES).map((p) =>
    h('a', { href: `?page=${p}${getState().range ? `&range=${getState().range}` : ''}`, class: p === page ? 'active' : '', 'data-page': p, onclick: (e) => { e.preventDefault(); go({ page: p }); } }, t(`nav.${p}`))));
  document.getElementById('lang-toggle').textContent = t('lang.switch');
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.title = `${t(`nav.${page}`)} · ${t('app.title')}`;
  document.getElementById('zone-note').textContent = `${t('zone')}: ${getZone()}`;
}

function renderRangeBar() {
  const s = getState();
  const bar = document.getElementById('range-bar');
  const { from, to } = resolveRange(s);
  const custom = Boolean(s.from && s.to);
  const fromIn = h('input', { type: 'date', name: 'from', value: from.slice(0, 10) });
  const toIn = h('input', { type: 'date', name: 'to', value: to.slice(0, 10) });
  bar.replaceChildren(
    h('span', { class: 'label' }, t('range.label')),
    ...QUICK_RANGES.map((r) => h('button', { type: 'button', class: !custom && (s.range || '30d') === r ? 'quick active' : 'quick', 'data-range': r, onclick: () => go({ range: r, from: '', to: '' }) }, t(`range.${r}`))),
    h('label', { class: 'field' }, t('range.from'), fromIn),
    h('label', { class: 'field' }, t('range.to'), toIn),
    h('button', { type: 'button', onclick: () => go({ from: fromIn.value, to: toIn.value, range: '' }) }, t('range.apply')),
  );
}

function renderBadge() {
  const badge = document.getElementById('critical-badge');
  badge.hidden = criticalCount === 0;
  badge.textContent = String(criticalCount);
  badge.title = `${criticalCount} ${t('badge.critical')}`;
}

/** Changes the view: the state goes to the URL first, the page is rendered from the URL. */
export function go(patch) {
  setState(patch, { push: true });
  render();
}

async function render() {
  const token = ++renderToken;
  renderNav();
  renderRangeBar();
  renderBadge();
  const page = getState().page || 'live';
  const main = document.getElementById('page');
  main.dataset.page = page;
  main.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  try {
    const mod = await (PAGES[page] ?? PAGES.live)();
    if (token !== renderToken) return;
    await mod.render(main, { go, state: getState(), range: resolveRange(getState()) });
  } catch (err) {
    if (token === renderToken) main.replaceChildren(h('p', { class: 'error' }, `${t('error')}: ${err.message}`));
  }
}

async function start() {
  setLang(getLang());
  try {
    const config = await getJson('/api/config');
    setZone(config.timezone);
  } catch {
    // the default zone stays
  }
  document.getElementById('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'en' ? 'zh-CN' : 'en');
    render();
  });
  document.getElementById('critical-badge').addEventListener('click', () => {
    criticalCount = 0;
    renderBadge();
    go({ page: 'live', severity: 'critical' });
  });
  feed.addEventListener('alert', (e) => {
    if (e.detail.severity === 'critical') {
      criticalCount++;
      renderBadge();
    }
  });
  window.addEventListener('popstate', render);
  connectFeed();
  await render();
  document.body.dataset.ready = 'true';
}

start();
