import FoundationEssentials
import WoundCore

// The timeline store's file operations, done by `SafeFile` (WoundCore), with its errors turned
// into `TimelineError`. The rules are in docs/safety.md.

extension TimelineStore {
  /// The most bytes a timeline file may hold: 64 MiB, some 15,000 entries of about 4 KiB.
  /// A larger file (or a link to `/dev/zero`) is refused with
  /// ``TimelineError/unsafeFile(_:)`` before it is read whole.
  package static let maximumFileBytes = 64 << 20
}

/// The file system calls of ``TimelineStore``.
enum TimelineFiles {
  /// The timeline's bytes (a regular file of at most ``TimelineStore/maximumFileBytes``), or
  /// `nil` when it does not exist.
  static func readIfPresent(file: String) throws(TimelineError) -> Data? {
    do {
      return try SafeFile.readIfPresent(file, limitBytes: TimelineStore.maximumFileBytes).map { Data($0.bytes) }
    } catch .system(_, _, let code) {
      throw .unreadable(file: file, errno: code)
    } catch {
      throw .unsafeFile(error)
    }
  }

  /// Replaces `file` with `data` through a fresh temporary file (``SafeFile/write(_:to:protecting:)``).
  static func replace(file: String, with data: Data) throws(TimelineError) {
    var failure: SafeFileError?
    data.withUnsafeBytes { bytes in
      do throws(SafeFileError) {
        try SafeFile.write(bytes, to: file)
      } catch {
        failure = error
      }
    }
    switch failure {
    case .none: return
    case .system(let failed, let operation, let code):
      throw .writeFailed(file: failed, operation: operation, errno: code)
    case .some(let error): throw .unsafeFile(error)
    }
  }

  /// Creates the timeline folder and its parents when missing.
  static func makeDirectory(_ directory: String) throws(TimelineError) {
    do {
      try SafeFile.makeDirectories(directory)
    } catch .system(let failed, _, let code) {
      throw .writeFailed(file: failed, operation: "mkdir", errno: code)
    } catch {
      throw .unsafeFile(error)
    }
  }

  /// Opens the lock file without following a link (``SafeFile/openLockFile(_:)``).
  static func openLock(_ path: String) throws(TimelineError) -> Int32 {
    do {
      return try SafeFile.openLockFile(path)
    } catch .system(_, _, let code) {
      throw .lockFailed(file: path, errno: code)
    } catch {
      throw .unsafeFile(error)
    }
  }
}
