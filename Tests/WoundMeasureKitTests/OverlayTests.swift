import Testing
import WoundCore

@testable import WoundMeasureKit

@Suite struct OverlayTests {
  @Test(arguments: [(10.0, 4000, 100), (10.0, 1600, 20), (3.0, 1600, 100), (100.0, 300, 1)])
  func scaleBarIsRoundAndAtMostAQuarterOfTheWidth(pixelsPerMm: Double, width: Int, expectedMm: Int) {
    #expect(Overlay.scaleBarLengthMm(pixelsPerMm: pixelsPerMm, imageWidth: width) == expectedMm)
  }

  @Test func overlayDrawsOutlineAndLeavesTheRestAlone() {
    var image = RGBImage(width: 60, height: 40)
    for i in 0..<image.pixels.count { image.pixels[i] = 100 }
    var mask = Mask(width: 60, height: 40)
    for y in 10..<20 { for x in 20..<40 { mask[x, y] = 255 } }
    let overlay = Overlay.render(image: image, mask: BoxMask(mask), tissue: nil, markerOutlines: [], pixelsPerMm: nil)
    #expect(overlay[20, 10] == Overlay.Colour.outline)
    #expect(overlay[39, 19] == Overlay.Colour.outline)
    #expect(overlay[30, 15] == (100, 100, 100))
    #expect(overlay[5, 5] == (100, 100, 100))
  }
}
