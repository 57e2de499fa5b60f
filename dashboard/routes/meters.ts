import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypedBus } from '../../core/bus.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import { isValidId } from '../../core/ids.ts';
import { noClasses, type ClassSource } from '../../core/registry/classes.ts';
import { CsvFormatError, decodeUtf8, parseCsvTable } from '../../core/registry/csv-rows.ts';
import { ACCEPTED_COLUMNS, validateMeterRow, type FieldProblem, type MeterInput } from '../../core/registry/meter-input.ts';
import { validateReplacement } from '../../core/registry/replacement.ts';
import { formatInZone } from '../../core/time.ts';
import type { MeterRecord } from '../../core/types.ts';
import type { RegistryRepo } from '../../storage/registry/registry-repo.ts';
import type { MeterVersion } from '../../storage/registry/registry-rows.ts';
import type { ReplacementsRepo } from '../../storage/registry/replacements-repo.ts';
import { BadParam, timeParam } from './query-params.ts';

/**
 * The registry API (interface.md §2; issue 4 item 1):
 * - `POST /api/meters` upserts a JSON array or a CSV with a header row. The whole batch is
 *   validated first. Good rows are written in ONE transaction and bad rows are reported
 *   with row, field and value (interface.md: one bad record does not reject the good ones);
 *   `?atomic=true` writes nothing when any row is bad. 400 when no row is good.
 *   `effectiveAt` (per row) dates the change [now]; `changedBy` or the `x-actor` header
 *   says who made it.
 * - `GET /api/meters/{id}` the meter with customer, status, parent or households, class
 *   memberships and replacements; `?asOf=` answers for any past moment.
 * - `GET /api/meters/{id}/history` every version and the status spans.
 * - `POST|GET /api/meters/{id}/replacements` meter replacements (new register start).
 */
export interface MetersRouteDeps {
  registry: RegistryRepo;
  replacements: ReplacementsRepo;
  zone: string;
  bus?: TypedBus<MeterwatchEvents> | undefined;
  classes?: ClassSource | undefined;
}

type Query = Record<string, unknown>;

function actorOf(req: FastifyRequest): string {
  const header = req.headers['x-actor'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && value.length <= 128 && !/[\u0000-\u001f]/.test(value) ? value : 'api';
}

function rowsOf(req: FastifyRequest): { rows: unknown[]; fromText: boolean } {
  if (Buffer.isBuffer(req.body)) {
    const table = parseCsvTable(decodeUtf8(req.body));
    const unknown = table.header.filter((h) => !ACCEPTED_COLUMNS.includes(h));
    if (unknown.length > 0) throw new BadParam('(header)', unknown.join(','), `unknown column; accepted: ${ACCEPTED_COLUMNS.join(', ')}`);
    return { rows: table.rows, fromText: true };
  }
  if (!Array.isArray(req.body)) throw new BadParam('(body)', typeof req.body, 'expected a JSON array of meters, or text/csv');
  return { rows: req.body, fromText: false };
}

function meterJson(m: MeterRecord, zone: string): Record<string, unknown> {
  return {
    ...m,
    installedAt: m.installedAt === undefined ? undefined : formatInZone(m.installedAt, zone),
    activatedAt: m.activatedAt === undefined ? undefined : formatInZone(m.activatedAt, zone),
  };
}

function versionJson(v: MeterVersion, zone: string): Record<string, unknown> {
  return {
    ...meterJson(v.meter, zone),
    effectiveAt: formatInZone(v.effectiveAt, zone),
    changedAt: v.changedAt === undefined ? undefined : formatInZone(v.changedAt, zone),
    changedBy: v.changedBy,
  };
}

function answerError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BadParam) return reply.code(400).send(err.body());
  if (err instanceof CsvFormatError) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', reason: err.message });
  throw err;
}

