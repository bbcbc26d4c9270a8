import ArgumentParser

extension WoundMeasureCommand {
  struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "inspect", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'inspect' is not available in this version yet")
    }
  }
}
