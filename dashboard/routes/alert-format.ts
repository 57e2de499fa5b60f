import ExcelJS from 'exceljs';
import type { StoredAlert } from '../../analytics/alerts/alert-rows.ts';
import { alertJson } from '../../analytics/alerts/alert-json.ts';
import type { AlertStatus, RuleId, Severity } from '../../core/types.ts';
import type { CustomerContact } from '../../storage/registry/customer-contacts.ts';
import { csvWithBom } from '../exports/csv.ts';
import { COLUMN_LABELS, RULE_LABELS, SEVERITY_LABELS, STATUS_LABELS, type ExportLang } from './alert-labels.ts';

export { alertJson };
export type { ExportLang };

const CSV_COLUMNS = ['id', 'raisedAt', 'meterId', 'customerId', 'district', 'route', 'rule', 'severity', 'periodStart', 'periodEnd', 'value', 'threshold', 'score', 'status', 'message'] as const;

/** CSV with a UTF-8 BOM so Excel shows Chinese text (issue: dashboard, item 2). */
export function alertsCsv(alerts: readonly StoredAlert[], zone: string): string {
  return csvWithBom(CSV_COLUMNS, alerts.map((a) => alertJson(a, zone)));
}

/** Column order of the inspection sheet: where to go first, then what was found. */
const XLSX_COLUMNS = ['district', 'route', 'meterId', 'customerId', 'customerName', 'address', 'contact', 'rule', 'severity', 'status', 'periodStart', 'periodEnd', 'value', 'threshold', 'score', 'message', 'raisedAt', 'id'] as const;
const WIDTH: Partial<Record<(typeof XLSX_COLUMNS)[number], number>> = { address: 36, customerName: 18, message: 60, periodStart: 26, periodEnd: 26, raisedAt: 26, id: 34, rule: 20 };

/**
 * An XLSX sheet of alerts for inspection teams (issue 8 item 2), with the customer's name,
 * address and contact from the registry so a team knows where to go: headers and the rule,
 * severity and status words in Chinese (`lang=zh`, the default) or English; times in the
 * company zone as text with offset (unambiguous once printed); numbers stay numbers.
 */
export async function alertsXlsx(alerts: readonly StoredAlert[], zone: string, lang: ExportLang, contacts: ReadonlyMap<string, CustomerContact> = new Map()): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'meterwatch';
  const sheet = book.addWorksheet(lang === 'zh' ? '告警清单' : 'Alerts', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = XLSX_COLUMNS.map((key) => ({ key, header: COLUMN_LABELS[key]![lang], width: WIDTH[key] ?? 14 }));
  sheet.getRow(1).font = { bold: true };
  for (const a of alerts) {
    const j = alertJson(a, zone);
    sheet.addRow({
      ...j,
      ...contacts.get(a.meterId),
      rule: RULE_LABELS[a.rule as RuleId]?.[lang] ?? a.rule,
      severity: SEVERITY_LABELS[a.severity as Severity]?.[lang] ?? a.severity,
      status: STATUS_LABELS[a.status as AlertStatus]?.[lang] ?? a.status,
    });
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: XLSX_COLUMNS.length } };
  return Buffer.from(await book.xlsx.writeBuffer());
}
