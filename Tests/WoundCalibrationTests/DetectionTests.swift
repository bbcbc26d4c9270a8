import Foundation
import Testing
import WoundCore

@testable import WoundCalibration

/// A photo (640 x 480 unless told) of markers on skin, straight on unless told.
private func photo(
  markers: [SyntheticScene.PlacedMarker], pixelsPerMm: Double = 8, rotationDegrees: Double = 0,
  tiltDegrees: Double = 0, centreMm: Point = Point(10, 10), width: Int = 640, height: Int = 480
) -> (RGBImage, Camera) {
  let camera = Camera(
    width: width, height: height, pixelsPerMm: pixelsPerMm, rotationDegrees: rotationDegrees,
    tiltDegrees: tiltDegrees, centreMm: centreMm)
  let scene = SyntheticScene(shape: nil, markers: markers)
  return (scene.render(width: width, height: height, pixelsFromMm: camera.pixelsFromMm), camera)
}

private func distance(_ a: Point, _ b: Point) -> Double {
  ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
}

@Suite("Marker detection")
struct DetectionTests {
  @Test(
    "corners are sub-pixel, clockwise from the tag's own top-left, at any rotation",
    arguments: [0.0, 37.0, 90.0, 180.0, 270.0])
  func cornersFollowTheTag(rotationDegrees: Double) throws {
    let marker = SyntheticScene.PlacedMarker(id: 20, originMm: Point(0, 0), sizeMm: 20)
    let (image, camera) = photo(markers: [marker], rotationDegrees: rotationDegrees)
    let calibration = try Calibrator.calibrate(image: image, request: .marker)
    #expect(calibration.method == .marker)
    #expect(calibration.marker?.id == 20)
    #expect(calibration.marker?.sizeMm == 20)
    let expected = marker.cornersMm.map { camera.pixelsFromMm.apply($0) }
    let found = try #require(calibration.marker?.corners)
    for (f, e) in zip(found, expected) {
      #expect(distance(f, e) < 0.15, "corner \(f) expected \(e)")
    }
    #expect(abs(calibration.pixelsPerMm / 8 - 1) < 0.003)
    #expect(calibration.warnings.isEmpty)
    #expect(try #require(calibration.marker?.tiltDegrees) < 3)
  }

  @Test("the same photo gives bit-identical corners twice")
  func deterministic() throws {
    let marker = SyntheticScene.PlacedMarker(id: 30, originMm: Point(0, 0), sizeMm: 30)
    let (image, _) = photo(
      markers: [marker], pixelsPerMm: 6, rotationDegrees: 23, tiltDegrees: 20,
      centreMm: Point(15, 15))
    let first = try Calibrator.calibrate(image: image, request: .marker)
    let second = try Calibrator.calibrate(image: image, request: .marker)
    #expect(first == second)
    #expect(first.marker?.corners == second.marker?.corners)
  }

  @Test("the library reads the grey photo in place and leaves it as it was")
  func detectionLeavesTheImageAlone() throws {
    let marker = SyntheticScene.PlacedMarker(id: 20, originMm: Point(0, 0), sizeMm: 20)
    let (image, _) = photo(markers: [marker])
    let grey = Calibrator.greyImage(from: image)
    let before = grey.pixels.map { $0 }  // a copy with its own storage
    for decimate: Float in [1, 2] {
      let detector = AprilTag.Detector(quadDecimate: decimate)
      #expect(detector.detect(grey).count == 1)
      #expect(grey.pixels == before)
    }
  }

  @Test(
    "the half-size grey image is the mean luma of each 2 x 2 block, in AVX2 rows or not",
    arguments: [false, true], [(2, 2), (17, 5), (33, 4), (70, 9), (641, 480)])
  func halfGreyImageIsTheBlockLuma(wide: Bool, size: (width: Int, height: Int)) {
    let (width, height) = size
    if wide && !Calibrator.wideRowsAvailable { return }  // this processor has no AVX2
    // Bytes from a fixed generator, extremes included.
    var state: UInt32 = 12_345
    var image = RGBImage(width: width, height: height)
    for i in image.pixels.indices {
      state = state &* 1_664_525 &+ 1_013_904_223
      image.pixels[i] = i % 7 == 0 ? 255 : i % 11 == 0 ? 0 : UInt8(truncatingIfNeeded: state >> 24)
    }
    let half = Calibrator.halfGreyImage(from: image, wide: wide)
    #expect(half.width == width / 2 && half.height == height / 2)
    for j in 0..<height / 2 {
      for i in 0..<width / 2 {
        var sums = [UInt32](repeating: 0, count: 3)
        for (x, y) in [(2 * i, 2 * j), (2 * i + 1, 2 * j), (2 * i, 2 * j + 1), (2 * i + 1, 2 * j + 1)] {
          for c in 0..<3 { sums[c] += UInt32(image.pixels[(y * width + x) * 3 + c]) }
        }
        let expected = UInt8((77 * sums[0] + 150 * sums[1] + 29 * sums[2] + 512) >> 10)
        #expect(half.pixels[j * half.width + i] == expected, "pixel (\(i), \(j))")
      }
    }
  }

