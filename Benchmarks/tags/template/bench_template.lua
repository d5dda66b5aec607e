-- Benchmark tag for `make bench`'s template path: the repo's full templates/pinterest_capi.lua, configured as a
-- shop would (see tags/shop_pinterest.lua), delivering to the fake Pinterest that `make bench` starts.
--
-- As in bench_pinterest.lua, the benchmark posts the same hit over and over, so the event_id gets a per-VM
-- suffix (a `fields` override); otherwise the sender would drop every hit after the first as a duplicate.
local pinterest = require "pinterest_capi"

local vm_id, n = math.random(1, 0x7fffffff), 0

return pinterest.tag {
  name = "bench: pinterest_capi template",
  ad_account_id = env.get("PINTEREST_AD_ACCOUNT_ID") or "549755885175",
  token = env.get("PINTEREST_TOKEN"),
  trigger = { events = { "page_view", "view_item_list", "view_item", "search", "add_to_cart", "begin_checkout",
    "add_payment_info", "purchase", "generate_lead", "sign_up" } },
  fields = {
    event_id = function(event)
      n = n + 1
      return string.format("%s-%x-%d", event.event_id or event.transaction_id or "ev", vm_id, n)
    end,
  },
}
