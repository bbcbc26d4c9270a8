import Testing
import WoundCore

@testable import WoundSegmentation

/// The tissue classifier on literal synthetic photos whose colours have
/// known classes.
@Suite struct TissueTests {
  typealias Colour = (UInt8, UInt8, UInt8)

  /// Colours and their CIELAB (L*, a*, b*) under the identity reference.
  static let granulation: Colour = (170, 40, 45)  // 38, 52, 30: red
  static let darkGranulation: Colour = (110, 25, 30)  // 24, 37, 20: dark but red, not necrosis
  static let slough: Colour = (220, 200, 120)  // 81, -4, 42: yellow
  static let whiteSlough: Colour = (235, 225, 200)  // 90, -1, 14: yellow-white
  static let necrosis: Colour = (35, 28, 22)  // 11, 2, 5: black-brown
  static let pink: Colour = (235, 170, 175)  // 76, 25, 7: pink
  static let grey: Colour = (128, 128, 128)

  /// Maps the marker's black and white onto the classifier's own levels, so
  /// colours pass through unchanged.
  static let identityReference = ColourReference(
    white: [TissueColour.referenceWhiteLevel, TissueColour.referenceWhiteLevel, TissueColour.referenceWhiteLevel],
    black: [TissueColour.referenceBlackLevel, TissueColour.referenceBlackLevel, TissueColour.referenceBlackLevel])

  /// A `width x height` photo of `background` with filled rectangles
  /// `(left, top, width, height, colour)`, drawn in order, and the mask of
  /// the rectangles flagged as wound.
  static func scene(
    width: Int, height: Int, background: Colour = grey,
    rectangles: [(Int, Int, Int, Int, Colour, Bool)]
  ) -> (RGBImage, Mask) {
    var image = RGBImage(width: width, height: height)
    var mask = Mask(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width { image[x, y] = background }
    }
    for (left, top, w, h, colour, isWound) in rectangles {
      for y in top..<(top + h) {
        for x in left..<(left + w) {
          image[x, y] = colour
          if isWound { mask[x, y] = 255 }
        }
      }
    }
    return (image, mask)
  }

  static func labels(_ map: TissueMap, inside mask: Mask) -> Set<UInt8> {
    Set(zip(map.labels.pixels, mask.pixels).filter { $0.1 != 0 }.map(\.0))
  }

  @Test(arguments: [
    ("granulation", granulation, TissueClass.granulation),
    ("dark granulation", darkGranulation, .granulation),
    ("slough", slough, .slough),
    ("white slough", whiteSlough, .slough),
    ("necrosis", necrosis, .necrosis),
  ])
  func uniformPatchGetsItsClass(name: String, colour: Colour, expected: TissueClass) throws {
    let (image, mask) = Self.scene(width: 48, height: 40, rectangles: [(10, 8, 24, 20, colour, true)])
    let map = try TissueClassifier.classify(image: image, mask: mask, reference: Self.identityReference)
    #expect(Self.labels(map, inside: mask) == [expected.rawValue], "\(name)")
    let shares = map.shares
    let expectedShares = TissueShares(
      granulation: expected == .granulation ? 1 : 0, slough: expected == .slough ? 1 : 0,
      necrosis: expected == .necrosis ? 1 : 0, epithelium: 0)
    #expect(shares == expectedShares, "\(name)")
  }

  @Test func outsideTheMaskIsNone() throws {
    let (image, mask) = Self.scene(
      width: 40, height: 30, background: Self.slough,
      rectangles: [(5, 5, 10, 10, Self.granulation, true)])
    let map = try TissueClassifier.classify(image: image, mask: mask, reference: Self.identityReference)
    for (label, inside) in zip(map.labels.pixels, mask.pixels) where inside == 0 {
      #expect(label == TissueClass.none.rawValue)
    }
    #expect(map.labels.width == 40 && map.labels.height == 30)
  }

  /// A pink rim along the outline is epithelium; the same pink deep inside a
  /// large wound is not (it lies outside the margin band).
  @Test func pinkIsEpitheliumOnlyNearTheEdge() throws {
    // Wound 60x60 at (10, 10): red, with a 2-pixel pink rim and a pink 6x6 centre.
    let (image, mask) = Self.scene(
      width: 80, height: 80,
      rectangles: [
        (10, 10, 60, 60, Self.pink, true),
        (12, 12, 56, 56, Self.granulation, true),
        (37, 37, 6, 6, Self.pink, true),
      ])
    // Band: max(2, 0.06 * sqrt(3600)) = 3.6 pixels.
    #expect(TissueRules.marginBandPixels(areaPixels: 3600) == 0.06 * 60)
    let map = try TissueClassifier.classify(image: image, mask: mask, reference: Self.identityReference)
    #expect(map.labels[10, 40] == TissueClass.epithelium.rawValue)
    #expect(map.labels[11, 11] == TissueClass.epithelium.rawValue)
    #expect(map.labels[69, 69] == TissueClass.epithelium.rawValue)
    #expect(map.labels[40, 40] == TissueClass.granulation.rawValue)  // pink centre, far from the edge
    #expect(map.labels[20, 40] == TissueClass.granulation.rawValue)
    let rim = 60 * 60 - 56 * 56
    #expect(map.shares.epithelium == Double(rim) / 3600)
    #expect(map.shares.granulation == Double(3600 - rim) / 3600)
    // The labels are kept over the wound's box; read through the map, made photo-sized,
    // and as the epithelium's regions, they agree.
    #expect(map.box == PixelRect(x: 10, y: 10, width: 60, height: 60))
    #expect(map.boxLabels.width == 60 && map.boxLabels.height == 60)
    #expect(map[10, 40] == TissueClass.epithelium.rawValue && map[9, 40] == TissueClass.none.rawValue)
    let photoLabels = map.labels
    var epithelium = Mask(width: 80, height: 80)
    for i in photoLabels.pixels.indices where photoLabels.pixels[i] == TissueClass.epithelium.rawValue {
      epithelium.pixels[i] = 255
    }
    #expect(map.regions(of: .epithelium) == MaskRegions(mask: epithelium))
    #expect(map.regions(of: .epithelium).areaPixels == rim)
  }

