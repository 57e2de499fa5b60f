import { DateTime } from 'luxon';
import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { candidate, type BatchContext } from './context.ts';

/**
 * ic_verification_due (domain.md §1, §4): an IC-card customer gets a home visit one month
 * after gas-on, then every three months. One alert per due visit, each with the time until
 * the next visit as its period; visits already due when history is back-filled are raised
 * too, so that the ledger can show which were made.
 */
export function icVerificationDue(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.kind !== 'ic' || s.info.status !== 'active' || s.info.activatedAt === undefined) continue;
    const on = DateTime.fromMillis(s.info.activatedAt, { zone: ctx.zone });
    // Visits due before the meter's first reading reached meterwatch are history nobody
    // can still act on (a fleet registered today with years of service behind it).
    const since = (s.firstTs ?? s.info.activatedAt) - 86_400_000;
    for (let visit = 0; ; visit++) {
      const due = on.plus({ months: 1 + 3 * visit });
      if (due.toMillis() > ctx.asOf) break;
      if (due.toMillis() < since) continue;
      out.push(
        candidate(s.info, 'ic_verification_due', {
          severity: 'info',
          periodStart: due.toMillis(),
          periodEnd: on.plus({ months: 4 + 3 * visit }).toMillis(),
          value: visit + 1,
          threshold: visit === 0 ? 1 : 3,
          score: 0,
          message: visit === 0 ? 'first-month verification visit due after gas-on' : `quarterly verification visit ${visit + 1} due`,
          evidence: { activatedAt: s.info.activatedAt, visit: visit + 1, kind: visit === 0 ? 'first_month' : 'quarterly' },
        }),
      );
    }
  }
  return out;
}
