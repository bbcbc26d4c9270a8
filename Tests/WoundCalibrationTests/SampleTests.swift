import Foundation
import Testing
import WoundCalibration
import WoundCore
import WoundImaging

/// The repository's `samples/` folder, found from this file's path.
private let samplesDirectory = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("samples")

/// One row of `samples/truth.csv`.
struct SampleTruth: CustomTestStringConvertible, Sendable {
  var file: String
  var pixelsPerMm: Double
  var tiltDegrees: Double
  var markerId: Int
  var testDescription: String { file }

  static func load() -> [SampleTruth] {
    guard
      let text = try? String(
        contentsOf: samplesDirectory.appendingPathComponent("truth.csv"), encoding: .utf8)
    else { return [] }
    let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").map(String.init) }
    guard let header = lines.first else { return [] }
    func column(_ name: String) -> Int { header.firstIndex(of: name)! }
    return lines.dropFirst().map { row in
      SampleTruth(
        file: row[column("file")], pixelsPerMm: Double(row[column("pxPerMm")])!,
        tiltDegrees: Double(row[column("tiltDeg")])!, markerId: Int(row[column("markerId")])!)
    }
  }
}

@Suite("Shipped samples")
struct SampleTests {
  @Test("each sample photo calibrates to its true scale at the marker", arguments: SampleTruth.load())
  func samplePhoto(truth: SampleTruth) throws {
    let path = samplesDirectory.appendingPathComponent(truth.file).path
    let photo = try PhotoDecoder.decode(path: path)
    #expect(photo.metadata.captureTime != nil)
    let calibration = try Calibrator.calibrate(image: photo.image, request: .marker)
    #expect(calibration.marker?.id == truth.markerId)
    #expect(abs(calibration.pixelsPerMm / truth.pixelsPerMm - 1) < 0.005)
    #expect(abs(try #require(calibration.marker?.tiltDegrees) - truth.tiltDegrees) < 3)
    #expect(calibration.warnings.isEmpty)
  }

  @Test("there are at least six sample photos")
  func enoughSamples() {
    #expect(SampleTruth.load().count >= 6)
  }

  @Test("the shipped printable PNG markers are 600 dpi and decode back to their IDs", arguments: [20, 30])
  func shippedMarker(id: Int) throws {
    let path = samplesDirectory.appendingPathComponent("markers/tag36h11-id\(id).png").path
    let photo = try PhotoDecoder.decode(path: path)
    let calibration = try Calibrator.calibrate(image: photo.image, request: .marker)
    #expect(calibration.marker?.id == id)
    #expect(abs(calibration.pixelsPerMm / (600 / 25.4) - 1) < 0.005)
    let svg = try String(
      contentsOf: samplesDirectory.appendingPathComponent("markers/tag36h11-id\(id).svg"), encoding: .utf8)
    #expect(svg == (try MarkerSheet.svg(id: id, sizeMm: Double(id))))
  }
}
