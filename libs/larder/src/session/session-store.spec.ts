import { LARDER_SESSION_STORE, SessionService, type SessionStore } from '@larder/nestjs';
import { createLarderModule, testRedisUrl } from '#test/test-helpers';
import { MemorySessionStore } from './memory-session.store';

/** A store of the application's: the memory store behind a layer that counts calls and closes. */
function recordingStore(): SessionStore & { calls: string[]; closed: boolean } {
  const inner = new MemorySessionStore();
  const calls: string[] = [];
  const store = { calls, closed: false } as SessionStore & { calls: string[]; closed: boolean };
  for (const method of ['write', 'read', 'update', 'touch', 'destroy', 'list', 'destroyAll'] as const) {
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls.push(method);
      return (inner[method] as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }
  store.close = async () => {
    store.closed = true;
  };
  return store;
}

describe('providing a SessionStore (session.store)', () => {
  it('is the store SessionService uses, with or without Redis, and Larder never closes it', async () => {
    for (const redis of [undefined, testRedisUrl()]) {
      const store = recordingStore();
      const moduleRef = await createLarderModule({ redis, session: { store } });
      const sessions = moduleRef.get(SessionService);
      expect(moduleRef.get(LARDER_SESSION_STORE)).toBe(store);
      const { id } = await sessions.create({ cart: [] }, { userId: 'u1' });
      expect((await sessions.get(id))?.data).toEqual({ cart: [] });
      expect(await sessions.destroyAllForUser('u1')).toBe(1);
      expect(store.calls).toEqual(['write', 'read', 'destroyAll']);
      await moduleRef.close();
      expect(store.closed).toBe(false);
    }
  });

  it('refuses a value that is not a SessionStore, naming session.store', async () => {
    await expect(
      createLarderModule({ session: { store: { read: () => undefined } as never } }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"session.store"'),
    });
  });
});
