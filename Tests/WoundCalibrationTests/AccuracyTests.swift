import Foundation
import Testing
import WoundCalibration
import WoundCore
import WoundImaging
import WoundMeasurement

/// One synthetic photo: a wound-coloured shape of known area beside a marker,
/// on textured skin, seen through a known camera.
struct AccuracyCase: CustomTestStringConvertible, Sendable {
  var pixelsPerMm: Double
  var rotationDegrees: Double
  var tiltDegrees: Double
  /// 0 disc, 1 ellipse, 2 polygon.
  var shapeKind: Int

  var testDescription: String {
    "\(pixelsPerMm) px/mm, rotation \(rotationDegrees) deg, tilt \(tiltDegrees) deg, shape \(shapeKind)"
  }

  static let width = 1024
  static let height = 768

  /// The marker: 20 mm up to 12 px/mm, else 10 mm, so it stays 100-250 px.
  var markerSizeMm: Double { pixelsPerMm <= 12 ? 20 : 10 }

  /// The shape spans about 260 px across in the photo.
  var shape: SyntheticScene.Shape {
    let r = 130 / pixelsPerMm
    switch shapeKind {
    case 0: return .disc(centre: Point(0, 0), radiusMm: r)
    case 1: return .ellipse(centre: Point(0, 0), semiAxesMm: (r, 0.6 * r), angleRadians: 0.5)
    default:
      // An irregular star-ish polygon.
      return .polygon(
        (0..<9).map { k in
          let a = Double(k) * 2 * Double.pi / 9
          let rr = r * (k % 2 == 0 ? 1.0 : 0.7) * (0.9 + 0.1 * sin(3 * a))
          return Point(rr * cos(a), rr * sin(a))
        })
    }
  }

  /// The marker beside the shape, half a marker width from its edge.
  var marker: SyntheticScene.PlacedMarker {
    let r = 130 / pixelsPerMm
    return SyntheticScene.PlacedMarker(
      id: Int(markerSizeMm), originMm: Point(r + 0.5 * markerSizeMm, -markerSizeMm / 2), sizeMm: markerSizeMm)
  }

  var camera: Camera {
    let r = 130 / pixelsPerMm
    let right = r + 0.5 * markerSizeMm + 1.25 * markerSizeMm
    return Camera(
      width: Self.width, height: Self.height, pixelsPerMm: pixelsPerMm, rotationDegrees: rotationDegrees,
      tiltDegrees: tiltDegrees, centreMm: Point((right - r) / 2, 0))
  }

  /// The tilt band the case belongs to, as written in docs/calibration.md.
  var band: String {
    switch tiltDegrees {
    case ...15: return "0-15"
    case ...25: return "15-25"
    case ...35: return "25-35"
    default: return "35-40"
    }
  }

  /// 14 cases spread over rotation 0-360 deg, tilt 0-40 deg and 5-25 px/mm.
  static let all: [AccuracyCase] = [
    AccuracyCase(pixelsPerMm: 5, rotationDegrees: 0, tiltDegrees: 0, shapeKind: 0),
    AccuracyCase(pixelsPerMm: 9, rotationDegrees: 113, tiltDegrees: 7, shapeKind: 1),
    AccuracyCase(pixelsPerMm: 16, rotationDegrees: 250, tiltDegrees: 12, shapeKind: 2),
    AccuracyCase(pixelsPerMm: 24, rotationDegrees: 331, tiltDegrees: 4, shapeKind: 0),
    AccuracyCase(pixelsPerMm: 6, rotationDegrees: 47, tiltDegrees: 18, shapeKind: 2),
    AccuracyCase(pixelsPerMm: 12, rotationDegrees: 200, tiltDegrees: 22, shapeKind: 0),
    AccuracyCase(pixelsPerMm: 20, rotationDegrees: 290, tiltDegrees: 16, shapeKind: 1),
    AccuracyCase(pixelsPerMm: 7, rotationDegrees: 160, tiltDegrees: 27, shapeKind: 1),
    AccuracyCase(pixelsPerMm: 14, rotationDegrees: 75, tiltDegrees: 31, shapeKind: 2),
    AccuracyCase(pixelsPerMm: 25, rotationDegrees: 355, tiltDegrees: 35, shapeKind: 0),
    AccuracyCase(pixelsPerMm: 10, rotationDegrees: 222, tiltDegrees: 33, shapeKind: 0),
    AccuracyCase(pixelsPerMm: 8, rotationDegrees: 20, tiltDegrees: 37, shapeKind: 2),
    AccuracyCase(pixelsPerMm: 18, rotationDegrees: 135, tiltDegrees: 40, shapeKind: 1),
    AccuracyCase(pixelsPerMm: 11, rotationDegrees: 300, tiltDegrees: 38, shapeKind: 0),
  ]

