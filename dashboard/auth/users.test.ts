import { describe, expect, it } from 'vitest';
import { parseUsers, TokenDirectory } from './users.ts';

describe('API users (MW_USERS_FILE)', () => {
  it('reads users and finds them by token', () => {
    const users = parseUsers(JSON.stringify({ users: [{ name: 'max', role: 'manager', token: 'm'.repeat(20) }] }));
    const dir = new TokenDirectory(users);
    expect(dir.find('m'.repeat(20))).toEqual({ name: 'max', role: 'manager' });
    expect(dir.find('x'.repeat(20))).toBeUndefined();
  });

  it('names every bad entry, field and value', () => {
    const text = JSON.stringify([
      { name: 'a', role: 'boss', token: 'a'.repeat(16) },
      { name: 'b', role: 'analyst', token: 'short' },
      { name: 'c', role: 'analyst', token: 'a'.repeat(16) },
    ]);
    expect(() => parseUsers(text)).toThrow(/entry 1: role must be one of analyst, inspector, supervisor, manager, admin \(got "boss"\)[\s\S]*entry 2: token must be[\s\S]*entry 3: token already used/);
    expect(() => parseUsers('{')).toThrow(/not JSON/);
  });
});
