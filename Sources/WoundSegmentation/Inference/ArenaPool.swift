import Synchronization
import WoundCore

/// Network arenas kept for the next run in this process.
///
/// One measurement runs three networks one after the other (the whole photo,
/// the fine pass, the tissue model), each over an arena of 9-13 MB. Freed,
/// such a buffer goes back to the system or is taken over by other
/// allocations, and the next run's arena is fresh memory that the kernel
/// clears page by page: on the 2-core machine that clearing cost more than
/// the arithmetic of some layers. Kept here, an arena is reused as it is
/// (never read before written: every tensor is written before it is read).
/// Each run takes a buffer for itself, so parallel runs (`batch`) never
/// share one; at most ``capacity`` buffers are kept.
enum ArenaPool {
  /// A buffer of at least `count` floats, taken from the pool or allocated;
  /// give it back with ``giveBack(_:)``.
  static func take(count: Int) -> UnsafeMutableBufferPointer<Float> {
    let kept = idle.withLock { idle -> UnsafeMutableBufferPointer<Float>? in
      guard let index = idle.firstIndex(where: { $0.buffer.count >= count }) ?? idle.indices.last else { return nil }
      return idle.remove(at: index).buffer
    }
    if let kept {
      if kept.count >= count { return kept }
      kept.deallocate()
    }
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
    LargeBuffers.adviseHugePages(
      UnsafeMutableRawPointer(buffer.baseAddress!), bytes: count * MemoryLayout<Float>.stride)
    return buffer
  }

  /// Keeps `buffer` for a later ``take(count:)``, or frees it when the pool is full.
  static func giveBack(_ buffer: UnsafeMutableBufferPointer<Float>) {
    let full = idle.withLock { idle -> Bool in
      guard idle.count < capacity else { return true }
      idle.append(Idle(buffer: buffer))
      return false
    }
    if full { buffer.deallocate() }
  }

  /// The most buffers kept: one per worker of a `batch` on this machine's cores is
  /// enough, as each worker runs one network at a time.
  static let capacity = 4

  /// A buffer no run holds: only the pool refers to it, under its lock.
  private struct Idle: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
  }
  private static let idle = Mutex<[Idle]>([])
}
