import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, isMeterwatchError, MeterwatchError } from '../../core/errors.ts';
import { isRole, type Principal } from '../../core/roles.ts';
import { parseTimestamp } from '../../core/time.ts';
import { BadParam } from './query-params.ts';

/** Reads fields of a JSON body; every problem names the field and the value (house rule). */
export class BodyFields {
  private readonly body: Record<string, unknown>;

  constructor(body: unknown) {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) throw invalid('(body)', body, 'expected a JSON object');
    this.body = (body ?? {}) as Record<string, unknown>;
  }

  text(field: string, opts: { max?: number } = {}): string {
    const v = this.body[field];
    if (typeof v !== 'string' || v.trim() === '') throw invalid(field, v, 'required text');
    if (v.length > (opts.max ?? 2000)) throw invalid(field, `${v.slice(0, 40)}…`, `at most ${opts.max ?? 2000} characters`);
    return v;
  }

  optionalText(field: string, opts: { max?: number } = {}): string | undefined {
    return this.body[field] === undefined || this.body[field] === null ? undefined : this.text(field, opts);
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const v = this.body[field];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalid(field, v, `must be one of ${values.join(', ')}`);
    return v as T;
  }

  optionalTime(field: string): number | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return undefined;
    const t = parseTimestamp(v);
    if (t === undefined) throw invalid(field, v, 'must be an ISO 8601 timestamp with offset, or epoch milliseconds');
    return t;
  }

  raw(field: string): unknown {
    return this.body[field];
  }
}

export function invalid(field: string, value: unknown, why: string): MeterwatchError {
  return new MeterwatchError(ErrorCodes.VALIDATION, `${field}: ${why} (got ${JSON.stringify(value) ?? 'nothing'})`, { details: { field, value } });
}

const STATUS: Record<string, number> = {
  [ErrorCodes.VALIDATION]: 400,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.ILLEGAL_TRANSITION]: 409,
};

/** MeterwatchErrors as answers: 400 bad input, 403 role, 404 unknown, 409 illegal transition. */
export function replyError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BadParam) return reply.code(400).send(err.body());
  if (isMeterwatchError(err) && STATUS[err.code] !== undefined) {
    return reply.code(STATUS[err.code] as number).send({ error: err.code, message: err.message, ...err.details });
  }
  throw err;
}

/** Who is calling: set by the access hooks; without them (tests of one route family), the x-actor/x-role headers. */
export function principalOf(req: FastifyRequest): Principal {
  if (req.principal) return req.principal;
  const actor = req.headers['x-actor'];
  const role = req.headers['x-role'];
  return { name: typeof actor === 'string' && actor !== '' ? actor : 'local', role: isRole(role) ? role : 'admin' };
}

export { csvWithBom } from '../exports/csv.ts';
