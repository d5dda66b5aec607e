import LuaHost
import PinterestCAPI
import TagdJSON
import UserDataHashing

/// `pinterest.send(config, event)`: hash what is not hashed yet, check the event against Pinterest's
/// contract, and queue it. A bad event is returned to the script as `nil, message`, never sent, because
/// Pinterest rejects a whole batch for one bad event.
enum PinterestModule {
    static func make(scope: InvocationScope, services: RuntimeServices, scratch: FlatScratch) -> NativeModule {
        let hasher = UserDataHasher(normalizer: services.normalizer)
        let delivery = services.delivery
        let records = services.recordsConversions
        // The event with its user_data hashed is a second document: reused too when nothing keeps it.
        let hashedScratch = FlatScratch()
        return NativeModule(name: "pinterest", functions: [
            "send": { args in
                // Both tables are read flat: no dictionary, array or string object per value.
                let destination = try scratch.withDocument { (config) throws(any Error) in
                    try FlatJSONReader.read(args, 1, into: &config)
                    return try scratch.destination(for: config) { () throws(any Error) in
                        try config.withRoot { (root) throws(NativeFunctionError) in
                            try PinterestModule.destination(from: root)
                        } ?? PinterestModule.destination(from: JSONValue.null)
                    }
                }
                guard records else {
                    // Nothing keeps the event past the call (the sender keeps its encoded bytes): the VM's
                    // reused document holds it.
                    return try scratch.withDocument { (event) throws(any Error) in
                        try FlatJSONReader.read(args, 2, into: &event)
                        return try hashedScratch.withDocument { (hashed) throws(any Error) in
                            try send(event, hashingInto: &hashed, to: destination, hasher: hasher, delivery: delivery).answer
                        }
                    }
                }
                // The event is kept (the hit's report), so it gets a document of its own, sized like the last.
                let size = scratch.lastEventSize
                let event = try FlatJSONReader.read(args, 2, nodeCapacity: size.nodes, byteCapacity: size.bytes)
                scratch.noteEvent(event)
                var hashed = FlatJSON()
                let sent = try send(event, hashingInto: &hashed, to: destination, hasher: hasher, delivery: delivery)
                scope.record(conversion(destination, sent.isHashed ? hashed : event, sent.outcome))
                return sent.answer
            }
        ])
    }

    /// Hashes what is not hashed yet and submits: the script's answer (`true, outcome` or `nil, message`),
    /// whether the event submitted is `hashed` (else `read` as it is), and the outcome or message. The event with
    /// its user_data in wire form is written into `hashed` when it is hashed here; otherwise `hashed` is left as it
    /// was (it may hold an earlier event) and must not be read.
    static func send(
        _ read: FlatJSON, hashingInto hashed: inout FlatJSON, to destination: PinterestDestination,
        hasher: UserDataHasher, delivery: any ConversionDelivery
    ) throws(NativeFunctionError) -> (answer: [LuaValue], isHashed: Bool, outcome: String) {
        let kind = read.withRoot(\.kind) ?? .null
        guard kind == .object else {
            throw NativeFunctionError("bad argument #2 to 'send' (table expected, got \(kind.name))")
        }
        var isHashed = false
        do {
            isHashed = try hasher.replacingUserData(in: read, into: &hashed)
            let outcome = isHashed ? try delivery.submit(hashed, to: destination) : try delivery.submit(read, to: destination)
            let name = outcomeName(outcome, dryRun: destination.isDryRun)
            return ([.bool(true), .string(name)], isHashed, name)
        } catch {
            let message = "\(error)"
            return ([.nil, .string(message)], isHashed, message)
        }
    }

    static func destination(from config: some JSONReadable) throws(NativeFunctionError) -> PinterestDestination {
        guard config.kind == .object else {
            throw NativeFunctionError("bad argument #1 to 'send' (table expected, got \(config.kind.name))")
        }
        let account: String
        let accountValue = config.member("ad_account_id")
        if let text = accountValue?.stringText {
            account = text
        } else if let number = accountValue?.intValue {
            account = String(number)
        } else {
            throw NativeFunctionError("pinterest.send: config.ad_account_id is required")
        }
        let token = config.member("token")?.stringText ?? ""
        let test = config.member("test")?.boolValue ?? false
        do {
            return try PinterestDestination(adAccountID: account, token: token, testMode: test)
        } catch {
            throw NativeFunctionError("pinterest.send: \(error)")
        }
    }

    /// `dry_run` for a queued event without a token: the sender logs its body instead of sending it.
    static func outcomeName(_ outcome: PinterestSender.SubmitOutcome, dryRun: Bool) -> String {
        switch outcome {
        case .queued: return dryRun ? "dry_run" : "queued"
        case .duplicate: return "duplicate"
        }
    }

    static func conversion(_ destination: PinterestDestination, _ event: FlatJSON, _ outcome: String) -> SubmittedConversion {
        SubmittedConversion(
            adAccountID: destination.adAccountID, testMode: destination.testMode, token: destination.token,
            dryRun: destination.isDryRun, flatEvent: event, outcome: outcome)
    }
}
