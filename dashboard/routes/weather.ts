import { DateTime } from 'luxon';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CsvFormatError, decodeUtf8, parseCsvTable } from '../../core/registry/csv-rows.ts';
import { heatingDegrees, validateWeatherRows, WEATHER_COLUMNS } from '../../core/weather/weather-input.ts';
import { MIN_HDD_COVERAGE } from '../../analytics/batch/weather-query.ts';
import type { StoredWeatherDay, WeatherRepo } from '../../storage/weather/weather-repo.ts';
import { csvWithBom } from './body-fields.ts';
import { BadParam, enumParam, rangeParams } from './query-params.ts';

/**
 * The temperature series behind yoy_deviation's weather normalisation (issue 6 item 2;
 * docs/weather.md):
 * - `POST /api/weather` a JSON array `[{date: "YYYY-MM-DD", meanC, district?, source?}]` or
 *   `text/csv` with that header; daily mean °C of a calendar day in the company time zone,
 *   per district or city-wide (no district). Validated whole; good rows stored in ONE
 *   transaction, bad rows listed with row, field, value and reason; `?atomic=true` stores
 *   nothing when any row is bad; 400 when no row is good. A day sent again replaces it.
 * - `GET /api/weather?from&to&district&granularity=day|month&format=json|csv` the stored
 *   days with their heating degree days, or HDD per calendar month with its coverage.
 */
export interface WeatherRouteDeps {
  weather: WeatherRepo;
  zone: string;
  /** base temperature of heating degree days, °C (MW_RULE_HDD_BASE) */
  baseC: number;
}

type Query = Record<string, unknown>;
const MAX_ROWS = 100_000;
const DAY_COLUMNS = ['date', 'district', 'meanC', 'hdd', 'source'] as const;
const MONTH_COLUMNS = ['month', 'district', 'hdd', 'days', 'daysInMonth', 'coverage', 'covered'] as const;

function rowsOf(req: FastifyRequest): { rows: unknown[]; fromText: boolean } {
  if (Buffer.isBuffer(req.body)) {
    const table = parseCsvTable(decodeUtf8(req.body));
    const unknown = table.header.filter((h) => !WEATHER_COLUMNS.includes(h));
    if (unknown.length > 0) throw new BadParam('(header)', unknown.join(','), `unknown column; accepted: ${WEATHER_COLUMNS.join(', ')}`);
    return { rows: table.rows, fromText: true };
  }
  if (!Array.isArray(req.body)) throw new BadParam('(body)', typeof req.body, 'expected a JSON array of days [{date, meanC, district?, source?}], or text/csv');
  return { rows: req.body, fromText: false };
}

function answerError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BadParam) return reply.code(400).send(err.body());
  if (err instanceof CsvFormatError) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', reason: err.message });
  throw err;
}

function districtParam(query: Query): string | undefined {
  const raw = query.district;
  if (raw === undefined || raw === '') return undefined;
  const v = String(raw);
  if (v.length > 100 || /[\u0000-\u001f\u007f]/.test(v)) throw new BadParam('district', v.slice(0, 40), 'expected a district name of at most 100 characters');
  return v;
}

/** HDD per calendar month of the days given, with the rule's coverage test (analytics/batch/weather-query.ts). */
export function monthlyHddOf(days: readonly StoredWeatherDay[], zone: string, baseC: number) {
  const months = new Map<number, { hdd: number; days: number }>();
  for (const d of days) {
    const start = DateTime.fromMillis(d.ts, { zone }).startOf('month').toMillis();
    const m = months.get(start) ?? { hdd: 0, days: 0 };
    m.hdd += heatingDegrees(d.meanC, baseC);
    m.days += 1;
    months.set(start, m);
  }
  return [...months.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, m]) => {
      const daysInMonth = DateTime.fromMillis(start, { zone }).daysInMonth ?? 30;
      const covered = m.days >= MIN_HDD_COVERAGE * daysInMonth;
      // Covered months are scaled to the whole month, as the rule sees them.
      return { month: DateTime.fromMillis(start, { zone }).toFormat('yyyy-LL'), hdd: Math.round((covered ? (m.hdd * daysInMonth) / m.days : m.hdd) * 100) / 100, days: m.days, daysInMonth, coverage: Math.round((m.days / daysInMonth) * 1000) / 1000, covered };
    });
}

export async function weatherRoutes(app: FastifyInstance, deps: WeatherRouteDeps): Promise<void> {
  const { zone, baseC } = deps;
  // Kept as bytes so the decoder can refuse non-UTF-8 instead of replacing characters.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/api/weather',
    {
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        description:
          'Upload daily mean temperatures (°C) per calendar day (YYYY-MM-DD, company time zone), city-wide or per district: JSON array [{date, meanC, district?, source?}] or text/csv with that header. ?atomic=true stores nothing when a row is bad. Used by yoy_deviation to weather-normalise its score with heating degree days.',
        tags: ['weather'],
      },
    },
    async (req, reply) => {
      try {
        const { rows, fromText } = rowsOf(req);
        if (rows.length === 0) throw new BadParam('(body)', '[]', 'no days given');
        if (rows.length > MAX_ROWS) throw new BadParam('(body)', `${rows.length} rows`, `at most ${MAX_ROWS} days per upload`);
        const { days, problems } = validateWeatherRows(rows, zone, fromText);
        const atomic = (req.query as Query).atomic === 'true';
        if (days.length === 0 || (atomic && problems.length > 0)) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', written: 0, rejected: problems });
        const written = await deps.weather.write(days);
        return reply.send({ written, rejected: problems });
      } catch (err) {
        return answerError(reply, err);
      }
    },
  );

  app.get(
    '/api/weather',
    {
      schema: {
        description:
          'Stored daily temperatures with heating degree days (granularity=day), or HDD per calendar month with coverage (granularity=month) over [from, to) [last 365 days]; district [the city-wide series]; format=json|csv.',
        tags: ['weather'],
      },
    },
    async (req, reply) => {
      try {
        const query = req.query as Query;
        const { from, to } = rangeParams(query, (t) => t - 365 * 86_400_000);
        const district = districtParam(query);
        const granularity = enumParam(query, 'granularity', ['day', 'month'] as const, 'day');
        const format = enumParam(query, 'format', ['json', 'csv'] as const, 'json');
        const days = await deps.weather.list(from, to, district);
        const head = { district: district ?? null, baseC, granularity };
        const items =
          granularity === 'month'
            ? monthlyHddOf(days, zone, baseC).map((m) => ({ ...m, district: district ?? null }))
            : days.map((d) => ({ date: DateTime.fromMillis(d.ts, { zone }).toFormat('yyyy-LL-dd'), district: d.district ?? null, meanC: d.meanC, hdd: Math.round(heatingDegrees(d.meanC, baseC) * 100) / 100, source: d.source ?? null }));
        if (format === 'csv') {
          const columns = granularity === 'month' ? MONTH_COLUMNS : DAY_COLUMNS;
          return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="weather-${granularity}.csv"`).send(csvWithBom(columns, items));
        }
        return { ...head, items };
      } catch (err) {
        return answerError(reply, err);
      }
    },
  );
}
