// Ledger and blacklist screens (issue 8 page 6) on the issue-7 API: the abnormal-usage
// ledger cases (domain.md §5) with the actions the case's state and the user's role allow,
// the blacklist with its monitoring notices, and the manager's add / remove.
import { h, getJson, postJson } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { formatTime, startOfDayIso } from '../zone.js';
import { ruleName } from '../i18n.js';

const ROLES = ['analyst', 'inspector', 'supervisor', 'manager'];
const STATES = ['open', 'assigned', 'visited', 'normal_pending', 'normal_supervisor_approved', 'cleared', 'violation'];
const REASONS = ['theft', 'illegal_connection', 'unauthorised_capacity_increase', 'malicious_arrears'];
// The case machine (analytics/ledger/case-machine.ts): the states each action leaves from and
// the roles that may take it. The server decides; this only hides buttons that would be refused.
const ACTIONS = {
  assign: { from: ['open', 'assigned'], roles: ['analyst', 'supervisor'] },
  visit: { from: ['assigned'], roles: ['inspector'] },
  'conclude-normal': { from: ['visited'], roles: ['analyst', 'supervisor'] },
  'conclude-violation': { from: ['visited'], roles: ['analyst', 'supervisor'] },
  approve: { from: ['normal_pending', 'normal_supervisor_approved'], roles: ['supervisor', 'manager'] },
  'reject-clearance': { from: ['normal_pending', 'normal_supervisor_approved'], roles: ['supervisor', 'manager'] },
};
const L = {
  'zh-CN': {
    cases: '异常台帐', blacklist: '黑名单', notices: '黑名单监控通知', role: '当前角色', actor: '姓名', state: '状态', all: '全部',
    caseId: '台帐编号', meter: '表号', customer: '用户', rules: '异常类型', inspector: '巡检员', due: '期限', opened: '建档时间', updated: '更新时间',
    analyst: '数据分析员', inspector_r: '稽查员', supervisor: '主管', manager: '部门经理',
    open: '待派工', assigned: '已派工', visited: '已现场核查', normal_pending: '正常待主管审核', normal_supervisor_approved: '主管已审核待经理审核', cleared: '已销号', violation: '违章',
    assign: '派工', visit: '登记现场核查', 'conclude-normal': '判定正常', 'conclude-violation': '判定违章', approve: '审核通过', 'reject-clearance': '驳回',
    findings: '核查情况', note: '备注', reason: '原因', evidence: '证据', penaltyNote: '处理意见', adjustment: '补量/调整', submit: '提交',
    theft: '窃气', illegal_connection: '私接', unauthorised_capacity_increase: '擅自增容', malicious_arrears: '恶意欠费',
    history: '处理记录', visits: '现场核查', approvals: '审核', alerts: '告警', since: '列入时间', remove: '移出黑名单', add: '列入黑名单', address: '地址', district: '片区', route: '路线', reader: '抄表员', none: '无',
  },
  en: {
    cases: 'Abnormal-usage ledger', blacklist: 'Blacklist', notices: 'Blacklist monitoring notices', role: 'Acting role', actor: 'Name', state: 'State', all: 'All',
    caseId: 'Case', meter: 'Meter', customer: 'Customer', rules: 'Anomalies', inspector: 'Inspector', due: 'Due', opened: 'Opened', updated: 'Updated',
    analyst: 'Analyst', inspector_r: 'Inspector', supervisor: 'Supervisor', manager: 'Department manager',
    open: 'Open', assigned: 'Assigned', visited: 'Visited', normal_pending: 'Normal, awaiting supervisor', normal_supervisor_approved: 'Supervisor approved, awaiting manager', cleared: 'Cleared', violation: 'Violation',
    assign: 'Assign', visit: 'Record site visit', 'conclude-normal': 'Conclude normal', 'conclude-violation': 'Conclude violation', approve: 'Approve', 'reject-clearance': 'Reject',
    findings: 'Findings', note: 'Note', reason: 'Reason', evidence: 'Evidence', penaltyNote: 'Handling', adjustment: 'Adjustment', submit: 'Submit',
    theft: 'Theft', illegal_connection: 'Illegal connection', unauthorised_capacity_increase: 'Unauthorised capacity increase', malicious_arrears: 'Malicious arrears',
    history: 'History', visits: 'Site visits', approvals: 'Approvals', alerts: 'Alerts', since: 'Since', remove: 'Remove from blacklist', add: 'Add to blacklist', address: 'Address', district: 'District', route: 'Route', reader: 'Reader', none: 'None',
  },
};
const l = (k) => L[getLang()][k] ?? k;
const roleName = (r) => l(r === 'inspector' ? 'inspector_r' : r);
const currentRole = () => localStorage.getItem('meterwatch.role') || 'analyst';

