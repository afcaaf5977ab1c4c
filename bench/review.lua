-- The review cycle for wrk: each connection takes the next card (GET /api/v1/review/next)
-- and answers it (POST /api/v1/review/{card_id}), over and over, for its own learners.
--
-- wrk calls request() and response() per thread, not per connection, so bench/run.py runs
-- one connection a thread (-t16 -c16): each thread is one client, and its GET and POST
-- alternate. Learners come from the file in WENGU_BENCH_TOKENS (lines "TOKEN USER_ID
-- BANK_ID"), each studied in that bank as the review page does (?bank=). Client i of n
-- takes learners i, i + n, i + 2n, ... in turn, so no two clients answer for the same
-- learner when there are at least as many learners as clients.
-- Ratings are drawn per client from a seeded generator: 15% Again, the rest Good.
-- done() prints one line "WENGU_BENCH {json}" that bench/run.py reads.

local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  local clients = tonumber(os.getenv("WENGU_BENCH_CLIENTS") or "1")
  local all = {}
  for line in io.lines(os.getenv("WENGU_BENCH_TOKENS")) do
    local token, bank = line:match("^(%S+)%s+%S+%s+(%S+)")
    if token then table.insert(all, { token = token, bank = bank }) end
  end
  mine = {}
  for index = id + 1, #all, clients do table.insert(mine, all[index]) end
  if #mine == 0 then mine = { all[(id % #all) + 1] } end
  turn = 0
  pending = nil
  last = nil
  math.randomseed(7919 * (id + 1))
  get200, get204, post200, other = 0, 0, 0, 0
end

function request()
  local headers = {}
  if pending then
    headers["Authorization"] = "Bearer " .. mine[turn].token
    last = "post"
    local rating = math.random() < 0.15 and 1 or 3
    local body = string.format(
      '{"rating": %d, "review_token": "%s", "elapsed_ms": %d}',
      rating, pending.token, math.random(2000, 20000))
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/review/" .. pending.card, headers, body)
  end
  turn = turn % #mine + 1
  headers["Authorization"] = "Bearer " .. mine[turn].token
  last = "get"
  return wrk.format("GET", "/api/v1/review/next?bank=" .. mine[turn].bank, headers)
end

function response(status, headers, body)
  if last == "get" then
    if status == 200 then
      local card = body:match('"card_id":%s*(%d+)')
      local token = body:match('"review_token":%s*"([^"]+)"')
      if card and token then
        pending = { card = card, token = token }
        get200 = get200 + 1
      else
        other = other + 1
      end
    elseif status == 204 then
      get204 = get204 + 1
    else
      other = other + 1
    end
  else
    pending = nil
    if status == 200 then post200 = post200 + 1 else other = other + 1 end
  end
end

function done(summary, latency, requests)
  local totals = { get200 = 0, get204 = 0, post200 = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + (thread:get(key) or 0) end
  end
  local errors = summary.errors
  io.write(string.format(
    'WENGU_BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "get200": %d, "get204": %d, "post200": %d, '
      .. '"other": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, totals.get200, totals.get204, totals.post200,
    totals.other,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
