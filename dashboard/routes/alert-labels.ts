import type { AlertStatus, RuleId, Severity } from '../../core/types.ts';

/**
 * Chinese and English names of the export columns and the fixed vocabularies (interface.md §3),
 * for inspection teams' sheets (issue 8 item 2: XLSX with Chinese headers). The dashboard's
 * own copy lives in dashboard/public/i18n.js; keep the two in step.
 */
export type ExportLang = 'zh' | 'en';

export const COLUMN_LABELS: Record<string, Record<ExportLang, string>> = {
  id: { zh: '告警编号', en: 'Alert ID' },
  raisedAt: { zh: '告警时间', en: 'Raised at' },
  meterId: { zh: '表号', en: 'Meter' },
  customerId: { zh: '用户编号', en: 'Customer' },
  customerName: { zh: '用户名称', en: 'Customer name' },
  address: { zh: '地址', en: 'Address' },
  contact: { zh: '联系电话', en: 'Contact' },
  district: { zh: '片区', en: 'District' },
  route: { zh: '抄表路线', en: 'Route' },
  rule: { zh: '规则', en: 'Rule' },
  severity: { zh: '级别', en: 'Severity' },
  periodStart: { zh: '起始时间', en: 'Period start' },
  periodEnd: { zh: '结束时间', en: 'Period end' },
  value: { zh: '数值', en: 'Value' },
  threshold: { zh: '阈值', en: 'Threshold' },
  score: { zh: '异常评分', en: 'Score' },
  status: { zh: '状态', en: 'Status' },
  message: { zh: '说明', en: 'Message' },
};

export const RULE_LABELS: Record<RuleId, Record<ExportLang, string>> = {
  large_flow: { zh: '大流量(≥40 m³/h)', en: 'Large flow (≥40 m³/h)' },
  yoy_deviation: { zh: '同比异常', en: 'Year-on-year deviation' },
  bulk_drop: { zh: '总表用量骤降', en: 'Bulk meter drop' },
  bulk_balance: { zh: '总分表输差', en: 'Bulk meter balance' },
  residential_high: { zh: '居民用量超限', en: 'Residential high usage' },
  stuck_meter: { zh: '表具不走字', en: 'Stuck meter' },
  dead_meter: { zh: '表具无数据', en: 'Dead meter' },
  broken_meter: { zh: '表具故障', en: 'Broken meter' },
  tamper: { zh: '疑似窃气', en: 'Tampering' },
  usage_while_inactive: { zh: '停用户有用量', en: 'Usage while inactive' },
  ic_verification_due: { zh: 'IC卡表待核查', en: 'IC verification due' },
};

export const SEVERITY_LABELS: Record<Severity, Record<ExportLang, string>> = {
  info: { zh: '提示', en: 'Info' },
  warning: { zh: '警告', en: 'Warning' },
  critical: { zh: '严重', en: 'Critical' },
};

export const STATUS_LABELS: Record<AlertStatus, Record<ExportLang, string>> = {
  open: { zh: '待处理', en: 'Open' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  assigned: { zh: '已派工', en: 'Assigned' },
  closed: { zh: '已关闭', en: 'Closed' },
};