function identityBox(refresh) {
  const role = h('select', { name: 'role', onchange: (e) => { localStorage.setItem('meterwatch.role', e.target.value); refresh(); } }, ROLES.map((r) => h('option', { value: r, selected: r === currentRole() }, roleName(r))));
  const actor = h('input', { type: 'text', name: 'actor', value: localStorage.getItem('meterwatch.actor') ?? '', onchange: (e) => localStorage.setItem('meterwatch.actor', e.target.value) });
  return h('div', { class: 'filters no-print' }, h('label', { class: 'field' }, l('role'), role), h('label', { class: 'field' }, l('actor'), actor));
}

function field(name, label, kind = 'text', options) {
  if (kind === 'select') return h('label', { class: 'field' }, label, h('select', { name }, options.map((o) => h('option', { value: o }, l(o)))));
  if (kind === 'textarea') return h('label', { class: 'field' }, label, h('textarea', { name, rows: '2', cols: '40' }));
  return h('label', { class: 'field' }, label, h('input', { type: kind, name }));
}

/** The form of one action: its fields, then POST /api/ledger/cases/{id}/{action}. */
function actionForm(c, action, done) {
  const fields = {
    assign: [field('inspector', l('inspector')), field('dueAt', l('due'), 'date')],
    visit: [field('findings', l('findings'), 'textarea')],
    'conclude-normal': [field('note', l('note'), 'textarea')],
    'conclude-violation': [field('reason', l('reason'), 'select', REASONS), field('evidence', l('evidence'), 'textarea'), field('penaltyNote', l('penaltyNote')), field('adjustment', l('adjustment'))],
    approve: [field('note', l('note'))],
    'reject-clearance': [field('reason', l('reason'))],
  }[action];
  const out = h('span', { class: 'error' });
  const form = h('form', { class: 'action-form', 'data-action': action, onsubmit: async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    const body = action === 'assign' ? { inspector: v.inspector, dueAt: v.dueAt ? startOfDayIso(v.dueAt) : undefined }
      : action === 'conclude-violation' ? { reason: v.reason, evidence: v.evidence, handling: { penaltyNote: v.penaltyNote, ...(v.adjustment ? { adjustment: v.adjustment } : {}) } }
      : Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''));
    const res = await postJson(`/api/ledger/cases/${encodeURIComponent(c.caseId)}/${action}`, body);
    if (res.ok) done();
    else out.textContent = (await res.json()).message ?? String(res.status);
  } }, h('strong', {}, l(action)), ...fields, h('button', { type: 'submit' }, l('submit')), out);
  return form;
}

async function caseDetail(caseId, refresh, go) {
  const c = await getJson(`/api/ledger/cases/${encodeURIComponent(caseId)}`);
  const role = currentRole();
  const forms = Object.entries(ACTIONS).filter(([, a]) => a.from.includes(c.state) && a.roles.includes(role)).map(([name]) => actionForm(c, name, refresh));
  const list = (items, f) => (items?.length ? h('ul', {}, items.map((x) => h('li', {}, f(x)))) : h('p', { class: 'muted' }, l('none')));
  return h('section', { class: 'card', id: 'case-detail', 'data-state': c.state },
    h('h2', {}, `${l('caseId')} ${c.caseId} · `, h('a', { href: `?page=meter&meter=${c.meterId}`, onclick: (e) => { e.preventDefault(); go({ page: 'meter', meter: c.meterId }); } }, c.meterId), ` · ${l(c.state)}`),
    c.customer ? h('p', {}, [c.customer.customerName, c.customer.address, c.customer.contact].filter(Boolean).join(' · ')) : null,
    h('div', { class: 'cards' },
      h('div', {}, h('h2', {}, l('alerts')), list(c.alerts, (a) => `${ruleName(a.rule)} · ${a.periodStart?.slice(0, 10)} – ${a.periodEnd?.slice(0, 10)} · ${a.value}`),
        h('h2', {}, l('visits')), list(c.visits, (v) => `${formatTime(v.at)} ${v.by}: ${v.findings}`),
        h('h2', {}, l('approvals')), list(c.approvals, (a) => `${formatTime(a.at)} ${a.by} (${a.step})${a.note ? `: ${a.note}` : ''}`)),
      h('div', {}, h('h2', {}, l('history')), list(c.history, (e) => `${formatTime(e.at)} ${e.actor} (${roleName(e.role)}) ${e.action}: ${e.from ? l(e.from) : '—'} → ${l(e.to)}`))),
    h('div', { class: 'actions-box no-print' }, forms));
}

