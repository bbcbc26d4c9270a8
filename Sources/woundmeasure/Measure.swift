import ArgumentParser

extension WoundMeasureCommand {
  struct Measure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "measure", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'measure' is not available in this version yet")
    }
  }
}
