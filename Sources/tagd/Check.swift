import ArgumentParser
import Foundation
import Logging
import TagRuntime

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile and validate every tag and template; exit non-zero on any error.")

    @Argument(help: "Folder holding tags/ and templates/.") var folder: String = "."

    func run() async throws {
        let bundle = try TagBundle.read(
            tagsFolder: folder + "/tags", templatesFolder: folder + "/templates")
        let report = try TagCheck.run(bundle: bundle)
        for line in report.lines { print(line) }
        print(report.summary)
        if !report.isClean { throw ExitCode.failure }
    }
}
