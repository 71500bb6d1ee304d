import { HandleMemo, isWellFormedSessionId, newSessionId, sessionHandle, userHandle } from './session-id';

describe('session ids', () => {
  it('are 43 base64url characters (32 random bytes) with no repeats over 100k ids', () => {
    const ids = Array.from({ length: 100_000 }, newSessionId);
    expect(new Set(ids).size).toBe(100_000);
    for (const id of ids) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(id)) throw new Error(`bad id ${id}`);
      if (Buffer.from(id, 'base64url').length !== 32) throw new Error(`id ${id} is not 32 bytes`);
    }
    // Every one of the 64 characters is about equally frequent in the 42 full positions: 4.2M
    // draws, 65 625 expected each, so ±5% is more than 10 standard deviations. A biased or
    // hex-only generator fails this.
    const counts = new Map<string, number>();
    for (const id of ids) for (let i = 0; i < 42; i++) counts.set(id[i], (counts.get(id[i]) ?? 0) + 1);
    expect(counts.size).toBe(64);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(65_625 * 0.95);
      expect(count).toBeLessThan(65_625 * 1.05);
    }
  });

  it('accepts only the exact shape', () => {
    const id = newSessionId();
    expect(isWellFormedSessionId(id)).toBe(true);
    for (const bad of [
      '',
      id.slice(1),
      `${id}A`,
      `${id.slice(0, 42)}+`,
      `${id.slice(0, 42)}/`,
      `${id.slice(0, 42)}=`,
      ` ${id.slice(1)}`,
      null,
      1,
    ]) {
      expect(isWellFormedSessionId(bad)).toBe(false);
    }
  });

  it('hashes ids and user ids to fixed-length base64url handles that differ from the input', () => {
    const id = newSessionId();
    expect(sessionHandle(id)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessionHandle(id)).toBe(sessionHandle(id));
    expect(sessionHandle(id)).not.toBe(id);
    expect(sessionHandle(id)).not.toBe(sessionHandle(newSessionId()));
    expect(userHandle('a{b}:c')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(userHandle('alice')).not.toBe(userHandle('bob'));
  });

  it('HandleMemo gives the same handle as sessionHandle, before and after it fills up and after forget', () => {
    const memo = new HandleMemo();
    const first = newSessionId();
    expect(memo.handle(first)).toBe(sessionHandle(first));
    // Past its bound (1024 ids) it starts over: every answer is still the id's own handle.
    const ids = Array.from({ length: 3000 }, newSessionId);
    for (const id of ids)
      if (memo.handle(id) !== sessionHandle(id)) throw new Error(`wrong handle for ${id}`);
    for (const id of ids.slice(0, 50)) expect(memo.handle(id)).toBe(sessionHandle(id));
    expect((memo as unknown as { handles: Map<string, string> }).handles.size).toBeLessThanOrEqual(1024);
    memo.forget(first);
    expect(memo.handle(first)).toBe(sessionHandle(first));
  });
});
