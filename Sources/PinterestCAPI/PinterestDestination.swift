/// Where events go: one Pinterest ad account, with the conversion token that may write to it.
///
/// Its descriptions never show the token, so a destination can be logged or put in an error freely.
public struct PinterestDestination: Hashable, Sendable {
    /// Digits only, at most 18 of them (the `ad_account_id` path parameter's schema).
    public let adAccountID: String
    /// The conversion access token. Empty means dry run: bodies are logged, never sent.
    public let token: String
    /// Sends `?test=true`: Pinterest checks the events but does not record them.
    public let testMode: Bool

    /// The account and test mode hashed once, when the destination is made (a process's hashes share its seed).
    private let accountHash: Int

    /// Equal destinations have equal accounts, so the hash leaves the token out: a destination is looked up on
    /// every submit (the outbox's queues, the loop's due times), and hashing the token each time was a fifth of
    /// queueing an event. Accounts rarely have two tokens; `==` still compares all three fields. The account's
    /// string is hashed once, at init: hashing it on each lookup was a third of finding the destination's queue.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(accountHash)
    }

    public init(adAccountID: String, token: String, testMode: Bool = false) throws(InvalidDestination) {
        guard !adAccountID.isEmpty, adAccountID.utf8.count <= 18,
            adAccountID.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else {
            throw InvalidDestination(adAccountID: adAccountID)
        }
        self.adAccountID = adAccountID
        self.token = token
        self.testMode = testMode
        var hasher = Hasher()
        hasher.combine(adAccountID)
        hasher.combine(testMode)
        accountHash = hasher.finalize()
    }

    /// No token: the sender logs what it would send instead of calling Pinterest.
    public var isDryRun: Bool { token.isEmpty }
}

extension PinterestDestination: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let token = isDryRun ? "none (dry run)" : "<redacted>"
        return "PinterestDestination(ad_account_id: \(adAccountID), test_mode: \(testMode), token: \(token))"
    }

    public var debugDescription: String { description }

    /// `dump` and the debugger read children through the mirror; keep the token out of it too.
    public var customMirror: Mirror {
        Mirror(self, children: ["adAccountID": adAccountID, "testMode": testMode, "token": isDryRun ? "" : "<redacted>"])
    }
}

/// An ad account ID that Pinterest's path parameter would refuse.
public struct InvalidDestination: Error, Sendable, CustomStringConvertible {
    public let adAccountID: String
    public var description: String { "ad account ID must be 1 to 18 digits, got '\(adAccountID.prefix(40))'" }
}
