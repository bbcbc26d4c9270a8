#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// The one place where woundmeasure opens, reads, creates and replaces files. Every reader of
// untrusted input and every writer of output goes through `SafeFile`; the rules are in
// docs/safety.md.

/// The identity of a file: its device and inode numbers (`st_dev`, `st_ino`), the same for
/// every path (hard link, symbolic link, `./x` or `x`) that reaches it.
package struct FileIdentity: Sendable, Hashable {
  package var device: UInt64
  package var inode: UInt64

  package init(device: UInt64, inode: UInt64) {
    self.device = device
    self.inode = inode
  }
}

/// What kind of file a path names (`st_mode & S_IFMT`).
package enum FileKind: Sendable, Equatable, CustomStringConvertible {
  case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink, unknown

  init(mode: mode_t) {
    switch mode & S_IFMT {
    case S_IFREG: self = .regular
    case S_IFDIR: self = .directory
    case S_IFIFO: self = .fifo
    case S_IFCHR: self = .characterDevice
    case S_IFBLK: self = .blockDevice
    case S_IFSOCK: self = .socket
    case S_IFLNK: self = .symbolicLink
    default: self = .unknown
    }
  }

  /// "a regular file", "a folder", "a FIFO (named pipe)", ... for messages.
  package var description: String {
    switch self {
    case .regular: return "a regular file"
    case .directory: return "a folder"
    case .fifo: return "a FIFO (named pipe)"
    case .characterDevice: return "a character device"
    case .blockDevice: return "a block device"
    case .socket: return "a socket"
    case .symbolicLink: return "a symbolic link"
    case .unknown: return "a special file"
    }
  }
}

/// Why a file was refused, or which system call failed on it. Every case names the file;
/// `description` reads `<file>: <reason>`.
package enum SafeFileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A system call failed: `operation` says what was being done (`"open"`, `"read"`,
  /// `"write"`, ...), `errno` is the system's code, shown with its `strerror` text.
  case system(file: String, operation: String, errno: Int32)
  /// An input is not a regular file (a FIFO, a device, a socket or a folder); it was not read.
  case notRegularFile(file: String, kind: FileKind)
  /// An input holds more than `limitBytes` bytes (`bytes` is its size, or how much had been
  /// read when the limit was passed); it was not read whole.
  case tooLarge(file: String, bytes: Int, limitBytes: Int)
  /// An output names the same file (device and inode) as the input `input`.
  case outputIsInput(file: String, input: String)
  /// An output names a timeline (a `*.json` file in a timeline folder).
  case outputIsTimeline(file: String)
  /// An output exists and is not a regular file (a symbolic link, a device, a FIFO, a folder).
  case outputNotRegularFile(file: String, kind: FileKind)

  /// The file the error is about.
  package var file: String {
    switch self {
    case .system(let file, _, _), .notRegularFile(let file, _), .tooLarge(let file, _, _),
      .outputIsInput(let file, _), .outputIsTimeline(let file), .outputNotRegularFile(let file, _):
      return file
    }
  }

  /// What went wrong, without the file name.
  package var reason: String {
    switch self {
    case .system(_, let operation, let code):
      return "cannot \(operation): \(SafeFile.systemMessage(code))"
    case .notRegularFile(_, let kind):
      return "is \(kind), not a regular file, so it was not used"
    case .tooLarge(_, let bytes, let limit):
      return "holds \(SafeFile.formatBytes(bytes)), more than the limit of \(SafeFile.formatBytes(limit)), "
        + "so it was not read"
    case .outputIsInput(let file, let input):
      let which = input == file ? "an input of this command" : "the same file as the input \(input)"
      return "is \(which); an output never replaces an input, so nothing was written (choose another name)"
    case .outputIsTimeline:
      return "is a timeline file; an output never replaces a timeline, so nothing was written (choose another name)"
    case .outputNotRegularFile(_, let kind):
      return "is \(kind), not a regular file; outputs are written only as regular files (new, or replacing one), "
        + "never through links or into devices, so nothing was written"
    }
  }

  package var description: String { "\(file): \(reason)" }
}

