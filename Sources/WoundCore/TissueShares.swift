/// Per-class shares of the wound area, in [0, 1], summing to 1 when the wound is
/// not empty: what the tissue stage reports and the timeline records.
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
