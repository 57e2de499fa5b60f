import { join } from 'node:path';
import type { Config } from '../../core/config/index.ts';
import type { Logger } from '../../core/logger.ts';
import type { ClassSource } from '../../core/registry/classes.ts';
import type { RegistryRepo } from '../../storage/registry/registry-repo.ts';
import type { ReplacementsRepo } from '../../storage/registry/replacements-repo.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { AdjustmentsRepo } from '../adjustments/adjustments-repo.ts';
import { SupplementaryService } from '../adjustments/supplementary-service.ts';
import { BlacklistRepo, type Notice } from '../blacklist/blacklist-repo.ts';
import { DateTime } from 'luxon';
import { ALERT_COLUMNS, rowToAlert, type AlertRow } from '../alerts/alert-rows.ts';
import { monthlyUsage } from '../../storage/usage/monthly-usage.ts';
import { isClosed } from './case-machine.ts';
import { LedgerService, type MeterLookup } from './ledger-service.ts';
import { LedgerStore } from './ledger-store.ts';

/** Month usage of a meter over the last 25 months: the ledger entry's usage history (domain.md §5). */
export type UsageHistory = (meterId: string) => Promise<{ month: string; usage: number; coverage: number; estimated: boolean }[]>;

export interface LedgerParts {
  service: LedgerService;
  blacklist: BlacklistRepo;
  adjustments: AdjustmentsRepo;
  supplementary: SupplementaryService;
  meterInfo: MeterLookup;
  routes: { ledger: LedgerService; supplementary: SupplementaryService; adjustments: AdjustmentsRepo; meterInfo: MeterLookup; photoDir: string; zone: string; usageHistory: UsageHistory };
  /**
   * Opens or joins cases for stored open alerts that no case holds yet (alerts raised while
   * the ledger was down or its listener failed). Idempotent: a case remembers its alert ids.
   */
  catchUp: () => Promise<number>;
  /** Adds the ledger membership (open and recent cases) to a meter's class memberships. */
  withLedgerClasses: (inner: ClassSource) => ClassSource;
}

/** Builds the ledger parts from storage and config, and loads the cases from `ledger_events`. */
export async function buildLedger(deps: {
  sql: SqlClient;
  registry: RegistryRepo;
  replacements: ReplacementsRepo;
  config: Config;
  log: Logger;
  now?: () => number;
  /** The alert sink's status setter, so alerts follow their case. */
  alertStatus?: (alertId: string, status: 'assigned' | 'closed') => Promise<unknown>;
  onNotice?: (notice: Notice) => void;
}): Promise<LedgerParts> {
  const zone = deps.config.general.timezone;
  const store = new LedgerStore(deps.sql, deps.log);
  await store.load();
  const blacklist = new BlacklistRepo(deps.sql);
  const adjustments = new AdjustmentsRepo(deps.sql);
  const meterInfo: MeterLookup = async (meterId) => (await deps.registry.meterAsOf(meterId))?.meter;
  const service = new LedgerService({
    store,
    blacklist,
    meterInfo,
    zone,
    defaultVisitDueMs: deps.config.ledger.visitDue,
    monthlyVisitM3: deps.config.analytics.residentialMonthlyVisit,
    log: deps.log,
    now: deps.now,
    alertStatus: deps.alertStatus,
    onNotice: deps.onNotice,
  });
  const supplementary = new SupplementaryService({ sql: deps.sql, replacements: deps.replacements, adjustments, ledger: service, zone, now: deps.now });
  const photoDir = deps.config.ledger.photoDir ?? join(deps.config.general.dataDir, 'ledger-photos');
  const withLedgerClasses = (inner: ClassSource): ClassSource => async (meterId, customerId, asOf) => {
    const classes = await inner(meterId, customerId, asOf);
    const cases = store.all().filter((c) => c.meterId === meterId || (customerId !== undefined && c.customerId === customerId)).filter((c) => c.openedAt <= asOf);
    classes.ledger = {
      open: cases.some((c) => !isClosed(c)),
      cases: cases.map((c) => ({ caseId: c.caseId, rule: c.alerts[0]?.rule ?? 'manual', state: c.state, openedAt: c.openedAt })),
    };
    return classes;
  };
  const usageHistory: UsageHistory = async (meterId) => {
    const end = DateTime.now().setZone(zone).startOf('month').plus({ months: 1 });
    const rows = await monthlyUsage(deps.sql, { from: end.minus({ months: 25 }).toMillis(), to: end.toMillis(), zone, meterIds: [meterId] });
    return rows.map((r) => ({ month: DateTime.fromMillis(r.monthStart, { zone }).toFormat('yyyy-LL'), usage: Math.round(r.usage * 1000) / 1000, coverage: Math.round(r.coverage * 1000) / 1000, estimated: r.estimated }));
  };
  const catchUp = async () => {
    const rows = await deps.sql.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE status = 'open' ORDER BY raised_at`);
    const opened = await service.onAlerts(rows.map(rowToAlert));
    if (opened > 0) deps.log.info({ alerts: opened }, 'ledger caught up with open alerts');
    return opened;
  };
  return { service, blacklist, adjustments, supplementary, meterInfo, routes: { ledger: service, supplementary, adjustments, meterInfo, photoDir, zone, usageHistory }, withLedgerClasses, catchUp };
}