  /// Four quadrants of known classes: the shares are the quadrant areas and sum to 1.
  @Test func sharesAreAreaFractionsAndSumToOne() throws {
    let (image, mask) = Self.scene(
      width: 60, height: 50,
      rectangles: [
        (10, 10, 20, 10, Self.granulation, true),
        (30, 10, 20, 10, Self.slough, true),
        (10, 20, 20, 20, Self.granulation, true),
        (30, 20, 20, 20, Self.necrosis, true),
      ])
    let map = try TissueClassifier.classify(image: image, mask: mask, reference: Self.identityReference)
    let s = map.shares
    #expect(s.granulation == 600.0 / 1200)
    #expect(s.slough == 200.0 / 1200)
    #expect(s.necrosis == 400.0 / 1200)
    #expect(s.epithelium == 0)
    #expect(abs(s.granulation + s.slough + s.necrosis + s.epithelium - 1) < 1e-12)
  }

  @Test func emptyMaskHasZeroShares() throws {
    let (image, mask) = Self.scene(width: 20, height: 20, rectangles: [(2, 2, 5, 5, Self.granulation, false)])
    let map = try TissueClassifier.classify(image: image, mask: mask, reference: nil)
    #expect(map.shares == TissueShares(granulation: 0, slough: 0, necrosis: 0, epithelium: 0))
    #expect(map.labels.pixels.allSatisfy { $0 == 0 })
  }

  /// Without a reference, grey world on a mostly neutral photo leaves the
  /// classes as they are.
  @Test func greyWorldOnANeutralPhotoKeepsTheClasses() throws {
    let (image, mask) = Self.scene(
      width: 100, height: 100,
      rectangles: [
        (10, 10, 10, 10, Self.granulation, true),
        (30, 10, 10, 10, Self.slough, true),
        (50, 10, 10, 10, Self.necrosis, true),
      ])
    let map = try TissueClassifier.classify(image: image, mask: mask, reference: nil)
    #expect(map.labels[15, 15] == TissueClass.granulation.rawValue)
    #expect(map.labels[35, 15] == TissueClass.slough.rawValue)
    #expect(map.labels[55, 15] == TissueClass.necrosis.rawValue)
    let s = map.shares
    #expect(s.granulation == 1.0 / 3 && s.slough == 1.0 / 3 && s.necrosis == 1.0 / 3)
  }

  /// A photo with a strong colour cast, classified with the marker's white
  /// and black as seen under that cast, gives the classes of the uncast colours.
  @Test func referenceUndoesAColourCast() throws {
    let white = [200.0, 215.0, 250.0]
    let black = [20.0, 25.0, 45.0]
    func cast(_ c: Colour) -> Colour {
      let channels = [c.0, c.1, c.2].enumerated().map { i, v -> UInt8 in
        let t =
          (Double(v) - TissueColour.referenceBlackLevel)
          / (TissueColour.referenceWhiteLevel - TissueColour.referenceBlackLevel)
        return UInt8(max(0, min(255, (black[i] + t * (white[i] - black[i])).rounded())))
      }
      return (channels[0], channels[1], channels[2])
    }
    let (image, mask) = Self.scene(
      width: 60, height: 30, background: cast(Self.grey),
      rectangles: [
        (5, 5, 10, 10, cast(Self.granulation), true),
        (25, 5, 10, 10, cast(Self.slough), true),
        (45, 5, 10, 10, cast(Self.necrosis), true),
      ])
    let map = try TissueClassifier.classify(
      image: image, mask: mask, reference: ColourReference(white: white, black: black))
    #expect(map.labels[10, 10] == TissueClass.granulation.rawValue)
    #expect(map.labels[30, 10] == TissueClass.slough.rawValue)
    #expect(map.labels[50, 10] == TissueClass.necrosis.rawValue)
  }

