import { REDIS_TIME } from '../../common/lua-prelude';
import { defineLuaScript } from '../../redis/lua-script';

/*
 * Tag index scripts (layout in cache-keys.ts). Each tag is a sorted set of entries scored by
 * the entry's expiry (epoch ms of the server clock, +inf without one); each tagged entry has a
 * record, a set of its tags, living exactly as long as the entry. The record is how a delete or an
 * overwrite finds the memberships to remove, so the scripts touch the tag sets a record names
 * without declaring them: they share the record's `{t:<namespace>}` hash tag, hence its slot.
 *
 * The `ENTRY_*` scripts also write or delete the value itself, so value and index change in one
 * atomic step; they run on a single Redis only (value keys are spread over the cluster's slots).
 * On a cluster the `INDEX_*` scripts, confined to the index slot, run beside plain value commands.
 */

const INDEX = `${REDIS_TIME}-- Removes the entry from every tag its record lists, then the record.
local function forget(tagPrefix, record, entry)
  local tags = redis.call('SMEMBERS', record)
  for i = 1, #tags do redis.call('ZREM', tagPrefix .. tags[i], entry) end
  if #tags > 0 then redis.call('DEL', record) end
end
-- A tag set lives as long as its longest-lived member.
local function expireWithLast(set)
  local last = redis.call('ZRANGE', set, -1, -1, 'WITHSCORES')
  if last[2] == nil then return end
  if last[2] == 'inf' then redis.call('PERSIST', set) else redis.call('PEXPIREAT', set, last[2]) end
end
-- Makes the tags ARGV[argFrom..] (their sets are KEYS[keyFrom..]) the only tags of the entry. Each
-- written set drops members past their expiry and expires itself with its longest-lived member.
local function retag(tagPrefix, record, entry, ttl, keyFrom, argFrom)
  forget(tagPrefix, record, entry)
  if #KEYS < keyFrom then return end
  local now = redisTimeMs()
  local score = '+inf'
  if ttl > 0 then score = string.format('%d', now + ttl) end
  for i = keyFrom, #KEYS do
    local set = KEYS[i]
    redis.call('ZADD', set, score, entry)
    redis.call('ZREMRANGEBYSCORE', set, '-inf', string.format('(%d', now))
    expireWithLast(set)
    redis.call('SADD', record, ARGV[argFrom + i - keyFrom])
  end
  if ttl > 0 then redis.call('PEXPIRE', record, ttl) end
end
-- Deletes the tag sets KEYS and forgets every live entry they hold, from its other tags too.
-- Returns those entries, each once.
local function take(tagPrefix, recordPrefix)
  local live = string.format('(%d', redisTimeMs())
  local seen, entries = {}, {}
  for i = 1, #KEYS do
    local members = redis.call('ZRANGEBYSCORE', KEYS[i], live, '+inf')
    for j = 1, #members do
      local entry = members[j]
      if not seen[entry] then
        seen[entry] = true
        entries[#entries + 1] = entry
      end
    end
    redis.call('DEL', KEYS[i])
  end
  for i = 1, #entries do forget(tagPrefix, recordPrefix .. entries[i], entries[i]) end
  return entries
end
`;

/**
 * Writes a value and makes its tags exactly the given ones (none: it leaves every tag it had).
 * KEYS: value, record, tag sets...; ARGV: payload, ttl ms (0 = none), entry, tag prefix, tags...
 * An untagged write of an entry that never had tags costs one SET and one SMEMBERS of a missing key.
 */
export const ENTRY_SET = defineLuaScript(
  'cache-entry-set',
  `${INDEX}local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[1]) end
retag(ARGV[4], KEYS[2], ARGV[3], ttl, 3, 5)
return 1`,
);

/** Deletes values and their memberships. KEYS: n values, then their n records; ARGV: tag prefix, n entries. Returns how many values existed. */
export const ENTRY_DELETE = defineLuaScript(
  'cache-entry-delete',
  `${INDEX}local n = #ARGV - 1
local removed = 0
for i = 1, n do
  removed = removed + redis.call('UNLINK', KEYS[i])
  forget(ARGV[1], KEYS[n + i], ARGV[i + 1])
end
return removed`,
);

/**
 * Deletes every entry carrying one of the tags, with its memberships. KEYS: tag sets; ARGV: tag
 * prefix, record prefix, value prefix. Returns { how many values existed, entries... }.
 */
export const ENTRY_TAKE = defineLuaScript(
  'cache-entry-take',
  `${INDEX}local entries = take(ARGV[1], ARGV[2])
local removed = 0
for i = 1, #entries do removed = removed + redis.call('UNLINK', ARGV[3] .. entries[i]) end
table.insert(entries, 1, removed)
return entries`,
);

/** Index half of ENTRY_SET. KEYS: record, tag sets...; ARGV: ttl ms, entry, tag prefix, tags... */
export const INDEX_RETAG = defineLuaScript(
  'cache-index-retag',
  `${INDEX}retag(ARGV[3], KEYS[1], ARGV[2], tonumber(ARGV[1]), 2, 4)
return 1`,
);

/**
 * Moves an entry's expiry in every tag its record lists (and the record's own) to ttl ms from now,
 * 0 = none: `expire`/`persist` keep a tagged entry reachable by `invalidateTags` for as long as it
 * lives. KEYS: record; ARGV: ttl ms, entry, tag prefix.
 */
export const INDEX_RETIME = defineLuaScript(
  'cache-index-retime',
  `${INDEX}local tags = redis.call('SMEMBERS', KEYS[1])
if #tags == 0 then return 0 end
local ttl = tonumber(ARGV[1])
local score = '+inf'
if ttl > 0 then score = string.format('%d', redisTimeMs() + ttl) end
for i = 1, #tags do
  local set = ARGV[3] .. tags[i]
  redis.call('ZADD', set, 'XX', score, ARGV[2])
  expireWithLast(set)
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return 1`,
);

/** Index half of ENTRY_DELETE. KEYS: records; ARGV: tag prefix, their entries... */
export const INDEX_FORGET = defineLuaScript(
  'cache-index-forget',
  `${INDEX}for i = 1, #KEYS do forget(ARGV[1], KEYS[i], ARGV[i + 1]) end
return 1`,
);

/** Index half of ENTRY_TAKE. KEYS: tag sets; ARGV: tag prefix, record prefix. Returns the entries. */
export const INDEX_TAKE = defineLuaScript('cache-index-take', `${INDEX}return take(ARGV[1], ARGV[2])`);
