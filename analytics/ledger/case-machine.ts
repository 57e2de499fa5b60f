import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import type { Principal, Role } from '../../core/roles.ts';
import type { RuleId } from '../../core/types.ts';

/**
 * The abnormal-usage ledger case (异常用户监控台帐, domain.md §5) as a pure state machine:
 *
 *   open ─assign→ assigned ─visit→ visited ─conclude_normal→ normal_pending
 *     ↑                                 │                       │ approve (supervisor)
 *     │                                 │                       ↓
 *     └──────── reject_clearance ───────┼──────── normal_supervisor_approved
 *                                       │                       │ approve (manager, another person)
 *                                       │                       ↓
 *                                       └─conclude_violation→ violation (terminal)   cleared (terminal)
 *
 * `join` adds an alert to a case that is not closed. Every event keeps who, in which role,
 * and when. A refused action names the state, the action and the actions allowed there.
 */
export const CASE_STATES = ['open', 'assigned', 'visited', 'normal_pending', 'normal_supervisor_approved', 'cleared', 'violation'] as const;
export type CaseState = (typeof CASE_STATES)[number];
export const TERMINAL_STATES: readonly CaseState[] = ['cleared', 'violation'];

export const CASE_ACTIONS = ['open', 'join', 'assign', 'visit', 'conclude_normal', 'conclude_violation', 'approve', 'reject_clearance'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** domain.md §4 blacklist reasons. */
export const BLACKLIST_REASONS = ['theft', 'illegal_connection', 'unauthorised_capacity_increase', 'malicious_arrears'] as const;
export type BlacklistReason = (typeof BLACKLIST_REASONS)[number];

export interface CaseAlertRef {
  alertId: string;
  rule: RuleId;
  periodStart: number;
  periodEnd: number;
  value: number;
  score: number;
  evidence?: unknown;
}

export interface PhotoRef {
  file: string;
  contentType: string;
  bytes: number;
  sha256: string;
}

/** What each action carries (validated at the HTTP edge, checked again here). */
export type CaseCommand =
  | { action: 'open'; customerId?: string | undefined; meterId: string; alert?: CaseAlertRef | undefined; note?: string | undefined }
  | { action: 'join'; alert: CaseAlertRef }
  | { action: 'assign'; inspector: string; dueAt: number; note?: string | undefined }
  | { action: 'visit'; visitedAt: number; findings: string; photo?: PhotoRef | undefined }
  | { action: 'conclude_normal'; note: string }
  | { action: 'conclude_violation'; reason: BlacklistReason; handling: { adjustment?: string | undefined; penaltyNote: string }; evidence: string }
  | { action: 'approve'; note?: string | undefined }
  | { action: 'reject_clearance'; reason: string };

export interface CaseEvent {
  caseId: string;
  seq: number;
  ts: number;
  meterId: string;
  customerId?: string | undefined;
  action: CaseAction;
  from: CaseState | null;
  to: CaseState;
  actor: string;
  role: Principal['role'];
  details: Record<string, unknown>;
}

export interface LedgerCase {
  caseId: string;
  meterId: string;
  customerId?: string | undefined;
  state: CaseState;
  openedAt: number;
  updatedAt: number;
  alerts: CaseAlertRef[];
  inspector?: string | undefined;
  dueAt?: number | undefined;
  visits: { at: number; by: string; findings: string; photo?: PhotoRef | undefined }[];
  conclusion?: { outcome: 'normal' | 'violation'; by: string; at: number; note?: string | undefined } | undefined;
  violation?: { reason: BlacklistReason; handling: { adjustment?: string | undefined; penaltyNote: string }; evidence: string } | undefined;
  approvals: { step: 'supervisor' | 'manager'; by: string; at: number; note?: string | undefined }[];
  events: CaseEvent[];
}

/** Which states each action leaves from, and where it goes. */
const MOVES: Record<CaseAction, { from: readonly (CaseState | null)[]; to: (s: CaseState | null) => CaseState }> = {
  open: { from: [null], to: () => 'open' },
  join: { from: ['open', 'assigned', 'visited', 'normal_pending', 'normal_supervisor_approved'], to: (s) => s as CaseState },
  assign: { from: ['open', 'assigned'], to: () => 'assigned' },
  visit: { from: ['assigned'], to: () => 'visited' },
  conclude_normal: { from: ['visited'], to: () => 'normal_pending' },
  conclude_violation: { from: ['visited'], to: () => 'violation' },
  approve: { from: ['normal_pending', 'normal_supervisor_approved'], to: (s) => (s === 'normal_pending' ? 'normal_supervisor_approved' : 'cleared') },
  reject_clearance: { from: ['normal_pending', 'normal_supervisor_approved'], to: () => 'open' },
};

/**
 * Roles per action (domain.md §1): analysts organise visits and judge findings, inspectors
 * record visits, supervisors and managers sign. Approval is checked per step below: the
 * supervisor signs first, then the department manager. `admin` runs the system and signs
 * nothing (segregation of duties).
 */
export const ACTION_ROLES: Record<CaseAction, readonly Principal['role'][]> = {
  open: ['system', 'analyst', 'supervisor'],
  join: ['system', 'analyst', 'supervisor'],
  assign: ['analyst', 'supervisor'],
  visit: ['inspector'],
  conclude_normal: ['analyst', 'supervisor'],
  conclude_violation: ['analyst', 'supervisor'],
  approve: ['supervisor', 'manager'],
  reject_clearance: ['supervisor', 'manager'],
};

export function allowedActions(state: CaseState | null): CaseAction[] {
  return CASE_ACTIONS.filter((a) => MOVES[a].from.includes(state));
}

export function illegalTransition(state: CaseState | null, action: string, caseId?: string): MeterwatchError {
  const allowed = allowedActions(state);
  return new MeterwatchError(
    ErrorCodes.ILLEGAL_TRANSITION,
    `case ${caseId ?? '(new)'} is ${state ?? 'not opened'}: action ${action} is not allowed there; allowed: ${allowed.join(', ') || 'none (closed)'}`,
    { details: { state, action, allowed } },
  );
}

export function forbidden(action: string, role: string, allowedRoles: readonly string[], why?: string): MeterwatchError {
  return new MeterwatchError(ErrorCodes.FORBIDDEN, why ?? `role ${role} may not ${action}; allowed roles: ${allowedRoles.join(', ')}`, {
    details: { action, role, allowedRoles },
  });
}

/** The step an `approve` in this state signs, and the role it needs (domain.md §5: supervisor, then manager). */
function approvalStep(state: CaseState): { step: 'supervisor' | 'manager'; role: Role } {
  return state === 'normal_pending' ? { step: 'supervisor', role: 'supervisor' } : { step: 'manager', role: 'manager' };
}

/** Decides the event for `cmd` on case `c` (undefined: not opened yet), or throws why not. */
export function decide(c: LedgerCase | undefined, caseId: string, cmd: CaseCommand, by: Principal, at: number): CaseEvent {
  const state = c?.state ?? null;
  const move = MOVES[cmd.action];
  if (!move.from.includes(state)) throw illegalTransition(state, cmd.action, caseId);
  const roles = ACTION_ROLES[cmd.action];
  if (!roles.includes(by.role)) throw forbidden(cmd.action, by.role, roles);
  const details: Record<string, unknown> = {};
  switch (cmd.action) {
    case 'open':
      if (cmd.alert) details.alert = cmd.alert;
      if (cmd.note) details.note = cmd.note;
      break;
    case 'join':
      if (c?.alerts.some((a) => a.alertId === cmd.alert.alertId)) throw illegalTransition(state, `join (alert ${cmd.alert.alertId} is already in the case)`, caseId);
      details.alert = cmd.alert;
      break;
    case 'assign':
      if (cmd.dueAt <= at) throw new MeterwatchError(ErrorCodes.VALIDATION, `dueAt: must be after the assignment (got ${new Date(cmd.dueAt).toISOString()})`, { details: { field: 'dueAt', value: cmd.dueAt } });
      Object.assign(details, { inspector: cmd.inspector, dueAt: cmd.dueAt, note: cmd.note });
      break;
    case 'visit':
      // Only the inspector the case is assigned to records its visit.
      if (c?.inspector !== by.name) throw forbidden('visit', by.role, ['inspector'], `case ${caseId} is assigned to inspector ${c?.inspector}; ${by.name} may not record its visit`);
      Object.assign(details, { visitedAt: cmd.visitedAt, findings: cmd.findings, photo: cmd.photo });
      break;
    case 'conclude_normal':
      details.note = cmd.note;
      break;
    case 'conclude_violation':
      Object.assign(details, { reason: cmd.reason, handling: cmd.handling, evidence: cmd.evidence });
      break;
    case 'approve': {
      const { step, role } = approvalStep(state as CaseState);
      if (by.role !== role) {
        const order = step === 'supervisor' ? 'the supervisor approves first, then the department manager' : 'the supervisor has approved; the department manager approves next';
        throw forbidden('approve', by.role, [role], `case ${caseId} awaits the ${step}'s approval (${order}); role ${by.role} may not give it`);
      }
      if (step === 'manager' && c?.approvals.some((a) => a.by === by.name)) {
        throw forbidden('approve', by.role, [role], `case ${caseId}: ${by.name} already approved as supervisor; the manager's approval must come from another person`);
      }
      Object.assign(details, { step, note: cmd.note });
      break;
    }
    case 'reject_clearance':
      details.reason = cmd.reason;
      break;
  }
  const meterId = c?.meterId ?? (cmd.action === 'open' ? cmd.meterId : '');
  const customerId = c ? c.customerId : cmd.action === 'open' ? cmd.customerId : undefined;
  return {
    caseId,
    seq: (c?.events.length ?? 0) + 1,
    ts: at,
    meterId,
    customerId,
    action: cmd.action,
    from: state,
    to: move.to(state),
    actor: by.name,
    role: by.role,
    // As a replay from ledger_events would give it. An alert ref is plain already (alertRef):
    // a batch pass joins hundreds of thousands of them, so they skip the round trip.
    details: cmd.action === 'open' || cmd.action === 'join' ? details : (JSON.parse(JSON.stringify(details)) as Record<string, unknown>),
  };
}

/** A copy of the case that events can be folded into (foldEvent) without touching the original. */
export function copyCase(c: LedgerCase): LedgerCase {
  return { ...c, alerts: [...c.alerts], visits: [...c.visits], approvals: [...c.approvals], events: [...c.events] };
}

/** Folds one event into the case (replay from ledger_events uses the same function); `c` is left as it was. */
export function applyEvent(c: LedgerCase | undefined, e: CaseEvent): LedgerCase {
  return foldEvent(c ? copyCase(c) : undefined, e);
}

/**
 * Folds one event into `c` in place (undefined: the event opens the case). For the owner of
 * `c` only — the ledger store, or a batch's private copy: a case that gathers hundreds of
 * alerts is then not copied once per alert.
 */
export function foldEvent(c: LedgerCase | undefined, e: CaseEvent): LedgerCase {
  const next: LedgerCase = c ?? { caseId: e.caseId, meterId: e.meterId, customerId: e.customerId, state: e.to, openedAt: e.ts, updatedAt: e.ts, alerts: [], visits: [], approvals: [], events: [] };
  next.state = e.to;
  next.updatedAt = e.ts;
  next.events.push(e);
  const d = e.details;
  switch (e.action) {
    case 'open':
    case 'join':
      if (d.alert) next.alerts.push(d.alert as CaseAlertRef);
      break;
    case 'assign':
      next.inspector = d.inspector as string;
      next.dueAt = d.dueAt as number;
      break;
    case 'visit':
      next.visits.push({ at: d.visitedAt as number, by: e.actor, findings: d.findings as string, photo: d.photo as PhotoRef | undefined });
      break;
    case 'conclude_normal':
      next.conclusion = { outcome: 'normal', by: e.actor, at: e.ts, note: d.note as string };
      break;
    case 'conclude_violation':
      next.conclusion = { outcome: 'violation', by: e.actor, at: e.ts };
      next.violation = { reason: d.reason as BlacklistReason, handling: d.handling as { penaltyNote: string }, evidence: d.evidence as string };
      break;
    case 'approve':
      next.approvals.push({ step: d.step as 'supervisor' | 'manager', by: e.actor, at: e.ts, note: d.note as string | undefined });
      break;
    case 'reject_clearance':
      // A refused clearing sends the case back for another visit; earlier signatures lapse.
      next.approvals = [];
      next.conclusion = undefined;
      break;
  }
  return next;
}

export function isClosed(c: LedgerCase): boolean {
  return TERMINAL_STATES.includes(c.state);
}
