import ExcelJS from 'exceljs';
import { formatInZone } from '../../core/time.ts';
import type { VisitDueRow } from '../../analytics/visits/visits-due.ts';
import type { VisitClass, WindowState } from '../../analytics/visits/visit-schedule.ts';
import type { ExportLang } from '../routes/alert-labels.ts';
import { csvWithBom } from './csv.ts';

/**
 * The due-visit list as JSON, CSV (UTF-8 BOM) and an XLSX sheet with Chinese headers for
 * inspection teams (issue 6 item 2, like the alert lists of issue 8 item 2). Times are
 * written in the company zone with their offset, so a printed sheet is unambiguous.
 */
export const VISIT_COLUMNS = [
  'state', 'district', 'route', 'meterId', 'customerId', 'customerName', 'address', 'contact', 'visitClass', 'window',
  'windowStart', 'windowEnd', 'done', 'overdue', 'visitedAt', 'inspector', 'caseId', 'classMonth', 'classValue', 'classUntil',
] as const;
type Column = (typeof VISIT_COLUMNS)[number];

export const VISIT_COLUMN_LABELS: Record<Column, Record<ExportLang, string>> = {
  state: { zh: '状态', en: 'State' },
  district: { zh: '片区', en: 'District' },
  route: { zh: '抄表路线', en: 'Route' },
  meterId: { zh: '表号', en: 'Meter' },
  customerId: { zh: '用户编号', en: 'Customer' },
  customerName: { zh: '用户名称', en: 'Customer name' },
  address: { zh: '地址', en: 'Address' },
  contact: { zh: '联系电话', en: 'Contact' },
  visitClass: { zh: '巡检类别', en: 'Visit class' },
  window: { zh: '本月第几次', en: 'Visit no.' },
  windowStart: { zh: '窗口开始', en: 'Window start' },
  windowEnd: { zh: '窗口结束', en: 'Window end' },
  done: { zh: '已巡检', en: 'Done' },
  overdue: { zh: '已逾期', en: 'Overdue' },
  visitedAt: { zh: '巡检时间', en: 'Visited at' },
  inspector: { zh: '巡检员', en: 'Inspector' },
  caseId: { zh: '台帐编号', en: 'Ledger case' },
  classMonth: { zh: '入类月份', en: 'Qualifying month' },
  classValue: { zh: '入类数值', en: 'Qualifying value' },
  classUntil: { zh: '类别有效至', en: 'Class until' },
};

export const VISIT_CLASS_LABELS: Record<VisitClass, Record<ExportLang, string>> = {
  large_flow: { zh: '大流量用户(≥40 m³/h,每月两次)', en: 'Large flow (≥40 m³/h, twice a month)' },
  monthly: { zh: '居民高用量(≥100 m³/月,每月一次)', en: 'High residential usage (≥100 m³/month, monthly)' },
};

export const WINDOW_STATE_LABELS: Record<WindowState, Record<ExportLang, string>> = {
  overdue: { zh: '逾期未检', en: 'Overdue' },
  due: { zh: '待巡检', en: 'Due' },
  upcoming: { zh: '未到期', en: 'Upcoming' },
  done: { zh: '已完成', en: 'Done' },
};

/** A row with its times in the company zone (the JSON and CSV shape). */
export function visitRowJson(r: VisitDueRow, zone: string): Record<Column, string | number | boolean | null> {
  const t = (ms: number | null) => (ms === null ? null : formatInZone(ms, zone));
  return { ...r, windowStart: t(r.windowStart), windowEnd: t(r.windowEnd), visitedAt: t(r.visitedAt) };
}

export function visitsCsv(rows: readonly VisitDueRow[], zone: string): string {
  return csvWithBom(VISIT_COLUMNS, rows.map((r) => visitRowJson(r, zone)));
}

const WIDTH: Partial<Record<Column, number>> = { address: 36, customerName: 18, visitClass: 30, windowStart: 26, windowEnd: 26, visitedAt: 26, caseId: 22 };

export async function visitsXlsx(rows: readonly VisitDueRow[], zone: string, lang: ExportLang): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'meterwatch';
  const sheet = book.addWorksheet(lang === 'zh' ? '巡检计划' : 'Due visits', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = VISIT_COLUMNS.map((key) => ({ key, header: VISIT_COLUMN_LABELS[key][lang], width: WIDTH[key] ?? 14 }));
  sheet.getRow(1).font = { bold: true };
  const yesNo = (b: boolean) => (lang === 'zh' ? (b ? '是' : '否') : b ? 'yes' : 'no');
  for (const r of rows) {
    const j = visitRowJson(r, zone);
    sheet.addRow({ ...j, state: WINDOW_STATE_LABELS[r.state][lang], visitClass: VISIT_CLASS_LABELS[r.visitClass][lang], done: yesNo(r.done), overdue: yesNo(r.overdue) });
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: VISIT_COLUMNS.length } };
  return Buffer.from(await book.xlsx.writeBuffer());
}
