-- Benchmark tag for `make bench`: the same per-hit work as the nginx + Lua peer's mapping.lua
-- (../shared/peers/nginx-lua/mapping.lua): map a JSON hit to a Pinterest event, normalize and SHA-256 nine
-- user-data fields, and queue the event for a batch. Here the tag hands the nine raw fields to
-- `pinterest.send`, which normalizes and hashes them natively (Pinterest's rules, as `hash.user_data` does
-- and as the `pinterest_capi` template relies on), checks the event against Pinterest's contract and queues
-- it in the batching sender, which really delivers it to the fake Pinterest that `make bench` starts
-- (PINTEREST_TOKEN / PINTEREST_AD_ACCOUNT_ID / TAGD_PINTEREST_BASE_URL).
--
-- One difference from the peer, and it makes tagd do more work, not less: the sender drops a repeated
-- (ad account, event_name, event_id) as a duplicate, and the benchmark posts the same hit over and over, so
-- the event_id gets a per-VM suffix; every hit is then queued and delivered, never dropped as a duplicate.

local config = { ad_account_id = env.get("PINTEREST_AD_ACCOUNT_ID") or "549755885175", token = env.get("PINTEREST_TOKEN") }
local send, now = pinterest.send, time.now
local tostring, ipairs = tostring, ipairs

local names = { page_view = "page_visit", add_to_cart = "add_to_cart", purchase = "checkout",
  sign_up = "signup", generate_lead = "lead", search = "search", view_item_list = "view_category" }

local suffix, n = string.format("-%x-", math.random(1, 0x7fffffff)), 0
local EMPTY = {}

return {
  name = "bench: pinterest",
  trigger = { events = { "page_view", "add_to_cart", "purchase", "sign_up", "generate_lead", "search", "view_item_list" } },
  fire = function(ev)
    local ud = ev.user_data or EMPTY
    local addr = ud.address or EMPTY
    local user = {
      em = ud.email_address, ph = ud.phone_number, fn = addr.first_name, ln = addr.last_name,
      ct = addr.city, st = addr.region, zp = addr.postal_code, country = addr.country, external_id = ev.user_id,
      client_ip_address = ev.ip_override, client_user_agent = ev.user_agent,
    }

    local contents, ids, num = {}, {}, 0
    for i, it in ipairs(ev.items or EMPTY) do
      contents[i] = { id = it.item_id, item_price = tostring(it.price), quantity = it.quantity }
      ids[i] = it.item_id
      num = num + (it.quantity or 0)
    end
    n = n + 1
    local ok, err = send(config, {
      event_name = names[ev.event_name] or "custom", action_source = "web",
      event_time = now(), event_id = (ev.event_id or ev.transaction_id or "") .. suffix .. n,
      event_source_url = ev.page_location, user_data = user,
      custom_data = { currency = ev.currency, value = ev.value and tostring(ev.value), order_id = ev.transaction_id,
        content_ids = ids, contents = contents, num_items = num },
    })
    if not ok then error(err) end
    return err
  end,
}
