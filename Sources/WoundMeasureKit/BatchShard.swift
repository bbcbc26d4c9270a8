import FoundationEssentials

/// One of `count` disjoint parts of a batch (`batch --shard K/N`), split by patient so
/// that every timeline has one writer.
///
/// A photo belongs to shard `FNV-1a-64(UTF-8 bytes of its patient ID) mod N`: a
/// stable hash, the same on every machine, in every run and whatever else the
/// folder holds, so the same `K/N` always selects the same patients, shards can
/// be re-run alone, and the shards' union is the whole batch.
package struct BatchShard: Sendable, Equatable, CustomStringConvertible {
  /// This shard, `0 ..< count`.
  package var index: Int
  /// The number of shards.
  package var count: Int

  /// Parses `K/N` with `0 <= K < N` and `1 <= N <= 100000`; `nil` otherwise.
  package init?(_ text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, k >= 0, k < n
    else { return nil }
    index = k
    count = n
  }

  package init(index: Int, count: Int) {
    precondition(count >= 1 && index >= 0 && index < count, "shard \(index)/\(count)")
    self.index = index
    self.count = count
  }

  package var description: String { "\(index)/\(count)" }

  /// The shard a patient's photos belong to, among `count`.
  package static func shard(ofPatient patient: String, count: Int) -> Int {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in patient.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return Int(hash % UInt64(count))
  }

  /// Whether this shard holds the patient's photos.
  package func holds(patient: String) -> Bool { Self.shard(ofPatient: patient, count: count) == index }

  /// The items of this shard, in their order.
  package func select(_ items: [BatchItem]) -> [BatchItem] { items.filter { holds(patient: $0.patient) } }

  /// The problems of this shard: a problem under `<folder>/<patient>/...` belongs to that
  /// patient's shard; one that names no patient folder (a manifest's own problem) to shard 0.
  package func select(_ problems: [BatchPlanProblem], folder: String) -> [BatchPlanProblem] {
    let prefix = folder.hasSuffix("/") ? folder : folder + "/"
    return problems.filter { problem in
      let parts = problem.path.hasPrefix(prefix) ? problem.path.dropFirst(prefix.count).split(separator: "/") : []
      guard parts.count >= 2 else { return index == 0 }
      return holds(patient: String(parts[0]))
    }
  }
}
