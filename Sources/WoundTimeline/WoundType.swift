/// What kind of chronic wound a site is, as recorded with `measure --wound-type`.
///
/// Stored in an entry's `settings.other["woundType"]` (no schema change); the healing
/// report takes a site's type from its latest standing entry that records one, and
/// applies the four-week figure that belongs to it.
package enum WoundType: String, Sendable, Equatable, Codable, CaseIterable {
  case diabeticFoot = "diabetic-foot"
  case venous
  case pressure
  case arterial
  case calciphylaxis
  case other

  /// The key under `settings.other` that records it.
  package static let settingsKey = "woundType"

  /// The percentage area reduction at four weeks that predicts healing for this type,
  /// and its source; `nil` where none is established.
  package var fourWeekFigure: (percent: Double, source: String)? {
    switch self {
    case .diabeticFoot: return (50, "Sheehan et al., Diabetes Care 2003;26:1879-82")
    case .venous: return (40, "Phillips et al., J Am Acad Dermatol 2000;43:627-30")
    case .pressure, .arterial, .calciphylaxis, .other: return nil
    }
  }

  /// "diabetic foot ulcer", "venous leg ulcer", ... for sentences.
  package var displayName: String {
    switch self {
    case .diabeticFoot: return "diabetic foot ulcer"
    case .venous: return "venous leg ulcer"
    case .pressure: return "pressure ulcer"
    case .arterial: return "arterial ulcer"
    case .calciphylaxis: return "calciphylaxis wound"
    case .other: return "wound of another type"
    }
  }
}

extension TimelineEntry {
  /// The wound type this entry records, if any.
  package var woundType: WoundType? { settings.other?[WoundType.settingsKey].flatMap(WoundType.init(rawValue:)) }
}
