-- Shared by the online-store write scripts (prepended to each by NewestWinsScript): decoding of
-- protobuf varints and google.protobuf.Timestamp inside Redis.

-- A varint at byte i: (value, next i). Lua numbers are doubles, exact to 2^53: plenty for epoch
-- seconds. A negative int64 is a 10-byte two's complement varint; it is summed from the
-- complemented 7-bit groups so that small negative values stay exact.
local function read_varint(bytes, i)
  local groups = {}
  repeat
    local byte = string.byte(bytes, i)
    if byte == nil then
      -- Truncated: not a varint.
      return nil, i
    end
    i = i + 1
    groups[#groups + 1] = byte % 128
  until byte < 128
  local value, scale = 0, 1
  if #groups == 10 and groups[10] % 2 == 1 then
    for k = 1, 9 do
      value = value + (127 - groups[k]) * scale
      scale = scale * 128
    end
    return -(value + 1), i
  end
  for k = 1, #groups do
    value = value + groups[k] * scale
    scale = scale * 128
  end
  return value, i
end

-- google.protobuf.Timestamp: seconds = field 1 (tag 8), nanos = field 2 (tag 16), both varints.
local function decode_timestamp(bytes)
  local seconds, nanos, i = 0, 0, 1
  while i <= #bytes do
    local tag = string.byte(bytes, i)
    local value
    value, i = read_varint(bytes, i + 1)
    if value == nil then
      return nil
    end
    if tag == 8 then
      seconds = value
    elseif tag == 16 then
      nanos = value
    end
  end
  return seconds, nanos
end

-- Whether event time (s1, n1) is strictly newer than (s2, n2).
local function newer(s1, n1, s2, n2)
  return s1 > s2 or (s1 == s2 and n1 > n2)
end
