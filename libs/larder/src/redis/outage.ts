import { ReplyError } from 'ioredis';
import { CircuitOpenError, CommandTimeoutError, LarderError, StoreUnavailableError } from '../errors';

/**
 * Replies by which a server that answered says it cannot serve now: still loading its data, busy
 * in a script, a master that lost its link, a cluster without a quorum, a replica after failover.
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

/** ioredis' ReplyError, or node-redis' ErrorReply (which @keyv/redis does not export): the server answered. */
function isReply(error: Error): boolean {
  if (error instanceof ReplyError) return true;
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true;
  }
  return false;
}

/**
 * Whether a failed call says Redis is unreachable (what counts toward opening the circuit breaker):
 * a timeout, a lost or refused connection, or one of the replies above. A reply such as WRONGTYPE
 * or NOSCRIPT, a caller's mistake (bad argument, value not serializable) or a bug (TypeError, a
 * value that does not parse) is not: the server answered, or never had a say. A call the breaker
 * itself refused is not counted either.
 */
export function isOutage(error: unknown): boolean {
  for (let depth = 0; depth < 4 && error instanceof Error; depth++) {
    if (error instanceof CircuitOpenError) return false;
    if (error instanceof CommandTimeoutError) return true;
    if (isReply(error)) return UNAVAILABLE_REPLY.test(error.message);
    if (error instanceof StoreUnavailableError) {
      // Larder's own "not connected" errors have no cause; wrapped client errors keep theirs.
      if (error.cause === undefined) return true;
      error = error.cause;
      continue;
    }
    if (error instanceof LarderError) return false;
    return !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
  }
  return false;
}
