/** Segments a sliding window is kept in: a unit comes back between `window` and `window * (1 + 1/SEGMENTS)` later. */
export const SLIDING_SEGMENTS = 10;

/**
 * The stored shape of one sliding window: one string of 52 bytes, the index of the newest segment
 * (a double) and the units of it and the 10 segments before it (unsigned 32-bit, newest first),
 * big-endian. One GET and one `struct.unpack` read all of it: the hash of one field per segment
 * this replaces cost a string-to-number parse per field and per count (HGETALL), which made the
 * script several times dearer on the server than the INCR its peers use.
 */
const FORMAT = `>d${'I4'.repeat(SLIDING_SEGMENTS + 1)}`;
const COUNTS = Array.from({ length: SLIDING_SEGMENTS + 1 }, (_, k) => `s[${k + 2}]`).join(', ');

/**
 * Lua shared by the rate-limit scripts: `slidingCheck` reads a window and says what one request
 * of `cost` units would do, `slidingCommit` consumes it. States are kept per key for the whole
 * script (`slidingStates`), so two rules on one counter see the same state and both consume.
 *
 * A server clock that stepped back counts in the newest stored segment, which can only hold a
 * unit longer, never let one more through.
 */
export const SLIDING_WINDOW_LUA = `
local slidingStates = {}
local function restoredAt(idx, width, now) return math.ceil((idx + ${SLIDING_SEGMENTS + 1}) * width - now) end
local function slidingCheck(key, limit, window, cost, now)
  local width = window / ${SLIDING_SEGMENTS}
  local s = slidingStates[key]
  if not s then
    local current = math.floor(now / width)
    local packed = redis.call('GET', key)
    if packed then
      s = { struct.unpack('${FORMAT}', packed) }
      local shift = current - s[1]
      s.same = shift <= 0
      if shift > 0 then
        for k = ${SLIDING_SEGMENTS + 2}, 2, -1 do s[k] = k - shift >= 2 and s[k - shift] or 0 end
        s[1] = current
      end
    else
      s = { current, ${Array(SLIDING_SEGMENTS + 1)
        .fill(0)
        .join(', ')} }
    end
    slidingStates[key] = s
  end
  local total = ${COUNTS.split(', ').join(' + ')}
  local resetAfter, resetBefore, retry = restoredAt(s[1], width, now), 0, 0
  for k = 2, ${SLIDING_SEGMENTS + 2} do
    if s[k] > 0 then resetBefore = restoredAt(s[1] - k + 2, width, now) break end
  end
  if total + cost <= limit then return true, total, resetBefore, resetAfter, 0, s end
  local need, freed = total + cost - limit, 0
  for k = ${SLIDING_SEGMENTS + 2}, 2, -1 do
    freed = freed + s[k]
    if freed >= need then retry = restoredAt(s[1] - k + 2, width, now) break end
  end
  return false, total, resetBefore, resetAfter, retry, s
end
-- Within the newest segment only its count changes, in place: the key's expiry was set when the
-- segment started and is the same instant for every hit of it.
local function slidingCommit(key, s, cost, resetAfter)
  s[2] = s[2] + cost
  if s.same then
    redis.call('SETRANGE', key, 8, struct.pack('>I4', s[2]))
  else
    redis.call('SET', key, struct.pack('${FORMAT}', s[1], ${COUNTS}), 'PX', resetAfter)
    s.same = true
  end
end
`;

/**
 * How the fast path's reply packs one rule into one integer: `offset * RESET_OFFSET_UNIT + remaining`,
 * where offset is the reset time beyond the (whole ms) window, below `MAX_RESET_OFFSET`. Limits
 * stay below 2^30, so the sum stays an exact integer (below 2^53) in both Lua and JavaScript.
 */
export const RESET_OFFSET_UNIT = 2 ** 30;
export const MAX_RESET_OFFSET = 2 ** 23;

