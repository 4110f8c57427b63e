-- Apply one partition's batch atomically: records, aggregate increments and the
-- partition's last applied offset, only if that offset is still what the worker read.
-- KEYS[1] offset key; KEYS[2..] record keys, then aggregate keys.
-- ARGV: expected offset ("" = none yet), new offset, record count, the records,
--       the increments as one string of "key index TAB field TAB amount LF" lines
--       (one argument rather than three per increment: the client packs each argument
--       on its own), change channel, change notice.
local stored = redis.call('GET', KEYS[1]) or ''
if stored ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
local records = tonumber(ARGV[3])
for i = 1, records do
  redis.call('SET', KEYS[1 + i], ARGV[3 + i])
end
local at = 4 + records
for index, field, amount in string.gmatch(ARGV[at], '(%d+)\t([^\t\n]+)\t(%-?%d+)\n') do
  local key = KEYS[tonumber(index)]
  local total = redis.call('HINCRBY', key, field, amount)
  -- A counter back at zero is removed, so live state and a rebuild hold the same fields.
  if total == 0 then
    redis.call('HDEL', key, field)
  end
end
redis.call('PUBLISH', ARGV[at + 1], ARGV[at + 2])
return 1
