/**
 * Where a board lives in Redis, under the module namespace:
 *
 *   <namespace>:lb:<name>   sorted set: member -> score
 *
 * One key per board, so every script touches a single key and runs on Redis Cluster as it is;
 * boards spread over the cluster's slots by name.
 * @example leaderboardKey('shop', 'weekly') // 'shop:lb:weekly'
 */
export function leaderboardKey(namespace: string, name: string): string {
  return `${namespace}:lb:${name}`;
}
