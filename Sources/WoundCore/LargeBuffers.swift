#if canImport(Glibc)
  import Glibc
#endif

/// Photo-sized buffers backed by the kernel's 2 MiB pages where it allows.
///
/// A 12-megapixel photo is 36 MB of RGB and each of its masks 12 MB; touched
/// for the first time 4 KiB page by page, such buffers cost thousands of page
/// faults each, a fifth of a measurement's time on Linux. Marking a buffer
/// `MADV_HUGEPAGE` before it is first written lets the kernel back its
/// aligned 2 MiB stretches with one page each (where transparent huge pages
/// are set to `madvise` or `always`; elsewhere the call changes nothing).
/// Values are never affected.
package enum LargeBuffers {
  /// Buffers smaller than this are left alone.
  package static let minimumBytes = 4 << 20

  /// Asks for huge pages over the 2 MiB-aligned part of `bytes` bytes at
  /// `start`, before the memory is first touched; a hint, ignored where the
  /// system has none.
  package static func adviseHugePages(_ start: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
      guard bytes >= minimumBytes else { return }
      let huge = 2 << 20
      let first = (UInt(bitPattern: start) + UInt(huge - 1)) & ~UInt(huge - 1)
      let end = (UInt(bitPattern: start) + UInt(bytes)) & ~UInt(huge - 1)
      guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
      _ = madvise(aligned, Int(end - first), 14)  // MADV_HUGEPAGE
    #endif
  }

  /// `count` bytes of `value`, huge pages asked for first.
  package static func bytes(repeating value: UInt8, count: Int) -> [UInt8] {
    guard count >= minimumBytes else { return [UInt8](repeating: value, count: count) }
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: count)
      buffer.baseAddress!.initialize(repeating: value, count: count)
      initialized = count
    }
  }
}
