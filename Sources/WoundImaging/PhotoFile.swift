#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and writes with the system's own error messages.
enum PhotoFile {
  /// The bytes of the file at `path` (POSIX `open`, `fstat`, `read`).
  ///
  /// - Throws: `DecodeError.unreadable` with `strerror`'s text.
  static func read(path: String) throws(DecodeError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    if descriptor < 0 { throw .unreadable(file: path, reason: systemMessage()) }
    defer { close(descriptor) }
    var status = stat()
    if fstat(descriptor, &status) != 0 { throw .unreadable(file: path, reason: systemMessage()) }
    if (status.st_mode & S_IFMT) == S_IFDIR {
      throw .unreadable(file: path, reason: "is a directory")
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(status.st_size) + 1)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    // Read straight into the array when the size is known; loop for pipes.
    let expected = Int(status.st_size)
    if expected > 0 {
      var failure: String?
      bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
        var done = 0
        while done < expected {
          let got = systemRead(descriptor, buffer.baseAddress! + done, expected - done)
          if got < 0 {
            if errno == EINTR { continue }
            failure = systemMessage()
            break
          }
          if got == 0 { break }
          done += got
        }
        initialized = done
      }
      if let failure { throw .unreadable(file: path, reason: failure) }
    }
    while true {
      let got = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
      if got < 0 {
        if errno == EINTR { continue }
        throw .unreadable(file: path, reason: systemMessage())
      }
      if got == 0 { break }
      bytes.append(contentsOf: chunk[0..<got])
    }
    return bytes
  }

  /// Writes `bytes` to `path`, replacing it: to a temporary file beside it,
  /// then `rename`, so readers never see a half-written image.
  ///
  /// - Throws: `EncodeError.cannotWrite` with `strerror`'s text.
  static func write(_ bytes: [UInt8], to path: String) throws(EncodeError) {
    let temporary = path + ".partial-\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if descriptor < 0 { throw .cannotWrite(file: path, reason: systemMessage()) }
    var failure: String?
    bytes.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        let wrote = systemWrite(descriptor, buffer.baseAddress! + done, buffer.count - done)
        if wrote < 0 {
          if errno == EINTR { continue }
          failure = systemMessage()
          return
        }
        done += wrote
      }
    }
    if close(descriptor) != 0 && failure == nil { failure = systemMessage() }
    if failure == nil && rename(temporary, path) != 0 { failure = systemMessage() }
    if let failure {
      unlink(temporary)
      throw .cannotWrite(file: path, reason: failure)
    }
  }

  private static func systemMessage() -> String {
    String(cString: strerror(errno))
  }
}

// POSIX `read` and `write`, under names that `PhotoFile.read(path:)` and
// `PhotoFile.write(_:to:)` do not shadow.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}
@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}
