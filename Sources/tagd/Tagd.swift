import ArgumentParser

@main
struct Tagd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tagd",
        abstract: "A server-side tag runtime: hits in, Lua tags, conversions out to Pinterest.",
        subcommands: [Serve.self, Check.self, TestCommand.self, Run.self],
        defaultSubcommand: Serve.self
    )
}
