import ArgumentParser
import TagRuntime
import TagTesting

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the tag tests in tests/*.json with no network; exit non-zero on any failure.")

    @Argument(help: "Folder holding tags/, templates/ and tests/.") var folder: String = "."

    func run() async throws {
        let bundle = try TagBundle.read(tagsFolder: folder + "/tags", templatesFolder: folder + "/templates")
        let tests = try TagTestRunner.tests(in: folder)
        if tests.isEmpty {
            print("no tests in \(folder)/tests")
            throw ExitCode.failure
        }
        let report = await TagTestRunner(bundle: bundle).run(tests)
        print(report.render())
        if report.failed > 0 { throw ExitCode.failure }
    }
}
