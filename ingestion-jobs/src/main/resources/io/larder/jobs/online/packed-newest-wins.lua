-- Feature-table rows into packed strings (docs/PACKED_ONLINE_LAYOUT.md), each entity atomically.
-- One call carries several entities, all in one slot on a cluster.
-- KEYS[j]  the j-th packed key (_p:<table>: + RedisKeyV2); ARGV holds, per entity in turn, its
-- argument count (2) and then its arguments:
--   a[1]  the row: a serialized larder.storage.PackedRow
--   a[2]  the row's expiry as Unix seconds, '' when the table has no max_age
-- Returns, per entity, 1 when written, 0 when the stored event time is not older.

-- PackedRow.event_timestamp (field 1, length-delimited): its (seconds, nanos); (0, 0) when absent,
-- as protobuf reads an unset message; nil when the bytes are not a PackedRow.
local function event_time(row)
  local i = 1
  while i <= #row do
    local tag
    tag, i = read_varint(row, i)
    if tag == nil then
      return nil
    end
    local wire = tag % 8
    if wire == 2 then
      local length
      length, i = read_varint(row, i)
      if length == nil then
        return nil
      end
      if tag == 10 then
        return decode_timestamp(string.sub(row, i, i + length - 1))
      end
      i = i + length
    elseif wire == 0 then
      local _
      _, i = read_varint(row, i)
    elseif wire == 5 then
      i = i + 4
    elseif wire == 1 then
      i = i + 8
    else
      return nil
    end
  end
  return 0, 0
end

local answers = {}
local at = 1
for j = 1, #KEYS do
  local row, expiry = ARGV[at + 1], ARGV[at + 2]
  at = at + tonumber(ARGV[at]) + 1
  local written = 1
  local stored = redis.call('GET', KEYS[j])
  if stored then
    local new_seconds, new_nanos = event_time(row)
    local old_seconds, old_nanos = event_time(stored)
    -- A stored value that is not a PackedRow is replaced.
    if old_seconds and not newer(new_seconds, new_nanos, old_seconds, old_nanos) then
      written = 0
    end
  end
  if written == 1 then
    -- SET without EXAT also drops a stored row's expiry: the table has no max_age.
    if expiry == '' then
      redis.call('SET', KEYS[j], row)
    else
      redis.call('SET', KEYS[j], row, 'EXAT', expiry)
    end
  end
  answers[j] = written
end
return answers
