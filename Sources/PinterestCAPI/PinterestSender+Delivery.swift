import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import TagdJSON

/// One batch's way to Pinterest: the request, the retries, and reading the answer.
extension PinterestSender {
    /// How one HTTP attempt ended.
    enum AttemptResult: Sendable {
        case answered(status: Int, body: FlatJSON?, retryAfter: Duration?)
        case transportFailed(String)
        case cancelled
    }

    func deliver(_ entries: [OutboxEntry], to destination: PinterestDestination) async {
        let ids = entries.map(\.id)
        let body = BatchBody.make(entries)
        metrics.batchSize.record(entries.count)
        var logger = self.logger
        logger[metadataKey: "pinterest.ad_account_id"] = "\(destination.adAccountID)"
        logger[metadataKey: "pinterest.batch_size"] = "\(entries.count)"
        if destination.testMode { logger[metadataKey: "pinterest.test_mode"] = "true" }

        if destination.isDryRun {
            logger.info("pinterest dry run, not sent: POST \(path(for: destination)) \(String(buffer: body))")
            count(\.dryRun, entries.count, metrics.dryRun)
            try? outbox.acknowledge(ids, as: .dryRun)
            return
        }

        var attempt = 1
        while true {
            guard !Task.isCancelled else { return requeue(ids, logger: logger) }
            let reason: String
            var retryAfter: Duration?
            switch await post(body, to: destination) {
            case .cancelled:
                return requeue(ids, logger: logger)
            case .transportFailed(let description):
                reason = description
            case .answered(let status, let answer, let after) where status == 429 || (500...599).contains(status):
                reason = "HTTP \(status)" + (answer.flatMap { PinterestErrorBody($0, validator: validator) }.map { ": \($0.message)" } ?? "")
                retryAfter = after
            case .answered(let status, let answer, _):
                return settle(entries, status: status, answer: answer, destination: destination, logger: logger)
            }

            let retry = configuration.retry
            guard attempt < retry.maxAttempts else {
                logger.error(
                    "pinterest batch failed, retries exhausted",
                    metadata: ["pinterest.attempts": "\(attempt)", "pinterest.reason": "\(redact(reason, for: destination))"])
                count(\.failed, entries.count, metrics.failed)
                try? outbox.acknowledge(ids, as: .failed(reason: reason))
                return
            }
            let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
            logger.warning(
                "pinterest batch will be retried",
                metadata: [
                    "pinterest.attempt": "\(attempt)", "pinterest.retry_in": "\(delay)",
                    "pinterest.reason": "\(redact(reason, for: destination))",
                ])
            count(\.retried, entries.count, metrics.retried)
            do {
                try await retry.sleep(delay)
            } catch {
                return requeue(ids, logger: logger)  // cancelled by a shutdown deadline
            }
            attempt += 1
        }
    }

    /// `POST {baseURL}/v5/ad_accounts/{id}/events`, once.
    func post(_ body: ByteBuffer, to destination: PinterestDestination) async -> AttemptResult {
        var request = HTTPClientRequest(url: configuration.baseURL + path(for: destination))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(destination.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(body)
        count(\.requests, 1, nil)
        let started = ContinuousClock.now
        do {
            let response = try await httpClient.execute(
                request, timeout: .nanoseconds(configuration.requestTimeout.nanosecondsClamped))
            let bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
            metrics.recordRequest(duration: .now - started, status: "\(response.status.code)")
            return .answered(
                status: Int(response.status.code),
                body: try? FlatJSON.parse(bytes.readableBytesView),
                retryAfter: response.headers.first(name: "Retry-After").flatMap(Self.parseRetryAfter))
        } catch {
            metrics.recordRequest(duration: .now - started, status: "network_error")
            if Task.isCancelled { return .cancelled }
            return .transportFailed(String(describing: error))
        }
    }

    /// Ends a batch that got a final answer: per-event results for 2xx and 422, a refusal otherwise.
    private func settle(
        _ entries: [OutboxEntry], status: Int, answer: FlatJSON?, destination: PinterestDestination, logger: Logger
    ) {
        if (200...299).contains(status) || status == 422,
            let results = answer.flatMap({ ConversionAPIResult($0, validator: validator) })
        {
            var failedIDs: [OutboxEntry.ID] = []
            for (index, result) in results.events.enumerated() where !result.processed && index < entries.count {
                failedIDs.append(entries[index].id)
                let event = entries[index].event
                logger.warning(
                    "pinterest refused an event",
                    metadata: [
                        "pinterest.event_name": "\(event.eventName)",
                        "pinterest.event_id": "\(event.eventID)",
                        "pinterest.error": "\(redact(result.errorMessage ?? "no error message", for: destination))",
                    ])
            }
            if results.events.count != entries.count {
                logger.warning(
                    "pinterest answered a different number of results than events sent; events not reported failed count as sent",
                    metadata: ["pinterest.results": "\(results.events.count)"])
            }
            let warnings = results.events.compactMap(\.warningMessage)
            if let first = warnings.first {
                logger.notice(
                    "pinterest accepted events with warnings",
                    metadata: ["pinterest.warnings": "\(warnings.count)", "pinterest.first_warning": "\(redact(first, for: destination))"])
            }
            let failed = Set(failedIDs)
            count(\.sent, entries.count - failed.count, metrics.sent)
            count(\.failed, failed.count, metrics.failed)
            try? outbox.acknowledge(entries.map(\.id).filter { !failed.contains($0) }, as: .delivered)
            try? outbox.acknowledge(failedIDs, as: .failed(reason: "refused by Pinterest"))
            return
        }
        if (200...299).contains(status) {
            logger.warning("pinterest accepted a batch with an answer that is not a ConversionApiResponse", metadata: ["http.status": "\(status)"])
            count(\.sent, entries.count, metrics.sent)
            try? outbox.acknowledge(entries.map(\.id), as: .delivered)
            return
        }
        // 400, 401, 403, 422 without results, other 4xx: the same body would be refused again.
        let error = answer.flatMap { PinterestErrorBody($0, validator: validator) }
        let message = redact(error?.message ?? "no error message", for: destination)
        logger.error(
            "pinterest refused a batch",
            metadata: [
                "http.status": "\(status)", "pinterest.code": "\(error.map { String($0.code) } ?? "none")",
                "pinterest.message": "\(message)",
            ])
        count(\.failed, entries.count, metrics.failed)
        try? outbox.acknowledge(entries.map(\.id), as: .failed(reason: "HTTP \(status): \(message)"))
    }

    private func requeue(_ ids: [OutboxEntry.ID], logger: Logger) {
        logger.notice("pinterest batch put back in the outbox: sender stopping")
        try? outbox.requeue(ids)
    }

    func path(for destination: PinterestDestination) -> String {
        "/v5/ad_accounts/\(destination.adAccountID)/events" + (destination.testMode ? "?test=true" : "")
    }

    /// `Retry-After` in seconds (the HTTP-date form is ignored: backoff applies instead).
    static func parseRetryAfter(_ value: String) -> Duration? {
        guard let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    /// Text from Pinterest or from an error, with the destination's token cut out, in case a
    /// server or a library ever echoes it: a token must never reach a log line.
    func redact(_ text: String, for destination: PinterestDestination) -> String {
        destination.token.isEmpty ? text : text.replacing(destination.token, with: "<redacted>")
    }
}
