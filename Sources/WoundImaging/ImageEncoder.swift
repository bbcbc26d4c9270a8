internal import CCodecShims
import WoundCore

/// Encoders for masks, overlays, printable markers and test fixtures.
package enum ImageEncoder {
  /// Writes an 8-bit RGB PNG (libpng classic write API), replacing `path`
  /// atomically with ``SafeFile/write(_:to:protecting:)``.
  ///
  /// - Parameters:
  ///   - pixelsPerMetre: When given, written as the pHYs chunk (same value
  ///     both ways, unit metre).
  ///   - compressionLevel: zlib's level 0...9 (1: fastest that compresses);
  ///     `nil` keeps libpng's default.
  ///   - protected: Inputs and timelines that `path` must not be.
  /// - Throws: ``EncodeError``; ``EncodeError/output(_:)`` when `path` is refused or cannot be
  ///   written (nothing is written then).
  package static func writePNG(
    _ image: RGBImage, to path: String, pixelsPerMetre: Int? = nil, compressionLevel: Int? = nil,
    protecting protected: SafeFile.ProtectedFiles = .none
  ) throws(EncodeError) {
    try SafeFile.checkOutputForEncoding(path, protected)
    let bytes = try encodePNG(image, pixelsPerMetre: pixelsPerMetre, compressionLevel: compressionLevel)
    try PhotoFile.write(bytes, to: path, protecting: protected)
  }

  /// Writes an 8-bit grey PNG, replacing `path` atomically; see ``writePNG(_:to:pixelsPerMetre:protecting:)-RGBImage``.
  ///
  /// - Throws: ``EncodeError``.
  package static func writePNG(
    _ image: GreyImage, to path: String, pixelsPerMetre: Int? = nil,
    protecting protected: SafeFile.ProtectedFiles = .none
  ) throws(EncodeError) {
    try SafeFile.checkOutputForEncoding(path, protected)
    let bytes = try encodePNG(image, pixelsPerMetre: pixelsPerMetre)
    try PhotoFile.write(bytes, to: path, protecting: protected)
  }

  /// The bytes of an 8-bit RGB PNG of `image`.
  package static func encodePNG(_ image: RGBImage, pixelsPerMetre: Int? = nil, compressionLevel: Int? = nil)
    throws(EncodeError) -> [UInt8]
  {
    try encodePNG(
      image.pixels, width: image.width, height: image.height, channels: 3,
      pixelsPerMetre: pixelsPerMetre, compressionLevel: compressionLevel)
  }

  /// The bytes of an 8-bit grey PNG of `image`.
  package static func encodePNG(_ image: GreyImage, pixelsPerMetre: Int? = nil) throws(EncodeError) -> [UInt8] {
    try encodePNG(
      image.pixels, width: image.width, height: image.height, channels: 1,
      pixelsPerMetre: pixelsPerMetre)
  }

  /// Baseline JPEG at `quality` (1...100), 4:2:0, no EXIF (libjpeg
  /// `jpeg_set_quality`, `jpeg_mem_dest`).
  ///
  /// - Throws: ``EncodeError``.
  package static func encodeJPEG(_ image: RGBImage, quality: Int) throws -> [UInt8] {
    guard (1...100).contains(quality) else { throw EncodeError.invalidQuality(quality) }
    guard image.width > 0 && image.height > 0 else {
      throw EncodeError.emptyImage(width: image.width, height: image.height)
    }
    return try encoded(format: .jpeg) { output, length, message, capacity in
      image.pixels.withUnsafeBufferPointer {
        wm_jpeg_encode_rgb(
          $0.baseAddress, Int32(image.width), Int32(image.height), Int32(quality),
          output, length, message, capacity)
      }
    }
  }

  /// Writes a baseline JPEG at `quality`, replacing `path` atomically with
  /// ``SafeFile/write(_:to:protecting:)``.
  package static func writeJPEG(
    _ image: RGBImage, to path: String, quality: Int, protecting protected: SafeFile.ProtectedFiles = .none
  ) throws {
    try SafeFile.checkOutputForEncoding(path, protected)
    let bytes = try encodeJPEG(image, quality: quality)
    try PhotoFile.write(bytes, to: path, protecting: protected)
  }

  private static func encodePNG(
    _ pixels: [UInt8], width: Int, height: Int, channels: Int,
    pixelsPerMetre: Int?, compressionLevel: Int? = nil
  ) throws(EncodeError) -> [UInt8] {
    guard width > 0 && height > 0 else { throw .emptyImage(width: width, height: height) }
    let density = Int32(clamping: max(0, pixelsPerMetre ?? 0))
    return try encoded(format: .png) { output, length, message, capacity in
      pixels.withUnsafeBufferPointer {
        wm_png_encode(
          $0.baseAddress, Int32(width), Int32(height), Int32(channels), density,
          Int32(compressionLevel.map { min(9, max(0, $0)) } ?? -1), output, length, message, capacity)
      }
    }
  }

  /// Runs one shim encoder, copies its malloc'd output into an array and
  /// frees it; the one place encoder statuses become ``EncodeError``.
  private static func encoded(
    format: PhotoFormat,
    _ body: (
      UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>,
      UnsafeMutablePointer<CChar>, Int
    ) -> wm_status
  ) throws(EncodeError) -> [UInt8] {
    var output: UnsafeMutablePointer<UInt8>?
    var length = 0
    var message = [CChar](repeating: 0, count: 256)
    let status = message.withUnsafeMutableBufferPointer { buffer in
      body(&output, &length, buffer.baseAddress!, buffer.count)
    }
    guard status == WM_STATUS_OK, let output else {
      let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw .encoderFailed(format: format, message: text.isEmpty ? "status \(status.rawValue)" : text)
    }
    defer { wm_free(output) }
    return Array(UnsafeBufferPointer(start: output, count: length))
  }
}

extension SafeFile {
  /// ``checkOutput(_:protecting:)`` before encoding, so a refused output costs no encoding.
  fileprivate static func checkOutputForEncoding(_ path: String, _ protected: ProtectedFiles) throws(EncodeError) {
    do {
      try checkOutput(path, protecting: protected)
    } catch {
      throw .output(error)
    }
  }
}
