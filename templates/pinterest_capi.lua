-- Pinterest Conversions API (POST /v5/ad_accounts/{id}/events) template for tagd.
--
--   local pinterest = require "pinterest_capi"
--   return pinterest.tag { ad_account_id = "549755885175", token = env.get("PINTEREST_TOKEN") }
--
-- tag(params) checks the parameters once, at load, and precomputes lookups; fire() then maps each hit
-- (common event data) to one Pinterest conversion event and hands it to pinterest.send, which hashes
-- user data natively. map_event() is the same mapping without sending, for tools and tests.
-- Reference: docs/pinterest_capi.md.

local M = {}

local NULL = json.null
local trim, lower = text.trim, text.lower
local type, pairs, next, tonumber, tostring, error, select = type, pairs, next, tonumber, tostring, error, select
local fmt, byte = string.format, string.byte
local tointeger, floor, huge = math.tointeger, math.floor, math.huge

local EPIK_MAX_AGE = 31536000 -- one year, as Pinterest's own tag sets it

---------------------------------------------------------------------------------------------------------
-- Event names
---------------------------------------------------------------------------------------------------------

-- Pinterest's standard event names: the API reference's list plus the ones Pinterest's own server-side
-- template sends (app_open contact customize_product find_location schedule start_trial submit_application).
local STANDARD_EVENTS = {
  "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "app_open", "checkout", "contact",
  "custom", "customize_product", "find_location", "initiate_checkout", "lead", "page_visit", "schedule",
  "search", "signup", "start_trial", "submit_application", "subscribe", "view_category", "view_content",
  "watch_video",
}
local IS_STANDARD = {}
for _, name in pairs(STANDARD_EVENTS) do IS_STANDARD[name] = true end

-- GA4 / dataLayer name -> Pinterest name, transcribed from three public server-side GTM templates.
-- `fallback` is what an unlisted name becomes; false means "the incoming name itself".
local EVENT_NAME_TABLES = {
  -- stape-io/pinterest-capi-tag (2353ecc), the default.
  stape = {
    fallback = "custom",
    map = {
      page_view = "page_visit", ["gtm.dom"] = "page_visit", add_payment_info = "add_payment_info",
      add_to_cart = "add_to_cart", add_to_wishlist = "add_to_wishlist", sign_up = "signup",
      begin_checkout = "initiate_checkout", generate_lead = "lead", purchase = "checkout", search = "search",
      view_item_list = "view_category", view_item = "view_content", contact = "lead",
      customize_product = "custom", donate = "custom", find_location = "search", schedule = "custom",
      start_trial = "custom", submit_application = "lead", subscribe = "subscribe",
      ["gtm4wp.addProductToCartEEC"] = "add_to_cart", ["gtm4wp.productClickEEC"] = "custom",
      ["gtm4wp.checkoutOptionEEC"] = "custom", ["gtm4wp.checkoutStepEEC"] = "initiate_checkout",
      ["gtm4wp.orderCompletedEEC"] = "checkout",
    },
  },
  -- stape-io/pinterest-tag (a226d70), stape's older table.
  stape_legacy = {
    fallback = "custom",
    map = {
      page_view = "page_visit", ["gtm.dom"] = "page_visit", add_payment_info = "custom",
      add_to_cart = "add_to_cart", add_to_wishlist = "custom", sign_up = "signup", begin_checkout = "custom",
      generate_lead = "lead", purchase = "checkout", search = "search", view_item_list = "view_category",
      view_item = "custom", contact = "lead", customize_product = "custom", donate = "custom",
      find_location = "search", schedule = "custom", start_trial = "custom", submit_application = "lead",
      subscribe = "custom",
      ["gtm4wp.addProductToCartEEC"] = "add_to_cart", ["gtm4wp.productClickEEC"] = "custom",
      ["gtm4wp.checkoutOptionEEC"] = "checkout", ["gtm4wp.checkoutStepEEC"] = "custom",
      ["gtm4wp.orderCompletedEEC"] = "checkout",
    },
  },
  -- pinterest/ss-gtm-template (d0fc7a0), Pinterest's official table.
  pinterest = {
    fallback = false,
    map = {
      add_to_cart = "add_to_cart", addtocart = "add_to_cart", purchase = "checkout", buy = "checkout",
      pay = "checkout", payment = "checkout", generate_lead = "lead", submit_application = "submit_application",
      submitapplication = "submit_application", contact = "contact", page_view = "page_visit",
      pageview = "page_visit", pagevisit = "page_visit", ["gtm.dom"] = "page_visit", search = "search",
      find_location = "find_location", findlocation = "find_location", sign_up = "signup", signup = "signup",
      completeregistration = "signup", viewcategory = "view_category", viewcontent = "view_content",
      view_item_list = "view_category", watchvideo = "watch_video", add_payment_info = "add_payment_info",
      add_shipping_info = "initiate_checkout", add_to_wishlist = "add_to_wishlist",
      begin_checkout = "initiate_checkout", refund = "custom", remove_from_cart = "custom",
      select_item = "view_content", select_promotion = "view_content", view_cart = "custom",
      view_item = "page_visit", view_promotion = "view_content", app_install = "app_install",
      appinstall = "app_install", app_open = "app_open", appopen = "app_open", schedule = "schedule",
      customize_product = "customize_product", customizeproduct = "customize_product",
      start_trial = "start_trial", starttrial = "start_trial", subscribe = "subscribe",
    },
  },
}

