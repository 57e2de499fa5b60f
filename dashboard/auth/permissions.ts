import type { Role } from '../../core/roles.ts';

/**
 * Which roles may call each write endpoint (issue 7 item 4), keyed by method and fastify
 * route pattern. Ledger transitions are open to every role here because the case state
 * machine decides per action and per approval step (analytics/ledger/case-machine.ts) and
 * answers with the precise reason. A write endpoint missing from this table is `admin`-only,
 * so a new route is closed until someone decides who may use it.
 */
const ALL: readonly Role[] = ['analyst', 'inspector', 'supervisor', 'manager', 'admin'];

export const WRITE_PERMISSIONS: Readonly<Record<string, readonly Role[]>> = {
  // registry and analytics (issues 4, 6)
  'POST /api/meters': ['analyst', 'admin'],
  'POST /api/meters/:meterId/replacements': ['analyst', 'admin'],
  'POST /api/analytics/run': ['analyst', 'supervisor', 'manager', 'admin'],
  'POST /api/alerts/:id/status': ['analyst', 'inspector', 'supervisor', 'manager', 'admin'],
  // temperature series for weather normalisation (issue 6 item 2), loaded like the registry
  'POST /api/weather': ['analyst', 'admin'],
  // ledger (issue 7)
  'POST /api/ledger/cases': ['analyst', 'supervisor'],
  'POST /api/ledger/cases/:caseId/:action': ALL,
  'POST /api/ledger/cases/:caseId/supplementary': ['analyst', 'supervisor'],
  'POST /api/adjustments/:id/approve': ['manager'],
  'POST /api/adjustments/:id/reject': ['manager'],
  // blacklist (domain.md §4: removal only by a manager)
  'POST /api/blacklist': ['manager'],
  'POST /api/blacklist/:customerId/remove': ['manager'],
};

/** Reads that only some roles may make. Every other read is open to any signed-in user. */
export const READ_PERMISSIONS: Readonly<Record<string, readonly Role[]>> = {
  'GET /api/audit': ['manager', 'admin'],
};

/** Endpoints of devices and the billing counter: the ingest tier authenticates those itself. */
export const DEVICE_ENDPOINTS: readonly string[] = ['/api/readings', '/api/handheld/uploads', '/api/ic/purchases'];

export const WRITE_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export function rolesFor(method: string, route: string): readonly Role[] | undefined {
  const key = `${method} ${route}`;
  if (WRITE_METHODS.includes(method)) return WRITE_PERMISSIONS[key] ?? ['admin'];
  return READ_PERMISSIONS[key];
}
