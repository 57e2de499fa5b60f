// zh-CN and en strings of the dashboard (issue 8 item 1). The server's export labels
// (dashboard/routes/alert-labels.ts) use the same words; keep the two in step.
const STRINGS = {
  'zh-CN': {
    'app.title': '燃气表监测', 'lang.switch': 'English',
    'nav.live': '实时告警', 'nav.lists': '巡检清单', 'nav.meter': '表具档案', 'nav.bulk': '总表', 'nav.loss': '输差', 'nav.ledger': '台帐/黑名单', 'nav.visits': '巡检计划',
    'range.label': '时间范围', 'range.from': '从', 'range.to': '到', 'range.apply': '应用',
    'range.7d': '近7天', 'range.30d': '近30天', 'range.3M': '近3个月', 'range.12M': '近12个月', 'range.25M': '近25个月',
    'zone': '时区', 'badge.critical': '条新的严重告警', 'loading': '加载中…', 'none': '无数据', 'error': '出错了',
    'f.rule': '规则', 'f.district': '片区', 'f.route': '抄表路线', 'f.severity': '级别', 'f.status': '状态', 'f.all': '全部', 'f.meter': '表号',
    'live.connected': '实时连接已建立', 'live.disconnected': '实时连接已断开，正在重连…', 'live.new': '新',
    'a.ack': '确认', 'a.assign': '派工', 'a.close': '关闭', 'a.assignee': '派给谁（巡检员/班组）？',
    'col.raisedAt': '告警时间', 'col.meterId': '表号', 'col.customer': '用户名称', 'col.address': '地址', 'col.district': '片区', 'col.route': '路线', 'col.rule': '规则',
    'col.severity': '级别', 'col.period': '周期', 'col.value': '数值', 'col.threshold': '阈值', 'col.score': '评分', 'col.status': '状态', 'col.message': '说明', 'col.actions': '操作',
    'lists.title': '巡检告警清单', 'lists.print': '打印', 'lists.csv': '导出 CSV', 'lists.xlsx': '导出 Excel', 'lists.sort': '按评分排序', 'lists.count': '条', 'lists.printed': '打印时间',
    'meter.search': '查询', 'meter.placeholder': '输入表号，如 JB-H03', 'meter.registry': '档案', 'meter.readings': '读数（可缩放）', 'meter.usage': '月用量：本期与去年同期',
    'meter.alerts': '告警', 'meter.classes': '分类', 'meter.blacklist': '黑名单', 'meter.ledger': '异常台帐', 'meter.largeFlow': '≥40 m³/h 用户', 'meter.highUsage': '月用量≥100 m³',
    'meter.yes': '是', 'meter.no': '否', 'meter.households': '分户表', 'meter.parent': '所属总表', 'meter.current': '本期', 'meter.previous': '去年同期', 'meter.reading': '止数',
    'reg.customerName': '用户名称', 'reg.address': '地址', 'reg.contact': '联系电话', 'reg.customerId': '用户编号', 'reg.category': '用气类型', 'reg.kind': '表型', 'reg.spec': '规格',
    'reg.qmax': 'Qmax', 'reg.status': '状态', 'reg.manufacturer': '厂家', 'reg.model': '型号', 'reg.propertyCompany': '物业公司', 'reg.households': '户数', 'reg.commercialUnits': '商户数',
    'bulk.title': '总表：分户合计与总表用量', 'bulk.meter': '总表', 'bulk.bulk': '总表用量', 'bulk.households': '分户合计', 'bulk.loss': '输差', 'bulk.share': '输差率', 'bulk.pick': '选择一个总表查看逐月对比',
    'loss.title': '片区输差月度趋势', 'loss.supply': '供气量', 'loss.customers': '用户用量', 'loss.worst': '输差最大的总表', 'loss.n': '前 N', 'loss.window': '抄表时间不齐（按比例折算）',
    'ledger.title': '异常台帐与黑名单', 'ledger.pending': '台帐/黑名单接口不可用（未启用）。表具的黑名单状态在“表具档案”页显示。',
    'visits.title': '大流量/高用量用户巡检计划', 'visits.asOf': '截至日期', 'visits.class': '巡检类别',
    'visits.class.large_flow': '≥40 m³/h（每月两次）', 'visits.class.monthly': '≥100 m³/月（每月一次）',
    'visits.state.overdue': '逾期未检', 'visits.state.due': '待巡检', 'visits.state.upcoming': '未到期', 'visits.state.done': '已完成',
    'visits.col.state': '状态', 'visits.col.window': '巡检窗口', 'visits.col.visitedAt': '巡检时间', 'visits.col.inspector': '巡检员', 'visits.col.evidence': '入类月份 · 数值',
    'visits.explain': '≥40 m³/h 用户每月上半月（1–15日）和下半月（16日–月底）各现场检查一次，核对读数、查看有无私自增容；月用量≥100 m³ 的居民用户每月检查一次。台帐中记录在窗口内的现场巡检即为完成。',
    'm3': 'm³',
  },
  en: {
    'app.title': 'Gas meter watch', 'lang.switch': '中文',
    'nav.live': 'Live alerts', 'nav.lists': 'Inspection lists', 'nav.meter': 'Meter', 'nav.bulk': 'Bulk meters', 'nav.loss': 'Gas loss', 'nav.ledger': 'Ledger / blacklist', 'nav.visits': 'Visit schedule',
    'range.label': 'Time range', 'range.from': 'From', 'range.to': 'To', 'range.apply': 'Apply',
    'range.7d': '7 days', 'range.30d': '30 days', 'range.3M': '3 months', 'range.12M': '12 months', 'range.25M': '25 months',
    'zone': 'Time zone', 'badge.critical': 'new critical alerts', 'loading': 'Loading…', 'none': 'No data', 'error': 'Error',
    'f.rule': 'Rule', 'f.district': 'District', 'f.route': 'Route', 'f.severity': 'Severity', 'f.status': 'Status', 'f.all': 'All', 'f.meter': 'Meter',
    'live.connected': 'Live feed connected', 'live.disconnected': 'Live feed lost, reconnecting…', 'live.new': 'new',
    'a.ack': 'Acknowledge', 'a.assign': 'Assign', 'a.close': 'Close', 'a.assignee': 'Assign to (inspector / team)?',
    'col.raisedAt': 'Raised', 'col.meterId': 'Meter', 'col.customer': 'Customer', 'col.address': 'Address', 'col.district': 'District', 'col.route': 'Route', 'col.rule': 'Rule',
    'col.severity': 'Severity', 'col.period': 'Period', 'col.value': 'Value', 'col.threshold': 'Threshold', 'col.score': 'Score', 'col.status': 'Status', 'col.message': 'Message', 'col.actions': 'Actions',
    'lists.title': 'Inspection alert list', 'lists.print': 'Print', 'lists.csv': 'Export CSV', 'lists.xlsx': 'Export Excel', 'lists.sort': 'Sort by score', 'lists.count': 'alerts', 'lists.printed': 'Printed',
    'meter.search': 'Show', 'meter.placeholder': 'Meter id, e.g. JB-H03', 'meter.registry': 'Registry', 'meter.readings': 'Readings (zoomable)', 'meter.usage': 'Monthly usage vs same month last year',
    'meter.alerts': 'Alerts', 'meter.classes': 'Classes', 'meter.blacklist': 'Blacklist', 'meter.ledger': 'Abnormal-usage ledger', 'meter.largeFlow': '≥40 m³/h customer', 'meter.highUsage': '≥100 m³/month',
    'meter.yes': 'yes', 'meter.no': 'no', 'meter.households': 'Household meters', 'meter.parent': 'Bulk meter', 'meter.current': 'This period', 'meter.previous': 'Same period last year', 'meter.reading': 'Register',
    'reg.customerName': 'Customer', 'reg.address': 'Address', 'reg.contact': 'Contact', 'reg.customerId': 'Customer id', 'reg.category': 'Category', 'reg.kind': 'Kind', 'reg.spec': 'Spec',
    'reg.qmax': 'Qmax', 'reg.status': 'Status', 'reg.manufacturer': 'Manufacturer', 'reg.model': 'Model', 'reg.propertyCompany': 'Property company', 'reg.households': 'Households', 'reg.commercialUnits': 'Commercial units',
    'bulk.title': 'Bulk meters: household sum vs bulk usage', 'bulk.meter': 'Bulk meter', 'bulk.bulk': 'Bulk usage', 'bulk.households': 'Household sum', 'bulk.loss': 'Loss', 'bulk.share': 'Loss share', 'bulk.pick': 'Pick a bulk meter for its month-by-month comparison',
    'loss.title': 'Monthly gas loss per district', 'loss.supply': 'Supply', 'loss.customers': 'Customer usage', 'loss.worst': 'Bulk meters with the highest loss', 'loss.n': 'Top N', 'loss.window': 'reads not aligned (pro-rated)',
    'ledger.title': 'Abnormal-usage ledger and blacklist', 'ledger.pending': 'The ledger/blacklist API is not available on this server. A meter\'s blacklist status is shown on the Meter page.',
    'visits.title': 'Visit schedule: large-flow and high-usage customers', 'visits.asOf': 'As of', 'visits.class': 'Visit class',
    'visits.class.large_flow': '≥40 m³/h (twice a month)', 'visits.class.monthly': '≥100 m³/month (monthly)',
    'visits.state.overdue': 'Overdue', 'visits.state.due': 'Due', 'visits.state.upcoming': 'Upcoming', 'visits.state.done': 'Done',
    'visits.col.state': 'State', 'visits.col.window': 'Window', 'visits.col.visitedAt': 'Visited at', 'visits.col.inspector': 'Inspector', 'visits.col.evidence': 'Qualifying month · value',
    'visits.explain': 'Customers at ≥40 m³/h get an on-site check in each half of the month (1st–15th, 16th–end): verify the reads, look for unauthorised capacity increase. Residential customers at ≥100 m³/month get one check a month. A site visit recorded in the ledger inside the window counts.',
    'm3': 'm³',
  },
};

