import { Test } from '@nestjs/testing';
import { CacheModule, LarderConsole } from '@larder/nestjs';
import { get, startConsoleApp } from './console-test-app.fixtures';

const TOKEN = 'console-test-token-0123456789';
const BEARER = { authorization: `Bearer ${TOKEN}` };

describe('console options', () => {
  const boot = (console: unknown) =>
    Test.createTestingModule({ imports: [CacheModule.forRoot({ console } as never)] }).compile();

  it.each([
    [{}, 'Invalid Larder option "console"'],
    [{ token: 'short' }, 'console.token'],
    [{ token: TOKEN, path: '_larder' }, 'console.path'],
    [{ token: TOKEN, path: '/a/' }, 'console.path'],
    [{ guard: 'admin' }, 'console.guard'],
    [{ token: TOKEN, bufferSize: 1 }, 'console.bufferSize'],
    [{ token: TOKEN, showvalues: true }, 'showValues'],
  ])('%p fails start-up with E_INVALID_OPTION naming %s', async (console, named) => {
    await expect(boot(console)).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining(named),
    });
  });

  it('is off by default and with enabled: false, and then serves nothing', async () => {
    for (const options of [{}, { console: { enabled: false } }]) {
      const { app, base } = await startConsoleApp('express', options);
      try {
        expect(app.get(LarderConsole).enabled).toBe(false);
        expect((await get(`${base}/_larder`, BEARER)).status).toBe(404);
      } finally {
        await app.close();
      }
    }
  });
});
