/**
 * The limiter's Lua scripts. Each runs atomically in Redis, so a check and its reservation can never
 * interleave with another instance's. Keys of one subject share a `{subject}` hash tag (one slot in
 * a cluster): KEYS[1] the window log (ZSET request id → admission time), KEYS[2] the window
 * weights (HASH request id → tokens), KEYS[3] the counters (HASH: `ws` window weight sum, `d`/`dr`/
 * `ds` day index/requests/spend, `mp`/`mq` month period/tokens, `lq` lifetime tokens), KEYS[4] the
 * slots (ZSET request id → expiry), KEYS[5] one reservation (HASH). Times come from the caller.
 * Every key gets a TTL, except the counters while they hold a lifetime quota; a missing key reads
 * as empty, and a missing weight sum is rebuilt, so an expired or deleted key is never an error.
 */

/** Helpers shared by the scripts: integer formatting, eviction of the window, counters TTL. */
const prelude = `
local function int(x) return string.format('%d', x) end

local function touch_counters(ms)
  if redis.call('HEXISTS', KEYS[3], 'lq') == 1 then
    redis.call('PERSIST', KEYS[3])
  elseif ms > 0 and redis.call('PTTL', KEYS[3]) < ms then
    redis.call('PEXPIRE', KEYS[3], int(ms))
  end
end

local function evict(now, window)
  local cutoff = int(now - window)
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  if #gone > 0 then
    local freed = 0
    for first = 1, #gone, 500 do
      local batch = {}
      for i = first, math.min(first + 499, #gone) do batch[#batch + 1] = gone[i] end
      local weights = redis.call('HMGET', KEYS[2], unpack(batch))
      for i = 1, #weights do freed = freed + (tonumber(weights[i]) or 0) end
      redis.call('HDEL', KEYS[2], unpack(batch))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
    if redis.call('HEXISTS', KEYS[3], 'ws') == 1 then
      redis.call('HINCRBY', KEYS[3], 'ws', int(-freed))
    end
  end
  local count = redis.call('ZCARD', KEYS[1])
  if count == 0 then
    redis.call('DEL', KEYS[2])
    redis.call('HDEL', KEYS[3], 'ws')
    return 0, 0, -1
  end
  local weight = tonumber(redis.call('HGET', KEYS[3], 'ws'))
  if weight == nil then
    weight = 0
    for _, value in ipairs(redis.call('HVALS', KEYS[2])) do weight = weight + tonumber(value) end
    redis.call('HSET', KEYS[3], 'ws', int(weight))
    touch_counters(window * 2)
  end
  local newest = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
  return count, weight, newest
end
`;

/**
 * ARGV: now, window, request id, tokens, spend, rpm, tpm, rpd, dailySpend, tokenQuota, quota mode
 * ('life' | 'month'), maxConcurrency (-1 = absent), day index, day reset, month period, month
 * reset, slot TTL, reservation TTL. Returns {admitted, limit, limit value, used, requested, reset
 * (-1 = never), count, weight, newest (-1 = none)}.
 */
