import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { isValidId } from '../../core/ids.ts';
import { forbidden, BLACKLIST_REASONS } from '../../analytics/ledger/case-machine.ts';
import { formatInZone } from '../../core/time.ts';
import type { BlacklistEvent, BlacklistRepo, Notice } from '../../analytics/blacklist/blacklist-repo.ts';
import type { LedgerService, MeterLookup } from '../../analytics/ledger/ledger-service.ts';
import { BodyFields, csvWithBom, invalid, principalOf, replyError } from './body-fields.ts';
import { caseJson } from './ledger.ts';

export interface BlacklistRoutesDeps {
  blacklist: BlacklistRepo;
  ledger: LedgerService;
  meterInfo: MeterLookup;
  zone: string;
}

const LIST_COLUMNS = ['customerId', 'meterId', 'customerName', 'address', 'district', 'route', 'reason', 'since', 'caseId', 'actor', 'note'];
const NOTICE_COLUMNS = ['noticeId', 'ts', 'customerId', 'meterId', 'customerName', 'address', 'district', 'route', 'readerId', 'reason', 'caseId', 'issuedBy', 'message'];

/**
 * The blacklist (domain.md §4, §5; issue 7 item 2):
 * - `GET /api/blacklist?district&route&format=json|csv` customers on the list now, with
 *   where they are (registry); CSV with a BOM for Excel;
 * - `GET /api/blacklist/{customerId}/history` list events, ledger cases (violations,
 *   handling, inspections) and notices;
 * - `POST /api/blacklist` `{customerId, meterId, reason, evidence, note}` (manager: e.g.
 *   malicious arrears, which no site visit finds);
 * - `POST /api/blacklist/{customerId}/remove` `{reason}` — a manager only, with a reason;
 * - `GET /api/blacklist/notices?district&route&readerId&format=json|csv`.
 */
export function blacklistRoutes(deps: BlacklistRoutesDeps): FastifyPluginAsync {
  const zone = deps.zone;
  const t = (ms: number) => formatInZone(ms, zone);
  const noticeJson = (n: Notice) => ({ ...n, ts: t(n.ts) });
  const eventJson = (e: BlacklistEvent) => ({ ...e, ts: t(e.ts), evidence: parseEvidence(e.evidence) });
  return async (app: FastifyInstance) => {
    app.get('/api/blacklist', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const format = q.format ?? 'json';
      if (format !== 'json' && format !== 'csv') return replyError(reply, invalid('format', format, 'must be json or csv'));
      const entries = await deps.blacklist.current();
      const rows = await Promise.all(
        entries.map(async (e) => {
          const m = e.meterId ? await deps.meterInfo(e.meterId) : undefined;
          return { customerId: e.customerId, meterId: e.meterId ?? null, customerName: m?.customerName ?? null, address: m?.address ?? null, district: m?.district ?? null, route: m?.route ?? null, reason: e.reason ?? null, since: t(e.ts), caseId: e.caseId ?? null, actor: e.actor, note: e.note ?? null };
        }),
      );
      const items = rows.filter((r) => (!q.district || r.district === q.district) && (!q.route || r.route === q.route));
      if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="blacklist.csv"').send(csvWithBom(LIST_COLUMNS, items));
      return { items };
    });

    app.get('/api/blacklist/notices', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const format = q.format ?? 'json';
      if (format !== 'json' && format !== 'csv') return replyError(reply, invalid('format', format, 'must be json or csv'));
      const items = (await deps.blacklist.notices({ district: q.district, route: q.route, readerId: q.readerId, customerId: q.customerId })).map(noticeJson);
      if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="blacklist-notices.csv"').send(csvWithBom(NOTICE_COLUMNS, items));
      return { items };
    });

    app.get('/api/blacklist/:customerId/history', async (req) => {
      const { customerId } = req.params as { customerId: string };
      const [events, notices] = await Promise.all([deps.blacklist.history(customerId), deps.blacklist.notices({ customerId })]);
      const cases = deps.ledger.store.all().filter((c) => (c.customerId ?? c.meterId) === customerId);
      return {
        customerId,
        onList: events.at(-1)?.action === 'add',
        events: events.map(eventJson),
        cases: cases.map((c) => caseJson(c, zone, true)),
        notices: notices.map(noticeJson),
      };
    });

    app.post('/api/blacklist', async (req, reply) => {
      try {
        const by = principalOf(req);
        if (by.role !== 'manager') throw forbidden('add to the blacklist', by.role, ['manager']);
        const f = new BodyFields(req.body);
        const customerId = f.text('customerId', { max: 64 });
        if (!isValidId(customerId)) throw invalid('customerId', customerId, 'expected 1–64 letters, digits, -, _ or .');
        const e = await deps.blacklist.add({ ts: Date.now(), customerId, meterId: f.optionalText('meterId', { max: 64 }), reason: f.oneOf('reason', BLACKLIST_REASONS), evidence: f.text('evidence', { max: 4000 }), actor: by.name, note: f.optionalText('note') });
        return reply.code(201).send(eventJson(e));
      } catch (err) {
        return replyError(reply, err);
      }
    });

    app.post('/api/blacklist/:customerId/remove', async (req, reply) => {
      try {
        const by = principalOf(req);
        if (by.role !== 'manager') throw forbidden('remove from the blacklist', by.role, ['manager']);
        const { customerId } = req.params as { customerId: string };
        const e = await deps.blacklist.remove(customerId, by.name, new BodyFields(req.body).text('reason'));
        return eventJson(e);
      } catch (err) {
        return replyError(reply, err);
      }
    });
  };
}

function parseEvidence(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
