import { DateTime } from 'luxon';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { registerSegments, usageByPeriod } from '../../core/usage/register-usage.ts';
import { registerReadsAround } from '../../storage/readings/meter-readings.ts';
import type { ReplacementsRepo } from '../../storage/registry/replacements-repo.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { monthlyUsage } from '../../storage/usage/monthly-usage.ts';
import { forbidden, illegalTransition, type CaseAlertRef } from '../ledger/case-machine.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Adjustment, AdjustmentsRepo } from './adjustments-repo.ts';
import { isSupplementaryCause, supplementaryVolume, type SupplementaryCause } from './supplementary-volume.ts';

/** domain.md §6 / §1: analysts (and supervisors) work out the volume; the department manager approves. */
export const PROPOSE_ROLES = ['analyst', 'supervisor'] as const;
export const DECIDE_ROLES = ['manager'] as const;

export interface SupplementaryServiceDeps {
  sql: SqlClient;
  replacements: ReplacementsRepo;
  adjustments: AdjustmentsRepo;
  ledger: LedgerService;
  zone: string;
  now?: () => number;
}

/**
 * Supplementary-volume proposals for ledger cases (domain.md §6): verified on site first
 * (the case has a visit), then the history lookup and the volume per affected month, kept
 * with the month table as evidence; the manager approves or rejects.
 */
export class SupplementaryService {
  constructor(private readonly deps: SupplementaryServiceDeps) {}

  async propose(caseId: string, req: { alertId?: string | undefined; to?: number | undefined; note?: string | undefined }, by: Principal): Promise<Adjustment> {
    if (!(PROPOSE_ROLES as readonly string[]).includes(by.role)) throw forbidden('propose supplementary volume', by.role, PROPOSE_ROLES);
    const c = this.deps.ledger.store.get(caseId);
    if (!c) throw new MeterwatchError(ErrorCodes.NOT_FOUND, `no ledger case ${caseId}`, { details: { caseId } });
    const lastVisit = c.visits.at(-1);
    if (!lastVisit) throw illegalTransition(c.state, 'propose_supplementary (the fault must be verified on site first: no visit recorded)', caseId);
    const causes = c.alerts.filter((a): a is CaseAlertRef & { rule: SupplementaryCause } => isSupplementaryCause(a.rule));
    const alert = req.alertId ? causes.find((a) => a.alertId === req.alertId) : causes[0];
    if (!alert) {
      throw new MeterwatchError(ErrorCodes.VALIDATION, `alertId: case ${caseId} has no ${req.alertId ? `alert ${req.alertId} of a` : ''} stuck, dead, broken or tamper alert to count a supplementary volume from`, {
        details: { field: 'alertId', value: req.alertId ?? null, rules: c.alerts.map((a) => a.rule) },
      });
    }
    const to = req.to ?? lastVisit.at;
    const basis = await this.compute(c.meterId, alert, to);
    if (basis.rows.length === 0) throw new MeterwatchError(ErrorCodes.VALIDATION, `to: must be after the fault began (${new Date(basis.faultStart).toISOString()})`, { details: { field: 'to', value: to } });
    return this.deps.adjustments.propose({
      ts: (this.deps.now ?? Date.now)(),
      meterId: c.meterId,
      customerId: c.customerId,
      caseId,
      cause: alert.rule,
      periodStart: basis.faultStart,
      periodEnd: to,
      volume: basis.volume,
      basis,
      actor: by.name,
      note: req.note,
    });
  }

  async decide(id: string, decision: 'approved' | 'rejected', by: Principal, note?: string): Promise<Adjustment> {
    if (!(DECIDE_ROLES as readonly string[]).includes(by.role)) throw forbidden(decision === 'approved' ? 'approve an adjustment' : 'reject an adjustment', by.role, DECIDE_ROLES);
    return this.deps.adjustments.decide(id, decision, by.name, note, (this.deps.now ?? Date.now)());
  }

  private async compute(meterId: string, alert: CaseAlertRef & { rule: SupplementaryCause }, to: number) {
    const zone = this.deps.zone;
    const probe = supplementaryVolume({ alert, to, zone, monthUsage: new Map(), meteredBetween: () => null });
    const from = DateTime.fromMillis(probe.faultStart, { zone }).startOf('month').minus({ years: 2 }).toMillis();
    const until = DateTime.fromMillis(to, { zone }).startOf('month').plus({ months: 1 }).minus({ years: 1 }).toMillis();
    const [history, reads, swaps] = await Promise.all([
      until > from ? monthlyUsage(this.deps.sql, { from, to: until, zone, meterIds: [meterId] }) : Promise.resolve([]),
      registerReadsAround(this.deps.sql, meterId, probe.faultStart, to),
      this.deps.replacements.forMeter(meterId),
    ]);
    const segments = registerSegments(reads, swaps);
    return supplementaryVolume({
      alert,
      to,
      zone,
      monthUsage: new Map(history.map((h) => [h.monthStart, { usage: h.usage, coverage: h.coverage }])),
      meteredBetween: (a, b) => usageByPeriod(segments, [a, b])[0]?.usage ?? null,
    });
  }
}
