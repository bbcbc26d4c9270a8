import ArgumentParser

extension WoundMeasureCommand {
  struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "calibrate", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'calibrate' is not available in this version yet")
    }
  }
}
