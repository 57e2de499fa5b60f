import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { isValidId } from '../../core/ids.ts';
import { formatInZone } from '../../core/time.ts';
import type { AdjustmentsRepo } from '../../analytics/adjustments/adjustments-repo.ts';
import type { SupplementaryService } from '../../analytics/adjustments/supplementary-service.ts';
import { BLACKLIST_REASONS, CASE_STATES, type LedgerCase, type PhotoRef } from '../../analytics/ledger/case-machine.ts';
import type { CaseRequest, LedgerService, MeterLookup } from '../../analytics/ledger/ledger-service.ts';
import { adjustmentJson } from './adjustments.ts';
import { BodyFields, invalid, principalOf, replyError } from './body-fields.ts';

export interface LedgerRoutesDeps {
  ledger: LedgerService;
  supplementary: SupplementaryService;
  adjustments: AdjustmentsRepo;
  meterInfo: MeterLookup;
  photoDir: string;
  zone: string;
  /** Month usage of the last 25 months, shown with the case (domain.md §5: usage history). */
  usageHistory?: ((meterId: string) => Promise<unknown[]>) | undefined;
}

/** Path segment → machine action (POST /api/ledger/cases/{id}/{action}). */
const PATH_ACTIONS = {
  assign: 'assign',
  visit: 'visit',
  'conclude-normal': 'conclude_normal',
  'conclude-violation': 'conclude_violation',
  approve: 'approve',
  'reject-clearance': 'reject_clearance',
} as const;

const PHOTO_TYPES: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export function caseJson(c: LedgerCase, zone: string, full = false): Record<string, unknown> {
  const t = (ms: number | undefined) => (ms === undefined ? null : formatInZone(ms, zone));
  const summary = {
    caseId: c.caseId,
    meterId: c.meterId,
    customerId: c.customerId ?? null,
    state: c.state,
    openedAt: t(c.openedAt),
    updatedAt: t(c.updatedAt),
    rules: [...new Set(c.alerts.map((a) => a.rule))],
    inspector: c.inspector ?? null,
    dueAt: t(c.dueAt),
  };
  if (!full) return summary;
  return {
    ...summary,
    alerts: c.alerts.map((a) => ({ ...a, periodStart: t(a.periodStart), periodEnd: t(a.periodEnd) })),
    visits: c.visits.map((v) => ({ ...v, at: t(v.at) })),
    conclusion: c.conclusion ? { ...c.conclusion, at: t(c.conclusion.at) } : null,
    violation: c.violation ?? null,
    approvals: c.approvals.map((a) => ({ ...a, at: t(a.at) })),
    history: c.events.map((e) => ({ seq: e.seq, at: t(e.ts), action: e.action, from: e.from, to: e.to, actor: e.actor, role: e.role, details: e.details })),
  };
}

/** Builds the machine command from the body; a visit's optional photo is stored first. */
async function commandFrom(action: (typeof PATH_ACTIONS)[keyof typeof PATH_ACTIONS], f: BodyFields, caseId: string, photoDir: string): Promise<CaseRequest> {
  switch (action) {
    case 'assign':
      return { action, inspector: f.text('inspector', { max: 64 }), dueAt: f.optionalTime('dueAt'), note: f.optionalText('note') };
    case 'visit': {
      const findings = f.text('findings', { max: 4000 });
      const visitedAt = f.optionalTime('visitedAt') ?? Date.now();
      const photo = f.raw('photo') === undefined ? undefined : await storePhoto(f.raw('photo'), caseId, photoDir);
      return { action, findings, visitedAt, photo };
    }
    case 'conclude_normal':
      return { action, note: f.text('note') };
    case 'conclude_violation': {
      const handling = new BodyFields(f.raw('handling'));
      return { action, reason: f.oneOf('reason', BLACKLIST_REASONS), evidence: f.text('evidence', { max: 4000 }), handling: { adjustment: handling.optionalText('adjustment'), penaltyNote: handling.text('penaltyNote') } };
    }
    case 'approve':
      return { action, note: f.optionalText('note') };
    case 'reject_clearance':
      return { action, reason: f.text('reason') };
  }
}

async function storePhoto(raw: unknown, caseId: string, photoDir: string): Promise<PhotoRef> {
  const p = new BodyFields(raw);
  const contentType = p.oneOf('contentType', Object.keys(PHOTO_TYPES));
  const data = Buffer.from(p.text('dataBase64', { max: 2_000_000 }), 'base64');
  if (data.length === 0) throw invalid('photo.dataBase64', '(empty)', 'not base64 image data');
  const sha256 = createHash('sha256').update(data).digest('hex');
  const file = `${sha256.slice(0, 24)}.${PHOTO_TYPES[contentType]}`;
  await mkdir(join(photoDir, caseId), { recursive: true });
  await writeFile(join(photoDir, caseId, file), data);
  return { file, contentType, bytes: data.length, sha256 };
}

