import { Cluster } from 'ioredis';
import { testClusterNodes } from '#test/topology/shared-topologies';
import { groupBySlot, keySlot } from './key-slot';

describe('keySlot', () => {
  let cluster: Cluster;

  beforeAll(() => {
    cluster = new Cluster(testClusterNodes());
    cluster.on('error', () => undefined);
  });

  afterAll(() => cluster.disconnect());

  it('agrees with CLUSTER KEYSLOT on plain keys, hash tags, empty and unclosed tags, and non-ASCII keys', async () => {
    const keys = [
      'a',
      'user:1000',
      'ns::k1',
      '{user:1}:profile',
      'x{}y',
      '{}',
      'a{b',
      'a}b{c}',
      '{{a}}',
      'café:☕',
      'k'.repeat(300),
    ];
    for (const key of keys) {
      expect([key, keySlot(key)]).toEqual([key, Number(await cluster.cluster('KEYSLOT', key))]);
    }
  });

  it('groups indices of keys by slot, keys sharing a hash tag together', () => {
    const keys = ['{t}:a', 'x', '{t}:b', 'y', 'x'];
    const groups = groupBySlot(keys);
    expect(groups).toContainEqual([0, 2]);
    expect(groups).toContainEqual([1, 4]);
    expect(groups.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