  @Test func unusableReferenceFallsBackToGreyWorld() throws {
    let (image, _) = Self.scene(width: 30, height: 30, rectangles: [(5, 5, 10, 10, Self.granulation, true)])
    let greyWorld = TissueColour.Correction(greyWorldOf: image)
    let flat = ColourReference(white: [120, 120, 120], black: [100, 100, 100])
    let short = ColourReference(white: [220, 220], black: [20, 20])
    #expect(TissueColour.Correction(image: image, reference: flat) == greyWorld)
    #expect(TissueColour.Correction(image: image, reference: short) == greyWorld)
    #expect(TissueColour.Correction(image: image, reference: Self.identityReference) != greyWorld)
  }

  @Test func labReproducesPublishedValues() throws {
    // sRGB white, red and mid grey (CIE L*a*b*, D65).
    let white = TissueColour.lab(red: 255, green: 255, blue: 255)
    #expect(abs(white.l - 100) < 0.01 && abs(white.a) < 0.01 && abs(white.b) < 0.01)
    let red = TissueColour.lab(red: 255, green: 0, blue: 0)
    #expect(abs(red.l - 53.24) < 0.05 && abs(red.a - 80.09) < 0.05 && abs(red.b - 67.20) < 0.05)
    let grey = TissueColour.lab(red: 128, green: 128, blue: 128)
    #expect(abs(grey.l - 53.59) < 0.05 && abs(grey.a) < 0.01 && abs(grey.b) < 0.01)
  }

  @Test func classificationIsDeterministic() throws {
    // A textured photo large enough that smoothing is on (radius 1 at 512 pixels).
    var image = RGBImage(width: 520, height: 512)
    var mask = Mask(width: 520, height: 512)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for y in 0..<512 {
      for x in 0..<520 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let noise = UInt8(truncatingIfNeeded: state >> 56)
        image[x, y] = (noise, UInt8(truncatingIfNeeded: Int(noise) / 2 + x % 64), UInt8(y % 200))
        let dx = x - 260
        let dy = y - 256
        if dx * dx + dy * dy < 150 * 150 { mask[x, y] = 255 }
      }
    }
    let first = try TissueClassifier.classify(image: image, mask: mask, reference: nil)
    let second = try TissueClassifier.classify(image: image, mask: mask, reference: nil)
    #expect(first.labels == second.labels)
    #expect(first.shares == second.shares)
    let s = first.shares
    #expect(abs(s.granulation + s.slough + s.necrosis + s.epithelium - 1) < 1e-12)
    #expect(Self.labels(first, inside: mask).count >= 2)
  }

  /// The sliding-window smoothing equals a direct sum over each window's wound pixels.
  @Test func maskedBoxMeanMatchesDirectSums() throws {
    let width = 23
    let height = 17
    var image = RGBImage(width: width, height: height)
    var mask = Mask(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width {
        image[x, y] = (UInt8((x * 37 + y * 11) % 256), UInt8((x * x + 3 * y) % 256), UInt8((x * y * 7) % 256))
        if (x - 11) * (x - 11) + 2 * (y - 8) * (y - 8) < 70 && (x + y) % 5 != 0 { mask[x, y] = 255 }
      }
    }
    let box = try! #require(MaskRegions(mask: mask).boundingBox)
    for radius in [0, 1, 2, 4] {
      let means = TissueGeometry.maskedBoxMean(image: image, mask: BoxMask(mask), box: box, radius: radius)
      var index = 0
      for y in box.y..<box.maxY {
        for x in box.x..<box.maxX where mask[x, y] != 0 {
          var sum = (0.0, 0.0, 0.0)
          var count = 0.0
          for v in max(0, y - radius)...min(height - 1, y + radius) {
            for u in max(0, x - radius)...min(width - 1, x + radius) where mask[u, v] != 0 {
              let p = image[u, v]
              sum = (sum.0 + Double(p.r), sum.1 + Double(p.g), sum.2 + Double(p.b))
              count += 1
            }
          }
          let m = means[index]
          #expect(
            abs(m.red - sum.0 / count) < 1e-9 && abs(m.green - sum.1 / count) < 1e-9
              && abs(m.blue - sum.2 / count) < 1e-9, "radius \(radius) at (\(x), \(y))")
          index += 1
        }
      }
      #expect(index == means.count)
    }
  }

  @Test func edgeDistancesOfASmallMask() throws {
    let rows = [
      "........",
      ".######.",
      ".######.",
      ".######.",
      ".######.",
      ".######.",
      "........",
    ]
    var mask = Mask(width: 8, height: rows.count)
    for (y, row) in rows.enumerated() {
      for (x, c) in row.enumerated() where c == "#" { mask[x, y] = 255 }
    }
    let box = try! #require(MaskRegions(mask: mask).boundingBox)
    #expect(box == PixelRect(x: 1, y: 1, width: 6, height: 5))
    let d = TissueGeometry.edgeDistances(mask: BoxMask(mask), box: box)
    // Row by row over the 6x5 box: 1 on the rim, 2 one step in, 3 at the centre row.
    let expected: [Double] = [
      1, 1, 1, 1, 1, 1,
      1, 2, 2, 2, 2, 1,
      1, 2, 3, 3, 2, 1,
      1, 2, 2, 2, 2, 1,
      1, 1, 1, 1, 1, 1,
    ]
    #expect(d == expected)
  }
}
