import Testing
import WoundCore

@testable import WoundCalibration

/// The marker's colour reference and outline, read in the marker's own modules.
@Suite struct MarkerSamplingTests {
  /// A marker drawn axis-aligned at 10 px per module: black square from 100 to 180 px
  /// (corners at the pixel edges), white border 90...190, interior grey.
  static func syntheticMarker() -> (RGBImage, [Point]) {
    var image = RGBImage(width: 300, height: 280)
    for y in 0..<image.height {
      for x in 0..<image.width {
        let inWhite = x >= 90 && x < 190 && y >= 90 && y < 190
        let inBlack = x >= 100 && x < 180 && y >= 100 && y < 180
        let inData = x >= 110 && x < 170 && y >= 110 && y < 170
        if inData {
          image[x, y] = (128, 128, 128)
        } else if inBlack {
          image[x, y] = (20, 25, 30)
        } else if inWhite {
          image[x, y] = (240, 235, 230)
        } else {
          image[x, y] = (200, 150, 120)
        }
      }
    }
    // Pixel centres at integers: the square's edges lie at 99.5 and 179.5.
    let corners = [Point(99.5, 99.5), Point(179.5, 99.5), Point(179.5, 179.5), Point(99.5, 179.5)]
    return (image, corners)
  }

  @Test func coloursAreReadFromTheMarkerRings() throws {
    let (image, corners) = Self.syntheticMarker()
    let reference = try #require(MarkerSampling.colours(image: image, corners: corners))
    #expect(reference.white == [240, 235, 230])
    #expect(reference.black == [20, 25, 30])
  }

  @Test func coloursNeedTheMarkerInsideThePhoto() {
    let (image, _) = Self.syntheticMarker()
    let outside = [Point(1000, 1000), Point(1080, 1000), Point(1080, 1080), Point(1000, 1080)]
    #expect(MarkerSampling.colours(image: image, corners: outside) == nil)
  }

  @Test func outlineIncludesTheWhiteBorder() throws {
    let (_, corners) = Self.syntheticMarker()
    let outline = try #require(MarkerSampling.outline(corners: corners))
    // 1.25 modules of 10 px outside the black square.
    #expect(abs(outline[0].x - 87) < 1e-9 && abs(outline[0].y - 87) < 1e-9)
    #expect(abs(outline[2].x - 192) < 1e-9 && abs(outline[2].y - 192) < 1e-9)
  }

  @Test func calibrationOffersItsExclusionPolygonsAndColours() throws {
    let (image, corners) = Self.syntheticMarker()
    let marker = DetectedMarker(
      id: 20, sizeMm: 20, corners: corners, decisionMargin: 80, hammingDistance: 0)
    let other = DetectedMarker(
      id: 7, sizeMm: nil, corners: corners.map { Point($0.x + 150, $0.y) }, decisionMargin: 80, hammingDistance: 0)
    let calibration = try Calibrator.calibration(chosen: marker, all: [marker, other])
    let polygons = calibration.exclusionPolygons
    #expect(polygons.count == 2)
    #expect(polygons[0] == calibration.marker?.outlinePixels)
    #expect(polygons[1] == MarkerSampling.outline(corners: other.corners))
    #expect(calibration.markerColours(in: image) == MarkerSampling.colours(image: image, corners: corners))
    let explicit = try Calibrator.calibrate(image: image, request: .scale(pixelsPerMm: 4))
    #expect(explicit.exclusionPolygons.isEmpty && explicit.markerColours(in: image) == nil)
  }
}
