import WoundCore

// CONTRACT (stub, to be implemented by the tissue stage). Signatures here are
// what the pipeline calls; keep them stable.

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

public enum TissueClassifier {
  /// Classifies every wound pixel of `image` (where `mask` is non-zero).
  public static func classify(image: RGBImage, mask: Mask, reference: ColourReference?) -> TissueMap {
    TissueMap(labels: GreyImage(width: image.width, height: image.height),
              shares: TissueShares(granulation: 0, slough: 0, necrosis: 0, epithelium: 0))
  }
}
