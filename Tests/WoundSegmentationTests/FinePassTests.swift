import Foundation
import Testing
import WoundCore

@testable import WoundSegmentation

/// The fine pass's geometry: crops, their merging, the crop input and the way back.
@Suite struct FinePassTests {
  let rule = FinePassRule(marginFactor: 2.5, minimumSidePixels: 48, cropSizePixels: 32)

  @Test func aCropIsTheBoxsLongSideTimesTheMarginAroundItsCentre() {
    let crops = FinePass.crops(boxes: [PixelRect(x: 100, y: 40, width: 40, height: 20)], rule: rule)
    #expect(crops == [FinePass.Crop(centreX: 120, centreY: 50, side: 100)])
    // A small box gets the minimum side.
    let small = FinePass.crops(boxes: [PixelRect(x: 0, y: 0, width: 4, height: 4)], rule: rule)
    #expect(small == [FinePass.Crop(centreX: 2, centreY: 2, side: 48)])
  }

  @Test func overlappingCropsMergeIntoTheCropOfTheUnion() {
    // Boxes 20 px apart: their 50 px crops overlap, so one crop covers both.
    let boxes = [PixelRect(x: 0, y: 0, width: 20, height: 20), PixelRect(x: 40, y: 0, width: 20, height: 20)]
    let crops = FinePass.crops(boxes: boxes, rule: rule)
    #expect(crops == [FinePass.Crop(centreX: 30, centreY: 10, side: 150)])
    // Crops that only touch stay apart.
    let touching = FinePass.crops(
      boxes: [PixelRect(x: 0, y: 0, width: 20, height: 20), PixelRect(x: 50, y: 0, width: 20, height: 20)], rule: rule)
    #expect(touching.count == 2)
    // Far apart, two crops.
    let apart = FinePass.crops(
      boxes: [PixelRect(x: 0, y: 0, width: 20, height: 20), PixelRect(x: 500, y: 0, width: 20, height: 20)], rule: rule)
    #expect(apart.count == 2)
  }

  @Test func cropInputSamplesThePhotoAndReadsBlackOutside() {
    // A 64 x 64 photo whose red channel is the column and green the row.
    var image = RGBImage(width: 64, height: 64)
    for y in 0..<64 { for x in 0..<64 { image[x, y] = (UInt8(x), UInt8(y), 7) } }
    // A 32 px crop at the origin on a 32 px grid: one input pixel per photo pixel.
    let exact = FinePass.input(
      image: image, crop: .init(centreX: 16, centreY: 16, side: 32), size: 32, subtract: 0, divide: 1)
    #expect(exact[0 * 32 + 5] == 5)  // red of row 0, column 5
    #expect(exact[32 * 32 + 3 * 32] == 3)  // green of row 3, column 0
    #expect(exact[2 * 32 * 32] == 7)
    // A 64 px crop on a 32 px grid averages 2 x 2 blocks: column 2k and 2k+1 -> 2k + 0.5.
    let halved = FinePass.input(
      image: image, crop: .init(centreX: 32, centreY: 32, side: 64), size: 32, subtract: 0, divide: 1)
    #expect(halved[10] == 20.5)
    // A crop hanging over the left edge reads black outside the photo.
    let over = FinePass.input(
      image: image, crop: .init(centreX: 0, centreY: 16, side: 32), size: 32, subtract: 0, divide: 1)
    #expect(over[2 * 32 * 32 + 16 * 32 + 0] == 0)
    #expect(over[2 * 32 * 32 + 16 * 32 + 31] == 7)
  }

  /// Skipping the interpolation where all four taps agree paints the same
  /// mask as interpolating every pixel: smooth and noisy maps, values right at
  /// and around the threshold, crops larger and smaller than the grid.
  @Test(arguments: [(side: 300.0, noisy: false), (side: 300.0, noisy: true), (side: 20.0, noisy: true)])
  func paintingSkipsOnlyWhatInterpolationWouldDecideTheSame(side: Double, noisy: Bool) {
    let size = 32
    var random = SeededGenerator(seed: noisy ? 7 : 8)
    let noise = random.floats(size * size, scale: 1)
    var probabilities = (0..<(size * size)).map { i -> Float in
      let x = Float(i % size) - 15.5, y = Float(i / size) - 12
      let smooth = 1 / (1 + exp((x * x + y * y) / 40 - 4))
      return noisy ? min(1, max(0, smooth + 0.3 * noise[i])) : smooth
    }
    for i in stride(from: 3, to: probabilities.count, by: 17) { probabilities[i] = 0.5 }
    probabilities[size + 1] = Float(0.5).nextUp
    probabilities[2 * size + 5] = Float(0.5).nextDown
    let threshold: Float = 0.5
    let crop = FinePass.Crop(centreX: side / 2 + 3, centreY: side / 2 + 1, side: side)
    let width = Int(side) + 8
    let area = PixelRect(x: 0, y: 0, width: width, height: width)
    var fast = [UInt8](repeating: 0, count: width * width)
    fast.withUnsafeMutableBufferPointer { out in
      FinePass.paint(
        probabilities, size: size, crop: crop, area: area, threshold: threshold, into: out.baseAddress!,
        frame: area)
    }
    var direct = [UInt8](repeating: 0, count: width * width)
    FinePass.sample(crop: crop, size: size, area: area) { x, y, taps in
      if taps.interpolate(probabilities) > threshold { direct[y * width + x] = 255 }
    }
    #expect(fast == direct)
    let states = FinePass.cellStates(probabilities, size: size, threshold: threshold)
    #expect(states.contains(FinePass.CellState.inside) && states.contains(FinePass.CellState.outside))
    #expect(states.contains(FinePass.CellState.mixed))
    #expect(fast.contains(255) && fast.contains(0))
  }

  @Test func paintingMapsTheCropsProbabilitiesBackToPhotoPixels() {
    // Probabilities above 0.5 in the crop's left half only.
    var probabilities = [Float](repeating: 0, count: 32 * 32)
    for v in 0..<32 { for u in 0..<16 { probabilities[v * 32 + u] = 1 } }
    var mask = Mask(width: 64, height: 64)
    let crop = FinePass.Crop(centreX: 32, centreY: 32, side: 64)
    mask.pixels.withUnsafeMutableBufferPointer {
      FinePass.paint(
        probabilities, size: 32, crop: crop, area: PixelRect(x: 0, y: 0, width: 64, height: 64), threshold: 0.5,
        into: $0.baseAddress!, frame: PixelRect(x: 0, y: 0, width: 64, height: 64))
    }
    let set = mask.pixels.indices.filter { mask.pixels[$0] != 0 }.map { $0 % 64 }
    #expect(Set(set) == Set(0..<32))
  }
}
