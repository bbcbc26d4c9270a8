import Testing
import WoundCore

@testable import WoundMeasureKit

@Suite struct OverlayAndMarkerTests {
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

  @Test func colourReferenceReadsTheMarkerRings() throws {
    let (image, corners) = Self.syntheticMarker()
    let reference = try #require(MarkerSampling.colourReference(image: image, corners: corners))
    #expect(reference.white == [240, 235, 230])
    #expect(reference.black == [20, 25, 30])
  }

  @Test func colourReferenceNeedsTheMarkerInsideThePhoto() {
    let (image, _) = Self.syntheticMarker()
    let outside = [Point(1000, 1000), Point(1080, 1000), Point(1080, 1080), Point(1000, 1080)]
    #expect(MarkerSampling.colourReference(image: image, corners: outside) == nil)
  }

  @Test func outlineIncludesTheWhiteBorder() throws {
    let (_, corners) = Self.syntheticMarker()
    let outline = try #require(MarkerSampling.outline(corners: corners))
    // 1.25 modules of 10 px outside the black square.
    #expect(abs(outline[0].x - 87) < 1e-9 && abs(outline[0].y - 87) < 1e-9)
    #expect(abs(outline[2].x - 192) < 1e-9 && abs(outline[2].y - 192) < 1e-9)
  }

  @Test(arguments: [(10.0, 4000, 100), (10.0, 1600, 20), (3.0, 1600, 100), (100.0, 300, 1)])
  func scaleBarIsRoundAndAtMostAQuarterOfTheWidth(pixelsPerMm: Double, width: Int, expectedMm: Int) {
    #expect(Overlay.scaleBarLengthMm(pixelsPerMm: pixelsPerMm, imageWidth: width) == expectedMm)
  }

  @Test func overlayDrawsOutlineAndLeavesTheRestAlone() {
    var image = RGBImage(width: 60, height: 40)
    for i in 0..<image.pixels.count { image.pixels[i] = 100 }
    var mask = Mask(width: 60, height: 40)
    for y in 10..<20 { for x in 20..<40 { mask[x, y] = 255 } }
    let overlay = Overlay.render(image: image, mask: mask, tissueLabels: nil, markerOutlines: [], pixelsPerMm: nil)
    #expect(overlay[20, 10] == Overlay.Colour.outline)
    #expect(overlay[39, 19] == Overlay.Colour.outline)
    #expect(overlay[30, 15] == (100, 100, 100))
    #expect(overlay[5, 5] == (100, 100, 100))
  }
}
