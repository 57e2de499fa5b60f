import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseTimestamp } from '../../core/time.ts';
import { showValue } from '../../ingest/validate/fields.ts';
import { BackpressureError } from '../../ingest/durable-sink.ts';
import { tokenMatches } from '../../ingest/broker/security.ts';
import type { HttpEndpoint, IngestService } from '../../ingest/ingest-service.ts';
import { decodeCursor, queryRejected, type RejectedQuery } from '../../storage/rejected-store.ts';
import type { SqlClient } from '../../storage/sql.ts';

export interface IngestRoutesDeps {
  ingest: IngestService;
  /** For GET /api/ingest/rejected. */
  sql: SqlClient;
  /** Bearer token the POST endpoints require; undefined when authentication is off (issue 3 item 5). */
  apiToken: string | undefined;
  /** Prometheus exposition text for GET /metrics. */
  metrics: () => string;
  maxBodyBytes: number;
}

const INGEST_ENDPOINTS: readonly HttpEndpoint[] = ['/api/readings', '/api/handheld/uploads', '/api/ic/purchases'];

/**
 * The HTTP ingest endpoints of interface.md §2, the rejected-records listing and /metrics.
 * Bodies are read as text and parsed here, so malformed JSON is kept as a rejected record
 * with its raw text instead of vanishing into a framework 400.
 */
export async function ingestRoutes(app: FastifyInstance, deps: IngestRoutesDeps): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => done(null, body));

  const requireToken = async (req: FastifyRequest, reply: FastifyReply) => {
    if (deps.apiToken !== undefined && !tokenMatches(deps.apiToken, req.headers.authorization)) {
      return reply.code(401).send({ error: 'MW_ERR_UNAUTHORIZED', message: 'ingest endpoints need "Authorization: Bearer <MW_API_TOKEN>"' });
    }
  };

  for (const endpoint of INGEST_ENDPOINTS) {
    app.post(endpoint, { preHandler: requireToken }, async (req, reply) => {
      const text = typeof req.body === 'string' ? req.body : '';
      const isCsv = endpoint === '/api/handheld/uploads' && /^text\/csv\b/i.test(req.headers['content-type'] ?? '');
      let body: unknown = text;
      if (!isCsv) {
        try {
          body = JSON.parse(text) as unknown;
        } catch (err) {
          body = new MalformedJson(text, (err as Error).message);
        }
      }
      try {
        const result =
          body instanceof MalformedJson
            ? await deps.ingest.handleMalformedHttp(endpoint, body.text, body.problem, req.ip)
            : await deps.ingest.handleHttp(endpoint, body, { clientId: req.ip, csvQuery: isCsv ? (req.query as Record<string, unknown>) : undefined });
        // interface.md §1: 200 when at least one record was accepted, 400 when none was.
        return reply.code(result.accepted > 0 ? 200 : 400).send(result);
      } catch (err) {
        if (err instanceof BackpressureError) return reply.code(503).header('retry-after', '5').send({ error: err.code, message: err.message });
        throw err;
      }
    });
  }

  app.get('/api/ingest/rejected', async (req, reply) => {
    const parsed = parseRejectedQuery(req.query as Record<string, unknown>);
    if ('error' in parsed) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', message: parsed.error });
    const cursor = parsed.cursor === undefined ? undefined : decodeCursor(parsed.cursor);
    if (parsed.cursor !== undefined && !cursor) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', message: `cursor: not a cursor from a previous page, got ${showValue(parsed.cursor)}` });
    return queryRejected(deps.sql, parsed, cursor);
  });

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(deps.metrics()));
}

class MalformedJson {
  constructor(
    readonly text: string,
    readonly problem: string,
  ) {}
}

/** Query parameters → RejectedQuery, or an error naming the parameter and its value. */
export function parseRejectedQuery(q: Record<string, unknown>): RejectedQuery | { error: string } {
  const str = (name: string): string | undefined => (typeof q[name] === 'string' && q[name] !== '' ? (q[name] as string) : undefined);
  const limitText = str('limit');
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return { error: `limit: expected an integer from 1 to 1000, got ${showValue(limitText)}` };
  const source = str('source');
  if (source !== undefined && source !== 'mqtt' && source !== 'http') return { error: `source: expected mqtt or http, got ${showValue(source)}` };
  const time = (name: string): number | undefined | { error: string } => {
    const v = str(name);
    if (v === undefined) return undefined;
    const ms = parseTimestamp(/^\d+$/.test(v) ? Number(v) : v);
    return ms === undefined ? { error: `${name}: expected a timestamp (ISO 8601 with offset, or epoch ms), got ${showValue(v)}` } : ms;
  };
  const from = time('from');
  if (typeof from === 'object') return from;
  const to = time('to');
  if (typeof to === 'object') return to;
  return {
    limit,
    source,
    meterId: str('meterId'),
    field: str('field'),
    topic: str('topic'),
    endpoint: str('endpoint'),
    clientId: str('clientId'),
    from,
    to,
    cursor: str('cursor'),
  };
}
