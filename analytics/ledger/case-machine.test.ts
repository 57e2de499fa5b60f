import { describe, expect, it } from 'vitest';
import { ErrorCodes, type MeterwatchError } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { SYSTEM } from '../../core/roles.ts';
import { allowedActions, applyEvent, copyCase, decide, foldEvent, type CaseAlertRef, type CaseCommand, type LedgerCase } from './case-machine.ts';

const analyst: Principal = { name: 'ana', role: 'analyst' };
const inspector: Principal = { name: 'ivan', role: 'inspector' };
const otherInspector: Principal = { name: 'iris', role: 'inspector' };
const supervisor: Principal = { name: 'sue', role: 'supervisor' };
const manager: Principal = { name: 'max', role: 'manager' };
const admin: Principal = { name: 'root', role: 'admin' };
const alert = (id: string): CaseAlertRef => ({ alertId: id, rule: 'tamper', periodStart: 1, periodEnd: 2, value: 1, score: 8 });

let clock = 1_000;
function run(c: LedgerCase | undefined, cmd: CaseCommand, by: Principal): LedgerCase {
  return applyEvent(c, decide(c, 'L-1', cmd, by, (clock += 1000)));
}
function refused(c: LedgerCase | undefined, cmd: CaseCommand, by: Principal): MeterwatchError {
  try {
    decide(c, 'L-1', cmd, by, (clock += 1000));
  } catch (err) {
    return err as MeterwatchError;
  }
  throw new Error(`expected ${cmd.action} by ${by.role} to be refused`);
}

const opened = () => run(undefined, { action: 'open', meterId: 'M1', customerId: 'C1', alert: alert('a1') }, SYSTEM);
const assigned = () => run(opened(), { action: 'assign', inspector: 'ivan', dueAt: clock + 86_400_000 }, analyst);
const visited = () => run(assigned(), { action: 'visit', visitedAt: clock, findings: 'seal broken' }, inspector);
const pending = () => run(visited(), { action: 'conclude_normal', note: 'meter fine, family away' }, analyst);

