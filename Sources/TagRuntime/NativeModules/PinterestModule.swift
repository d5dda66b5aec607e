import LuaHost
import PinterestCAPI
import TagdJSON
import UserDataHashing

/// `pinterest.send(config, event)`: hash what is not hashed yet, check the event against Pinterest's
/// contract, and queue it. A bad event is returned to the script as `nil, message`, never sent, because
/// Pinterest rejects a whole batch for one bad event.
enum PinterestModule {
    static func make(scope: InvocationScope, services: RuntimeServices) -> NativeModule {
        let hasher = UserDataHasher(normalizer: services.normalizer)
        let delivery = services.delivery
        return NativeModule(name: "pinterest", functions: [
            "send": { args in
                let destination = try destination(from: try args.value(1, as: JSONValue.self))
                var event = try args.value(2, as: JSONValue.self)
                guard case .object(var fields) = event else {
                    throw NativeFunctionError("bad argument #2 to 'send' (table expected, got \(event.typeName))")
                }
                event = .null  // `fields` is then the only reference: replacing user_data copies nothing
                do {
                    if case .object(let userData)? = fields["user_data"] {
                        fields["user_data"] = .object(try hasher.hash(userData))
                    }
                    event = .object(fields)
                    let outcome = try delivery.submit(event, to: destination)
                    let name = outcomeName(outcome, dryRun: destination.isDryRun)
                    scope.record(conversion(destination, event, name))
                    return [.bool(true), .string(name)]
                } catch {
                    let message = "\(error)"
                    scope.record(conversion(destination, .object(fields), message))
                    return [.nil, .string(message)]
                }
            }
        ])
    }

    static func destination(from config: JSONValue) throws -> PinterestDestination {
        guard case .object(let fields) = config else {
            throw NativeFunctionError("bad argument #1 to 'send' (table expected, got \(config.typeName))")
        }
        let account: String
        switch fields["ad_account_id"] {
        case .string(let s)?: account = s
        case .int(let i)?: account = String(i)
        default: throw NativeFunctionError("pinterest.send: config.ad_account_id is required")
        }
        let token = fields["token"]?.stringValue ?? ""
        let test = fields["test"]?.boolValue ?? false
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

    static func conversion(_ destination: PinterestDestination, _ event: JSONValue, _ outcome: String) -> SubmittedConversion {
        SubmittedConversion(
            adAccountID: destination.adAccountID, testMode: destination.testMode, token: destination.token,
            dryRun: destination.isDryRun, event: event, outcome: outcome)
    }
}
