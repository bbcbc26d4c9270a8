import ArgumentParser

extension WoundMeasureCommand {
  struct Marker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "marker", abstract: "(not yet available)")

    func run() async throws {
      throw ValidationError("'marker' is not available in this version yet")
    }
  }
}
