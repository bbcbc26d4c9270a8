import FoundationEssentials

/// Corrections are appended, never edited: an amendment supersedes the entry it
/// names, a void withdraws it. These functions read the record the way a
/// clinician does: the latest standing version of each photo's measurement.
extension Timeline {
  /// Where an entry stands in the record.
  package enum EntryStatus: Sendable, Equatable {
    /// The current version of its photo's measurement.
    case standing
    /// A later amendment (its id) replaces it.
    case superseded(by: String)
    /// A void entry (its id) withdrew it, or the measurement it corrects.
    case voided(by: String)
    /// The entry is itself a void: it withdraws another entry.
    case withdrawal
    /// An amendment or void whose target is not in the timeline (only a damaged or
    /// hand-made file has one; the store refuses them).
    case orphan
  }

  /// Every entry's status, by entry id.
  package func statuses() -> [String: EntryStatus] {
    var root: [String: String] = [:]  // entry id -> id of the measurement it (re)measures
    var current: [String: String] = [:]  // root -> current version
    var versions: [String: [String]] = [:]  // root -> every version in order
    var status: [String: EntryStatus] = [:]
    for entry in entries {
      switch entry.effectiveKind {
      case .measurement:
        root[entry.id] = entry.id
        current[entry.id] = entry.id
        versions[entry.id] = [entry.id]
        status[entry.id] = .standing
      case .amendment, .void:
        // Both name a measurement (or a version of it) that still stands.
        guard let target = entry.amends?.entryId, let r = root[target], case .standing? = status[current[r] ?? ""]
        else {
          status[entry.id] = .orphan
          continue
        }
        if entry.effectiveKind == .void {
          for version in versions[r] ?? [] { status[version] = .voided(by: entry.id) }
          status[entry.id] = .withdrawal
        } else {
          if let previous = current[r] { status[previous] = .superseded(by: entry.id) }
          root[entry.id] = r
          current[r] = entry.id
          versions[r, default: []].append(entry.id)
          status[entry.id] = .standing
        }
      }
    }
    return status
  }

  /// The standing entries (current versions, withdrawn ones left out) in order of
  /// `takenAt`, ties in append order; of one wound site when `woundSite` is given.
  package func standingEntries(woundSite: String? = nil) -> [TimelineEntry] {
    let status = statuses()
    return entries.enumerated()
      .filter { status[$0.element.id] == .standing && (woundSite == nil || $0.element.woundSite == woundSite) }
      .sorted { ($0.element.takenAt, $0.offset) < ($1.element.takenAt, $1.offset) }.map(\.element)
  }

  /// The wound sites with a standing entry, in order of first appearance.
  package var standingWoundSites: [String] {
    let status = statuses()
    var seen = Set<String>()
    return entries.filter { status[$0.id] == .standing }.map(\.woundSite).filter { seen.insert($0).inserted }
  }

  /// The entry with this id, if any.
  package func entry(id: String) -> TimelineEntry? { entries.first { $0.id == id } }
}
