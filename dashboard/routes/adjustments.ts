import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { formatInZone } from '../../core/time.ts';
import type { Adjustment, AdjustmentsRepo, AdjustmentStatus } from '../../analytics/adjustments/adjustments-repo.ts';
import type { SupplementaryService } from '../../analytics/adjustments/supplementary-service.ts';
import { BodyFields, invalid, principalOf, replyError } from './body-fields.ts';

export interface AdjustmentRoutesDeps {
  adjustments: AdjustmentsRepo;
  supplementary: SupplementaryService;
  zone: string;
}

/** A proposal with its evidence table (domain.md §6: "with the history table attached"), times in the company zone. */
export function adjustmentJson(a: Adjustment, zone: string): Record<string, unknown> {
  const t = (ms: number) => formatInZone(ms, zone);
  return {
    id: a.id,
    status: a.status,
    meterId: a.meterId,
    customerId: a.customerId ?? null,
    caseId: a.caseId ?? null,
    cause: a.cause,
    periodStart: t(a.periodStart),
    periodEnd: t(a.periodEnd),
    volume: a.volume,
    decidedOrProposedAt: t(a.ts),
    actor: a.actor,
    note: a.note ?? null,
    evidence: {
      faultStart: t(a.basis.faultStart),
      faultStartSource: a.basis.faultStartSource,
      alertId: a.basis.alertId,
      monthsWithoutHistory: a.basis.monthsWithoutHistory,
      rows: a.basis.rows.map((r) => ({ ...r, from: t(r.from), to: t(r.to) })),
    },
  };
}

const STATUSES: readonly AdjustmentStatus[] = ['proposed', 'approved', 'rejected'];

/**
 * Supplementary-volume proposals (domain.md §6; issue 7 item 3):
 * `GET /api/adjustments?meterId&caseId&status`, `GET /api/adjustments/{id}` (with its trail),
 * `POST /api/adjustments/{id}/approve|reject` `{note}` (manager).
 */
export function adjustmentRoutes(deps: AdjustmentRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/adjustments', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      if (q.status && !STATUSES.includes(q.status as AdjustmentStatus)) return replyError(reply, invalid('status', q.status, `must be one of ${STATUSES.join(', ')}`));
      const items = await deps.adjustments.list({ meterId: q.meterId, caseId: q.caseId, status: q.status as AdjustmentStatus | undefined });
      return { items: items.map((a) => adjustmentJson(a, deps.zone)) };
    });

    app.get('/api/adjustments/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const trail = await deps.adjustments.trail(id);
      const last = trail.at(-1);
      if (!last) return replyError(reply, new MeterwatchError(ErrorCodes.NOT_FOUND, `no adjustment ${id}`, { details: { id } }));
      return { ...adjustmentJson(last, deps.zone), trail: trail.map((a) => ({ status: a.status, at: formatInZone(a.ts, deps.zone), actor: a.actor, note: a.note ?? null })) };
    });

    for (const [path, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
      app.post(`/api/adjustments/:id/${path}`, async (req, reply) => {
        try {
          const { id } = req.params as { id: string };
          const note = new BodyFields(req.body).optionalText('note');
          const a = await deps.supplementary.decide(id, decision, principalOf(req), note);
          return adjustmentJson(a, deps.zone);
        } catch (err) {
          return replyError(reply, err);
        }
      });
    }
  };
}
