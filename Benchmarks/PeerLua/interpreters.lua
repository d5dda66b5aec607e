-- The peer's per-hit Lua work, outside nginx, to compare interpreters on the same code (`scripts/bench
-- --interpreters`): the nginx + Lua peer's mapping.lua, whose handle() decodes the hit with cjson, maps it
-- (nine user-data fields normalized with string patterns and hashed) and encodes the event with cjson.
--
--     <interpreter> interpreters.lua PEER_DIR HIT_JSON [ITERATIONS]
--
-- Runs unchanged under LuaJIT (the peer's engine) and PUC Lua 5.4 (tagd's). SHA-256 itself is stubbed out,
-- because it is the same C code under every interpreter (libcrypto through LuaJIT's ffi in the peer, which
-- PUC Lua does not have); the hex formatting of each digest stays. Prints one JSON line: microseconds of
-- CPU per hit (os.clock) for decode, map, encode, and the three together as handle() runs them.
local peer_dir, hit_path, n = arg[1], arg[2], tonumber(arg[3] or "50000")
package.path = peer_dir .. "/?.lua;" .. package.path
local digest = {}
for i = 0, 31 do digest[i] = 0 end
package.loaded.ffi = {
  cdef = function() end,
  load = function() return { SHA256 = function() end } end,
  new = function() return digest end,
}
ngx = { time = os.time }  -- the only nginx API map() calls
local cjson = require "cjson.safe"
local mapping = require "mapping"

local f = assert(io.open(hit_path))
local body = f:read("*a")
f:close()
local function decoded()
  local ev = assert(cjson.decode(body))
  ev.ip_override = ev.ip_override or "127.0.0.1"
  ev.user_agent = ev.user_agent or "Mozilla/5.0 (X11; Linux x86_64) wrk-bench"
  return ev
end
local event = decoded()
local mapped = mapping.map(event)
local batch, size = {}, 0

local function per_hit(fn)
  for _ = 1, math.floor(n / 5) do fn() end  -- warm-up (and LuaJIT's traces)
  local start = os.clock()
  for _ = 1, n do fn() end
  return (os.clock() - start) / n * 1e6
end

local results = {
  decode = per_hit(decoded),
  map = per_hit(function() return mapping.map(event) end),
  encode = per_hit(function() return cjson.encode(mapped) end),
  hit = per_hit(function()
    size = size + 1
    batch[size] = cjson.encode(mapping.map(decoded()))
    if size >= 1000 then batch, size = {}, 0 end
  end),
}
local engine = jit and (jit.status() and "LuaJIT" or "LuaJIT, interpreter only") or _VERSION
io.write(string.format('{"engine":"%s","decode_us":%.3f,"map_us":%.3f,"encode_us":%.3f,"hit_us":%.3f}\n',
  engine, results.decode, results.map, results.encode, results.hit))