const RULES = {
  large_flow: ['大流量(≥40 m³/h)', 'Large flow (≥40 m³/h)'], yoy_deviation: ['同比异常', 'Year-on-year deviation'], bulk_drop: ['总表用量骤降', 'Bulk meter drop'],
  bulk_balance: ['总分表输差', 'Bulk meter balance'], residential_high: ['居民用量超限', 'Residential high usage'], stuck_meter: ['表具不走字', 'Stuck meter'],
  dead_meter: ['表具无数据', 'Dead meter'], broken_meter: ['表具故障', 'Broken meter'], tamper: ['疑似窃气', 'Tampering'],
  usage_while_inactive: ['停用户有用量', 'Usage while inactive'], ic_verification_due: ['IC卡表待核查', 'IC verification due'],
};
const SEVERITIES = { info: ['提示', 'Info'], warning: ['警告', 'Warning'], critical: ['严重', 'Critical'] };
const STATUSES = { open: ['待处理', 'Open'], acknowledged: ['已确认', 'Acknowledged'], assigned: ['已派工', 'Assigned'], closed: ['已关闭', 'Closed'] };

const KEY = 'meterwatch.lang';
let lang = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';

export const getLang = () => lang;
export function setLang(next) {
  lang = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
}
export const t = (key) => STRINGS[lang][key] ?? key;
const pick = (table, id) => (table[id] ? table[id][lang === 'en' ? 1 : 0] : id);
export const ruleName = (id) => pick(RULES, id);
export const severityName = (id) => pick(SEVERITIES, id);
export const statusName = (id) => pick(STATUSES, id);
