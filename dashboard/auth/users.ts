import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { isRole, ROLES, type Principal, type Role } from '../../core/roles.ts';

/** An API user: a person with one role and a bearer token (issue 7 item 4). */
export interface ApiUser {
  name: string;
  role: Role;
  token: string;
}

/**
 * Reads the users file (MW_USERS_FILE): a JSON array, or `{ "users": [...] }`, of
 * `{ "name", "role", "token" }`. Tokens must be at least 16 characters and unique; every
 * problem names the entry, field and value.
 */
export function parseUsers(text: string, source = 'users file'): ApiUser[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, `${source}: not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown })?.users;
  if (!Array.isArray(list)) throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, `${source}: expected an array of {name, role, token}`);
  const problems: string[] = [];
  const users: ApiUser[] = [];
  const tokens = new Set<string>();
  list.forEach((u: unknown, i) => {
    const e = (u ?? {}) as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name.trim() === '' || e.name.length > 64) problems.push(`entry ${i + 1}: name must be 1–64 characters (got ${JSON.stringify(e.name)})`);
    if (!isRole(e.role)) problems.push(`entry ${i + 1}: role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(e.role)})`);
    if (typeof e.token !== 'string' || e.token.length < 16) problems.push(`entry ${i + 1}: token must be a string of at least 16 characters`);
    else if (tokens.has(e.token)) problems.push(`entry ${i + 1}: token already used by another user`);
    else tokens.add(e.token);
    if (typeof e.name === 'string' && isRole(e.role) && typeof e.token === 'string') users.push({ name: e.name, role: e.role, token: e.token });
  });
  if (problems.length > 0) throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, `${source}:\n  ${problems.join('\n  ')}`);
  return users;
}

export function loadUsersFile(path: string): ApiUser[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, `MW_USERS_FILE="${path}": cannot read it (${(err as Error).message})`);
  }
  return parseUsers(text, `MW_USERS_FILE="${path}"`);
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/** Token lookup by constant-time comparison of digests (tokens are not kept in clear). */
export class TokenDirectory {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(users: readonly ApiUser[]) {
    this.entries = users.map((u) => ({ digest: digest(u.token), principal: Object.freeze({ name: u.name, role: u.role }) }));
  }

  get size(): number {
    return this.entries.length;
  }

  find(token: string): Principal | undefined {
    const d = digest(token);
    let found: Principal | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.digest, d)) found = e.principal;
    return found;
  }
}
