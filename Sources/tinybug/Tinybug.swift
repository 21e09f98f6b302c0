import ArgumentParser

@main
struct Tinybug: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tinybug",
        abstract: "Measures how effective a pull request's tests are, by running its CI once per injected bug.",
        subcommands: [
            Serve.self, Demo.self, Workflows.self, Pause.self, Resume.self, Cancel.self, RerunCommand.self,
            RestartCommand.self, Send.self,
        ])
}