/**
 * The abnormal-usage ledger API (domain.md §5; issue 7 item 1):
 * - `GET /api/ledger/cases?state&customerId&meterId`, `GET /api/ledger/cases/{id}` (the
 *   ledger entry: customer archive, alerts, visits, approvals, every transition, proposals);
 * - `POST /api/ledger/cases` `{meterId, note}` opens a case by hand;
 * - `POST /api/ledger/cases/{id}/{assign|visit|conclude-normal|conclude-violation|approve|reject-clearance}`;
 * - `GET /api/ledger/cases/{id}/photos/{file}`; `POST /api/ledger/cases/{id}/supplementary`.
 * Refusals: 409 with state, action and allowed actions; 403 with role and allowed roles.
 */
export function ledgerRoutes(deps: LedgerRoutesDeps): FastifyPluginAsync {
  const zone = deps.zone;
  return async (app: FastifyInstance) => {
    app.get('/api/ledger/cases', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      if (q.state && !(CASE_STATES as readonly string[]).includes(q.state)) return replyError(reply, invalid('state', q.state, `must be one of ${CASE_STATES.join(', ')}`));
      const items = deps.ledger.store
        .all()
        .filter((c) => (!q.state || c.state === q.state) && (!q.customerId || c.customerId === q.customerId) && (!q.meterId || c.meterId === q.meterId))
        .sort((a, b) => b.updatedAt - a.updatedAt);
      return { items: items.map((c) => caseJson(c, zone)) };
    });

    app.post('/api/ledger/cases', async (req, reply) => {
      try {
        const f = new BodyFields(req.body);
        const meterId = f.text('meterId', { max: 64 });
        if (!isValidId(meterId)) throw invalid('meterId', meterId, 'expected 1–64 letters, digits, -, _ or .');
        const c = await deps.ledger.open(meterId, principalOf(req), f.optionalText('note'));
        return reply.code(201).send(caseJson(c, zone, true));
      } catch (err) {
        return replyError(reply, err);
      }
    });

    app.get('/api/ledger/cases/:caseId', async (req, reply) => {
      const { caseId } = req.params as { caseId: string };
      const c = deps.ledger.store.get(caseId);
      if (!c) return replyError(reply, new MeterwatchError(ErrorCodes.NOT_FOUND, `no ledger case ${caseId}`, { details: { caseId } }));
      const [meter, adjustments, usage] = await Promise.all([deps.meterInfo(c.meterId), deps.adjustments.list({ caseId }), deps.usageHistory ? deps.usageHistory(c.meterId) : Promise.resolve(null)]);
      return { ...caseJson(c, zone, true), customer: meter ?? null, usageHistory: usage, adjustments: adjustments.map((a) => adjustmentJson(a, zone)) };
    });

    app.get('/api/ledger/cases/:caseId/photos/:file', async (req, reply) => {
      const { caseId, file } = req.params as { caseId: string; file: string };
      const photo = deps.ledger.store.get(caseId)?.visits.find((v) => v.photo?.file === file)?.photo;
      if (!photo) return reply.code(404).send({ error: 'MW_ERR_NOT_FOUND', message: `case ${caseId} has no photo ${file}` });
      return reply.header('content-type', photo.contentType).send(await readFile(join(deps.photoDir, caseId, photo.file)));
    });

    app.post('/api/ledger/cases/:caseId/supplementary', async (req, reply) => {
      try {
        const { caseId } = req.params as { caseId: string };
        const f = new BodyFields(req.body);
        const a = await deps.supplementary.propose(caseId, { alertId: f.optionalText('alertId', { max: 64 }), to: f.optionalTime('to'), note: f.optionalText('note') }, principalOf(req));
        return reply.code(201).send(adjustmentJson(a, zone));
      } catch (err) {
        return replyError(reply, err);
      }
    });

    app.post('/api/ledger/cases/:caseId/:action', async (req, reply) => {
      try {
        const { caseId, action } = req.params as { caseId: string; action: string };
        if (!(action in PATH_ACTIONS)) throw invalid('action', action, `must be one of ${Object.keys(PATH_ACTIONS).join(', ')}`);
        const machineAction = PATH_ACTIONS[action as keyof typeof PATH_ACTIONS];
        const by = principalOf(req);
        // Refuse before a photo is written for a visit that will not be accepted.
        deps.ledger.check(caseId, machineAction, by);
        const cmd = await commandFrom(machineAction, new BodyFields(req.body), caseId, deps.photoDir);
        const result = await deps.ledger.command(caseId, cmd, by);
        return {
          ...caseJson(result.case, zone, true),
          ...(result.notice ? { blacklisted: true, notice: { ...result.notice, ts: formatInZone(result.notice.ts, zone) } } : {}),
        };
      } catch (err) {
        return replyError(reply, err);
      }
    });
  };
}
