import ArgumentParser

extension WoundMeasureCommand {
  struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "audit", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'audit' is not available in this version yet")
    }
  }
}
