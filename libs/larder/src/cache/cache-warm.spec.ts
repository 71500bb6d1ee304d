import { CacheService } from '@larder/nestjs';
import { closeLeftoverModules, createLarderModule } from '#test/test-helpers';

afterAll(closeLeftoverModules);

describe('CacheService.warm while Redis is unreachable', () => {
  it('reports every entry as failed with a typed store error and does not throw', async () => {
    const moduleRef = await createLarderModule({ redis: 'redis://127.0.0.1:1', commandTimeout: 200 });
    const cache = moduleRef.get(CacheService);
    const report = await cache.warm(
      ['a', 'b', 'c'].map((key) => ({ key, load: () => key })),
      { concurrency: 3 },
    );
    expect(report.loaded).toBe(0);
    expect(report.failed.map((f) => f.key).sort()).toEqual(['a', 'b', 'c']);
    for (const { error } of report.failed) {
      expect((error as { code: string }).code).toMatch(/^E_(STORE_UNAVAILABLE|COMMAND_TIMEOUT)$/);
    }
    await moduleRef.close();
  });
});