export const admitScript = `${prelude}
local now, window, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local tokens, spend = tonumber(ARGV[4]), tonumber(ARGV[5])
local rpm, tpm, rpd, daily_spend = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local quota, quota_mode, max_conc = tonumber(ARGV[10]), ARGV[11], tonumber(ARGV[12])
local day_index, day_reset = tonumber(ARGV[13]), tonumber(ARGV[14])
local month_period, month_reset = ARGV[15], tonumber(ARGV[16])
local slot_ttl, reservation_ttl = tonumber(ARGV[17]), tonumber(ARGV[18])
local use_log = rpm >= 0 or tpm >= 0
local count, weight, newest = 0, 0, -1

local existing = tonumber(redis.call('HGET', KEYS[5], 'exp'))
if existing ~= nil and existing > now then
  -- Admitted before (a retried call): answer again, reserve nothing twice.
  if use_log then count, weight, newest = evict(now, window) end
  return {1, '', 0, 0, 0, -1, count, weight, newest}
end

local worst = nil
local function fail(name, limit, used, requested, reset)
  if worst == nil or (worst[5] ~= -1 and (reset == -1 or reset > worst[5])) then
    worst = {name, limit, used, requested, reset}
  end
end

local n = redis.call('HMGET', KEYS[3], 'd', 'dr', 'ds', 'mp', 'mq', 'lq')
if quota >= 0 then
  local used = 0
  if quota_mode == 'life' then used = tonumber(n[6]) or 0
  elseif n[4] == month_period then used = tonumber(n[5]) or 0 end
  if used + tokens > quota then
    local reset = month_reset
    if quota_mode == 'life' or tokens > quota then reset = -1 end
    fail('tokenQuota', quota, used, tokens, reset)
  end
end
local same_day = tonumber(n[1]) == day_index
local day_requests, day_spend = 0, 0
if same_day then day_requests, day_spend = tonumber(n[2]) or 0, tonumber(n[3]) or 0 end
if daily_spend >= 0 and day_spend + spend > daily_spend then
  local reset = day_reset
  if spend > daily_spend then reset = -1 end
  fail('dailySpend', daily_spend, day_spend, spend, reset)
end
if rpd >= 0 and day_requests + 1 > rpd then
  local reset = day_reset
  if rpd < 1 then reset = -1 end
  fail('rpd', rpd, day_requests, 1, reset)
end
if use_log then count, weight, newest = evict(now, window) end
if tpm >= 0 and weight + tokens > tpm then
  local reset, freed, start = -1, 0, 0
  while tokens <= tpm and reset == -1 do
    local batch = redis.call('ZRANGE', KEYS[1], start, start + 99, 'WITHSCORES')
    if #batch == 0 then break end
    for i = 1, #batch, 2 do
      freed = freed + (tonumber(redis.call('HGET', KEYS[2], batch[i])) or 0)
      if weight - freed + tokens <= tpm then
        reset = tonumber(batch[i + 1]) + window
        break
      end
    end
    start = start + 100
  end
  fail('tpm', tpm, weight, tokens, reset)
end
if rpm >= 0 and count + 1 > rpm then
  local reset = -1
  if rpm >= 1 then
    reset = tonumber(redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')[2]) + window
  end
  fail('rpm', rpm, count, 1, reset)
end
if max_conc >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', int(now))
  local in_flight = redis.call('ZCARD', KEYS[4])
  if in_flight + 1 > max_conc then
    local reset = now + 1000
    if max_conc < 1 then reset = -1 end
    fail('maxConcurrency', max_conc, in_flight, 1, reset)
  end
end
if worst ~= nil then
  return {0, worst[1], worst[2], worst[3], worst[4], worst[5], count, weight, newest}
end

local day_counted = rpd >= 0 or daily_spend >= 0
if not (use_log or day_counted or quota >= 0 or max_conc >= 0) then
  return {1, '', 0, 0, 0, -1, count, weight, newest}
end
local record = {'exp', int(now + reservation_ttl), 't', int(tokens), 's', int(spend)}
local keep = 0
if use_log then
  local previous = tonumber(redis.call('HGET', KEYS[2], id))
  if redis.call('ZADD', KEYS[1], int(now), id) == 1 then count = count + 1 end
  redis.call('HSET', KEYS[2], id, int(tokens))
  redis.call('HINCRBY', KEYS[3], 'ws', int(tokens - (previous or 0)))
  redis.call('PEXPIRE', KEYS[1], int(window * 2))
  redis.call('PEXPIRE', KEYS[2], int(window * 2))
  weight = weight + tokens - (previous or 0)
  if now > newest then newest = now end
  keep = window * 2
  record[#record + 1] = 'log'
  record[#record + 1] = '1'
end
if day_counted then
  if not same_day then redis.call('HSET', KEYS[3], 'd', int(day_index), 'dr', 0, 'ds', 0) end
  redis.call('HINCRBY', KEYS[3], 'dr', 1)
  redis.call('HINCRBY', KEYS[3], 'ds', int(spend))
  keep = math.max(keep, day_reset - now + window * 2)
  record[#record + 1] = 'd'
  record[#record + 1] = int(day_index)
end
if quota >= 0 and quota_mode == 'life' then
  redis.call('HINCRBY', KEYS[3], 'lq', int(tokens))
  record[#record + 1] = 'lq'
  record[#record + 1] = '1'
elseif quota >= 0 then
  if n[4] ~= month_period then redis.call('HSET', KEYS[3], 'mp', month_period, 'mq', 0) end
  redis.call('HINCRBY', KEYS[3], 'mq', int(tokens))
  keep = math.max(keep, month_reset - now + window * 2)
  record[#record + 1] = 'mp'
  record[#record + 1] = month_period
end
if max_conc >= 0 then
  redis.call('ZADD', KEYS[4], int(now + slot_ttl), id)
  if redis.call('PTTL', KEYS[4]) < slot_ttl then redis.call('PEXPIRE', KEYS[4], int(slot_ttl)) end
  record[#record + 1] = 'slot'
  record[#record + 1] = '1'
end
redis.call('DEL', KEYS[5])
redis.call('HSET', KEYS[5], unpack(record))
redis.call('PEXPIRE', KEYS[5], int(reservation_ttl))
touch_counters(keep)
return {1, '', 0, 0, 0, -1, count, weight, newest}
`;

