-- Shop: Pinterest Conversions API.
--
-- Sends the shop's GA4 e-commerce and lead events to Pinterest. Configuration comes from the environment:
--   PINTEREST_AD_ACCOUNT_ID  the ad account (digits). Unset: the placeholder 0000000000000 below, which is
--                            not a real account; it only lets the tag load and dry-run out of the box.
--   PINTEREST_TOKEN          the Conversions API token from Ads Manager. Unset: dry run, the runtime logs
--                            the exact body it would send and sends nothing.
-- Reference for every parameter: docs/pinterest_capi.md.

local pinterest = require "pinterest_capi"

local PLACEHOLDER_ACCOUNT = "0000000000000"

local account = env.get("PINTEREST_AD_ACCOUNT_ID")
local token = env.get("PINTEREST_TOKEN")
if token and token ~= "" and not account then
  -- A real token must never go to the placeholder account.
  error("shop_pinterest: PINTEREST_TOKEN is set but PINTEREST_AD_ACCOUNT_ID is not")
end

return pinterest.tag {
  name = "Shop: Pinterest",
  ad_account_id = account or PLACEHOLDER_ACCOUNT,
  token = token,

  -- GA4 names, mapped by the default table (stape's): purchase -> checkout, add_to_cart -> add_to_cart, ...
  trigger = { events = { "page_view", "view_item_list", "view_item", "search", "add_to_cart",
    "begin_checkout", "add_payment_info", "purchase", "generate_lead", "sign_up", "newsletter_signup" } },
  event_name_map = { newsletter_signup = "signup" }, -- the shop's own event; takes precedence over the table

  -- The cookie banner sends Consent Mode; without ad storage consent nothing is sent.
  require_consent = true,

  -- The product listing's name for view_category events (mapped values are kept for everything else).
  custom_data = {
    content_category = function(event)
      if event.event_name == "view_item_list" then return event.item_list_name end
    end,
  },
}
