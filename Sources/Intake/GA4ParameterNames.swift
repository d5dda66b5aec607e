/// Where each GA4 measurement-protocol parameter lands in common event data. Kept as data so
/// `docs/event-data.md` and the code can be checked against each other at a glance.
enum GA4ParameterNames {
    /// Parameters that become standard event-data fields, as server-side GTM's GA4 client names them.
    static let eventFields: [String: String] = [
        "en": "event_name",
        "cid": "client_id",
        "uid": "user_id",
        "dl": "page_location",
        "dr": "page_referrer",
        "dt": "page_title",
        "ul": "language",
        "sr": "screen_resolution",
        "cu": "currency",
    ]

    /// Protocol details that tags rarely need, under `x-ga-` so they never collide with event parameters.
    static let protocolFields: [String: String] = [
        "v": "x-ga-protocol_version",
        "tid": "x-ga-measurement_id",
        "gtm": "x-ga-gtm_version",
        "_p": "x-ga-page_id",
        "_s": "x-ga-request_count",
        "sid": "x-ga-session_id",
        "sct": "x-ga-session_number",
        "seg": "x-ga-engaged_session",
        "gcs": "x-ga-gcs",
        "gcd": "x-ga-gcd",
        "dma": "x-ga-dma",
        "dma_cps": "x-ga-dma_cps",
        "npa": "x-ga-npa",
    ]

    /// Underscore flags gathered in the `x-ga-system_properties` object, named without the underscore.
    static let systemProperties: [String: String] = [
        "_ss": "ss",  // session start
        "_fv": "fv",  // first visit
        "_dbg": "dbg",  // debug mode (DebugView)
        "_nsi": "nsi",  // new session id
        "_ee": "ee",  // enhanced measurement / user-provided data flag
    ]

    /// User-agent client hints, gathered in the `client_hints` object.
    static let clientHints: [String: String] = [
        "uaa": "architecture",
        "uab": "bitness",
        "uafvl": "full_version_list",
        "uam": "model",
        "uamb": "mobile",
        "uap": "platform",
        "uapv": "platform_version",
        "uaw": "wow64",
    ]

    /// `_et`: engagement time, a number like server-side GTM's `engagement_time_msec`.
    static let engagementTimeField = "engagement_time_msec"

    /// Where a plain (non-prefixed) parameter goes.
    enum Target: Sendable {
        case field(String)
        case systemProperty(String)
        case clientHint(String)
        case engagementTime
    }

    /// All the tables above in one, so mapping a parameter costs one hash lookup.
    static let targets: [String: Target] = {
        var targets: [String: Target] = ["_et": .engagementTime]
        for (name, field) in eventFields { targets[name] = .field(field) }
        for (name, field) in protocolFields { targets[name] = .field(field) }
        for (name, property) in systemProperties { targets[name] = .systemProperty(property) }
        for (name, hint) in clientHints { targets[name] = .clientHint(hint) }
        return targets
    }()

    /// Where a plain parameter goes: `targets`, looked up by the name's bytes packed in an integer (every name
    /// there is short), which hashes in a fraction of a `String`'s time; this runs for every parameter of a hit.
    static func target(_ name: String) -> Target? {
        placedTarget(name)?.target
    }

    /// `target(name)` and, for a field, its index in `rootFieldNames` (-1 for the rest).
    static func placedTarget(_ name: String) -> (target: Target, slot: Int)? {
        packedName(name).flatMap { packedTargets[$0] }
    }

    /// Every root member the mapper sets itself, each at most once: the fields, then the objects it gathers. An
    /// `ep.` of one of these names yields to it; an index here is one bit of a mask (there are fewer than 64).
    static let rootFieldNames: [String] =
        Set(eventFields.values).union(protocolFields.values).sorted()
        + [engagementTimeField, userPropertiesField, itemsField, systemPropertiesField, clientHintsField, unmappedField]

    private static let packedTargets: [UInt64: (target: Target, slot: Int)] = {
        var packed: [UInt64: (target: Target, slot: Int)] = [:]
        for (name, target) in targets {
            guard let key = packedName(name) else { preconditionFailure("GA4 parameter name \(name) is too long to pack") }
            let slot: Int
            switch target {
            case .field(let field): slot = rootFieldNames.firstIndex(of: field) ?? -1
            case .engagementTime: slot = rootFieldNames.firstIndex(of: engagementTimeField) ?? -1
            case .systemProperty, .clientHint: slot = -1
            }
            packed[key] = (target, slot)
        }
        return packed
    }()

    /// Up to seven bytes and their count in the top byte; nil for a longer name.
    private static func packedName(_ name: String) -> UInt64? {
        guard name.utf8.count <= 7 else { return nil }
        var name = name
        // On the contiguous bytes: iterating `String.UTF8View` cost several times more.
        return name.withUTF8 { utf8 in
            var key = UInt64(utf8.count) << 56
            var shift: UInt64 = 0
            for byte in utf8 {
                key |= UInt64(byte) << shift
                shift += 8
            }
            return key
        }
    }

    /// Everything not listed above and not `ep.` / `epn.` / `up.` / `upn.` / `prN` is kept, as sent, in this object.
    static let unmappedField = "x-ga-unmapped"
    static let systemPropertiesField = "x-ga-system_properties"
    static let clientHintsField = "client_hints"
    static let userPropertiesField = "user_properties"
    static let itemsField = "items"

    /// Two-letter item field codes of `prN` and their `items[]` keys.
    static let itemFields: [String: String] = [
        "id": "item_id",
        "nm": "item_name",
        "br": "item_brand",
        "ca": "item_category",
        "c2": "item_category2",
        "c3": "item_category3",
        "c4": "item_category4",
        "c5": "item_category5",
        "va": "item_variant",
        "pr": "price",
        "qt": "quantity",
        "cp": "coupon",
        "ds": "discount",
        "lp": "index",
        "li": "item_list_id",
        "ln": "item_list_name",
        "lo": "location_id",
        "af": "affiliation",
        "cn": "creative_name",
        "cs": "creative_slot",
        "pi": "promotion_id",
        "pn": "promotion_name",
    ]

    /// Item codes whose values are numbers.
    static let numericItemFields: Set<String> = ["pr", "qt", "ds", "lp"]

    /// `itemFields` with whether each is numeric: one lookup a field.
    static let itemFieldTargets: [String: (key: String, isNumeric: Bool)] = itemFields.reduce(into: [:]) { targets, field in
        targets[field.key] = (field.value, numericItemFields.contains(field.key))
    }
}