/** ARGV: now, request id, actual tokens, actual spend. Returns 1 when it corrected a reservation. */
export const completeScript = `${prelude}
local now, id = tonumber(ARGV[1]), ARGV[2]
local tokens, spend = tonumber(ARGV[3]), tonumber(ARGV[4])
local fields = redis.call('HGETALL', KEYS[5])
if #fields == 0 then return 0 end
redis.call('DEL', KEYS[5])
local record = {}
for i = 1, #fields, 2 do record[fields[i]] = fields[i + 1] end
if (tonumber(record.exp) or 0) <= now then return 0 end

local token_delta = tokens - (tonumber(record.t) or 0)
local spend_delta = spend - (tonumber(record.s) or 0)
local function add(field, delta)
  if redis.call('HINCRBY', KEYS[3], field, int(delta)) < 0 then redis.call('HSET', KEYS[3], field, 0) end
end
if record.log and redis.call('HEXISTS', KEYS[2], id) == 1 then
  redis.call('HINCRBY', KEYS[2], id, int(token_delta))
  if redis.call('HEXISTS', KEYS[3], 'ws') == 1 then add('ws', token_delta) end
end
local n = redis.call('HMGET', KEYS[3], 'd', 'mp')
if record.d and n[1] == record.d then add('ds', spend_delta) end
if record.mp and n[2] == record.mp then add('mq', token_delta) end
if record.lq then
  add('lq', token_delta)
  redis.call('PERSIST', KEYS[3])
end
if record.slot then redis.call('ZREM', KEYS[4], id) end
return 1
`;

/** ARGV: now, window. Returns {count, weight, newest (-1 = none)} after eviction. */
export const peekScript = `${prelude}
local count, weight, newest = evict(tonumber(ARGV[1]), tonumber(ARGV[2]))
return {count, weight, newest}
`;

/** ARGV: mode ('life' | 'month'), used, month period, TTL. Returns 1 when it set the counter. */
export const seedScript = `${prelude}
if ARGV[1] == 'life' then
  local set = redis.call('HSETNX', KEYS[3], 'lq', ARGV[2])
  if set == 1 then redis.call('PERSIST', KEYS[3]) end
  return set
end
if redis.call('HGET', KEYS[3], 'mp') == ARGV[3] then return 0 end
redis.call('HSET', KEYS[3], 'mp', ARGV[3], 'mq', ARGV[2])
touch_counters(tonumber(ARGV[4]))
return 1
`;
