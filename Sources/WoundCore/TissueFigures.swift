/// Per-class shares of the wound area, in [0, 1], summing to 1 when the wound is
/// not empty: what the tissue stage reports and the timeline records, with what
/// decided each class (``TissueProvenance``).
package struct TissueShares: Sendable, Equatable, Codable {
  package var granulation: Double
  package var slough: Double
  package var necrosis: Double
  package var epithelium: Double
  package init(granulation: Double, slough: Double, necrosis: Double, epithelium: Double) {
    self.granulation = granulation
    self.slough = slough
    self.necrosis = necrosis
    self.epithelium = epithelium
  }
}

/// What decided a tissue class.
package enum TissueMethod: String, Sendable, Equatable, Codable {
  /// The learned tissue model (`TissueModel`), validated on DFUTissue.
  case model
  /// A documented colour rule in CIELAB (`TissueRules`).
  case colourRule = "colour rule"
}

/// Which method decided each class, and how much of the wound each method decided.
package struct TissueProvenance: Sendable, Equatable, Codable {
  package var granulation: TissueMethod
  package var slough: TissueMethod
  package var necrosis: TissueMethod
  package var epithelium: TissueMethod
  /// Share of the wound's pixels the colour rule decided (1 without a model).
  package var colourRuleShare: Double

  package init(
    granulation: TissueMethod, slough: TissueMethod, necrosis: TissueMethod, epithelium: TissueMethod,
    colourRuleShare: Double
  ) {
    self.granulation = granulation
    self.slough = slough
    self.necrosis = necrosis
    self.epithelium = epithelium
    self.colourRuleShare = colourRuleShare
  }

  /// The colour rule alone.
  package static let colourRule = TissueProvenance(
    granulation: .colourRule, slough: .colourRule, necrosis: .colourRule, epithelium: .colourRule, colourRuleShare: 1)
}
