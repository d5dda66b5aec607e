import TagdJSON

/// Human-readable account of one hit, for `tagd run`.
public enum HitReport {
    public static func render(event: JSONValue, result: HitResult) -> String {
        var lines = ["event \(event["event_name"]?.stringValue ?? "(no event_name)")"]
        for run in result.tagRuns {
            var head = "  \(run.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(run.file) (\(run.tag))"
            if let outcome = run.outcome { head += ": \(outcome)" }
            lines.append(head)
            if let error = run.error { lines.append("    error: \(error)") }
            for log in run.logs { lines.append("    log.\(log.level): \(log.message)") }
            for conversion in run.conversions {
                let mode = conversion.dryRun ? "dry run" : (conversion.testMode ? "test" : "live")
                lines.append("    pinterest ad account \(conversion.adAccountID) (\(mode)): \(conversion.outcome)")
                lines.append("    " + conversion.event.encodedString())
            }
        }
        for cookie in result.cookies { lines.append("  set-cookie \(cookie.headerValue)") }
        return lines.joined(separator: "\n")
    }
}