export async function metersRoutes(app: FastifyInstance, deps: MetersRouteDeps): Promise<void> {
  const zone = deps.zone;
  // Kept as bytes so the decoder can refuse non-UTF-8 instead of replacing characters.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post('/api/meters', async (req, reply) => {
    try {
      const { rows, fromText } = rowsOf(req);
      if (rows.length === 0) throw new BadParam('(body)', '[]', 'no meters given');
      const good: MeterInput[] = [];
      const problems: FieldProblem[] = [];
      rows.forEach((raw, i) => {
        const result = validateMeterRow(raw, i + 1, fromText);
        if ('input' in result) good.push(result.input);
        else problems.push(...result.problems);
      });
      const atomic = (req.query as Query).atomic === 'true';
      if (good.length === 0 || (atomic && problems.length > 0)) {
        return reply.code(400).send({ error: 'MW_ERR_VALIDATION', written: 0, rejected: problems });
      }
      const { written } = await deps.registry.upsert(good, actorOf(req));
      const byTime = new Map<number, MeterRecord[]>();
      for (const v of written) byTime.set(v.effectiveAt, [...(byTime.get(v.effectiveAt) ?? []), v.meter]);
      for (const [effectiveAt, meters] of byTime) deps.bus?.emit('registry.changed', { meters, effectiveAt });
      return reply.send({ written: written.length, rejected: problems });
    } catch (err) {
      return answerError(reply, err);
    }
  });

  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId', async (req, reply) => {
    try {
      const { meterId } = req.params;
      if (!isValidId(meterId)) throw new BadParam('meterId', meterId, 'expected 1–64 letters, digits, -, _ or .');
      const asOf = timeParam(req.query as Query, 'asOf', Date.now());
      const version = await deps.registry.meterAsOf(meterId, asOf);
      if (!version) return reply.code(404).send({ error: 'MW_ERR_NOT_FOUND', reason: `meter ${meterId} is not registered as of ${formatInZone(asOf, zone)}` });
      const m = version.meter;
      const [parent, households, spans, replacements, classes] = await Promise.all([
        m.parentMeterId ? deps.registry.meterAsOf(m.parentMeterId, asOf) : Promise.resolve(undefined),
        deps.registry.householdsOf(meterId, asOf),
        deps.registry.statusHistory(meterId),
        deps.replacements.forMeter(meterId),
        deps.classes ? deps.classes(meterId, m.customerId, asOf) : Promise.resolve(noClasses()),
      ]);
      const currentSpan = spans.filter((s) => s.from <= asOf).at(-1);
      const brief = (v: MeterVersion) => ({ meterId: v.meter.meterId, customerName: v.meter.customerName, address: v.meter.address, status: v.meter.status, category: v.meter.category });
      return reply.send({
        meterId,
        asOf: formatInZone(asOf, zone),
        meter: versionJson(version, zone),
        customer: {
          customerId: m.customerId,
          customerName: m.customerName,
          address: m.address,
          contact: m.contact,
          district: m.district,
          category: m.category,
          propertyCompany: m.propertyCompany,
        },
        status: { current: m.status ?? null, since: currentSpan ? formatInZone(currentSpan.from, zone) : null },
        parent: parent ? brief(parent) : m.parentMeterId ? { meterId: m.parentMeterId } : null,
        households: households.map(brief),
        classes,
        replacements: replacements.map((r) => ({ ...r, ts: formatInZone(r.ts, zone), recordedAt: r.recordedAt === undefined ? undefined : formatInZone(r.recordedAt, zone) })),
      });
    } catch (err) {
      return answerError(reply, err);
    }
  });

  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId/history', async (req, reply) => {
    const { meterId } = req.params;
    const versions = await deps.registry.history(meterId);
    if (versions.length === 0) return reply.code(404).send({ error: 'MW_ERR_NOT_FOUND', reason: `meter ${meterId} is not registered` });
    const spans = await deps.registry.statusHistory(meterId);
    return reply.send({
      meterId,
      versions: versions.map((v) => versionJson(v, zone)),
      statusHistory: spans.map((s) => ({ status: s.status ?? null, from: formatInZone(s.from, zone), to: s.to === undefined ? null : formatInZone(s.to, zone), changedBy: s.changedBy })),
    });
  });

  app.post<{ Params: { meterId: string } }>('/api/meters/:meterId/replacements', async (req, reply) => {
    const { meterId } = req.params;
    if (!(await deps.registry.knownMeter(meterId))) return reply.code(404).send({ error: 'MW_ERR_NOT_FOUND', reason: `meter ${meterId} is not registered` });
    const result = validateReplacement(meterId, req.body);
    if ('problems' in result) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', rejected: result.problems });
    const stored = await deps.replacements.record(result.replacement, actorOf(req));
    // The stream rules must know the register restarted before the next read arrives.
    deps.bus?.emit('registry.changed', { meters: [], effectiveAt: stored.ts });
    return reply.code(201).send({ ...stored, ts: formatInZone(stored.ts, zone) });
  });

  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId/replacements', async (req, reply) => {
    const items = await deps.replacements.forMeter(req.params.meterId);
    return reply.send({ meterId: req.params.meterId, items: items.map((r) => ({ ...r, ts: formatInZone(r.ts, zone) })) });
  });
}
