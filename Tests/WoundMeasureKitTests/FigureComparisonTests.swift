import Foundation
import Testing

@testable import WoundMeasureKit

@Suite struct FigureComparisonTests {
  @Test func identicalDocumentsHaveNoDifferences() {
    let json = Data(#"{"areaCm2": 1.25, "regions": [{"areaCm2": 1.25}], "tissue": null, "flag": true}"#.utf8)
    #expect(FigureComparison.differences(stored: json, recomputed: json).isEmpty)
  }

  @Test func numbersAreComparedExactlyAndListedByKeyPath() {
    let stored = Data(#"{"areaCm2": 1.25, "regions": [{"areaCm2": 1.25}, {"areaCm2": 0.5}], "ok": true}"#.utf8)
    let rerun = Data(#"{"areaCm2": 1.2500000000000002, "regions": [{"areaCm2": 1.25}], "ok": false}"#.utf8)
    let differences = FigureComparison.differences(stored: stored, recomputed: rerun)
    #expect(differences.map(\.figure) == ["areaCm2", "ok", "regions[1].areaCm2"])
    #expect(differences[0].difference! > 0)
    #expect(differences[0].difference! < 1e-12)
    #expect(differences[1].stored == "true")
    #expect(differences[1].recomputed == "false")
    #expect(differences[1].difference == nil)
    #expect(differences[2].stored == "0.5")
    #expect(differences[2].recomputed == "null")
  }

  @Test func relativeDifference() {
    let d = FigureComparison.differences(
      stored: Data(#"{"perimeterCm": 10}"#.utf8), recomputed: Data(#"{"perimeterCm": 10.5}"#.utf8))
    #expect(d.count == 1)
    #expect(d[0].difference == 0.5)
    #expect(d[0].relativeDifference == 0.05)
  }
}
