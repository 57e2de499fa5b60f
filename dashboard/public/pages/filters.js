// Filter selects for alerts (rule, district, route, severity, status), values kept in the URL.
import { h, select, getJson } from '../dom.js';
import { t, ruleName, severityName, statusName } from '../i18n.js';

let areas;
async function loadAreas() {
  areas ??= getJson('/api/registry/areas').catch(() => ({ districts: [], routes: [] }));
  return areas;
}

export async function alertFilters(state, go, { route = false } = {}) {
  const [config, a] = await Promise.all([getJson('/api/config'), loadAreas()]);
  const all = ['', t('f.all')];
  const box = h('div', { class: 'filters no-print' },
    select('rule', t('f.rule'), [all, ...config.rules.map((r) => [r, ruleName(r)])], state.rule, (v) => go({ rule: v })),
    select('district', t('f.district'), [all, ...a.districts.map((d) => [d, d])], state.district, (v) => go({ district: v })),
    route ? select('route', t('f.route'), [all, ...a.routes.map((r) => [r, r])], state.route, (v) => go({ route: v })) : null,
    select('severity', t('f.severity'), [all, ...config.severities.map((s) => [s, severityName(s)])], state.severity, (v) => go({ severity: v })),
    select('status', t('f.status'), [all, ...config.statuses.map((s) => [s, statusName(s)])], state.status, (v) => go({ status: v })),
  );
  return box;
}

/** Does an alert pushed on the WebSocket pass the page's filters? */
export function passes(alert, state) {
  for (const k of ['rule', 'district', 'route', 'severity', 'status']) {
    if (state[k] && !state[k].split(',').includes(alert[k] ?? '')) return false;
  }
  return true;
}
