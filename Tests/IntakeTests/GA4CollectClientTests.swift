import Intake
import Testing
import TagdJSON

@Suite("GA4 /g/collect")
struct GA4CollectClientTests {
    /// Shared page and session parameters as gtag.js puts them in the query of every request.
    static let sharedQuery = [
        "v=2", "tid=G-ABC123XYZ", "gtm=45je4b20v9", "_p=1731234567890", "gcs=G111", "cid=123456789.1700000000",
        "ul=en-us", "sr=1920x1080", "sid=1731234000", "sct=4", "seg=1", "_s=3",
        "dl=https%3A%2F%2Fshop.example%2Fcheckout%2Fthanks%3Forder%3DT-1001", "dr=https%3A%2F%2Fshop.example%2Fcart",
        "dt=Thank%20you%20%7C%20Shop",
    ].joined(separator: "&")

    static let purchaseParameters = [
        "en=purchase", "cu=USD",
        "pr1=idSKU-1~nmShirt~brAcme~caApparel~c2Men~vaBlue~pr19.99~qt2~k0color~v0blue",
        "pr2=idSKU-2~nmHat~pr32.41~qt1~cpSUMMER~ds5",
        "epn.value=72.39", "ep.transaction_id=T-1001", "ep.event_id=ev-42", "epn.shipping=5", "_et=1234",
    ].joined(separator: "&")

    static let expectedItems: JSONValue = [
        [
            "item_id": "SKU-1", "item_name": "Shirt", "item_brand": "Acme", "item_category": "Apparel",
            "item_category2": "Men", "item_variant": "Blue", "price": 19.99, "quantity": 2, "color": "blue",
        ],
        ["item_id": "SKU-2", "item_name": "Hat", "price": 32.41, "quantity": 1, "coupon": "SUMMER", "discount": 5],
    ]

    @Test("a gtag.js purchase sent by GET maps to one complete event")
    func purchaseByGET() throws {
        let query = Self.sharedQuery + "&" + Self.purchaseParameters
            + "&_ss=1&_dbg=1&uamb=0&uap=Windows&uafvl=Chromium%3B130.0.6723.59%7CGoogle%2520Chrome%3B130.0.6723.59&tfd=5678"
        let events = try Fixture.events(Fixture.hit("/g/collect", query: query))
        let expected: [String: JSONValue] = [
            "event_name": "purchase",
            "client_id": "123456789.1700000000",
            "page_location": "https://shop.example/checkout/thanks?order=T-1001",
            "page_referrer": "https://shop.example/cart",
            "page_title": "Thank you | Shop",
            "language": "en-us",
            "screen_resolution": "1920x1080",
            "currency": "USD",
            "value": 72.39,
            "shipping": 5,
            "transaction_id": "T-1001",
            "event_id": "ev-42",
            "engagement_time_msec": 1234,
            "items": Self.expectedItems,
            "x-ga-protocol_version": "2",
            "x-ga-measurement_id": "G-ABC123XYZ",
            "x-ga-gtm_version": "45je4b20v9",
            "x-ga-page_id": "1731234567890",
            "x-ga-request_count": "3",
            "x-ga-gcs": "G111",
            "x-ga-session_id": "1731234000",
            "x-ga-session_number": "4",
            "x-ga-engaged_session": "1",
            "x-ga-system_properties": ["ss": "1", "dbg": "1"],
            "client_hints": [
                "mobile": false, "platform": "Windows",
                "full_version_list": [
                    ["brand": "Chromium", "version": "130.0.6723.59"],
                    ["brand": "Google Chrome", "version": "130.0.6723.59"],
                ],
            ],
            "x-ga-unmapped": ["tfd": "5678"],
            "ip_override": .string(Fixture.clientAddress),
            "user_agent": .string(Fixture.browserAgent),
        ]
        #expect(events == [expected])
    }

