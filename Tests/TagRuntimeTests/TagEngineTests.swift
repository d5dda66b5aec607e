import Logging
import PinterestCAPI
import TagRuntime
import TagdJSON
import Testing

@Suite struct TagEngineTests {
    static let purchase: JSONValue = [
        "event_name": "purchase", "transaction_id": "T-1", "value": 10.5, "currency": "USD",
        "ip_override": "203.0.113.7", "user_agent": "Mozilla/5.0",
        "user_data": ["email_address": " John@Example.com "],
    ]

    func engine(_ tags: [String: String], templates: [String: String] = [:], environment: [String: String] = [:])
        throws -> (TagEngine, RecordingDelivery)
    {
        let delivery = RecordingDelivery()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let bundle = TagBundle(
            tags: tags.map { TagFile(path: "tags/\($0.key).lua", source: $0.value) },
            templates: templates.map { TagFile(path: "templates/\($0.key).lua", source: $0.value) })
        let services = RuntimeServices(
            delivery: delivery, environment: environment, now: { 1_767_225_600 }, logger: logger, vmCount: 2)
        return (try TagEngine(bundle: bundle, services: services), delivery)
    }

    @Test func firesMatchingTagsInFileOrderAndSkipsOthers() async throws {
        let (engine, _) = try engine([
            "b_second": #"return { trigger = { events = { "purchase" } }, fire = function(e) return "b:" .. e.transaction_id end }"#,
            "a_first": #"return { trigger = { events = { "*" } }, fire = function(e) return "a:" .. e.event_name end }"#,
            "c_other": #"return { trigger = { events = { "page_view" } }, fire = function() return "c" end }"#,
        ])
        let result = await engine.process(event: Self.purchase)
        #expect(result.tagRuns.map(\.file) == ["tags/a_first.lua", "tags/b_second.lua", "tags/c_other.lua"])
        #expect(result.tagRuns.map(\.outcome) == ["a:purchase", "b:T-1", nil])
        #expect(result.tagRuns.map(\.status) == [.fired, .fired, .skipped])
    }

