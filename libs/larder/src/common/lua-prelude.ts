/*
 * Lua shared by Larder's scripts, pasted in front of a script's own code. Scripts that touch
 * several keys keep them in one hash slot; nothing here touches a key.
 */

/**
 * The Redis server's clock, so every instance agrees on "now" however skewed their own clocks are:
 * `redisTimeUs()` in microseconds, `redisTimeMs()` in whole milliseconds (epoch).
 * @example defineLuaScript('expire-at', `${REDIS_TIME}return redisTimeMs() + tonumber(ARGV[1])`)
 */
export const REDIS_TIME = `local function redisTimeUs()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000000 + tonumber(clock[2])
end
local function redisTimeMs()
  return math.floor(redisTimeUs() / 1000)
end
`;
