-- Feature-table rows into entity hashes, each entity atomically (ONLINE_STORE_LAYOUT.md). One call
-- carries several entities (fewer script calls per row), all in one slot on a cluster.
-- KEYS[j]  the j-th entity key; ARGV holds, per entity in turn, its argument count c and then
-- its c arguments:
--   a[1]  _ts:<table>          a[2] the row's event time (serialized google.protobuf.Timestamp)
--   a[3]  _ex:<table>          a[4] the row's expiry (serialized Timestamp), '' when no max_age
--   a[5]  n = number of HSET field/value pairs that follow (features, _ts and _ex)
--   a[6 .. 5+2n]  the pairs;  a[6+2n ..]  fields of null features to HDEL
-- Returns, per entity, 1 when written, 0 when the stored event time is not older.

local function write_entity(key, o, last_arg)
  local stored = redis.call('HGET', key, ARGV[o + 1])
  if stored then
    local new_seconds, new_nanos = decode_timestamp(ARGV[o + 2])
    local old_seconds, old_nanos = decode_timestamp(stored)
    -- A stored time that does not parse is replaced.
    if old_seconds and not newer(new_seconds, new_nanos, old_seconds, old_nanos) then
      return 0
    end
  end

  local pairs_count = tonumber(ARGV[o + 5])
  local last_pair = o + 5 + 2 * pairs_count
  -- Chunks keep unpack() below Lua's C-stack limit for very wide tables.
  local first = o + 6
  while first <= last_pair do
    local last = math.min(first + 199, last_pair)
    redis.call('HSET', key, unpack(ARGV, first, last))
    first = last + 1
  end
  -- Only a stored row of this table can hold an _ex or a value to delete.
  if stored and ARGV[o + 4] == '' then
    redis.call('HDEL', key, ARGV[o + 3])
  end
  first = last_pair + 1
  while stored and first <= last_arg do
    local last = math.min(first + 199, last_arg)
    redis.call('HDEL', key, unpack(ARGV, first, last))
    first = last + 1
  end

  -- The key lives until the latest expiry of the tables sharing it; forever if one has no max_age
  -- (this table having none settles it without looking at the others).
  if ARGV[o + 4] == '' then
    redis.call('PERSIST', key)
    return 1
  end
  local latest = nil
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if #field > 4 and string.sub(field, 1, 4) == '_ts:' then
      local expiry = redis.call('HGET', key, '_ex:' .. string.sub(field, 5))
      if not expiry then
        latest = nil
        break
      end
      local seconds, nanos = decode_timestamp(expiry)
      if nanos > 0 then
        seconds = seconds + 1
      end
      if latest == nil or seconds > latest then
        latest = seconds
      end
    end
  end
  if latest == nil then
    redis.call('PERSIST', key)
  else
    redis.call('EXPIREAT', key, string.format('%.0f', latest))
  end
  return 1
end

local answers = {}
local at = 1
for j = 1, #KEYS do
  local count = tonumber(ARGV[at])
  answers[j] = write_entity(KEYS[j], at, at + count)
  at = at + count + 1
end
return answers
