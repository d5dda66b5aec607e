import Hummingbird
import Logging
import NIOCore
import PinterestCAPI
import ServiceLifecycle
import Synchronization
import TagdJSON

/// A real HTTP server on 127.0.0.1 that answers like Pinterest's `POST /v5/ad_accounts/{id}/events`,
/// for tests, integration tests and benchmarks.
///
/// It checks the method, path, `Authorization: Bearer`, content type, and validates every body
/// against Pinterest's schema, answering 400 with an `Error` body on a violation and 200 with a
/// `ConversionApiResponse` (all processed) otherwise. Canned answers (`enqueue`) replace that for the
/// next requests. Every request is recorded; tests await them with `waitForRequests`/`waitForEvents`
/// instead of sleeping. It logs nothing per request above debug level.
public final class FakePinterest: Sendable {
    let validator: ConversionEventValidator
    let state = Mutex(State())

    struct State {
        var port: Int?
        var requests: [ReceivedRequest] = []
        var canned: [CannedResponse] = []
        var waiters: [UInt64: Waiter] = [:]
        var expiredWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var startWaiter: CheckedContinuation<Int, any Error>?
        var startFailure: (any Error)?
        var serviceGroup: ServiceGroup?
        var runTask: Task<Void, Never>?
        var stopped = false
    }

    struct Waiter {
        let isSatisfied: @Sendable ([ReceivedRequest]) -> Bool
        let continuation: CheckedContinuation<[ReceivedRequest], any Error>
    }

    init(validator: ConversionEventValidator) {
        self.validator = validator
    }

    /// Starts a fake on an ephemeral port of 127.0.0.1 and returns once it accepts connections.
    /// Call `stop()` when done, or use `withFakePinterest`.
    public static func start(
        validator: ConversionEventValidator = .pinterest,
        logger: Logger = FakePinterest.quietLogger
    ) async throws -> FakePinterest {
        let fake = FakePinterest(validator: validator)
        let app = Application(
            router: fake.makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in fake.serverDidStart(port: channel.localAddress?.port) },
            logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do {
                try await group.run()
                fake.serverDidStop(error: nil)
            } catch {
                fake.serverDidStop(error: error)
            }
        }
        fake.state.withLock { state in
            state.serviceGroup = group
            state.runTask = task
        }
        _ = try await fake.waitUntilStarted()
        return fake
    }

    /// Stops the server and fails any test still waiting on it.
    public func stop() async {
        let (group, task) = state.withLock { ($0.serviceGroup, $0.runTask) }
        await group?.triggerGracefulShutdown()
        await task?.value
    }

    /// The bound port (after `start`).
    public var port: Int { state.withLock { $0.port ?? 0 } }

    /// `http://127.0.0.1:PORT`, for `PinterestSender.Configuration.baseURL`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    public var requests: [ReceivedRequest] { state.withLock { $0.requests } }

    /// Scripts the answers to the next requests, in order; after them the fake answers normally.
    public func enqueue(_ responses: CannedResponse...) {
        state.withLock { $0.canned.append(contentsOf: responses) }
    }

    /// A logger that only reports errors, so a fake serving a benchmark stays quiet.
    public static var quietLogger: Logger {
        var logger = Logger(label: "tagd.fake-pinterest")
        logger.logLevel = .error
        return logger
    }
}

// MARK: - Lifecycle

extension FakePinterest {
    func serverDidStart(port: Int?) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            state.port = port
            defer { state.startWaiter = nil }
            return state.startWaiter
        }
        waiter?.resume(returning: port ?? 0)
    }

    func serverDidStop(error: (any Error)?) {
        let (startWaiter, waiters) = state.withLock { state in
            state.stopped = true
            state.startFailure = error ?? FakePinterestError.stopped
            defer {
                state.startWaiter = nil
                state.waiters = [:]
            }
            return (state.startWaiter, state.waiters.values)
        }
        startWaiter?.resume(throwing: error ?? FakePinterestError.stopped)
        for waiter in waiters { waiter.continuation.resume(throwing: FakePinterestError.stopped) }
    }

    private func waitUntilStarted() async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let outcome = state.withLock { state -> Result<Int, any Error>? in
                if let port = state.port { return .success(port) }
                if let failure = state.startFailure { return .failure(failure) }
                state.startWaiter = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}

/// Why waiting on the fake ended without what the test wanted.
public enum FakePinterestError: Error, Sendable, CustomStringConvertible {
    case timedOut(waitingFor: String, received: Int)
    case stopped

    public var description: String {
        switch self {
        case .timedOut(let what, let received):
            return "fake Pinterest timed out waiting for \(what) (\(received) requests received)"
        case .stopped:
            return "fake Pinterest stopped"
        }
    }
}
