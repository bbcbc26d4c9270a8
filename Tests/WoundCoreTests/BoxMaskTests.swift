import Testing

@testable import WoundCore

/// The mask kept over its box reads, labels and writes as the photo-sized one.
@Suite struct BoxMaskTests {
  /// A 20 x 12 mask with two regions, one touching the right edge.
  private func photoMask() -> Mask {
    var mask = Mask(width: 20, height: 12)
    for (x, y) in [(3, 2), (4, 2), (4, 3), (5, 4), (19, 7), (18, 8), (19, 8)] { mask[x, y] = 255 }
    return mask
  }

  @Test func keptOverTheBoxOfItsSetPixels() {
    let whole = photoMask()
    let boxed = BoxMask(whole)
    #expect(boxed.box == PixelRect(x: 3, y: 2, width: 17, height: 7))
    #expect(boxed.boxPixels.pixels.count == 17 * 7)
    for y in 0..<12 { for x in 0..<20 { #expect(boxed[x, y] == whole[x, y]) } }
    #expect(boxed.photoSized == whole)
    #expect(MaskRegions(mask: boxed) == MaskRegions(mask: whole))
    #expect(!boxed.isEmpty)
  }

  @Test func madeFromRegionsAsFromTheMask() {
    let whole = photoMask()
    let fromRegions = BoxMask(regions: MaskRegions(mask: whole))
    #expect(fromRegions == BoxMask(whole))
    // Dropping a region leaves the box of the rest.
    let first = MaskRegions(mask: whole).keeping([true, false])
    let kept = BoxMask(regions: first)
    #expect(kept.box == PixelRect(x: 3, y: 2, width: 3, height: 3))
    #expect(kept[19, 8] == 0 && kept[4, 3] == 255)
  }

  @Test func anEmptyMaskKeepsNoPixels() {
    let empty = BoxMask(Mask(width: 20, height: 12))
    #expect(empty.box.isEmpty && empty.boxPixels.pixels.isEmpty && empty.isEmpty)
    #expect(empty == BoxMask(width: 20, height: 12))
    #expect(empty.photoSized == Mask(width: 20, height: 12))
    #expect(MaskRegions(mask: empty) == MaskRegions.empty(width: 20, height: 12))
    #expect(empty[19, 11] == 0)
  }
}
