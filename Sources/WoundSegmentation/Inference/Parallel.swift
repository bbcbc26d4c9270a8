import Dispatch

/// Sharing one kernel's work between threads without changing its result.
///
/// A kernel is cut into ranges of independent outputs (matrix columns,
/// depthwise channels); each range is computed by one thread with exactly the
/// arithmetic the single-threaded kernel uses, so the outputs are the same
/// bits whatever the number of threads. Work too small to be worth a thread
/// (under ``minimumWorkPerPart`` multiply-adds a part) runs on the calling
/// thread.
enum Parallel {
  /// The fewest multiply-adds worth handing to another thread (about 0.05 ms
  /// of one core), so the small layers deep in the network stay on one thread.
  static let minimumWorkPerPart = 1 << 17

  /// How many parts to cut `items` independent pieces (of `work` multiply-adds
  /// in all) into for `threads` threads: at most one per item and per
  /// ``minimumWorkPerPart``, at least 1.
  static func parts(threads: Int, items: Int, work: Int) -> Int {
    guard threads > 1 else { return 1 }
    return Swift.max(1, Swift.min(threads, items, work / minimumWorkPerPart))
  }

  /// Part `part` of `0 ..< items` cut into `parts` ranges whose bounds are
  /// multiples of `granule` (but the last), in order; together they cover
  /// every item once.
  static func range(_ part: Int, of parts: Int, items: Int, granule: Int) -> Range<Int> {
    let units = (items + granule - 1) / granule
    let lower = Swift.min(items, units * part / parts * granule)
    let upper = part == parts - 1 ? items : Swift.min(items, units * (part + 1) / parts * granule)
    return lower..<upper
  }

  /// Runs `body(0)`, ..., `body(parts - 1)`: on the calling thread when
  /// `parts` is 1, otherwise concurrently (`DispatchQueue.concurrentPerform`),
  /// returning when all have finished.
  ///
  /// The parts must write disjoint memory and only read what no part writes
  /// (the kernels' ranges do); `body` is handed to the other threads without
  /// a `Sendable` check for that reason.
  static func run(_ parts: Int, _ body: (Int) -> Void) {
    if parts <= 1 {
      body(0)
      return
    }
    withoutActuallyEscaping(body) { body in
      let shared = SharedBody(body: body)
      DispatchQueue.concurrentPerform(iterations: parts) { shared.body($0) }
    }
  }

  /// A kernel body shared between the threads of one ``run(_:_:)``.
  private struct SharedBody: @unchecked Sendable {
    let body: (Int) -> Void
  }
}
