/// The per-pixel decision of the tissue classifier and its constants.
///
/// Colours are CIELAB after normalisation (``TissueColour``). The slough
/// discriminant is fitted by `training/tissue_fit.py` on the fit half of
/// DFUTissue (Dhar M. K. et al., arXiv 2406.16012, 2024); the necrosis and
/// epithelium rules are hand-set (that data set labels neither) and were only
/// checked to claim few of its slough and granulation pixels.
enum TissueRules {
  /// Necrosis / eschar: darker than this L* ...
  static let necrosisMaximumLightness = 32.0
  /// ... and not red: b* above a*, or nearly neutral (chroma below this).
  static let necrosisNeutralChroma = 8.0
  /// Epithelium: lighter than this L* ...
  static let epitheliumMinimumLightness = 65.0
  /// ... reddish (a* above this) ...
  static let epitheliumMinimumA = 8.0
  /// ... and not yellow (b* below this), within the margin band.
  static let epitheliumMaximumB = 15.0
  /// Fisher discriminant of slough against granulation: slough when
  /// `l * L* + a * a* + b * b*` exceeds ``sloughThreshold``.
  static let sloughWeights = (l: 0.13156, a: -0.51802, b: 0.35042)
  static let sloughThreshold = 2.5370
  /// Width of the margin band where epithelium may appear, as a fraction of
  /// the square root of the wound area ...
  static let marginBandFraction = 0.06
  /// ... and at least this many pixels.
  static let minimumMarginBandPixels = 2.0
  /// Photo pixels per unit of smoothing radius.
  static let pixelsPerSmoothingRadius = 512

  /// The class of one wound pixel.
  ///
  /// - Parameters:
  ///   - lab: the pixel's normalised, smoothed colour in CIELAB.
  ///   - inMarginBand: whether the pixel lies within
  ///     ``marginBandPixels(areaPixels:)`` of the outline's edge.
  static func classify(lab: (l: Double, a: Double, b: Double), inMarginBand: Bool) -> TissueClass {
    let chroma = (lab.a * lab.a + lab.b * lab.b).squareRoot()
    if lab.l < necrosisMaximumLightness && (lab.a < lab.b || chroma < necrosisNeutralChroma) {
      return .necrosis
    }
    if inMarginBand && lab.l > epitheliumMinimumLightness && lab.a > epitheliumMinimumA
      && lab.b < epitheliumMaximumB
    {
      return .epithelium
    }
    let score = sloughWeights.l * lab.l + sloughWeights.a * lab.a + sloughWeights.b * lab.b
    return score > sloughThreshold ? .slough : .granulation
  }

  /// With the tissue model: where its slough and granulation probabilities sum to at
  /// least this, the model decides; below, the model sees skin, callus or something it
  /// was never shown (black eschar is background in DFUTissue), and the necrosis and
  /// epithelium colour rules decide where they match.
  static let modelWoundConfidence: Float = 0.5

  /// Whether the colour rules are asked at a pixel with these probabilities
  /// (``decide(slough:granulation:colourRule:)``): their sum is below ``modelWoundConfidence``.
  static func modelIsUnsure(slough: Float, granulation: Float) -> Bool {
    slough + granulation < modelWoundConfidence
  }

  /// The class of one wound pixel with the tissue model's probabilities, and whether the
  /// model (rather than the colour rule) decided it.
  /// The colour rule is evaluated only where the model is unsure.
  static func decide(
    slough: Float, granulation: Float, colourRule: @autoclosure () -> TissueClass
  ) -> (TissueClass, byModel: Bool) {
    let byModel = slough > granulation ? TissueClass.slough : .granulation
    if modelIsUnsure(slough: slough, granulation: granulation) {
      let rule = colourRule()
      if rule == .necrosis || rule == .epithelium { return (rule, false) }
    }
    return (byModel, true)
  }

  /// The margin band width, in pixels, for a wound of `areaPixels` pixels.
  static func marginBandPixels(areaPixels: Int) -> Double {
    max(minimumMarginBandPixels, marginBandFraction * Double(areaPixels).squareRoot())
  }

  /// The smoothing radius in pixels: 0 below 512 pixels on the short side,
  /// then one more per 512 (5 for a 12-megapixel photo).
  static func smoothingRadius(width: Int, height: Int) -> Int {
    min(width, height) / pixelsPerSmoothingRadius
  }
}