  @Test("a photo without a marker is refused")
  func noMarker() throws {
    let (image, _) = photo(markers: [])
    #expect(throws: CalibrationError.noMarker(rejected: 0)) {
      try Calibrator.calibrate(image: image, request: .marker)
    }
  }

  @Test("a marker whose ID states no size is refused unless a size is given")
  func unknownSize() throws {
    let marker = SyntheticScene.PlacedMarker(id: 5, originMm: Point(0, 0), sizeMm: 25)
    let (image, _) = photo(markers: [marker], centreMm: Point(12.5, 12.5))
    #expect(throws: CalibrationError.unknownMarkerSize(id: 5)) {
      try Calibrator.calibrate(image: image, request: .marker)
    }
    let calibration = try Calibrator.calibrate(image: image, request: .marker(sizeMmOverride: 25))
    #expect(calibration.marker?.id == 5)
    #expect(calibration.marker?.sizeMm == 25)
    #expect(abs(calibration.pixelsPerMm / 8 - 1) < 0.003)
    #expect(CalibrationError.unknownMarkerSize(id: 5).description.contains("--marker-size"))
  }

  @Test("several markers: the one nearest the centre, re-selectable, and a warning when sizes disagree")
  func severalMarkers() throws {
    let small = SyntheticScene.PlacedMarker(id: 20, originMm: Point(-5, 0), sizeMm: 20)
    // Printed at 27 mm although its ID says 30: 10 % off.
    let wrong = SyntheticScene.PlacedMarker(id: 30, originMm: Point(40, 0), sizeMm: 27)
    let (image, camera) = photo(
      markers: [small, wrong], pixelsPerMm: 7, centreMm: Point(25, 12), width: 800, height: 600)
    let calibration = try Calibrator.calibrate(image: image, request: .marker)
    #expect(calibration.markers.map(\.id) == [20, 30])
    #expect(calibration.marker?.id == 20)
    #expect(calibration.warnings.contains { $0.code == .markersDisagree && $0.message.contains("ID 30") })
    let far = camera.pixelsFromMm.apply(wrong.centreMm)
    let reselected = calibration.selectingMarker(nearest: far)
    #expect(reselected.marker?.id == 30)
    #expect(reselected.marker?.sizeMm == 30)
    #expect(reselected.warnings.contains { $0.code == .markersDisagree && $0.message.contains("ID 20") })
    // Re-selecting the marker already chosen changes nothing.
    #expect(calibration.selectingMarker(nearest: camera.pixelsFromMm.apply(small.centreMm)) == calibration)
  }

  @Test("markers that agree give no warning")
  func agreeingMarkers() throws {
    let a = SyntheticScene.PlacedMarker(id: 20, originMm: Point(-5, 0), sizeMm: 20)
    let b = SyntheticScene.PlacedMarker(id: 30, originMm: Point(40, -5), sizeMm: 30, rotationRadians: 0.4)
    let (image, _) = photo(
      markers: [a, b], pixelsPerMm: 7, tiltDegrees: 25, centreMm: Point(25, 12), width: 800, height: 600)
    let calibration = try Calibrator.calibrate(image: image, request: .marker)
    #expect(calibration.markers.count == 2)
    #expect(calibration.warnings.isEmpty)
  }

  @Test("a very oblique view and a tiny marker are warned about")
  func unreliableScale() throws {
    let marker = SyntheticScene.PlacedMarker(id: 20, originMm: Point(0, 0), sizeMm: 20)
    let (oblique, _) = photo(markers: [marker], pixelsPerMm: 10, tiltDegrees: 64)
    let tilted = try Calibrator.calibrate(image: oblique, request: .marker)
    #expect(tilted.warnings.contains { $0.code == .obliqueMarker && $0.message.contains("obliquely") })
    #expect(try #require(tilted.marker?.sideRatio) < 0.5)
    #expect(try #require(tilted.marker?.tiltDegrees) > 55)

    let (tiny, _) = photo(markers: [marker], pixelsPerMm: 1.7)
    let small = try Calibrator.calibrate(image: tiny, request: .marker)
    #expect(small.warnings.contains { $0.code == .smallMarker && $0.message.contains("px across") })
    #expect(try #require(small.marker?.sizePixels) < 40)
  }

  @Test("the marker outline covers the white border")
  func outline() throws {
    let marker = SyntheticScene.PlacedMarker(id: 20, originMm: Point(0, 0), sizeMm: 20)
    let (image, camera) = photo(markers: [marker], rotationDegrees: 15, tiltDegrees: 20)
    let calibration = try Calibrator.calibrate(image: image, request: .marker)
    let outline = try #require(calibration.marker?.outlinePixels)
    #expect(outline.count == 4)
    // The white border's outer corners (1 module = 2.5 mm out) lie inside the outline.
    let border = [Point(-2.5, -2.5), Point(22.5, -2.5), Point(22.5, 22.5), Point(-2.5, 22.5)]
      .map { camera.pixelsFromMm.apply($0) }
    for p in border { #expect(inside(p, outline)) }
    // ... and a point 2 modules out does not.
    #expect(!inside(camera.pixelsFromMm.apply(Point(-5.5, 10)), outline))
  }

  @Test("an explicit scale and a ruler are pure scales, recorded as given")
  func explicitScales() throws {
    let image = RGBImage(width: 64, height: 64)
    let scale = try Calibrator.calibrate(image: image, request: .scale(pixelsPerMm: 12.5))
    #expect(scale.method == .scale)
    #expect(scale.pixelsPerMm == 12.5)
    #expect(scale.homography == .scaling(1 / 12.5))

    let ruler = try Calibrator.calibrate(image: image, request: .ruler(x1: 10, y1: 10, x2: 310, y2: 410, mm: 50))
    #expect(ruler.method == .ruler)
    #expect(ruler.pixelsPerMm == 10)
    #expect(ruler.ruler == RulerMeasurement(x1: 10, y1: 10, x2: 310, y2: 410, mm: 50))
    #expect(ruler.homography.apply(Point(100, 0)) == Point(10, 0))

    #expect(throws: CalibrationError.invalidRuler(lengthPixels: 0, mm: 50)) {
      try Calibrator.calibrate(image: image, request: .ruler(x1: 3, y1: 4, x2: 3, y2: 4, mm: 50))
    }
    #expect(throws: CalibrationError.invalidScale(pixelsPerMm: -1)) {
      try Calibrator.calibrate(image: image, request: .scale(pixelsPerMm: -1))
    }
  }

  @Test("JSON keeps the contract's field names, the homography as 9 numbers, and round-trips")
  func json() throws {
    let marker = SyntheticScene.PlacedMarker(id: 20, originMm: Point(0, 0), sizeMm: 20)
    let (image, _) = photo(markers: [marker], rotationDegrees: 10, tiltDegrees: 10)
    let calibration = try Calibrator.calibrate(image: image, request: .marker)
    let data = try JSONEncoder().encode(calibration)
    let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    for key in [
      "method", "markerId", "markerSizeMm", "corners", "homography", "pixelsPerMm", "warnings",
      "decisionMargin", "hammingDistance", "markerSizePixels", "sideRatio", "tiltDegrees",
      "markerOutlinePixels", "markers",
    ] {
      #expect(object[key] != nil, "missing \(key)")
    }
    #expect((object["homography"] as? [Double])?.count == 9)
    #expect(try JSONDecoder().decode(Calibration.self, from: data) == calibration)
  }
}

/// Point in convex polygon (either orientation).
private func inside(_ p: Point, _ polygon: [Point]) -> Bool {
  var sign = 0.0
  for i in 0..<polygon.count {
    let a = polygon[i], b = polygon[(i + 1) % polygon.count]
    let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
    if sign == 0 { sign = cross } else if (cross > 0) != (sign > 0) { return false }
  }
  return true
}