/** Lua locals for the counts of one window, newest first: one table less per rule than `{ struct.unpack(...) }`. */
const LOCALS = Array.from({ length: SLIDING_SEGMENTS + 1 }, (_, k) => `c${k}`);

/**
 * The common case before the general sliding check: every rule's window is stored, the server's
 * clock is in its newest segment and the request fits. Then each rule costs one SETRANGE, and the
 * reply is an integer per rule (a bare integer for one rule) instead of a table of four numbers
 * per rule, which cost the server more than the check itself (number-to-reply conversion per
 * element). Anything else falls through, untouched, to the general code after it. The keys must
 * be distinct: the caller sends a request whose rules share a counter the general way.
 * ARGV per rule: limit, window ms, cost; `n` and `now` are set before this runs. It comes before the
 * general code's functions, so a request it answers does not build their closures.
 */
export const SLIDING_FAST_LUA = `
local fastCounts, fastReplies
for i = 1, n do
  local a = (i - 1) * 3
  local limit, window, cost = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local width = window / ${SLIDING_SEGMENTS}
  local packed = redis.call('GET', KEYS[i])
  if not packed then break end
  local idx, ${LOCALS.join(', ')} = struct.unpack('${FORMAT}', packed)
  if idx ~= math.floor(now / width) then break end
  local total = ${LOCALS.join(' + ')}
  if total + cost > limit then break end
  local offset = math.ceil((idx + ${SLIDING_SEGMENTS + 1}) * width - now) - math.floor(window)
  if offset < 0 or offset >= ${MAX_RESET_OFFSET} then break end
  local reply = offset * ${RESET_OFFSET_UNIT} + limit - total - cost
  if n == 1 then
    redis.call('SETRANGE', KEYS[1], 8, struct.pack('>I4', ${LOCALS[0]} + cost))
    return reply
  end
  if i == 1 then fastCounts, fastReplies = {}, {} end
  fastCounts[i] = ${LOCALS[0]} + cost
  fastReplies[i] = reply
end
if fastReplies and #fastReplies == n then
  for i = 1, n do redis.call('SETRANGE', KEYS[i], 8, struct.pack('>I4', fastCounts[i])) end
  return fastReplies
end
`;

/**
 * SLIDING_FAST_LUA for rules known when the script is made (limit, window, cost per rule, in
 * order): unrolled, with the parameters as literals and every count in a local, so the common case
 * builds no table and parses no argument (each had cost Redis a few thousand instructions).
 */
export function slidingFastBakedLua(values: readonly number[]): string {
  const n = values.length / 3;
  const rules = Array.from({ length: n }, (_, r) => {
    const [limit, window, cost] = values.slice(3 * r, 3 * r + 3);
    const k = r + 1;
    const counts = LOCALS.map((c) => `${c}_${k}`);
    return {
      check: `  local p${k} = redis.call('GET', KEYS[${k}])
  if not p${k} then break end
  local i${k}, ${counts.join(', ')} = struct.unpack('${FORMAT}', p${k})
  if i${k} ~= math.floor(now / (${window} / ${SLIDING_SEGMENTS})) then break end
  local t${k} = ${counts.join(' + ')}
  if t${k} + ${cost} > ${limit} then break end
  local o${k} = math.ceil((i${k} + ${SLIDING_SEGMENTS + 1}) * (${window} / ${SLIDING_SEGMENTS}) - now) - ${Math.floor(window)}
  if o${k} < 0 or o${k} >= ${MAX_RESET_OFFSET} then break end`,
      commit: `  redis.call('SETRANGE', KEYS[${k}], 8, struct.pack('>I4', ${counts[0]} + ${cost}))`,
      reply: `o${k} * ${RESET_OFFSET_UNIT} + ${limit} - t${k} - ${cost}`,
    };
  });
  const reply = n === 1 ? rules[0].reply : `{ ${rules.map((r) => r.reply).join(', ')} }`;
  return `
repeat
${rules.map((r) => r.check).join('\n')}
${rules.map((r) => r.commit).join('\n')}
  return ${reply}
until true
`;
}
