import type { ClassSource, MeterClasses } from '../core/registry/classes.ts';
import { noClasses } from '../core/registry/classes.ts';
import { DateTime } from 'luxon';
import { sqlString, sqlTimestamp, type SqlClient } from '../storage/sql.ts';

/** How long a class lasts after its last qualifying month (MW_VISIT_*_MONTHS; analytics/visits/visit-schedule.ts). */
export interface ClassLapse {
  zone: string;
  largeFlowMonths: number;
  monthlyMonths: number;
}

/**
 * Class memberships from the alerts and the blacklist (domain.md §4): a meter with a
 * large_flow alert is in the ≥ 40 m³/h class (twice-monthly visits); a residential_high
 * alert at or above the monthly-visit limit puts it in the ≥ 100 m³/month class.
 */
export function alertClassSource(sql: SqlClient, monthlyVisitM3: number, lapse?: ClassLapse): ClassSource {
  return async (meterId, customerId, asOf): Promise<MeterClasses> => {
    const classes = noClasses();
    const rows = await sql.query<{ rule: string; since: number; last_start: number; peak: number }>(
      `SELECT rule, min(period_start) since, max(period_start) last_start, max(value) peak FROM alerts
       WHERE meter_id = ${sqlString(meterId)} AND period_start <= ${sqlTimestamp(asOf)}
         AND (rule = 'large_flow' OR (rule = 'residential_high' AND value >= ${monthlyVisitM3}))
       GROUP BY rule`,
    );
    for (const r of rows) {
      if (lapse) {
        // The same lapse as the visit schedule: month M keeps the class through month M + N.
        const months = r.rule === 'large_flow' ? lapse.largeFlowMonths : lapse.monthlyMonths;
        const until = DateTime.fromMillis(r.last_start, { zone: lapse.zone }).startOf('month').plus({ months: months + 1 });
        if (until <= DateTime.fromMillis(asOf, { zone: lapse.zone }).startOf('month')) continue;
      }
      const membership = { member: true, since: r.since, evidence: `${r.rule}: highest value ${r.peak}, latest period starting ${new Date(r.last_start).toISOString()}` };
      if (r.rule === 'large_flow') classes.largeFlow = membership;
      else classes.highMonthlyUsage = membership;
    }
    const keys = [meterId, customerId].filter((k): k is string => !!k).map(sqlString).join(', ');
    const bl = await sql.query<{ action: string; ts: number; reason: string | null }>(
      `SELECT action, ts, reason FROM blacklist_events WHERE (customer_id IN (${keys}) OR meter_id IN (${keys})) AND ts <= ${sqlTimestamp(asOf)} ORDER BY ts DESC LIMIT 1`,
    );
    if (bl[0]?.action === 'add') classes.blacklist = { member: true, since: bl[0].ts, evidence: bl[0].reason ?? undefined };
    return classes;
  };
}
