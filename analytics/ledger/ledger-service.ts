import { createHash } from 'node:crypto';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Principal } from '../../core/roles.ts';
import { SYSTEM } from '../../core/roles.ts';
import type { Alert, MeterRecord } from '../../core/types.ts';
import type { BlacklistRepo, Notice } from '../blacklist/blacklist-repo.ts';
import { copyCase, decide, foldEvent, forbidden, illegalTransition, isClosed, type CaseAlertRef, type CaseCommand, type LedgerCase } from './case-machine.ts';
import { customerKey, type LedgerStore } from './ledger-store.ts';
import type { CaseEvent } from './case-machine.ts';
import { needsSiteVisit, visitClasses, visitDueAt } from './site-visit.ts';

/** What the ledger needs to know of a meter (registry as of now). */
export type MeterLookup = (meterId: string) => Promise<MeterRecord | undefined>;

export interface LedgerServiceDeps {
  store: LedgerStore;
  blacklist: BlacklistRepo;
  meterInfo: MeterLookup;
  zone: string;
  /** MW_LEDGER_VISIT_DUE, ms. */
  defaultVisitDueMs: number;
  /** MW_RULE_RESIDENTIAL_VISIT, m³/month. */
  monthlyVisitM3: number;
  log: Logger;
  now?: () => number;
  /** Mirrors the case on its alerts (AlertSink.setStatus): assigned when a visit is assigned, closed when the case closes. */
  alertStatus?: ((alertId: string, status: 'assigned' | 'closed') => Promise<unknown>) | undefined;
  /** Delivers a stored notice to the reader (main.ts publishes it on MQTT). */
  onNotice?: ((notice: Notice) => void) | undefined;
}

/** A command without the fields the service fills in itself (a default due date). */
export type CaseRequest = Exclude<CaseCommand, { action: 'assign' }> | { action: 'assign'; inspector: string; dueAt?: number | undefined; note?: string | undefined };

export interface CommandResult {
  case: LedgerCase;
  blacklisted?: boolean;
  notice?: Notice | undefined;
}

/** What a case keeps of an alert: plain JSON data, as a replay from ledger_events gives it back. */
export function alertRef(a: Alert): CaseAlertRef {
  const ref: CaseAlertRef = { alertId: a.id, rule: a.rule, periodStart: a.periodStart, periodEnd: a.periodEnd, value: a.value, score: a.score };
  if (a.evidence !== undefined) ref.evidence = a.evidence;
  return ref;
}


/**
 * The abnormal-usage ledger (domain.md §5): alerts that need a site visit open a case for
 * the customer or join its case in progress; people move cases through the state machine
 * (case-machine.ts); a violation puts the customer on the blacklist and sends the area
 * reader a monitoring notice. All commands are serialised, so two alerts for one customer
 * arriving together open one case.
 */
export class LedgerService {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: LedgerServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  get store(): LedgerStore {
    return this.deps.store;
  }

  /** Bus listener for 'alert.raised'. Returns the case the alert went to, if any. */
  async onAlert(alert: Alert): Promise<LedgerCase | undefined> {
    await this.onAlerts([alert]);
    return this.deps.store.caseOfAlert(alert.id);
  }

  /**
   * Many alerts at once (a batch pass raises thousands): each alert that needs a site visit
   * opens its customer's case or joins the case in progress; the events are written in a
   * few statements. Returns how many cases were opened.
   */
  onAlerts(alerts: readonly Alert[]): Promise<number> {
    return this.serial(async () => {
      const store = this.deps.store;
      const pending = new Map<string, LedgerCase>(); // cases changed in this batch, by case id
      const activeNow = new Map<string, string>(); // customer key → case id opened in this batch
      const events: CaseEvent[] = [];
      // A case touched by this batch is copied once, then its events fold into the copy.
      const apply = (e: CaseEvent) => {
        events.push(e);
        let c = pending.get(e.caseId);
        if (!c) {
          const stored = store.get(e.caseId);
          c = stored ? copyCase(stored) : undefined;
        }
        pending.set(e.caseId, foldEvent(c, e));
      };
      let opened = 0;
      for (const alert of alerts) {
        if (!needsSiteVisit(alert.rule)) continue;
        if (store.caseOfAlert(alert.id)) continue; // redelivery, or replay after restart
        const key = customerKey(alert.customerId, alert.meterId);
        const batchId = activeNow.get(key);
        const active = batchId !== undefined ? pending.get(batchId) : (() => {
          const stored = store.activeCase(alert.customerId, alert.meterId);
          return stored ? (pending.get(stored.caseId) ?? stored) : undefined;
        })();
        if (active?.alerts.some((a) => a.alertId === alert.id)) continue; // the same alert twice in one batch
        const ref = alertRef(alert);
        if (active) {
          apply(decide(active, active.caseId, { action: 'join', alert: ref }, SYSTEM, this.now()));
          continue;
        }
        const caseId = `L-${createHash('sha1').update(`${key}|${alert.id}`).digest('hex').slice(0, 16)}`;
        apply(decide(undefined, caseId, { action: 'open', meterId: alert.meterId, customerId: alert.customerId, alert: ref }, SYSTEM, this.now()));
        activeNow.set(key, caseId);
        opened++;
      }
      await store.appendMany(events);
      if (opened > 0) this.deps.log.info({ opened, joined: events.length - opened }, 'ledger cases opened');
      return opened;
    });
  }