describe('ledger case state machine (domain.md §5)', () => {
  it('runs open → assigned → visited → normal → supervisor → manager → cleared, keeping who and when', () => {
    const approved = run(pending(), { action: 'approve' }, supervisor);
    expect(approved.state).toBe('normal_supervisor_approved');
    const cleared = run(approved, { action: 'approve', note: 'ok' }, manager);
    expect(cleared.state).toBe('cleared');
    expect(cleared.events.map((e) => [e.action, e.from, e.to, e.actor, e.role])).toEqual([
      ['open', null, 'open', 'meterwatch', 'system'],
      ['assign', 'open', 'assigned', 'ana', 'analyst'],
      ['visit', 'assigned', 'visited', 'ivan', 'inspector'],
      ['conclude_normal', 'visited', 'normal_pending', 'ana', 'analyst'],
      ['approve', 'normal_pending', 'normal_supervisor_approved', 'sue', 'supervisor'],
      ['approve', 'normal_supervisor_approved', 'cleared', 'max', 'manager'],
    ]);
    expect(cleared.events.every((e, i, all) => i === 0 || e.ts > (all[i - 1]?.ts ?? 0))).toBe(true);
    expect(cleared.approvals.map((a) => [a.step, a.by])).toEqual([
      ['supervisor', 'sue'],
      ['manager', 'max'],
    ]);
    expect(allowedActions('cleared')).toEqual([]);
  });

  it('records a violation with its handling, and closes the case', () => {
    const v = run(visited(), { action: 'conclude_violation', reason: 'theft', evidence: 'magnet on the meter', handling: { adjustment: 'supplementary volume', penaltyNote: 'fine under city rules' } }, supervisor);
    expect(v.state).toBe('violation');
    expect(v.violation).toEqual({ reason: 'theft', evidence: 'magnet on the meter', handling: { adjustment: 'supplementary volume', penaltyNote: 'fine under city rules' } });
    const err = refused(v, { action: 'join', alert: alert('a9') }, SYSTEM);
    expect(err.code).toBe(ErrorCodes.ILLEGAL_TRANSITION);
    expect(err.details).toEqual({ state: 'violation', action: 'join', allowed: [] });
  });

  it('joins alerts while the case is in progress, but not the same alert twice', () => {
    const c = run(assigned(), { action: 'join', alert: alert('a2') }, SYSTEM);
    expect(c.state).toBe('assigned');
    expect(c.alerts.map((a) => a.alertId)).toEqual(['a1', 'a2']);
    expect(refused(c, { action: 'join', alert: alert('a2') }, SYSTEM).code).toBe(ErrorCodes.ILLEGAL_TRANSITION);
  });

  it('refuses illegal transitions naming state, action and allowed actions', () => {
    const err = refused(opened(), { action: 'visit', visitedAt: 1, findings: 'x' }, inspector);
    expect(err.code).toBe(ErrorCodes.ILLEGAL_TRANSITION);
    expect(err.details).toEqual({ state: 'open', action: 'visit', allowed: ['join', 'assign'] });
    expect(err.message).toContain('is open');
    expect(refused(assigned(), { action: 'conclude_normal', note: 'x' }, analyst).details).toMatchObject({ state: 'assigned', allowed: ['join', 'assign', 'visit'] });
    expect(refused(visited(), { action: 'approve' }, supervisor).details).toMatchObject({ state: 'visited', action: 'approve' });
    expect(refused(opened(), { action: 'open', meterId: 'M1' }, SYSTEM).details).toMatchObject({ state: 'open', action: 'open' });
    expect(refused(undefined, { action: 'assign', inspector: 'ivan', dueAt: 1e15 }, analyst).details).toMatchObject({ state: null, allowed: ['open'] });
  });

  it('denies each action to the roles that may not take it', () => {
    const cases: [LedgerCase | undefined, CaseCommand, Principal][] = [
      [undefined, { action: 'open', meterId: 'M1' }, inspector],
      [opened(), { action: 'assign', inspector: 'ivan', dueAt: 1e15 }, inspector],
      [opened(), { action: 'assign', inspector: 'ivan', dueAt: 1e15 }, admin],
      [assigned(), { action: 'visit', visitedAt: 1, findings: 'x' }, analyst],
      [visited(), { action: 'conclude_normal', note: 'x' }, inspector],
      [visited(), { action: 'conclude_violation', reason: 'theft', evidence: 'x', handling: { penaltyNote: 'x' } }, manager],
      [pending(), { action: 'approve' }, analyst],
      [pending(), { action: 'approve' }, admin],
      [pending(), { action: 'reject_clearance', reason: 'x' }, inspector],
    ];
    for (const [c, cmd, by] of cases) {
      const err = refused(c, cmd, by);
      expect(err.code, `${cmd.action} by ${by.role}`).toBe(ErrorCodes.FORBIDDEN);
      expect(err.details).toMatchObject({ action: cmd.action, role: by.role });
    }
  });

  it('lets only the assigned inspector record the visit', () => {
    const err = refused(assigned(), { action: 'visit', visitedAt: 1, findings: 'x' }, otherInspector);
    expect(err.code).toBe(ErrorCodes.FORBIDDEN);
    expect(err.message).toContain('assigned to inspector ivan');
  });

  it('takes approvals in order: supervisor first, then a different person as manager', () => {
    const first = refused(pending(), { action: 'approve' }, manager);
    expect(first.code).toBe(ErrorCodes.FORBIDDEN);
    expect(first.message).toContain("awaits the supervisor's approval");
    const afterSupervisor = run(pending(), { action: 'approve' }, supervisor);
    expect(refused(afterSupervisor, { action: 'approve' }, supervisor).message).toContain("department manager approves next");
    // One person holding both roles (two tokens) still cannot sign twice.
    const same = refused(afterSupervisor, { action: 'approve' }, { name: 'sue', role: 'manager' });
    expect(same.code).toBe(ErrorCodes.FORBIDDEN);
    expect(same.message).toContain('another person');
  });

  it('a refused clearing goes back to open, and its signatures lapse', () => {
    const signed = run(pending(), { action: 'approve' }, supervisor);
    const back = run(signed, { action: 'reject_clearance', reason: 'usage still too low, visit again' }, manager);
    expect(back.state).toBe('open');
    expect(back.approvals).toEqual([]);
    expect(back.conclusion).toBeUndefined();
    expect(run(back, { action: 'assign', inspector: 'iris', dueAt: clock + 1e9 }, supervisor).inspector).toBe('iris');
  });

  it('refuses a due date that is not after the assignment', () => {
    const err = refused(opened(), { action: 'assign', inspector: 'ivan', dueAt: 5 }, analyst);
    expect(err.code).toBe(ErrorCodes.VALIDATION);
    expect(err.details).toMatchObject({ field: 'dueAt' });
  });

  it('replays to the same case from its events (event sourcing)', () => {
    const live = run(pending(), { action: 'approve' }, supervisor);
    const replayed = live.events.reduce<LedgerCase | undefined>((c, e) => applyEvent(c, JSON.parse(JSON.stringify(e))), undefined);
    expect(replayed).toEqual(live);
  });

  it('applyEvent leaves the case it was given as it was; foldEvent changes only the copy it is given', () => {
    const before = opened();
    const snapshot = JSON.parse(JSON.stringify(before)) as LedgerCase;
    const joined = applyEvent(before, decide(before, 'L-1', { action: 'join', alert: alert('a2') }, SYSTEM, (clock += 1000)));
    expect(joined.alerts.map((a) => a.alertId)).toEqual(['a1', 'a2']);
    expect(before).toEqual(snapshot);
    const copy = copyCase(before);
    const folded = foldEvent(copy, decide(copy, 'L-1', { action: 'join', alert: alert('a3') }, SYSTEM, (clock += 1000)));
    expect(folded).toBe(copy);
    expect(copy.events).toHaveLength(2);
    expect(before).toEqual(snapshot);
  });

  it('an alert joined twice is refused, and an alert ref replays to the same ref', () => {
    const c = opened();
    expect(refused(c, { action: 'join', alert: alert('a1') }, SYSTEM).code).toBe(ErrorCodes.ILLEGAL_TRANSITION);
    const e = decide(c, 'L-1', { action: 'join', alert: { ...alert('a9'), evidence: { months: [1, 2] } } }, SYSTEM, (clock += 1000));
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });
});
