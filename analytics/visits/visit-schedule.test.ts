import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { classMembers, visitSchedule, windowsOf, type ClassAlert, type ClassOptions, type LedgerVisit } from './visit-schedule.ts';

const zone = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
const opts: ClassOptions = { zone, monthlyVisitM3: 100, largeFlowMonths: 12, monthlyMonths: 12 };
const lf = (meterId: string, month: string, value = 45, customerId = `C-${meterId}`): ClassAlert => ({ meterId, customerId, rule: 'large_flow', periodStart: at(`${month}-01T00:00`), value });
const rh = (meterId: string, month: string, value: number, customerId = `C-${meterId}`): ClassAlert => ({ meterId, customerId, rule: 'residential_high', periodStart: at(`${month}-01T00:00`), value });
const visit = (meterId: string, iso: string, by = 'insp1', customerId: string | undefined = `C-${meterId}`): LedgerVisit => ({ meterId, customerId, at: at(iso), by, caseId: `L-${meterId}` });

describe('visit windows (company zone)', () => {
  it('splits the large-flow month at the 16th 00:00 Asia/Shanghai, whatever the UTC date', () => {
    const [first, second] = windowsOf('large_flow', at('2026-02-20T12:00'), zone);
    expect(new Date(first!.start).toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(new Date(first!.end).toISOString()).toBe('2026-02-15T16:00:00.000Z');
    expect(new Date(second!.end).toISOString()).toBe('2026-02-28T16:00:00.000Z'); // February ends on the 28th
  });

  it('an instant on the 1st at 07:59 Shanghai (still the previous day in UTC) belongs to the new month', () => {
    const w = windowsOf('monthly', at('2026-03-01T07:59'), zone);
    expect(w).toEqual([{ start: at('2026-03-01T00:00'), end: at('2026-04-01T00:00'), index: 1 }]);
  });
});

describe('class membership', () => {
  it('large_flow keeps the class 12 months after the last large_flow month, then lapses', () => {
    const alerts = [lf('M1', '2025-01'), lf('M1', '2025-03')];
    expect(classMembers(alerts, at('2026-03-31T23:59'), opts).map((m) => m.meterId)).toEqual(['M1']);
    expect(classMembers(alerts, at('2026-04-01T00:00'), opts)).toEqual([]); // lapsed
  });

  it('ignores alerts of months after asOf, and residential_high below the monthly-visit limit', () => {
    const alerts = [lf('M1', '2026-05'), rh('M2', '2026-03', 99.9), rh('M3', '2026-03', 100)];
    const members = classMembers(alerts, at('2026-04-10T00:00'), opts);
    expect(members.map((m) => [m.meterId, m.visitClass])).toEqual([['M3', 'monthly']]);
  });

  it('a customer in both classes is scheduled twice a month; the setting shortens the class', () => {
    const alerts = [rh('M1', '2026-02', 130), lf('M1', '2026-01')];
    expect(classMembers(alerts, at('2026-03-05T00:00'), opts).map((m) => m.visitClass)).toEqual(['large_flow']);
    const short = { ...opts, largeFlowMonths: 1 };
    expect(classMembers(alerts, at('2026-03-05T00:00'), short).map((m) => m.visitClass)).toEqual(['monthly']);
  });
});

describe('visit schedule', () => {
  const members = classMembers([lf('M1', '2026-03'), rh('M2', '2026-02', 120)], at('2026-03-20T10:00'), opts);

  it('a visit in the first window does not satisfy the second, even on the last minute of the month', () => {
    const rows = visitSchedule(members, [visit('M1', '2026-03-10T09:00'), visit('M1', '2026-03-12T09:00')], at('2026-04-01T00:00') - 60_000, zone);
    const m1 = rows.filter((r) => r.member.meterId === 'M1').map((r) => [r.window.index, r.state, r.visit?.at]);
    expect(m1).toEqual([[2, 'due', undefined], [1, 'done', at('2026-03-10T09:00')]]);
  });

  it('states as of mid-month: the passed window overdue, the current one due; visits after asOf do not count', () => {
    const asOf = at('2026-03-20T10:00');
    const rows = visitSchedule(members, [visit('M1', '2026-03-25T09:00'), visit('M2', '2026-03-02T09:00', 'insp2')], asOf, zone);
    const state = (m: string, i: number) => rows.find((r) => r.member.meterId === m && r.window.index === i)?.state;
    expect(state('M1', 1)).toBe('overdue');
    expect(state('M1', 2)).toBe('due');
    expect(state('M2', 1)).toBe('done');
    expect(rows.find((r) => r.member.meterId === 'M2')?.visit?.by).toBe('insp2');
    expect(rows.map((r) => r.state)).toEqual(['overdue', 'due', 'done']);
  });

  it('a visit on the 16th at 00:30 Shanghai (15th in UTC) counts for the second window only', () => {
    const rows = visitSchedule(members, [visit('M1', '2026-03-16T00:30')], at('2026-03-31T12:00'), zone);
    const m1 = rows.filter((r) => r.member.meterId === 'M1');
    expect(m1.find((r) => r.window.index === 1)?.state).toBe('overdue');
    expect(m1.find((r) => r.window.index === 2)?.state).toBe('done');
  });

  it('visits of another customer, or of last month, do not count', () => {
    const rows = visitSchedule(members, [visit('M9', '2026-03-03T09:00', 'x', 'C-M2'.replace('M2', 'M9')), visit('M2', '2026-02-27T09:00')], at('2026-03-31T12:00'), zone);
    expect(rows.find((r) => r.member.meterId === 'M2')?.state).toBe('due');
  });

  it('a visit recorded on a case without customer id counts for the meter', () => {
    const rows = visitSchedule(members, [visit('M2', '2026-03-03T09:00', 'insp3', undefined)], at('2026-03-31T12:00'), zone);
    expect(rows.find((r) => r.member.meterId === 'M2')?.state).toBe('done');
  });
});
