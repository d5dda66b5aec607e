import LuaHost
import Logging

/// `tagd check`: every template must compile and every tag must load into a valid tag.
public enum TagCheck {
    public struct Report: Sendable {
        public var lines: [String] = []
        public var errors = 0
        public var isClean: Bool { errors == 0 }
        public var summary: String {
            errors == 0 ? "all tags and templates are valid" : "\(errors) problem\(errors == 1 ? "" : "s") found"
        }
    }

    public static func run(bundle: TagBundle) throws -> Report {
        var report = Report()
        var quiet = Logger(label: "tagd.check")
        quiet.logLevel = .critical
        let services = RuntimeServices(delivery: RecordingDelivery(), logger: quiet, vmCount: 1)
        for template in bundle.templates.values.sorted(by: { $0.path < $1.path }) {
            if let error = TemplateCompiler.error(in: template, templates: bundle.templates, services: services) {
                report.errors += 1
                report.lines.append("error  \(error)")
            } else {
                report.lines.append("ok     \(template.path)")
            }
        }
        let engine = try TagEngine(bundle: bundle, services: services)
        for status in engine.statuses {
            if let error = status.error {
                report.errors += 1
                report.lines.append("error  \(error)")
            } else {
                report.lines.append("ok     \(status.file) (\(status.name))")
            }
        }
        return report
    }
}
