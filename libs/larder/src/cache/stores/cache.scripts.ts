import { defineLuaScript } from '../../redis/lua-script';

/* Value scripts of the Redis cache store; those that change value and tag index together are in tags/tag.scripts.ts. */

/**
 * Compare-and-set of a value's payload and lifetime: 1 when the value still held ARGV[1] and now
 * holds ARGV[2] for ARGV[3] ms (0 = no expiry), 0 when it is gone, -1 when another write changed
 * it meanwhile (the caller reads again).
 */
export const RETIME = defineLuaScript(
  'cache-retime',
  `local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if current ~= ARGV[1] then return -1 end
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`,
);

/**
 * Atomic increment. A value written by `set` (a JSON envelope holding an integer) is first turned
 * into a bare integer, keeping its TTL; a new counter gets the TTL in ARGV[2] (0 = none).
 */
export const INCREMENT = defineLuaScript(
  'increment',
  `local raw = redis.call('GET', KEYS[1])
if raw and not string.match(raw, '^%-?%d+$') then
  local ok, doc = pcall(cjson.decode, raw)
  if not ok or type(doc) ~= 'table' or type(doc.value) ~= 'number' or doc.value % 1 ~= 0 then
    return redis.error_reply('LARDER_NOT_INTEGER')
  end
  redis.call('SET', KEYS[1], string.format('%d', doc.value), 'KEEPTTL')
end
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if not raw and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n`,
);
