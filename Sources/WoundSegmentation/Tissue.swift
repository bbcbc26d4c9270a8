import WoundCore

// The tissue stage's public types and entry point. Signatures here are what
// the pipeline calls; keep them stable. Colour handling is in
// TissueColour.swift, the decision rule in TissueRules.swift, the masked
// smoothing and edge distances in TissueGeometry.swift.

/// The tissue classes reported inside a wound outline.
public enum TissueClass: UInt8, Sendable, Codable, CaseIterable {
  /// Outside the wound.
  case none = 0
  /// Red granulation tissue.
  case granulation = 1
  /// Yellow-white slough / fibrin.
  case slough = 2
  /// Black-brown necrosis / eschar.
  case necrosis = 3
  /// Pink epithelium (new skin), typically at the margins.
  case epithelium = 4
}

/// Per-class shares of the wound area, in [0, 1], summing to 1 when the
/// wound is not empty.
public struct TissueShares: Sendable, Equatable, Codable {
  public var granulation: Double
  public var slough: Double
  public var necrosis: Double
  public var epithelium: Double
  public init(granulation: Double, slough: Double, necrosis: Double, epithelium: Double) {
    self.granulation = granulation
    self.slough = slough
    self.necrosis = necrosis
    self.epithelium = epithelium
  }
}

/// Colour references for normalisation, taken from the marker when one is found.
public struct ColourReference: Sendable, Equatable, Codable {
  /// Mean RGB of the marker's white border.
  public var white: [Double]
  /// Mean RGB of the marker's black square border.
  public var black: [Double]
  public init(white: [Double], black: [Double]) {
    self.white = white
    self.black = black
  }
}

/// The tissue map of one wound.
public struct TissueMap: Sendable {
  /// One byte per pixel of the photo as displayed: a `TissueClass` raw value.
  public var labels: GreyImage
  public var shares: TissueShares
  public init(labels: GreyImage, shares: TissueShares) {
    self.labels = labels
    self.shares = shares
  }
}

/// Labels each wound pixel as granulation, slough, necrosis or epithelium from its colour.
///
/// A deterministic per-pixel rule in CIELAB (sRGB, D65) after colour
/// normalisation, with light smoothing:
///
/// 1. Normalise: with a `ColourReference` the marker's black and white map to
///    fixed neutral levels per channel (white balance and exposure); without
///    one, grey world over the whole photo (per-channel gains, clamped).
/// 2. Smooth: each wound pixel takes the mean colour of the wound pixels in a
///    `(2r + 1)` square around it, `r` growing with the photo size
///    (``TissueRules/smoothingRadius(width:height:)``); skin outside the
///    outline never bleeds in.
/// 3. Decide (``TissueRules/classify(lab:inMarginBand:)``): dark and not red is
///    necrosis; light pink within a band along the outline's edge is
///    epithelium; otherwise a linear discriminant separates yellow-white slough
///    from red granulation. Constants are fitted on DFUTissue by
///    `training/tissue_fit.py`; see `docs/tissue.md` for the validation.
public enum TissueClassifier {
  /// Classifies every wound pixel of `image` (where `mask` is non-zero).
  ///
  /// - Parameters:
  ///   - image: the photo as displayed.
  ///   - mask: the wound, same size as `image`; non-zero means inside.
  ///   - reference: the marker's white and black, when a marker was found;
  ///     ignored when it does not hold three channels each with white at least
  ///     ``TissueColour/minimumReferenceContrast`` above black.
  /// - Returns: one ``TissueClass`` raw value per pixel (``TissueClass/none``
  ///   outside the mask) and the class shares of the wound area (all zero for
  ///   an empty mask).
  /// - Precondition: `mask` has the size of `image` (a programmer error otherwise).
  public static func classify(image: RGBImage, mask: Mask, reference: ColourReference?) -> TissueMap {
    precondition(mask.width == image.width && mask.height == image.height,
                 "tissue mask \(mask.width)x\(mask.height) does not match photo \(image.width)x\(image.height)")
    var labels = GreyImage(width: image.width, height: image.height)
    guard let box = TissueGeometry.boundingBox(of: mask) else {
      return TissueMap(labels: labels, shares: TissueShares(granulation: 0, slough: 0, necrosis: 0, epithelium: 0))
    }
    let correction = TissueColour.Correction(image: image, reference: reference)
    let radius = TissueRules.smoothingRadius(width: image.width, height: image.height)
    let smoothed = TissueGeometry.maskedBoxMean(image: image, mask: mask, box: box, radius: radius)
    let areaPixels = smoothed.count
    let bandPixels = TissueRules.marginBandPixels(areaPixels: areaPixels)
    let distances = TissueGeometry.edgeDistances(mask: mask, box: box)

    var counts = [Int](repeating: 0, count: 5)
    var index = 0
    for y in box.y..<box.maxY {
      for x in box.x..<box.maxX where mask[x, y] != 0 {
        let rgb = correction.apply(smoothed[index])
        let lab = TissueColour.lab(red: rgb.red, green: rgb.green, blue: rgb.blue)
        let inBand = distances[(y - box.y) * box.width + (x - box.x)] <= bandPixels
        let tissue = TissueRules.classify(lab: lab, inMarginBand: inBand)
        labels[x, y] = tissue.rawValue
        counts[Int(tissue.rawValue)] += 1
        index += 1
      }
    }
    let total = Double(areaPixels)
    let shares = TissueShares(
      granulation: Double(counts[Int(TissueClass.granulation.rawValue)]) / total,
      slough: Double(counts[Int(TissueClass.slough.rawValue)]) / total,
      necrosis: Double(counts[Int(TissueClass.necrosis.rawValue)]) / total,
      epithelium: Double(counts[Int(TissueClass.epithelium.rawValue)]) / total)
    return TissueMap(labels: labels, shares: shares)
  }
}