  /// Renders, JPEG-encodes at quality 80, decodes, calibrates and measures.
  func measure() throws -> (areaError: Double, scaleError: Double, calibration: Calibration) {
    let camera = self.camera
    let scene = SyntheticScene(shape: shape, markers: [marker])
    let rendered = scene.render(
      width: Self.width, height: Self.height, pixelsFromMm: camera.pixelsFromMm, blur: 0.6, noise: 3,
      seed: UInt64(pixelsPerMm * 1000 + rotationDegrees))
    let jpeg = try ImageEncoder.encodeJPEG(rendered, quality: 80)
    let photo = try PhotoDecoder.decode(bytes: jpeg, name: "synthetic.jpg").image
    let calibration = try Calibrator.calibrate(image: photo, request: .marker)
    let mask = woundMask(photo)
    let area = PlaneGeometry.measure(mask: mask, homography: calibration.homography).areaMm2
    let trueScale = trueLocalScale(camera.pixelsFromMm, at: marker.centreMm)
    return (area / shape.areaMm2 - 1, calibration.pixelsPerMm / trueScale - 1, calibration)
  }
}

@Suite("Accuracy through the marker's homography")
struct AccuracyTests {
  @Test("area within 1 % (median) and 3 % (every case) up to 35 deg tilt; scale within 0.5 %")
  func areaAndScale() async throws {
    let results = try await withThrowingTaskGroup(of: (Int, Double, Double).self) { group in
      for (index, item) in AccuracyCase.all.enumerated() {
        group.addTask {
          let r = try item.measure()
          return (index, r.areaError, r.scaleError)
        }
      }
      var all: [(Int, Double, Double)] = []
      for try await r in group { all.append(r) }
      return all.sorted { $0.0 < $1.0 }
    }
    var report = "band   px/mm  rot  tilt  shape  area error  scale error\n"
    for (index, areaError, scaleError) in results {
      let c = AccuracyCase.all[index]
      report += String(
        format: "%-6@ %5.1f %4.0f %5.1f %6d %+10.3f%% %+11.3f%%\n", c.band as NSString, c.pixelsPerMm,
        c.rotationDegrees, c.tiltDegrees, c.shapeKind, areaError * 100, scaleError * 100)
      #expect(abs(scaleError) < 0.005, "scale off by \(scaleError * 100) % in \(c.testDescription)")
      if c.tiltDegrees <= 35 {
        #expect(abs(areaError) < 0.03, "area off by \(areaError * 100) % in \(c.testDescription)")
      }
    }
    let upTo35 = results.filter { AccuracyCase.all[$0.0].tiltDegrees <= 35 }.map { abs($0.1) }.sorted()
    let median = upTo35[upTo35.count / 2]
    #expect(median < 0.01, "median area error \(median * 100) %")
    print(report)
  }
}

@Suite("Half-size marker search on large photos")
struct ReducedSearchTests {
  /// A 2400 x 1800 photo (long side over 2000 px, so the search runs on a
  /// half-size grey image): the corners refined in full-size crops agree with
  /// the whole-photo search to a hundredth of a pixel, and the scale is as
  /// accurate.
  @Test(arguments: [(10.0, 30.0, 20.0), (6.0, 200.0, 8.0)])
  func matchesTheWholePhotoSearch(pixelsPerMm: Double, rotationDegrees: Double, tiltDegrees: Double) throws {
    let marker = SyntheticScene.PlacedMarker(id: 20, originMm: Point(10, -10), sizeMm: 20)
    let scene = SyntheticScene(shape: .disc(centre: Point(-20, 0), radiusMm: 8), markers: [marker])
    let camera = Camera(
      width: 2400, height: 1800, pixelsPerMm: pixelsPerMm, rotationDegrees: rotationDegrees,
      tiltDegrees: tiltDegrees, centreMm: Point(0, 0))
    let rendered = scene.render(width: 2400, height: 1800, pixelsFromMm: camera.pixelsFromMm, blur: 0.6, noise: 3)
    let photo = try PhotoDecoder.decode(bytes: try ImageEncoder.encodeJPEG(rendered, quality: 80), name: "big.jpg")
      .image

    let reduced = Calibrator.detectMarkers(in: photo, sizeMmOverride: nil)
    let whole = Calibrator.detectMarkers(in: Calibrator.greyImage(from: photo), sizeMmOverride: nil)
    #expect(reduced.markers.count == 1)
    #expect(whole.markers.count == 1)
    guard let a = reduced.markers.first, let b = whole.markers.first else { return }
    #expect(a.id == b.id)
    for (p, q) in zip(a.corners, b.corners) {
      #expect(abs(p.x - q.x) < 0.01 && abs(p.y - q.y) < 0.01, "corner \(p) against \(q)")
    }
    let calibration = try Calibrator.calibrate(image: photo, request: .marker)
    let trueScale = trueLocalScale(camera.pixelsFromMm, at: marker.centreMm)
    #expect(abs(calibration.pixelsPerMm / trueScale - 1) < 0.005)
  }
}