    @Test func triggerFunctionSeesEventAndRequest() async throws {
        let (engine, _) = try engine([
            "t": #"""
            return {
              trigger = function(event, request) return event.value > 10 and request.ip == "198.51.100.1" end,
              fire = function(event, request) return request.ip end,
            }
            """#
        ])
        let fired = await engine.process(event: Self.purchase, request: ["ip": "198.51.100.1"])
        #expect(fired.tagRuns.first?.outcome == "198.51.100.1")
        let skipped = await engine.process(event: Self.purchase, request: ["ip": "192.0.2.1"])
        #expect(skipped.tagRuns.first?.status == .skipped)
    }

    /// The request goes into Lua only when some tag function can see it; whichever way a tag asks, it gets it.
    @Test func requestReachesEveryFunctionThatCanSeeIt() async throws {
        let request: JSONValue = ["ip": "198.51.100.1", "method": "POST"]
        let onlyEvents = try engine([
            "a": #"return { trigger = { events = { "*" } }, fire = function(e) return e.event_name end }"#,
            "b": ##"return { trigger = function(e) return true end, fire = function(e, ...) return select("#", ...) end }"##,
        ]).0
        // `b` takes `...`, so it gets the request as its second argument.
        let first = await onlyEvents.process(event: Self.purchase, request: request)
        #expect(first.tagRuns.map(\.outcome) == ["purchase", "1"])
        let viaTrigger = try engine([
            "a": #"return { trigger = function(e, r) return r.method == "POST" end, fire = function(e) return "fired" end }"#,
            "b": #"return { trigger = { events = { "*" } }, fire = function(e, r) return r.ip end }"#,
        ]).0
        let third = await viaTrigger.process(event: Self.purchase, request: request)
        #expect(third.tagRuns.map(\.outcome) == ["fired", "198.51.100.1"])
    }

    @Test func brokenTagFilesAreReportedWithFileAndLineAndOthersStillLoad() throws {
        let (engine, _) = try engine([
            "good": #"return { trigger = { events = { "*" } }, fire = function() end }"#,
            "syntax": "return {\n  trigger = ,\n}",
            "throws": "local x = nil\nreturn x.y",
            "no_fire": #"return { trigger = { events = { "*" } } }"#,
            "not_table": "return 42",
        ])
        let byFile = Dictionary(uniqueKeysWithValues: engine.statuses.map { ($0.file, $0) })
        #expect(byFile["tags/good.lua"]?.isLoaded == true)
        #expect(byFile["tags/syntax.lua"]?.error?.contains("tags/syntax.lua:2:") == true)
        #expect(byFile["tags/throws.lua"]?.error?.contains("tags/throws.lua:2:") == true)
        #expect(byFile["tags/no_fire.lua"]?.error?.contains("'fire' must be a function") == true)
        #expect(byFile["tags/not_table.lua"]?.error?.contains("must return a tag table") == true)
    }

    /// Tables reach native functions as JSON read straight off the Lua stack; what JSON cannot hold is named.
    @Test func nativeFunctionsGetTablesAsJSONAndRefuseFunctions() async throws {
        let (engine, _) = try engine([
            "a_json": """
                return { trigger = { events = { '*' } }, fire = function(e)
                  return json.encode({ list = { 1, 2.5, "x" }, flag = true, none = json.null, nested = { k = e.currency } })
                end }
                """,
            "b_function": """
                return { trigger = { events = { '*' } }, fire = function(e)
                  return json.encode({ f = function() end })
                end }
                """,
        ])
        let result = await engine.process(event: Self.purchase)
        let encoded = try #require(result.tagRuns[0].outcome)
        #expect(try JSONValue.parse(encoded) == ["list": [1, 2.5, "x"], "flag": true, "none": .null, "nested": ["k": "USD"]])
        #expect(result.tagRuns[1].error?.contains("bad argument #1 to 'encode' (a function cannot be converted to JSON)") == true)
    }

    @Test func aFailingTagIsRecordedAndTheOthersStillRun() async throws {
        let (engine, _) = try engine([
            "a_fails": "return { trigger = { events = { '*' } }, fire = function(e)\n  return e.missing.field\nend }",
            "b_loops": "return { trigger = { events = { '*' } }, fire = function() while true do end end }",
            "c_works": "return { trigger = { events = { '*' } }, fire = function() return 'ok' end }",
        ])
        let result = await engine.process(event: Self.purchase)
        #expect(result.tagRuns[0].error?.contains("tags/a_fails.lua:2:") == true)
        #expect(result.tagRuns[1].error?.contains("budget") == true)
        #expect(result.tagRuns[2].outcome == "ok")
        // The VM that ran the loop serves the next hit normally.
        let again = await engine.process(event: Self.purchase)
        #expect(again.tagRuns[2].outcome == "ok")
    }

    @Test func tagsAreIsolatedFromEachOther() async throws {
        let (engine, _) = try engine([
            "a": #"""
            return { trigger = { events = { "*" } }, fire = function(event)
              shared = "from a"
              event.event_name = "changed by a"
              pcall(function() string.upper = nil end)
              return "a"
            end }
            """#,
            "b": #"""
            return { trigger = { events = { "*" } }, fire = function(event)
              return tostring(shared) .. "|" .. event.event_name .. "|" .. string.upper("x")
            end }
            """#,
        ])
        let result = await engine.process(event: Self.purchase)
        #expect(result.tagRuns[0].outcome == "a")
        #expect(result.tagRuns[1].outcome == "nil|purchase|X")
    }

    /// `fire` gets the tag's own copy of the event, fresh for every hit, to change at will; trigger functions
    /// read one shared read-only view.
    @Test func eachFiringTagGetsItsOwnCopyAndTriggersAReadOnlyView() async throws {
        let (engine, _) = try engine([
            "a_changes": #"""
            return { trigger = { events = { "*" } }, fire = function(event)
              local before = event.value
              event.value = 99
              event.user_data.email_address = "changed"
              event.added = { 1 }
              table.insert(event.added, 2)
              setmetatable(event.user_data, nil)
              return tostring(before) .. "|" .. event.user_data.email_address .. "|" .. #event.added
            end }
            """#,
            "b_reads": #"""
            return { trigger = function(event) return event.value == 10.5 end, fire = function(event)
              return event.value .. "|" .. event.user_data.email_address .. "|" .. tostring(event.added)
            end }
            """#,
            "c_trigger_writes": #"""
            return { trigger = function(event) event.value = 0 return true end, fire = function() return "fired" end }
            """#,
            "d_trigger_writes_nested": #"""
            return { trigger = function(event) event.user_data.email_address = "x" return true end, fire = function() end }
            """#,
        ])
        for _ in 0..<4 {  // two VMs: each sees the copies change and the next hit start afresh
            let result = await engine.process(event: Self.purchase)
            #expect(result.tagRuns[0].outcome == "10.5|changed|2")
            #expect(result.tagRuns[1].outcome == "10.5| John@Example.com |nil")
            #expect(result.tagRuns[2].error?.contains("attempt to modify a read-only table") == true)
            #expect(result.tagRuns[3].error?.contains("attempt to modify a read-only table") == true)
        }
    }

    /// An event that cannot go into Lua fails the tags that fire (each says why) and skips the rest.
    @Test func anEventTooDeepForLuaFailsOnlyTheTagsThatNeedIt() async throws {
        let (engine, _) = try engine([
            "a_fires": #"return { trigger = { events = { "*" } }, fire = function(e) return "ran" end }"#,
            "b_other": #"return { trigger = { events = { "page_view" } }, fire = function() return "ran" end }"#,
            "c_trigger": #"return { trigger = function(e) return true end, fire = function() return "ran" end }"#,
        ])
        var deep: JSONValue = "leaf"
        for _ in 0..<100 { deep = ["x": deep] }
        let result = await engine.process(event: ["event_name": "purchase", "deep": deep])
        #expect(result.tagRuns.map(\.status) == [.failed, .skipped, .failed])
        #expect(result.tagRuns[0].error?.hasPrefix("the event could not be passed to Lua") == true)
        #expect(result.tagRuns[2].error?.hasPrefix("the event could not be passed to Lua") == true)
        let fine = await engine.process(event: Self.purchase)
        #expect(fine.tagRuns.map(\.outcome) == ["ran", nil, "ran"])
        // A request too deep fails only the tags that read it, and says so.
        let withRequest = try self.engine([
            "a_request": #"return { trigger = { events = { "*" } }, fire = function(e, r) return "ran" end }"#,
            "b_event": #"return { trigger = { events = { "*" } }, fire = function(e) return "ran" end }"#,
        ]).0
        let deepRequest = await withRequest.process(event: Self.purchase, request: ["deep": deep])
        #expect(deepRequest.tagRuns.map(\.outcome) == [nil, "ran"])
        #expect(deepRequest.tagRuns[0].error?.hasPrefix("the request could not be passed to Lua") == true)
    }

    @Test func pinterestSendHashesUserDataAndQueues() async throws {
        let (engine, delivery) = try engine([
            "p": #"""
            return { trigger = { events = { "purchase" } }, fire = function(e, r)
              local ok, outcome = pinterest.send({ ad_account_id = "549755885175", token = "tok", test = true }, {
                event_name = "checkout", action_source = "web", event_time = time.now(), event_id = e.transaction_id,
                user_data = { em = e.user_data.email_address, client_ip_address = e.ip_override },
                custom_data = { value = tostring(e.value), currency = e.currency },
              })
              return tostring(ok) .. ":" .. outcome
            end }
            """#
        ])
        let result = await engine.process(event: Self.purchase)
        #expect(result.tagRuns.first?.outcome == "true:queued")
        let record = try #require(delivery.recorded.first)
        #expect(record.destination.adAccountID == "549755885175")
        #expect(record.destination.testMode)
        #expect(record.event["event_time"] == .int(1_767_225_600))
        #expect(record.event["user_data"]?["em"] == ["855f96e983f1f8e8be944692b6f719fd54329826cb62e98015efee8e2e071dd4"])
        #expect(record.event["user_data"]?["client_ip_address"] == "203.0.113.7")
    }

    @Test func pinterestSendReturnsContractViolationsToTheScript() async throws {
        let (engine, delivery) = try engine([
            "p": #"""
            return { trigger = { events = { "*" } }, fire = function(e)
              local ok, err = pinterest.send({ ad_account_id = "1" }, {
                event_name = "checkout", action_source = "web", event_time = 1, event_id = "x",
                user_data = { em = "a@b.co" }, custom_data = { value = 12.5 }, bogus = true,
              })
              return tostring(ok) .. " " .. err
            end }
            """#
        ])
        let outcome = try #require(await engine.process(event: Self.purchase).tagRuns.first?.outcome)
        #expect(outcome.hasPrefix("nil "))
        #expect(outcome.contains("value"))
        #expect(outcome.contains("bogus"))
        #expect(delivery.recorded.isEmpty)
    }

    @Test func dedupIsNamespacedPerTag() async throws {
        let tag = #"return { trigger = { events = { "*" } }, fire = function(e) return tostring(dedup.first_seen(e.transaction_id, 60)) end }"#
        let (engine, _) = try engine(["a": tag, "b": tag])
        let first = await engine.process(event: Self.purchase)
        #expect(first.tagRuns.map(\.outcome) == ["true", "true"])
        let second = await engine.process(event: Self.purchase)
        #expect(second.tagRuns.map(\.outcome) == ["false", "false"])
    }

    @Test func envOnlyExposesAllowedValuesAndLogsAndCookiesAreCollected() async throws {
        let (engine, _) = try engine(
            [
                "e": #"""
                return { trigger = { events = { "*" } }, fire = function(e)
                  log.info("token is " .. tostring(env.get("PINTEREST_TOKEN")))
                  response.set_cookie("_epik", "abc.def", { max_age = 60 })
                  return tostring(env.get("HOME"))
                end }
                """#
            ], environment: ["PINTEREST_TOKEN": "secret"])
        let result = await engine.process(event: Self.purchase)
        let run = try #require(result.tagRuns.first)
        #expect(run.outcome == "nil")
        #expect(run.logs == [TagLogLine(level: "info", message: "token is secret")])
        #expect(result.cookies.map(\.headerValue) == ["_epik=abc.def; Max-Age=60; Path=/; Secure; SameSite=Lax"])
    }

    @Test func templatesAreRequiredFromTheTemplatesFolder() async throws {
        let (engine, _) = try engine(
            ["t": #"local greet = require "greeter"; return greet.tag { who = "shop" }"#],
            templates: [
                "greeter": #"""
                local M = {}
                function M.tag(params)
                  return { trigger = { events = { "*" } }, fire = function(e) return "hello " .. params.who end }
                end
                return M
                """#
            ])
        #expect(await engine.process(event: Self.purchase).tagRuns.first?.outcome == "hello shop")
    }

    @Test func nativeHashingMatchesPinterestRules() async throws {
        let (engine, _) = try engine([
            "h": #"""
            return { trigger = { events = { "*" } }, fire = function()
              return hash.normalize("ph", "+1 (650) 555-1212") .. " " .. hash.sha256("abc") .. " " .. tostring(hash.is_hashed(("A"):rep(64)))
                .. " " .. text.trim("  x  ") .. text.lower("ÄB")
            end }
            """#
        ])
        let outcome = await engine.process(event: Self.purchase).tagRuns.first?.outcome
        #expect(outcome == "16505551212 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad true xäb")
    }
}
