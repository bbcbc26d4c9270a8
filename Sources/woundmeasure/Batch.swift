import ArgumentParser

extension WoundMeasureCommand {
  struct Batch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "batch", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'batch' is not available in this version yet")
    }
  }
}