async function casesTab(main, state, go) {
  const q = state.state ? `?state=${state.state}` : '';
  const { items } = await getJson(`/api/ledger/cases${q}`);
  const stateSelect = h('label', { class: 'field no-print' }, l('state'), h('select', { name: 'state', onchange: (e) => go({ state: e.target.value, case: '' }) },
    h('option', { value: '' }, l('all')), STATES.map((s) => h('option', { value: s, selected: s === state.state }, l(s)))));
  const table = h('table', { class: 'data', id: 'cases-table' },
    h('thead', {}, h('tr', {}, ['caseId', 'meter', 'customer', 'state', 'rules', 'inspector', 'due', 'opened', 'updated'].map((k) => h('th', {}, l(k))))),
    h('tbody', {}, items.map((c) => h('tr', { class: c.caseId === state.case ? 'selected' : '', 'data-case': c.caseId, 'data-state': c.state },
      h('td', {}, h('a', { href: `?page=ledger&case=${c.caseId}`, onclick: (e) => { e.preventDefault(); go({ case: c.caseId }); } }, c.caseId)),
      h('td', {}, c.meterId), h('td', {}, c.customerId ?? ''), h('td', {}, l(c.state)), h('td', {}, c.rules.map(ruleName).join('、')),
      h('td', {}, c.inspector ?? ''), h('td', {}, c.dueAt ? c.dueAt.slice(0, 10) : ''), h('td', {}, formatTime(c.openedAt)), h('td', {}, formatTime(c.updatedAt))))));
  const parts = [stateSelect, table];
  if (state.case) parts.push(await caseDetail(state.case, () => go({}), go));
  return parts;
}

async function blacklistTab(state, go) {
  const [{ items }, notices] = await Promise.all([getJson('/api/blacklist'), getJson('/api/blacklist/notices')]);
  const manager = currentRole() === 'manager';
  const remove = async (customerId) => {
    const reason = window.prompt(l('reason'));
    if (!reason) return;
    const res = await postJson(`/api/blacklist/${encodeURIComponent(customerId)}/remove`, { reason });
    if (res.ok) go({});
    else window.alert((await res.json()).message);
  };
  const table = h('table', { class: 'data', id: 'blacklist-table' },
    h('thead', {}, h('tr', {}, ['customer', 'meter', 'address', 'district', 'route', 'reason', 'since', 'caseId'].map((k) => h('th', {}, l(k))), manager ? h('th', { class: 'no-print' }, '') : null)),
    h('tbody', {}, items.map((b) => h('tr', { 'data-customer': b.customerId },
      h('td', {}, [b.customerName, b.customerId].filter(Boolean).join(' ')), h('td', {}, b.meterId ?? ''), h('td', {}, b.address ?? ''), h('td', {}, b.district ?? ''), h('td', {}, b.route ?? ''),
      h('td', {}, b.reason ? l(b.reason) : ''), h('td', {}, formatTime(b.since)), h('td', {}, b.caseId ? h('a', { href: `?page=ledger&tab=cases&case=${b.caseId}`, onclick: (e) => { e.preventDefault(); go({ tab: 'cases', case: b.caseId }); } }, b.caseId) : ''),
      manager ? h('td', { class: 'no-print' }, h('button', { type: 'button', onclick: () => remove(b.customerId) }, l('remove'))) : null))));
  const noticeTable = h('table', { class: 'data', id: 'notices-table' },
    h('thead', {}, h('tr', {}, ['since', 'customer', 'meter', 'route', 'reader', 'reason'].map((k) => h('th', {}, l(k))))),
    h('tbody', {}, notices.items.map((n) => h('tr', {}, h('td', {}, formatTime(n.ts)), h('td', {}, n.customerId ?? ''), h('td', {}, n.meterId ?? ''), h('td', {}, n.route ?? ''), h('td', {}, n.readerId ?? ''), h('td', {}, n.reason ? l(n.reason) : '')))));
  return [table, h('h2', {}, l('notices')), noticeTable];
}

export async function render(main, { go, state }) {
  const tab = state.tab === 'blacklist' ? 'blacklist' : 'cases';
  let available = true;
  try {
    await getJson('/api/ledger/cases?state=open');
  } catch {
    available = false;
  }
  if (!available) {
    main.replaceChildren(h('h1', {}, t('ledger.title')), h('p', { class: 'pending', id: 'ledger-pending' }, t('ledger.pending')));
    return;
  }
  const tabs = h('div', { class: 'filters no-print' }, ['cases', 'blacklist'].map((k) => h('button', { type: 'button', class: k === tab ? 'active' : '', 'data-tab': k, onclick: () => go({ tab: k, case: '' }) }, l(k))));
  const body = tab === 'cases' ? await casesTab(main, state, go) : await blacklistTab(state, go);
  main.replaceChildren(h('h1', {}, t('ledger.title')), identityBox(() => go({})), tabs, ...body);
}