/// Safe reads of untrusted files and atomic, link-proof writes of outputs.
///
/// Reading: the file is opened once (`O_NONBLOCK`, so a FIFO cannot block the open), checked
/// with `fstat` to be a regular file, and read up to a limit the caller gives; the size is
/// checked before any memory is set aside for it.
///
/// Writing: the output is first checked (``checkOutput(_:protecting:)``): it must be a new
/// name or an existing regular file, not an input and not a timeline. The bytes then go to a
/// fresh temporary file `.<name>.<random>.tmp` in the output's folder, created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW` (so a planted file or link under that name makes the
/// creation fail instead of being written through), `fsync`ed, `rename`d over the output,
/// and the folder is `fsync`ed. A reader sees the old file or the new one, never a mixture.
package enum SafeFile {
  /// The bytes of a file read by ``read(_:limitBytes:)``, with what `fstat` said about it.
  package struct Contents: Sendable {
    package var bytes: [UInt8]
    /// The file's device and inode.
    package var identity: FileIdentity
    /// `st_mtime`, in seconds since 1970-01-01 UTC.
    package var modificationTime: Double
  }

  /// Reads a whole regular file of at most `limitBytes` bytes.
  ///
  /// `open(O_RDONLY | O_NONBLOCK | O_NOCTTY)`, `fstat`, then `O_NONBLOCK` is cleared and the
  /// file read in one pass. A file that grows past the limit while it is read is refused too.
  ///
  /// - Throws: ``SafeFileError/notRegularFile(file:kind:)`` for FIFOs, devices, sockets and
  ///   folders; ``SafeFileError/tooLarge(file:bytes:limitBytes:)``;
  ///   ``SafeFileError/system(file:operation:errno:)`` (`ENOENT` for a missing file,
  ///   `ENOMEM` when the bytes cannot be held).
  package static func read(_ path: String, limitBytes: Int) throws(SafeFileError) -> Contents {
    guard let contents = try read(path, limitBytes: limitBytes, missingIsError: true) else {
      throw .system(file: path, operation: "open", errno: ENOENT)
    }
    return contents
  }

  /// ``read(_:limitBytes:)``, or `nil` when nothing exists at `path` (`ENOENT`).
  package static func readIfPresent(_ path: String, limitBytes: Int) throws(SafeFileError) -> Contents? {
    try read(path, limitBytes: limitBytes, missingIsError: false)
  }

  private static func read(_ path: String, limitBytes: Int, missingIsError: Bool) throws(SafeFileError)
    -> Contents?
  {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if descriptor < 0 {
      let code = errno
      if code == ENOENT && !missingIsError { return nil }
      // A socket cannot be opened at all (ENXIO); name what it is.
      if code == ENXIO, let kind = status(path, followingLinks: true)?.kind, kind != .regular {
        throw .notRegularFile(file: path, kind: kind)
      }
      throw .system(file: path, operation: "open", errno: code)
    }
    defer { close(descriptor) }
    var info = stat()
    if fstat(descriptor, &info) != 0 { throw .system(file: path, operation: "examine", errno: errno) }
    let kind = FileKind(mode: info.st_mode)
    guard kind == .regular else { throw .notRegularFile(file: path, kind: kind) }
    let flags = fcntl(descriptor, F_GETFL)
    if flags < 0 || fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) != 0 {
      throw .system(file: path, operation: "open", errno: errno)
    }
    let size = Int(info.st_size)
    if size > limitBytes { throw .tooLarge(file: path, bytes: size, limitBytes: limitBytes) }
    guard CheckedAllocation.isAvailable(bytes: size + 1) else {
      throw .system(file: path, operation: "read", errno: ENOMEM)
    }
    var failure: Int32?
    // Straight into the array for the size fstat gave; then in chunks, in case the file grew.
    var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      var done = 0
      while done < size {
        let got = systemRead(descriptor, buffer.baseAddress! + done, size - done)
        if got < 0 {
          if errno == EINTR { continue }
          failure = errno
          break
        }
        if got == 0 { break }
        done += got
      }
      initialized = done
    }
    if let failure { throw .system(file: path, operation: "read", errno: failure) }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let got = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
      if got < 0 {
        if errno == EINTR { continue }
        throw .system(file: path, operation: "read", errno: errno)
      }
      if got == 0 { break }
      if bytes.count + got > limitBytes {
        throw .tooLarge(file: path, bytes: bytes.count + got, limitBytes: limitBytes)
      }
      bytes.append(contentsOf: chunk[0..<got])
    }
    return Contents(
      bytes: bytes, identity: FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)),
      modificationTime: modificationSeconds(info))
  }

  // MARK: Outputs

  /// Files and folders an output must never replace: the command's inputs (by device and
  /// inode, however they are named) and the `*.json` files of timeline folders.
  package struct ProtectedFiles: Sendable {
    struct Input: Sendable {
      var path: String
      var identity: FileIdentity
    }
    var inputs: [Input] = []
    var timelineFolders: Set<FileIdentity> = []

    /// Nothing protected beyond the rules every output follows.
    package static let none = ProtectedFiles()

    /// Protects `inputs` and the timelines in `timelineFolders`, as they are now (`stat`,
    /// following links). Paths that do not exist yet are skipped: they cannot be replaced.
    package init(inputs: [String] = [], timelineFolders: [String] = []) {
      for path in inputs { addInput(path) }
      for folder in timelineFolders {
        if let identity = SafeFile.status(folder, followingLinks: true)?.identity {
          self.timelineFolders.insert(identity)
        }
      }
    }

    /// Also protects the file at `path`, if it exists.
    package mutating func addInput(_ path: String) {
      if let identity = SafeFile.status(path, followingLinks: true)?.identity {
        inputs.append(Input(path: path, identity: identity))
      }
    }
  }

  /// Checks that `path` may be written: it is a new name or an existing regular file (not a
  /// symbolic link), not one of the protected inputs and not a timeline.
  ///
  /// Called by ``write(_:to:protecting:)`` before it creates anything and again just before
  /// the `rename`; commands call it for every output before they start work.
  ///
  /// - Throws: ``SafeFileError/outputNotRegularFile(file:kind:)``,
  ///   ``SafeFileError/outputIsInput(file:input:)``, ``SafeFileError/outputIsTimeline(file:)``,
  ///   ``SafeFileError/system(file:operation:errno:)`` when `lstat` fails other than `ENOENT`.
  package static func checkOutput(_ path: String, protecting protected: ProtectedFiles) throws(SafeFileError) {
    var info = stat()
    if lstat(path, &info) == 0 {
      let kind = FileKind(mode: info.st_mode)
      guard kind == .regular else { throw .outputNotRegularFile(file: path, kind: kind) }
      let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
      if let input = protected.inputs.first(where: { $0.identity == identity }) {
        throw .outputIsInput(file: path, input: input.path)
      }
    } else if errno != ENOENT {
      throw .system(file: path, operation: "examine", errno: errno)
    }
    let (folder, name) = split(path)
    if name.hasSuffix(".json"), !protected.timelineFolders.isEmpty,
      let identity = status(folder, followingLinks: true)?.identity, protected.timelineFolders.contains(identity)
    {
      throw .outputIsTimeline(file: path)
    }
  }

  /// Replaces (or creates) the file at `path` with `bytes`, atomically; see ``SafeFile``.
  ///
  /// - Throws: the errors of ``checkOutput(_:protecting:)``, and
  ///   ``SafeFileError/system(file:operation:errno:)`` when creating, writing, flushing or
  ///   renaming fails (the temporary file is then removed and `path` is unchanged).
  package static func write(
    _ bytes: UnsafeRawBufferPointer, to path: String, protecting protected: ProtectedFiles = .none
  ) throws(SafeFileError) {
    try checkOutput(path, protecting: protected)
    let (folder, name) = split(path)
    let (descriptor, temporary) = try createTemporary(folder: folder, name: name, for: path)
    var failure: SafeFileError?
    var done = 0
    while done < bytes.count {
      let wrote = systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
      if wrote < 0 && errno == EINTR { continue }
      if wrote <= 0 {
        failure = .system(file: path, operation: "write", errno: wrote < 0 ? errno : EIO)
        break
      }
      done += wrote
    }
    if failure == nil && fsync(descriptor) != 0 { failure = .system(file: path, operation: "write", errno: errno) }
    if close(descriptor) != 0 && failure == nil { failure = .system(file: path, operation: "write", errno: errno) }
    if failure == nil {
      do throws(SafeFileError) {
        try checkOutput(path, protecting: protected)
      } catch {
        failure = error
      }
    }
    if failure == nil && rename(temporary, path) != 0 {
      failure = .system(file: path, operation: "rename the temporary file \(temporary) onto it", errno: errno)
    }
    if let failure {
      unlink(temporary)
      throw failure
    }
    try syncFolder(folder)
  }

  /// ``write(_:to:protecting:)`` for an array of bytes.
  package static func write(_ bytes: [UInt8], to path: String, protecting protected: ProtectedFiles = .none)
    throws(SafeFileError)
  {
    var failure: SafeFileError?
    bytes.withUnsafeBytes { buffer in
      do throws(SafeFileError) {
        try write(buffer, to: path, protecting: protected)
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
  }

  /// Creates `.<name>.<16 hex digits>.tmp` in `folder` with `O_CREAT | O_EXCL | O_NOFOLLOW`,
  /// trying new random names while one exists.
  private static func createTemporary(folder: String, name: String, for path: String) throws(SafeFileError)
    -> (descriptor: Int32, path: String)
  {
    var short = ""
    for scalar in name.unicodeScalars {
      if short.utf8.count + String(scalar).utf8.count > 200 { break }
      short.unicodeScalars.append(scalar)
    }
    for _ in 0..<100 {
      let random = String(UInt64.random(in: .min ... .max), radix: 16)
      let tag = String(repeating: "0", count: 16 - random.count) + random
      let temporary = (folder == "." ? "" : folder.hasSuffix("/") ? folder : folder + "/") + ".\(short).\(tag).tmp"
      let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
      if descriptor >= 0 { return (descriptor, temporary) }
      if errno != EEXIST {
        throw .system(file: path, operation: "create a temporary file in \(folder)", errno: errno)
      }
    }
    throw .system(file: path, operation: "create a temporary file in \(folder)", errno: EEXIST)
  }

  /// `fsync`s a folder, so that a `rename` in it survives a crash. A folder that cannot be
  /// opened for reading, or a file system that cannot sync folders (`EINVAL`), is passed over.
  package static func syncFolder(_ folder: String) throws(SafeFileError) {
    let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    if fsync(descriptor) != 0 && errno != EINVAL {
      throw .system(file: folder, operation: "flush the folder", errno: errno)
    }
  }

  /// Creates `path` and any missing parent folders (`mkdir`, mode 0755 less the umask).
  ///
  /// - Throws: ``SafeFileError/system(file:operation:errno:)``, `ENOTDIR` when a part of the
  ///   path exists and is not a folder.
  package static func makeDirectories(_ path: String) throws(SafeFileError) {
    if status(path, followingLinks: true)?.kind == .directory { return }
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
      if mkdir(prefix, 0o755) == 0 { continue }
      let code = errno
      if code == EEXIST || code == EISDIR {
        if status(prefix, followingLinks: true)?.kind == .directory { continue }
        throw .system(file: prefix, operation: "create the folder", errno: ENOTDIR)
      }
      throw .system(file: prefix, operation: "create the folder", errno: code)
    }
  }

  /// Opens (creating if needed, mode 0644) a lock file for `flock`: `O_RDWR | O_CREAT |
  /// O_NOFOLLOW | O_NONBLOCK`, then `fstat`. The caller owns and closes the descriptor.
  ///
  /// - Throws: ``SafeFileError/notRegularFile(file:kind:)`` for a symbolic link, FIFO or
  ///   device under the lock's name; ``SafeFileError/system(file:operation:errno:)``.
  package static func openLockFile(_ path: String) throws(SafeFileError) -> Int32 {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
    if descriptor < 0 {
      let code = errno
      if let kind = status(path, followingLinks: false)?.kind, kind != .regular {
        throw .notRegularFile(file: path, kind: kind)
      }
      throw .system(file: path, operation: "open", errno: code)
    }
    var info = stat()
    if fstat(descriptor, &info) != 0 {
      let code = errno
      close(descriptor)
      throw .system(file: path, operation: "examine", errno: code)
    }
    let kind = FileKind(mode: info.st_mode)
    let flags = fcntl(descriptor, F_GETFL)
    guard kind == .regular, flags >= 0, fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
      close(descriptor)
      throw .notRegularFile(file: path, kind: kind)
    }
    return descriptor
  }

  // MARK: Looking at files

  /// What `stat` (or `lstat`, when not `followingLinks`) says about `path`; `nil` when it fails.
  package static func status(_ path: String, followingLinks: Bool) -> (kind: FileKind, identity: FileIdentity)? {
    var info = stat()
    let result = followingLinks ? stat(path, &info) : lstat(path, &info)
    guard result == 0 else { return nil }
    return (FileKind(mode: info.st_mode), FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
  }

  /// The folder holding `path` and its last component (``PathName``): `("a/b", "c")` for
  /// `a/b/c`, `(".", "c")` for `c`, `("/", "c")` for `/c`.
  static func split(_ path: String) -> (folder: String, name: String) {
    let folder = PathName.parent(of: path)
    return (folder.isEmpty ? "." : folder, PathName.last(of: path))
  }

  /// `strerror`'s text for an `errno` value.
  package static func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
  }

  /// A byte count for messages: "512 bytes", "3.5 KiB", "64 MiB", "3.0 GiB".
  package static func formatBytes(_ bytes: Int) -> String {
    if bytes < 1024 { return "\(bytes) bytes" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    let tenths = (value * 10).rounded() / 10
    let text = tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    return "\(text) \(units[unit])"
  }

  private static func modificationSeconds(_ info: stat) -> Double {
    #if canImport(Darwin)
      return Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
    #else
      return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    #endif
  }
}

/// Allocations whose size comes from a file's content.
///
/// Swift traps when an array cannot be allocated. Before a buffer whose size a file decides
/// (a photo's pixels, a file's bytes) is made, ``isAvailable(bytes:)`` asks `malloc` for a
/// block of that size and frees it at once; when `malloc` says no, the caller refuses the
/// file with its typed out-of-memory error instead of crashing.
package enum CheckedAllocation {
  /// Whether `malloc` can provide `bytes` bytes now; `false` for negative sizes and for sizes
  /// above half the address space.
  package static func isAvailable(bytes: Int) -> Bool {
    guard bytes >= 0, bytes <= Int.max / 2 else { return false }
    guard let block = malloc(max(bytes, 1)) else { return false }
    free(block)
    return true
  }
}

// POSIX `read` and `write`, under names that the functions above do not shadow.
@inline(__always)
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(descriptor, buffer, count)
}
@inline(__always)
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