  /** An analyst opens a case by hand (a reader's on-site report, a complaint). */
  open(meterId: string, by: Principal, note?: string): Promise<LedgerCase> {
    return this.serial(async () => {
      const meter = await this.deps.meterInfo(meterId);
      if (!meter) throw new MeterwatchError(ErrorCodes.NOT_FOUND, `meter ${meterId} is not registered`, { details: { meterId } });
      const key = customerKey(meter.customerId, meterId);
      const active = this.deps.store.activeCase(meter.customerId, meterId);
      if (active) throw illegalTransition(active.state, `open (customer already has case ${active.caseId})`, active.caseId);
      const caseId = `L-${createHash('sha1').update(`${key}|manual|${this.now()}`).digest('hex').slice(0, 16)}`;
      return this.deps.store.append(decide(undefined, caseId, { action: 'open', meterId, customerId: meter.customerId, note }, by, this.now()));
    });
  }

  command(caseId: string, req: CaseRequest, by: Principal): Promise<CommandResult> {
    return this.serial(async () => {
      const c = this.deps.store.get(caseId);
      if (!c) throw new MeterwatchError(ErrorCodes.NOT_FOUND, `no ledger case ${caseId}`, { details: { caseId } });
      const at = this.now();
      const cmd = req.action === 'assign' ? { ...req, dueAt: req.dueAt ?? (await this.defaultDue(c, at)) } : req;
      const next = await this.deps.store.append(decide(c, caseId, cmd, by, at));
      await this.mirrorOnAlerts(next);
      if (cmd.action !== 'conclude_violation') return { case: next };
      const notice = await this.blacklistFor(next, by, at);
      return { case: next, blacklisted: true, notice };
    });
  }

  /** Checks that `by` may take `action` on the case now, without doing it (for uploads before the visit is recorded). */
  check(caseId: string, action: CaseCommand['action'], by: Principal): LedgerCase {
    const c = this.deps.store.get(caseId);
    if (!c) throw new MeterwatchError(ErrorCodes.NOT_FOUND, `no ledger case ${caseId}`, { details: { caseId } });
    if (action === 'visit' && c.state === 'assigned' && c.inspector !== by.name) throw forbidden('visit', by.role, ['inspector'], `case ${caseId} is assigned to inspector ${c.inspector}; ${by.name} may not record its visit`);
    return c;
  }

  /** Alert status follows the case, so alert lists and the reader KPIs see what is being handled. */
  private async mirrorOnAlerts(c: LedgerCase): Promise<void> {
    const status = isClosed(c) ? 'closed' : c.state === 'assigned' ? 'assigned' : undefined;
    if (!status || !this.deps.alertStatus) return;
    for (const a of c.alerts) {
      try {
        await this.deps.alertStatus(a.alertId, status);
      } catch (err) {
        this.deps.log.warn({ err, alertId: a.alertId, caseId: c.caseId }, 'alert status not updated');
      }
    }
  }

  private async defaultDue(c: LedgerCase, at: number): Promise<number> {
    const meter = await this.deps.meterInfo(c.meterId);
    return visitDueAt(at, visitClasses(c.alerts, meter?.category, this.deps.monthlyVisitM3), this.deps.zone, this.deps.defaultVisitDueMs).dueAt;
  }

  /** domain.md §5 violation: blacklist with reason and evidence, then a monitoring notice to the area reader. */
  private async blacklistFor(c: LedgerCase, by: Principal, at: number): Promise<Notice> {
    const v = c.violation!;
    const customerId = c.customerId ?? c.meterId;
    const evidence = JSON.stringify({ caseId: c.caseId, finding: v.evidence, visits: c.visits.map((x) => ({ at: x.at, by: x.by, findings: x.findings })), alerts: c.alerts.map((a) => ({ alertId: a.alertId, rule: a.rule, periodStart: a.periodStart })), handling: v.handling });
    await this.deps.blacklist.add({ ts: at, customerId, meterId: c.meterId, reason: v.reason, evidence, caseId: c.caseId, actor: by.name, note: v.handling.penaltyNote });
    const [meter, reader] = await Promise.all([this.deps.meterInfo(c.meterId), this.deps.blacklist.areaReader(c.meterId)]);
    const route = meter?.route ?? reader.route;
    const notice = await this.deps.blacklist.issueNotice({
      ts: at,
      customerId,
      meterId: c.meterId,
      customerName: meter?.customerName,
      address: meter?.address,
      district: meter?.district,
      route,
      readerId: reader.readerId,
      caseId: c.caseId,
      reason: v.reason,
      message: `黑名单监控通知 / blacklist monitoring notice: customer ${customerId} (meter ${c.meterId}${meter?.address ? `, ${meter.address}` : ''}) is on the blacklist for ${v.reason} (case ${c.caseId}); read and inspect this meter under strict supervision and report any anomaly at once.`,
      issuedBy: by.name,
    });
    try {
      this.deps.onNotice?.(notice);
    } catch (err) {
      this.deps.log.warn({ err, noticeId: notice.noticeId }, 'notice not delivered (it is stored and listed)');
    }
    return notice;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
