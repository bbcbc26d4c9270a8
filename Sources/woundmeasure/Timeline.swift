import ArgumentParser

extension WoundMeasureCommand {
  struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "timeline", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'timeline' is not available in this version yet")
    }
  }
}
