import type { ExecutionContext } from '@nestjs/common';
import { clientKey, ipBucket } from './client-key';
import type { RateLimitKeyFn } from './rate-limit.types';

describe('ipBucket', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:85a3:1:aaaa:bbbb:cccc:dddd', '2001:db8:85a3:1::/64'],
    ['2001:db8:85a3:1::1', '2001:db8:85a3:1::/64'],
    ['2001:0DB8:0000:0001::ffff', '2001:db8:0:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (ip, bucket) => {
    expect(ipBucket(ip)).toBe(bucket);
  });

  it('puts every address of one /64 in one bucket and other networks in others', () => {
    const sameNetwork = Array.from(
      { length: 50 },
      (_, i) => `2001:db8:1:2:${i.toString(16)}::${(i * 7).toString(16)}`,
    );
    expect(new Set(sameNetwork.map(ipBucket)).size).toBe(1);
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(ipBucket('2001:db8:1:2::1'));
  });
});

describe('clientKey', () => {
  const context = {} as ExecutionContext;
  const request = { ip: '203.0.113.7', user: { id: 42 } };
  const keyOf = async (value: unknown) => {
    const reported: string[] = [];
    const key = await clientKey((() => value) as RateLimitKeyFn, context, request, (r) => reported.push(r));
    return { key, reported };
  };

  it('prefixes what `by` returns, and `user` ids', async () => {
    expect(await keyOf('tenant-1')).toEqual({ key: 'key:tenant-1', reported: [] });
    expect(await keyOf(7)).toEqual({ key: 'key:7', reported: [] });
    expect(await clientKey('user', context, request)).toBe('user:42');
    expect(await clientKey('ip', context, request)).toBe('ip:203.0.113.7');
  });

  it.each([undefined, null, ''])('falls back to the ip, unreported, for %p (no key)', async (value) => {
    expect(await keyOf(value)).toEqual({ key: 'ip:203.0.113.7', reported: [] });
  });

  it.each([
    [['a', 'b'], 'an array'],
    [{ id: 1 }, 'object'],
    [true, 'boolean'],
    [Number.NaN, 'number'],
  ])('falls back to the ip and reports %p (a `by` of the wrong type)', async (value, received) => {
    expect(await keyOf(value)).toEqual({ key: 'ip:203.0.113.7', reported: [received] });
  });
});