    @Test("the example in docs/event-data.md is what the client produces")
    func documentedExample() throws {
        let query = "v=2&tid=G-ABC&cid=123.456&dl=https%3A%2F%2Fshop.example%2F&en=purchase&cu=USD&epn.value=72.39"
            + "&ep.transaction_id=T-1&pr1=idSKU-1~nmShirt~pr19.99~qt2&_ss=1"
        let hit = Fixture.hit("/g/collect", query: query, headers: [("User-Agent", "Mozilla/5.0 ...")])
        let event = try #require(try Fixture.process(hit).events.first)
        #expect(event.encodedString() == """
            {"client_id":"123.456","currency":"USD","event_name":"purchase","ip_override":"203.0.113.9",\
            "items":[{"item_id":"SKU-1","item_name":"Shirt","price":19.99,"quantity":2}],\
            "page_location":"https://shop.example/","transaction_id":"T-1","user_agent":"Mozilla/5.0 ...","value":72.39,\
            "x-ga-measurement_id":"G-ABC","x-ga-protocol_version":"2","x-ga-system_properties":{"ss":"1"}}
            """)
    }

    @Test("a POST batch gives one event per line, each line laid over the query; CRLF and empty lines are fine")
    func postBatch() throws {
        let body = "en=page_view&_ee=1&_fv=1\r\n"
            + "en=add_to_cart&cu=EUR&pr1=idSKU-1~nmShirt~pr19.99~qt1&epn.value=19.99&dt=Cart\r\n"
            + "\r\n"
            + Self.purchaseParameters + "\n"
        let events = try Fixture.events(Fixture.hit("POST", "/g/collect", query: Self.sharedQuery, body: body))
        try #require(events.count == 3)

        #expect(events.map { $0["event_name"] } == ["page_view", "add_to_cart", "purchase"])
        #expect(events.allSatisfy { $0["client_id"] == "123456789.1700000000" && $0["x-ga-measurement_id"] == "G-ABC123XYZ" })
        #expect(events[0]["x-ga-system_properties"] == ["ee": "1", "fv": "1"])
        #expect(events[0]["page_title"] == "Thank you | Shop")
        #expect(events[1]["page_title"] == "Cart", "a line's parameter replaces the query's")
        #expect(events[1]["currency"] == "EUR")
        #expect(events[1]["value"] == 19.99)
        #expect(events[1]["items"] == [["item_id": "SKU-1", "item_name": "Shirt", "price": 19.99, "quantity": 1]])
        #expect(events[2]["items"] == Self.expectedItems)
        #expect(events[2]["page_title"] == "Thank you | Shop", "one line's parameters do not leak into the next")
        #expect(events[0]["items"] == nil)
    }

    @Test("a POST with an empty body, or only blank lines, is one event from the query")
    func postWithoutLines() throws {
        for body in ["", "\r\n\n"] {
            let events = try Fixture.events(Fixture.hit("POST", "/g/collect", query: Self.sharedQuery + "&en=page_view", body: body))
            #expect(events.map { $0["event_name"] } == ["page_view"])
        }
    }

    @Test("event, user and numeric parameters keep their kinds")
    func parameterKinds() throws {
        let query = "v=2&en=level_up&ep.level_name=cave&epn.level=3&epn.score=12.5&epn.negative=-4&epn.exponent=1e3"
            + "&ep.value=10&epn.value=11&up.plan=pro&upn.age_days=40&upn.ratio=0.25"
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: query)).first)
        #expect(event["level_name"] == "cave")
        #expect(event["level"] == .int(3))
        #expect(event["score"] == .double(12.5))
        #expect(event["negative"] == .int(-4))
        #expect(event["exponent"] == .double(1000))
        #expect(event["value"] == .int(11), "epn.value wins over ep.value")
        #expect(event["user_properties"] == ["plan": "pro", "age_days": .int(40), "ratio": .double(0.25)])
    }

    @Test("a string event parameter stays a string even when it looks like a number")
    func epStaysString() throws {
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: "v=2&en=x&ep.value=10&ep.zip=02134")).first)
        #expect(event["value"] == "10")
        #expect(event["zip"] == "02134")
    }

    @Test("percent-encoding, + as space and UTF-8 are decoded")
    func percentDecoding() throws {
        let query = "v=2&en=search&ep.search_term=red+shoes%21&ep.plus=a%2Bb&dt=Caf%C3%A9+%26+Bar&ep.raw=100%25"
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: query)).first)
        #expect(event["search_term"] == "red shoes!")
        #expect(event["plus"] == "a+b")
        #expect(event["page_title"] == "Café & Bar")
        #expect(event["raw"] == "100%")
    }

    @Test("dotted ep. names nest, as for user_data")
    func userData() throws {
        let query = "v=2&en=sign_up&ep.user_data.email_address=john%40example.com&ep.user_data.phone_number=%2B16505551212"
            + "&ep.user_data.address.city=San+Francisco&epn.user_data.address.floor=3"
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: query)).first)
        #expect(event["user_data"] == [
            "email_address": "john@example.com", "phone_number": "+16505551212",
            "address": ["city": "San Francisco", "floor": 3],
        ])
    }

    @Test("a parameter that is both a value and an object is malformed")
    func nestingConflict() throws {
        let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&ep.user_data=a&ep.user_data.city=b")))
        #expect(error.httpStatus == 400)
        #expect(error.description.contains("user_data cannot be both a value and an object"))
        // Deeper down, either way round, the conflicting path is named in full.
        let deeper = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&ep.a.b.c=1&ep.a.b.c.d=2")))
        #expect(deeper.description.contains("ep.a.b.c.d conflicts with another parameter: a.b.c cannot be both"))
        let objectFirst = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&ep.a.b.c=1&ep.a.b=2")))
        #expect(objectFirst.description.contains("ep.a.b conflicts with another parameter: a.b cannot be both"))
        let emptyPart = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&ep.user_data..city=b")))
        #expect(emptyPart == .malformed("the query string: parameter name \"ep.user_data..city\" has an empty part between dots"))
    }

    @Test("a dotted name deeper than 32 parts is malformed, however long")
    func tooDeep() throws {
        for parts in [33, 100_000] {
            let name = (0..<parts).map { _ in "a" }.joined(separator: ".")
            let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&ep.\(name)=1")))
            #expect(error.description.contains("nests deeper than 32 levels"), "\(error)")
        }
        let name = (0..<32).map { _ in "a" }.joined(separator: ".")
        #expect(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=x&ep.\(name)=1")) == nil)
    }

    @Test("protocol parameters win over an ep. of the same name")
    func protocolWins() throws {
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: "v=2&en=page_view&ep.event_name=hijack&cid=1.2&ep.client_id=3.4")).first)
        #expect(event["event_name"] == "page_view")
        #expect(event["client_id"] == "1.2")
    }

    @Test("items: unknown codes kept, custom k/v paired, list fields mapped, ordered by number not text")
    func items() throws {
        let query = "v=2&en=view_item_list&pr10=idC&pr2=idB~lp2~lnSummer~liL1~loChIJ~afStore~zzfuture~k1size~v1L~k2orphan~v3lonely&pr1=idA"
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: query)).first)
        #expect(event["items"] == [
            ["item_id": "A"],
            [
                "item_id": "B", "index": 2, "item_list_name": "Summer", "item_list_id": "L1", "location_id": "ChIJ",
                "affiliation": "Store", "zz": "future", "size": "L", "k2": "orphan", "v3": "lonely",
            ],
            ["item_id": "C"],
        ])
    }

    @Test("item fields with non-ASCII text, even where a code belongs, are read without trapping")
    func nonASCIIItems() throws {
        let query = "v=2&en=view_item&pr1=idCaf%C3%A9~nm%E2%82%AC+Shirt&pr2=%C3%A9x~%F0%9F%98%80"
        let event = try #require(try Fixture.events(Fixture.hit("/g/collect", query: query)).first)
        let items = try #require(event["items"]?.arrayValue)
        #expect(items.first == ["item_id": "Café", "item_name": "€ Shirt"])
        #expect(items.count == 2)
        #expect(items.last?.objectValue?["é"] == "x", "a two-byte letter is the whole code")
    }

    @Test("wrong or missing v is malformed", arguments: ["en=page_view", "v=1&en=page_view", "v=&en=page_view", "v=22&en=page_view"])
    func wrongVersion(query: String) throws {
        let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: query)))
        #expect(error.httpStatus == 400)
        #expect(error.description.hasPrefix("the query string: ") && error.description.contains("v=2"))
    }

    @Test("missing or empty en is malformed", arguments: ["v=2", "v=2&en=", "v=2&en"])
    func missingEventName(query: String) throws {
        let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: query)))
        #expect(error == .malformed("the query string: missing en (the event name)"))
    }

    @Test("missing en on one body line names that line")
    func missingEventNameOnLine() throws {
        let error = try #require(Fixture.error(Fixture.hit("POST", "/g/collect", query: "v=2", body: "en=a\n\nep.x=1")))
        #expect(error == .malformed("line 3 of the /g/collect body: missing en (the event name)"))
    }

    @Test("a numeric parameter that is not a number is malformed",
          arguments: ["epn.value=12abc", "epn.value=", "epn.value=inf", "epn.value=nan", "epn.value=0x10", "upn.age=1%2C5", "_et=soon"])
    func badNumber(parameter: String) throws {
        let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=purchase&" + parameter)))
        let name = String(parameter.prefix { $0 != "=" })
        #expect(error.httpStatus == 400)
        #expect(error.description.hasPrefix("the query string: \(name) is not a number"))
    }

    @Test("a numeric item field that is not a number is malformed")
    func badItemNumber() throws {
        let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=purchase&pr1=idA~prcheap")))
        #expect(error == .malformed("the query string: pr1 field pr is not a number: \"cheap\""))
    }

    @Test("bad percent-encoding in the query is malformed and names the parameter")
    func badPercentInQuery() throws {
        let error = try #require(Fixture.error(Fixture.hit("/g/collect", query: "v=2&en=page_view&dt=50%+off")))
        #expect(error == .malformed("the query string: invalid percent-encoding in parameter \"dt\""))
    }

    @Test("bad percent-encoding in the body names the line")
    func badPercentInBody() throws {
        let body = "en=page_view\nen=scroll\nen=click&ep.link=%zz"
        let error = try #require(Fixture.error(Fixture.hit("POST", "/g/collect", query: "v=2", body: body)))
        #expect(error == .malformed("line 3 of the /g/collect body: invalid percent-encoding in parameter \"ep.link\""))
        #expect(error.httpStatus == 400)
    }

    @Test("a body over the limit is refused with 413 before parsing")
    func bodyTooLarge() throws {
        let configuration = IntakeConfiguration(bodyLimit: 16)
        let body = String(repeating: "en=page_view\n", count: 2)  // 26 bytes
        let error = try #require(Fixture.error(Fixture.hit("POST", "/g/collect", query: "v=2", body: body), configuration))
        #expect(error == .bodyTooLarge(limit: 16))
        #expect(error.httpStatus == 413)
        // At the limit exactly is accepted.
        let atLimit = try Fixture.events(Fixture.hit("POST", "/g/collect", query: "v=2", body: "en=page_view&x=1"), configuration)
        #expect(atLimit.count == 1)
    }

    @Test("methods other than GET and POST get 405", arguments: ["PUT", "DELETE", "PATCH", "HEAD"])
    func wrongMethod(method: String) throws {
        let error = try #require(Fixture.error(Fixture.hit(method, "/g/collect", query: "v=2&en=page_view")))
        #expect(error == .methodNotAllowed(method))
        #expect(error.httpStatus == 405)
    }

    @Test("ip_override and user_agent come from the request")
    func requestFields() throws {
        let hit = Fixture.hit("/g/collect", query: "v=2&en=page_view", headers: [("user-agent", "UA/1")], peer: "::ffff:198.51.100.23")
        let event = try #require(try Fixture.events(hit).first)
        #expect(event["ip_override"] == "198.51.100.23")
        #expect(event["user_agent"] == "UA/1")
    }
}
