import { hash } from 'node:crypto';
import type { RateLimitAlgorithm, ResolvedRateLimitRule } from './rate-limit.types';

/**
 * Part of the state key, so each algorithm's state has keys of its own. A stored shape that
 * changes takes a new tag: the sliding window's packed string (`swp`) replaced a hash (`sw`), and
 * during a rolling deploy old and new instances then count on separate keys instead of failing
 * on each other's (WRONGTYPE).
 */
const ALGORITHM_TAG: Record<RateLimitAlgorithm, string> = {
  'sliding-window': 'swp',
  'fixed-window': 'fw',
  'token-bucket': 'tb',
};

/**
 * The Redis hash tag of a client key: a SHA-256 digest of the whole key (132 bits kept), so user
 * input (an ip, a header) never becomes part of a key name, a key of any length costs the same
 * 22 characters, two different keys never share a counter, and every rule of one client lands in
 * the same cluster slot.
 */
export function clientTag(clientKey: string): string {
  return hash('sha256', clientKey, 'base64url').slice(0, 22);
}

/** The keys one rule uses for one client. */
export interface RateLimitRuleKeys {
  tag: string;
  /** Counter state. Algorithm and window are part of it, so changing either starts afresh instead of misreading old state. */
  state: string;
  /** Present while the client is blocked (`blockFor`); its value is the end of the block in ms. */
  block: string;
}

/** `<namespace>:rl:{<tag>}:<rule>:<algorithm><window>` and `...:<rule>:block`. */
export function ruleKeys(namespace: string, tag: string, rule: ResolvedRateLimitRule): RateLimitRuleKeys {
  const base = `${namespace}:rl:{${tag}}:${rule.name}:`;
  return { tag, state: `${base}${ALGORITHM_TAG[rule.algorithm]}${rule.windowMs}`, block: `${base}block` };
}
