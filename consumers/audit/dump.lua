-- One partition's live state, read atomically: its applied offset and every key of its
-- shard (records are strings, aggregates hashes). The keys share the shard's hash tag,
-- so they live in one slot. KEYS[1]: the offset key; ARGV[1]: the shard's key pattern.
local out = {redis.call('GET', KEYS[1]) or false}
local cursor = '0'
repeat
  local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do
    local kind = redis.call('TYPE', key)['ok']
    if kind == 'string' and key ~= KEYS[1] then
      table.insert(out, key)
      table.insert(out, redis.call('GET', key))
    elseif kind == 'hash' then
      table.insert(out, key)
      table.insert(out, redis.call('HGETALL', key))
    end
  end
until cursor == '0'
return out
