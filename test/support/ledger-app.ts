import { inject } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../core/config/index.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Role } from '../../core/roles.ts';
import { noClasses } from '../../core/registry/classes.ts';
import { buildApp } from '../../dashboard/app.ts';
import { AuditLog } from '../../dashboard/auth/audit-log.ts';
import type { ApiUser } from '../../dashboard/auth/users.ts';
import { buildLedger, type LedgerParts } from '../../analytics/ledger/build-ledger.ts';
import { RegistryRepo } from '../../storage/registry/registry-repo.ts';
import { ReplacementsRepo } from '../../storage/registry/replacements-repo.ts';
import type { SqlClient } from '../../storage/sql.ts';
import type { Notice } from '../../analytics/blacklist/blacklist-repo.ts';
import { sharedEndpoints } from './questdb.ts';
import { visitsFromCases } from '../../analytics/visits/visits-due.ts';

/** The people of the ledger tests: one token each; `sue` is supervisor and (second token) manager. */
export const PEOPLE = {
  ana: { name: 'ana', role: 'analyst' },
  ivan: { name: 'ivan', role: 'inspector' },
  iris: { name: 'iris', role: 'inspector' },
  sue: { name: 'sue', role: 'supervisor' },
  sueAsManager: { name: 'sue', role: 'manager' },
  max: { name: 'max', role: 'manager' },
  root: { name: 'root', role: 'admin' },
} as const satisfies Record<string, { name: string; role: Role }>;
export type Person = keyof typeof PEOPLE;

export const tokenOf = (p: Person) => `token-of-${p}-0123456789`;
const USERS: ApiUser[] = (Object.keys(PEOPLE) as Person[]).map((p) => ({ ...PEOPLE[p], token: tokenOf(p) }));

/** The HTTP API as main.ts wires it (access, ledger, blacklist, adjustments, KPIs), on the shared QuestDB. */
export async function ledgerApp(sql: SqlClient, alertStatus?: (alertId: string, status: 'assigned' | 'closed') => Promise<unknown>, onNotice?: (n: Notice) => void): Promise<{ app: FastifyInstance; ledger: LedgerParts; audit: AuditLog; photoDir: string }> {
  const { httpUrl } = sharedEndpoints();
  const photoDir = mkdtempSync(join(tmpdir(), 'mw-photos-'));
  const config = loadConfig({}, { MW_ANALYTICS_SCHEDULE: '0', MW_LEDGER_PHOTO_DIR: photoDir });
  const zone = config.general.timezone;
  const registry = new RegistryRepo(sql, httpUrl, silentLogger(), 0);
  const replacements = new ReplacementsRepo(sql, httpUrl);
  const ledger = await buildLedger({ sql, httpUrl: inject('questdbHttpUrl'), registry, replacements, config, log: silentLogger(), ...(alertStatus ? { alertStatus } : {}), ...(onNotice ? { onNotice } : {}) });
  const audit = new AuditLog(sql, silentLogger());
  const app = await buildApp({
    log: silentLogger(),
    health: { broker: () => ({ state: 'up' }), storage: () => ({ state: 'up' }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) },
    meters: { registry, replacements, zone, classes: ledger.withLedgerClasses(async () => noClasses()) },
    meterData: { sql, replacements, zone, adjustments: (id) => ledger.adjustments.approvedParts(id) },
    access: { users: USERS, audit },
    ledger: ledger.routes,
    adjustments: { adjustments: ledger.adjustments, supplementary: ledger.supplementary, zone },
    blacklist: { blacklist: ledger.blacklist, ledger: ledger.service, meterInfo: ledger.meterInfo, zone },
    visits: { sql, metersAsOf: (ids, t) => registry.metersAsOf(ids, t), ledgerVisits: () => visitsFromCases(ledger.service.store.all()), options: { zone, monthlyVisitM3: config.analytics.residentialMonthlyVisit, largeFlowMonths: config.visits.largeFlowMonths, monthlyMonths: config.visits.monthlyMonths } },
    kpis: { sql, zone, audit, kpi: { readDayFirst: config.ledger.readDayFirst, readDayLast: config.ledger.readDayLast, seenTarget: config.ledger.seenTarget, faultLimitMs: config.ledger.faultDays } },
  });
  return { app, ledger, audit, photoDir };
}

/** app.inject as a person: `as('ana').post(url, body)`. */
export function caller(app: FastifyInstance) {
  return (p: Person | null) => {
    const headers: Record<string, string> = p ? { authorization: `Bearer ${tokenOf(p)}` } : {};
    return {
      get: async (url: string) => {
        const res = await app.inject({ method: 'GET', url, headers });
        return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? (res.json() as Record<string, any>) : ({} as Record<string, any>), text: res.body, headers: res.headers };
      },
      post: async (url: string, payload: unknown = {}) => {
        const res = await app.inject({ method: 'POST', url, payload: payload as object, headers });
        return { status: res.statusCode, body: res.json() as Record<string, any> };
      },
    };
  };
}