-- Lookup copies keyed by the lower-cased name. stape lower-cases the incoming name but keeps the gtm4wp
-- keys in camelCase, so they never match there; here they do.
local LOOKUP = {}
for id, t in pairs(EVENT_NAME_TABLES) do
  local l = {}
  for k, v in pairs(t.map) do l[lower(k)] = v end
  LOOKUP[id] = l
end

-- A standard name in any case becomes the standard spelling; anything else is an advertiser-defined name
-- and is sent as written (trimmed).
local function canonical_name(s)
  s = trim(s)
  local l = lower(s)
  return IS_STANDARD[l] and l or s
end

---------------------------------------------------------------------------------------------------------
-- Value helpers. Each returns nil for anything empty (nil, json.null, "", whitespace, {}) so fields can be
-- assigned directly and empty ones never appear.
---------------------------------------------------------------------------------------------------------

-- A finite number from a number or numeric string.
local function num(v)
  if type(v) == "string" then v = tonumber(v) elseif type(v) ~= "number" then return nil end
  if v and v == v and v ~= huge and v ~= -huge then return v end
  return nil
end

-- Decimal string without binary float noise (19.99*2+32.41 = 72.38999999999999 -> "72.39"): 14 significant
-- digits drop the noise; tiny or huge values, which %g would write with an exponent, get six decimals.
local function decimal(n)
  local i = tointeger(n)
  if i then return fmt("%d", i) end
  local s = fmt("%.14g", n)
  if s:find("e", 1, true) then
    s = fmt("%.6f", n):match("^(.-)%.?0*$")
    if s == "-0" then s = "0" end
  end
  return s
end

-- An integer from a number or numeric string (rounded half up).
local function int(v)
  v = num(v)
  if not v then return nil end
  return tointeger(v) or floor(v + 0.5)
end

-- A trimmed non-empty string from a string or number.
local function str(v)
  local t = type(v)
  if t == "string" then
    v = trim(v)
    if v ~= "" then return v end
  elseif t == "number" then
    if v == v and v ~= huge and v ~= -huge then return decimal(v) end
  end
  return nil
end

local function is_table(v) return type(v) == "table" and v ~= NULL end

