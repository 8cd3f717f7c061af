import ArgumentParser

/// `convtutor bench` (being written by the lead).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure kernel speed.")
    func run() throws {}
}
