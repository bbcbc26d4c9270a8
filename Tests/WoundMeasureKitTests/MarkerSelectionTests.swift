import Foundation
import Testing
import WoundCalibration
import WoundCore
import WoundImaging

@testable import WoundMeasureKit

/// Two printed markers in one photo: the one nearest the wound gives the scale.
@Suite struct MarkerSelectionTests {
  /// A 1400 x 700 photo at 10 px/mm with marker ID 20 at the top left and ID 30 at the top
  /// right, and a wound mask (a 200 x 120 px rectangle) at `woundOrigin`.
  static func scene(woundOrigin: (x: Int, y: Int)) throws -> (photo: String, mask: String) {
    var image = RGBImage(width: 1400, height: 700)
    for i in stride(from: 0, to: image.pixels.count, by: 3) {
      image.pixels[i] = 196
      image.pixels[i + 1] = 150
      image.pixels[i + 2] = 130
    }
    func paste(_ marker: GreyImage, x: Int, y: Int) {
      for row in 0..<marker.height {
        for col in 0..<marker.width {
          let v = marker[col, row]
          image[x + col, y + row] = (v, v, v)
        }
      }
    }
    paste(try MarkerSheet.raster(id: 20, sizeMm: 20, dotsPerInch: 254), x: 40, y: 40)
    paste(try MarkerSheet.raster(id: 30, sizeMm: 30, dotsPerInch: 254), x: 950, y: 40)
    var mask = GreyImage(width: 1400, height: 700)
    for y in woundOrigin.y..<(woundOrigin.y + 120) {
      for x in woundOrigin.x..<(woundOrigin.x + 200) {
        mask[x, y] = 255
        image[x, y] = (170, 40, 50)
      }
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wm-two-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try ImageEncoder.writePNG(image, to: folder + "/photo.png")
    try ImageEncoder.writePNG(mask, to: folder + "/mask.png")
    return (folder + "/photo.png", folder + "/mask.png")
  }

  @Test(arguments: [(x: 60, y: 520, expectedId: 20), (x: 1100, y: 520, expectedId: 30)])
  func theMarkerNearestTheWoundGivesTheScale(x: Int, y: Int, expectedId: Int) throws {
    let (photo, mask) = try Self.scene(woundOrigin: (x, y))
    defer { try? FileManager.default.removeItem(atPath: (photo as NSString).deletingLastPathComponent) }
    let outcome = try MeasurementPipeline.measure(
      photoAt: photo, settings: MeasurementSettings(maskPath: mask))
    #expect(outcome.calibration.markers.count == 2)
    #expect(outcome.entry.settings.markerId == expectedId)
    #expect(outcome.entry.settings.markerSizeMm == Double(expectedId))
    // 200 x 120 px at 10 px/mm = 20 mm x 12 mm = 2.4 cm².
    #expect(abs(outcome.entry.results.areaCm2 - 2.4) < 0.02, "area \(outcome.entry.results.areaCm2)")
  }
}