-- Appends every non-empty string in v (a scalar or an array, element by element) to list.
local function collect(list, v)
  if type(v) == "table" then
    if v ~= NULL then
      for i = 1, #v do list = collect(list, v[i]) end
    end
  else
    local s = str(v)
    if s then
      list = list or {}
      list[#list + 1] = s
    end
  end
  return list
end

-- A numeric US zip loses its leading zero in JSON (02108 -> 2108); put it back when the address is in the US.
local function zip_list(list, v, country)
  if type(v) == "number" and tointeger(v) and v >= 0 and v < 100000 and type(country) == "string" then
    local c = lower(trim(country))
    if c == "us" or c == "usa" then return collect(list, fmt("%05d", v)) end
  end
  return collect(list, v)
end

---------------------------------------------------------------------------------------------------------
-- Field tables: which keys Pinterest accepts and how an override value is coerced to the contract's type
---------------------------------------------------------------------------------------------------------

local HASHED = { em = true, ph = true, ge = true, db = true, fn = true, ln = true, ct = true, st = true,
  zp = true, country = true, external_id = true, hashed_maids = true }

local USER_KINDS = { client_ip_address = "string", client_user_agent = "string", click_id = "string",
  partner_id = "string" }
for k in pairs(HASHED) do USER_KINDS[k] = "list" end

local CUSTOM_KINDS = { content_brand = "string", content_category = "string", content_ids = "list",
  content_name = "string", contents = "contents", currency = "string", external_measurement_id = "string",
  external_measurement_vendor_id = "integer", np = "string", num_items = "integer", opt_out_type = "string",
  order_id = "string", predicted_ltv = "decimal", search_string = "string", value = "decimal" }

local FIELD_KINDS = { action_source = "string", app_id = "string", app_info = "object", app_name = "string",
  app_version = "string", device_brand = "string", device_carrier = "string", device_info = "object",
  device_model = "string", device_type = "string", event_id = "string", event_name = "name",
  event_source_url = "string", event_time = "integer", language = "string", opt_out = "boolean",
  os_version = "string", partner_name = "string", wifi = "boolean" }

local REQUIRED = { event_name = true, action_source = true, event_time = true, event_id = true }

local CONTENT_KINDS = { id = "string", item_price = "decimal", quantity = "integer", item_name = "string",
  item_brand = "string", item_category = "string" }

local COERCE
COERCE = {
  string = str,
  list = function(v) return collect(nil, v) end,
  integer = int,
  decimal = function(v)
    v = num(v)
    return v and decimal(v)
  end,
  boolean = function(v)
    if type(v) == "boolean" then return v end
    if v == "true" then return true elseif v == "false" then return false end
    return nil
  end,
  object = function(v) return is_table(v) and next(v) ~= nil and v or nil end,
  name = function(v)
    v = str(v)
    return v and canonical_name(v)
  end,
  -- Pinterest-shaped contents given by an override: keep known keys, coerce each.
  contents = function(v)
    if not is_table(v) then return nil end
    local out = {}
    for i = 1, #v do
      local it = v[i]
      if is_table(it) then
        local c = {}
        for k, x in pairs(it) do
          local kind = CONTENT_KINDS[k]
          if kind then c[k] = COERCE[kind](x) end
        end
        if next(c) then out[#out + 1] = c end
      end
    end
    return out[1] and out or nil
  end,
}

---------------------------------------------------------------------------------------------------------
-- Parameters
---------------------------------------------------------------------------------------------------------

local PARAMS = { name = true, trigger = true, ad_account_id = true, token = true, test = true,
  action_source = true, event_name = true, event_name_table = true, event_name_map = true,
  partner_name = true, require_consent = true, set_epik_cookie = true, epik_cookie_domain = true,
  user_data = true, custom_data = true, fields = true }

local ACTION_SOURCES = { web = true, app_android = true, app_ios = true, offline = true }

local function fail(msg, ...)
  error("pinterest_capi: " .. (select("#", ...) > 0 and fmt(msg, ...) or msg), 0)
end

local function check_type(params, key, want)
  local v = params[key]
  if v ~= nil and type(v) ~= want then fail("%s must be a %s, got %s", key, want, type(v)) end
  return v
end

-- Overrides compile to a list of { key, value, kind } (value: constant, function or false).
local function compile_overrides(what, over, kinds)
  if over == nil then return nil end
  if not is_table(over) then fail("%s must be a table of overrides", what) end
  local list = {}
  for key, value in pairs(over) do
    local kind = kinds[key]
    if not kind then fail("%s.%s is not a field Pinterest accepts", what, tostring(key)) end
    if value == false then
      if what == "fields" and REQUIRED[key] then fail("fields.%s is required by Pinterest and cannot be removed", key) end
    elseif type(value) ~= "function" and COERCE[kind](value) == nil then
      fail("%s.%s: %s is not a usable %s value (use false to remove the field)", what, key, tostring(value), kind)
    end
    list[#list + 1] = { key = key, value = value, kind = kind }
  end
  table.sort(list, function(a, b) return a.key < b.key end) -- deterministic order
  return list
end

local function compile(params)
  if not is_table(params) then fail("tag() expects a table of parameters") end
  for k in pairs(params) do
    if not PARAMS[k] then fail("unknown parameter %q", tostring(k)) end
  end

  check_type(params, "name", "string")
  local cfg = {}

  local account = params.ad_account_id
  if math.type(account) == "integer" then account = fmt("%d", account) end
  if type(account) ~= "string" or not account:match("^%d+$") or #account > 18 then
    fail("ad_account_id must be digits, got %s", account == nil and "nothing" or fmt("%q", tostring(account)))
  end
  local token = check_type(params, "token", "string")
  local test = check_type(params, "test", "boolean") or false
  cfg.send = { ad_account_id = account, token = token, test = test }

  local source = check_type(params, "action_source", "string") or "web"
  if not ACTION_SOURCES[source] then
    fail("action_source must be web, app_android, app_ios or offline, got %q", source)
  end
  cfg.action_source, cfg.web = source, source == "web"

  local fixed = check_type(params, "event_name", "string")
  if fixed then
    fixed = trim(fixed)
    if fixed == "" then fail("event_name must not be empty") end
    cfg.fixed_name = canonical_name(fixed)
  end

  local table_id = check_type(params, "event_name_table", "string") or "stape"
  if not EVENT_NAME_TABLES[table_id] then
    fail("event_name_table must be stape, stape_legacy or pinterest, got %q", table_id)
  end
  cfg.names, cfg.fallback = LOOKUP[table_id], EVENT_NAME_TABLES[table_id].fallback

  local map = check_type(params, "event_name_map", "table")
  if map then
    cfg.user_names = {}
    for k, v in pairs(map) do
      if type(k) ~= "string" or type(v) ~= "string" or trim(v) == "" then
        fail("event_name_map must map event names to Pinterest event names (strings), got %s = %s",
          tostring(k), tostring(v))
      end
      cfg.user_names[lower(trim(k))] = canonical_name(v)
    end
  end

  cfg.partner_name = str(check_type(params, "partner_name", "string"))
  cfg.require_consent = check_type(params, "require_consent", "boolean") or false
  local set_cookie = check_type(params, "set_epik_cookie", "boolean")
  cfg.set_epik_cookie = set_cookie ~= false
  cfg.cookie_options = { max_age = EPIK_MAX_AGE, path = "/", secure = true, http_only = false, same_site = "Lax",
    domain = str(check_type(params, "epik_cookie_domain", "string")) }

  cfg.user_over = compile_overrides("user_data", params.user_data, USER_KINDS)
  cfg.custom_over = compile_overrides("custom_data", params.custom_data, CUSTOM_KINDS)
  cfg.field_over = compile_overrides("fields", params.fields, FIELD_KINDS)

  local trigger = params.trigger
  if trigger ~= nil then
    local tt = type(trigger)
    if tt == "table" then
      if not is_table(trigger.events) or trigger.events[1] == nil then
        fail("trigger.events must be a non-empty list of event names")
      end
      for _, e in pairs(trigger.events) do
        if type(e) ~= "string" then fail("trigger.events must hold event names (strings)") end
      end
    elseif tt ~= "function" then
      fail("trigger must be { events = {...} } or a function")
    end
  elseif fixed then
    fail("trigger is required when event_name is fixed (otherwise every hit would be sent as %q)", cfg.fixed_name)
  end
  cfg.trigger = trigger
  return cfg
end

-- tag() and map_event() share compiled parameters; weak keys let unused params tables go.
local compiled = setmetatable({}, { __mode = "k" })

local function config_for(params)
  local cfg = compiled[params]
  if not cfg then
    cfg = compile(params)
    compiled[params] = cfg
  end
  return cfg
end

---------------------------------------------------------------------------------------------------------
-- Mapping
---------------------------------------------------------------------------------------------------------

-- Pinterest name for an incoming name: user map, then the table, then the table's fallback.
local function resolve_name(cfg, raw)
  if cfg.fixed_name then return cfg.fixed_name end
  if type(raw) ~= "string" then return nil end
  local key = lower(trim(raw))
  if key == "" then return nil end
  local name = (cfg.user_names and cfg.user_names[key]) or cfg.names[key]
  if name then return name end
  if cfg.fallback then return cfg.fallback end
  return key
end

-- Ad storage consent: consent_state.ad_storage (true or "granted") decides when present; otherwise the
-- third character of x-ga-gcs ("G1" + ad_storage + analytics_storage) must be "1".
local function ad_storage_granted(event)
  local cs = event.consent_state
  if is_table(cs) then
    local a = cs.ad_storage
    if type(a) == "boolean" then return a end
    if type(a) == "string" then return lower(trim(a)) == "granted" end
  end
  local gcs = event["x-ga-gcs"]
  return type(gcs) == "string" and byte(gcs, 3) == 49 -- "1"
end

local function hex_char(h) return string.char(tonumber(h, 16)) end

-- The epik query parameter of a URL, percent-decoded ("+" is kept: epik is base64-like).
local function epik_from_url(url)
  if type(url) ~= "string" or not url:find("epik=", 1, true) then return nil end
  local v = url:match("[?&]epik=([^&#]*)")
  if not v or v == "" then return nil end
  if v:find("%", 1, true) then v = v:gsub("%%(%x%x)", hex_char) end
  return str(v)
end

-- "en-US" -> "en"; anything not starting with a two-letter code is dropped.
local function language_code(v)
  if type(v) ~= "string" then return nil end
  local l = v:match("^%s*(%a%a)%f[^%a]")
  return l and lower(l)
end

-- Unix seconds from event.event_time (seconds or milliseconds), if usable: positive and not more than
-- five minutes ahead of the server clock.
local function event_time(v, now)
  local t = num(v)
  if not t or t <= 0 then return nil end
  if t >= 1e11 then t = t / 1000 end -- milliseconds
  t = tointeger(t) or floor(t)
  if t > now + 300 then return nil end
  return t
end

-- Where each hashed field is looked for: the common event data user_data object first, then flat aliases
-- at the top level of the event. Address fields come from user_data.address before both.
local USER_SOURCES = {
  { "em", { "email_address", "email" }, { "email_address", "email" } },
  { "ph", { "phone_number", "phone" }, { "phone_number", "phone" } },
  { "ge", { "gender" }, { "gender" } },
  { "db", { "date_of_birth", "db" }, { "date_of_birth", "db" } },
  { "fn", { "first_name" }, { "first_name" }, "first_name" },
  { "ln", { "last_name" }, { "last_name" }, "last_name" },
  { "ct", { "city" }, { "city" }, "city" },
  { "st", { "region", "state" }, { "region", "state" }, "region" },
  { "zp", { "postal_code", "zip" }, { "postal_code", "zip" }, "postal_code" },
  { "country", { "country" }, { "country" }, "country" },
  { "external_id", { "external_id" }, { "external_id", "user_id" } },
  { "hashed_maids", { "hashed_maids" }, { "hashed_maids" } },
}

local function first_list(obj, keys, country)
  for i = 1, #keys do
    local v = obj[keys[i]]
    if v ~= nil then -- most keys are absent: skip the calls
      local list = zip_list(nil, v, country)
      if list then return list end
    end
  end
  return nil
end

local function map_user_data(ud, event, request, web, click_id)
  local src = is_table(event.user_data) and event.user_data or nil
  local addrs = src and src.address
  if is_table(addrs) then
    if addrs[1] == nil then addrs = { addrs } end -- one address object
  else
    addrs = nil
  end
  local top_country = event.country
  for i = 1, #USER_SOURCES do
    local s = USER_SOURCES[i]
    local key, addr_key, list = s[1], s[4], nil
    if addrs and addr_key then
      for j = 1, #addrs do
        local a = addrs[j]
        local v = is_table(a) and a[addr_key]
        if v ~= nil and v ~= false then list = zip_list(list, v, a.country) end
      end
    end
    if not list and src then list = first_list(src, s[2], src.country or top_country) end
    if not list then list = first_list(event, s[3], top_country) end
    ud[key] = list
  end

  -- Web events fall back to the connection's address and agent; for app and offline events the request
  -- comes from a server or an app backend, so only values carried in the event are used.
  ud.client_ip_address = str(event.ip_override) or (web and str(request.ip)) or nil
  ud.client_user_agent = str(event.user_agent) or (web and str(request.user_agent)) or nil
  ud.click_id = click_id
end

local function map_items(cd, items)
  if not is_table(items) or items[1] == nil then return nil end
  local contents, ids, n_items, total, priced = {}, {}, 0, 0, false
  for i = 1, #items do
    local it = items[i]
    if is_table(it) then
      local id, price, qty = str(it.item_id), num(it.price), int(it.quantity)
      local c = {
        id = id,
        item_price = price and decimal(price),
        quantity = qty,
        item_name = str(it.item_name),
        item_brand = str(it.item_brand),
        item_category = str(it.item_category),
      }
      if next(c) then -- an item with nothing usable is not counted
        contents[#contents + 1] = c
        if id then ids[#ids + 1] = id end
        qty = qty or 1 -- GA4 counts an item without quantity as one
        n_items = n_items + qty
        if price then total, priced = total + price * qty, true end
      end
    end
  end
  if contents[1] then
    cd.contents = contents
    cd.num_items = n_items
  end
  if ids[1] then cd.content_ids = ids end
  return priced and total or nil, items[1]
end

local function apply_overrides(list, target, event, request)
  if not list then return end
  for i = 1, #list do
    local o = list[i]
    local v = o.value
    if type(v) == "function" then v = v(event, request) end
    if v == false then
      target[o.key] = nil
    elseif v ~= nil then
      local c = COERCE[o.kind](v)
      if c == nil then
        log.warn(fmt("pinterest_capi: override %s returned an unusable value (%s); field dropped", o.key, tostring(v)))
      end
      target[o.key] = c
    end
  end
end

local counter = 0

local function new_event_id()
  counter = counter + 1
  local id = fmt("tagd-%d-%d-%06x", time.now_ms(), counter, math.random(0, 0xffffff))
  log.debug("pinterest_capi: event has no event_id or transaction_id; generated " .. id ..
    " (deduplication with the Pinterest tag needs the same id on both sides)")
  return id
end

-- Returns the Pinterest event, or nil and a reason; third value: the epik found in the page URL.
local function build(cfg, event, request)
  if not is_table(event) then return nil, "no event" end
  if not is_table(request) then request = {} end
  if cfg.require_consent and not ad_storage_granted(event) then return nil, "consent denied" end

  local name = resolve_name(cfg, event.event_name)
  if not name then return nil, "no event name" end

  local url = str(event.page_location)
  local url_epik = epik_from_url(url)
  local cookies, common = request.cookies, event.common_cookie
  local click_id = url_epik
    or (is_table(cookies) and str(cookies._epik))
    or (is_table(common) and str(common._epik))
    or str(event.click_id)
    or nil

  local ud = {}
  map_user_data(ud, event, request, cfg.web, click_id)

  local cd = {}
  local computed, first_item = map_items(cd, event.items)
  local value = num(event.value) or num(event["x-ga-mp1-ev"]) or num(event["x-ga-mp1-tr"]) or computed
  cd.value = value and decimal(value)
  local currency = str(event.currency) or (first_item and is_table(first_item) and str(first_item.currency))
  cd.currency = currency and currency:upper() or nil
  cd.order_id = str(event.transaction_id)
  cd.search_string = str(event.search_term)
  cd.opt_out_type = str(event.opt_out_type)
  -- content_* describe "the" product: taken from the event, else from a single item.
  local only = cd.contents and event.items[2] == nil and event.items[1]
  if not is_table(only) then only = nil end
  cd.content_name = str(event.content_name) or (only and str(only.item_name)) or nil
  cd.content_category = str(event.content_category) or (only and str(only.item_category)) or nil
  cd.content_brand = str(event.content_brand) or (only and str(only.item_brand)) or nil

  local now = time.now()
  local out = {
    event_name = name,
    action_source = cfg.action_source,
    event_time = event_time(event.event_time, now) or now,
    event_id = str(event.event_id) or str(event.transaction_id) or new_event_id(),
    event_source_url = url,
    language = language_code(event.language),
    partner_name = cfg.partner_name,
    user_data = ud,
    custom_data = cd,
  }

  apply_overrides(cfg.field_over, out, event, request)
  apply_overrides(cfg.user_over, ud, event, request)
  apply_overrides(cfg.custom_over, cd, event, request)

  if next(cd) == nil then out.custom_data = nil end
  -- Pinterest needs at least one of em, hashed_maids, or client_ip_address with client_user_agent.
  if not (ud.em or ud.hashed_maids or (ud.client_ip_address and ud.client_user_agent)) then
    return nil, "no user identifier (need email, hashed_maids, or IP address and user agent)", url_epik
  end
  for key in pairs(REQUIRED) do
    if out[key] == nil then return nil, "an override left " .. key .. " empty", url_epik end
  end
  return out, nil, url_epik
end

---------------------------------------------------------------------------------------------------------
-- Public API
---------------------------------------------------------------------------------------------------------

-- Maps one event without sending it. Returns the Pinterest event, or nil and the reason it would be skipped.
function M.map_event(params, event, request)
  local out, reason = build(config_for(params), event, request)
  return out, reason
end

-- Builds a tag table (name, trigger, fire) for tags/*.lua. Parameter errors are raised here, at load.
function M.tag(params)
  local cfg = config_for(params)

  local trigger = cfg.trigger
  if trigger == nil then
    -- Default: every event name the chosen table or event_name_map knows (case-insensitively).
    trigger = function(event)
      local raw = event.event_name
      if type(raw) ~= "string" then return false end
      local key = lower(trim(raw))
      return (cfg.user_names and cfg.user_names[key] or cfg.names[key]) ~= nil
    end
  end

  local send_config, set_cookie, cookie_options = cfg.send, cfg.set_epik_cookie, cfg.cookie_options

  local function fire(event, request)
    local out, reason, url_epik = build(cfg, event, request)
    -- Remember a click id that arrived in the URL, unless consent stopped the hit.
    if url_epik and set_cookie then response.set_cookie("_epik", url_epik, cookie_options) end
    if not out then return "skipped: " .. reason end
    local ok, status = pinterest.send(send_config, out)
    if not ok then error("pinterest_capi: pinterest.send refused the event: " .. tostring(status), 0) end
    return status
  end

  return { name = params.name, trigger = trigger, fire = fire }
end

M.standard_events = STANDARD_EVENTS
M.event_name_tables = EVENT_NAME_TABLES
M.parameters = PARAMS

return M
