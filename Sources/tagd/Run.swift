import ArgumentParser
import Foundation
import Logging
import TagRuntime
import TagdJSON

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one hit through the tags and show what each would send, without sending anything.")

    @Option(help: "JSON file with one event (common event data) or a list of them; '-' or absent reads standard input.")
    var event: String?
    @Argument(help: "Folder holding tags/ and templates/.") var folder: String = "."

    func run() async throws {
        let data: Data
        if let event, event != "-" {
            data = try Data(contentsOf: URL(fileURLWithPath: event))
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let parsed = try JSONValue.parse(Array(data))
        let events: [JSONValue] = parsed.arrayValue ?? [parsed]
        let bundle = try TagBundle.read(tagsFolder: folder + "/tags", templatesFolder: folder + "/templates")
        var quiet = Logger(label: "tagd.run")
        quiet.logLevel = .critical
        let engine = try TagEngine(
            bundle: bundle,
            services: RuntimeServices(
                delivery: RecordingDelivery(), environment: ProcessInfo.processInfo.environment, logger: quiet, vmCount: 1))
        for status in engine.statuses where !status.isLoaded {
            print("not loaded  \(status.file): \(status.error ?? "")")
        }
        for event in events {
            let result = await engine.process(event: event)
            print(HitReport.render(event: event, result: result))
        }
    }
}
