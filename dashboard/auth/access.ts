import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRole, type Principal } from '../../core/roles.ts';
import { auditBody, type AuditLog } from './audit-log.ts';
import { DEVICE_ENDPOINTS, rolesFor, WRITE_METHODS } from './permissions.ts';
import { TokenDirectory, type ApiUser } from './users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AccessDeps {
  /** API users (MW_USERS_FILE). Empty: reads open to all, writes only from loopback. */
  users: readonly ApiUser[];
  audit?: AuditLog | undefined;
  now?: () => number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function exempt(path: string): boolean {
  return !path.startsWith('/api/') || path === '/api/health' || DEVICE_ENDPOINTS.includes(path);
}

function deny(reply: FastifyReply, status: 401 | 403, error: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ error, message, ...extra });
}

/**
 * Roles and tokens for the HTTP API (issue 7 item 4), as root hooks so they cover every
 * route family:
 * - with users configured, every /api/ request except health and the device endpoints
 *   needs `Authorization: Bearer <token>`; write endpoints check the role
 *   (permissions.ts); the `x-actor` header is replaced by the token's user name, so the
 *   registry's `changed_by` records who really made the change;
 * - with no users configured (development, tests), reads are open and writes are accepted
 *   only from loopback, acting as `x-actor` [local] in role `x-role` [admin];
 * - every write request, refused or not, goes to the audit log.
 */
export function installAccess(app: FastifyInstance, deps: AccessDeps): void {
  const directory = new TokenDirectory(deps.users);
  const now = deps.now ?? Date.now;
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    if (exempt(path)) return;
    const write = WRITE_METHODS.includes(req.method);
    // Browsers cannot put a header on a WebSocket: the alert stream also takes `?token=`
    // (the dashboard's live page, issue 8).
    const streamToken = path === '/api/alerts/stream' ? new URLSearchParams(req.url.split('?')[1] ?? '').get('token') : null;
    const auth = header(req, 'authorization') ?? (streamToken ? `Bearer ${streamToken}` : undefined);
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const principal = m ? directory.find(m[1] as string) : undefined;
      if (!principal) return deny(reply, 401, 'MW_ERR_UNAUTHENTICATED', 'the API token is not valid', { hint: 'send Authorization: Bearer <token> of a user in MW_USERS_FILE' });
      req.principal = principal;
      req.headers['x-actor'] = principal.name;
    } else if (directory.size > 0) {
      return deny(reply, 401, 'MW_ERR_UNAUTHENTICATED', 'an API token is required', { hint: 'send Authorization: Bearer <token> of a user in MW_USERS_FILE' });
    } else if (LOOPBACK.has(req.ip)) {
      const role = header(req, 'x-role');
      if (role !== undefined && !isRole(role)) return deny(reply, 403, 'MW_ERR_FORBIDDEN', `x-role: not a role (got ${JSON.stringify(role)})`, { field: 'x-role', value: role });
      req.principal = { name: header(req, 'x-actor') ?? 'local', role: role ?? 'admin' };
    } else if (write) {
      return deny(reply, 401, 'MW_ERR_UNAUTHENTICATED', 'writes need an API token; none are configured, so only loopback clients may write', { hint: 'set MW_USERS_FILE' });
    } else {
      return;
    }
    const roles = rolesFor(req.method, req.routeOptions.url ?? path);
    const role = req.principal.role;
    if (roles && !roles.includes(role as never)) {
      return deny(reply, 403, 'MW_ERR_FORBIDDEN', `role ${role} may not ${req.method} ${req.routeOptions.url ?? path}; allowed roles: ${roles.join(', ')}`, { role, allowedRoles: roles });
    }
  });

  if (deps.audit) {
    const audit = deps.audit;
    app.addHook('onResponse', async (req, reply) => {
      const path = req.url.split('?')[0] ?? req.url;
      if (!WRITE_METHODS.includes(req.method) || exempt(path)) return;
      await audit.record({
        ts: now(),
        actor: req.principal?.name ?? 'anonymous',
        role: req.principal?.role ?? 'none',
        method: req.method,
        path: req.url,
        status: reply.statusCode,
        body: auditBody(req.body),
      });
    });
  }
}
