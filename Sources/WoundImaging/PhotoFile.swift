import WoundCore

/// Reading photo files and writing image files, through ``SafeFile``.
///
/// A photo is read only when it is a regular file of at most ``byteLimit(maxPixels:)``
/// bytes, so the memory a photo can take is bounded by the pixel limit, never by the file's
/// size.
enum PhotoFile {
  /// Bytes a photo file may take per pixel of the pixel limit: 8, the size of an uncompressed
  /// 16-bit RGBA pixel, more than any PNG or JPEG of real photos needs.
  static let bytesPerPixel = 8
  /// Bytes allowed on top, for metadata (EXIF, ICC profiles, thumbnails): 4 MiB.
  static let slackBytes = 4 << 20

  /// The most bytes a photo file may hold when photos may have up to `maxPixels` pixels:
  /// `8 * maxPixels + 4 MiB` (804 MiB for the default 100 MP).
  static func byteLimit(maxPixels: Int) -> Int {
    let (product, overflow) = max(0, maxPixels).multipliedReportingOverflow(by: bytesPerPixel)
    return overflow ? Int.max / 2 : min(Int.max / 2, product + slackBytes)
  }

  /// The file at `path`, read by ``SafeFile/read(_:limitBytes:)`` with the photo limit.
  ///
  /// - Throws: ``DecodeError/unreadable(file:reason:)`` with `strerror`'s text,
  ///   ``DecodeError/notAFile(file:kind:)``, ``DecodeError/fileTooLarge(file:bytes:limitBytes:maxPixels:)``.
  static func read(path: String, maxPixels: Int) throws(DecodeError) -> SafeFile.Contents {
    do {
      return try SafeFile.read(path, limitBytes: byteLimit(maxPixels: maxPixels))
    } catch {
      throw DecodeError(reading: error, maxPixels: maxPixels)
    }
  }

  /// Writes `bytes` to `path` with ``SafeFile/write(_:to:protecting:)``.
  ///
  /// - Throws: ``EncodeError/output(_:)``.
  static func write(_ bytes: [UInt8], to path: String, protecting protected: SafeFile.ProtectedFiles)
    throws(EncodeError)
  {
    do {
      try SafeFile.write(bytes, to: path, protecting: protected)
    } catch {
      throw .output(error)
    }
  }
}

extension DecodeError {
  /// The decoding stage's case for a file ``SafeFile`` refused.
  init(reading error: SafeFileError, maxPixels: Int) {
    switch error {
    case .notRegularFile(let file, let kind), .outputNotRegularFile(let file, let kind):
      self = .notAFile(file: file, kind: kind)
    case .tooLarge(let file, let bytes, let limit):
      self = .fileTooLarge(file: file, bytes: bytes, limitBytes: limit, maxPixels: maxPixels)
    case .system(let file, _, let code):
      self = .unreadable(file: file, reason: SafeFile.systemMessage(code))
    case .outputIsInput(let file, _), .outputIsTimeline(let file):
      self = .unreadable(file: file, reason: error.reason)
    }
  }
}
