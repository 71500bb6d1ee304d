import { ipBucket } from './client-key';

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
