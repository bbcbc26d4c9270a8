internal import CCodecShims
import WoundCore

/// Decodes PNG, JPEG and HEIC photos into upright 8-bit RGB images.
///
/// The format is decided by the first bytes, never the file name. EXIF
/// orientation is applied, so pixel `(x, y)` of the result is pixel `(x, y)`
/// of the photo as displayed. Alpha is composited over white. Every refusal is
/// a ``DecodeError`` naming the file.
///
/// Decoding is reentrant: each call owns its own libjpeg/libpng handles.
package enum PhotoDecoder {
  /// Reads and decodes the photo at `path`, upright.
  ///
  /// - Parameters:
  ///   - path: The photo file.
  ///   - options: The pixel limit and reduced-decode factor.
  /// - Returns: The upright image (reduced by `options.scaleDenominator`) and
  ///   the metadata; the metadata's sizes are always at full resolution.
  /// - Throws: ``DecodeError``; `.unreadable` when the file cannot be read.
  package static func decode(path: String, options: DecodeOptions = .init()) throws(DecodeError) -> DecodedPhoto {
    let bytes = try PhotoFile.read(path: path, maxPixels: options.maxPixels).bytes
    return try decode(bytes: bytes, name: path, options: options)
  }

  /// Decodes photo bytes; `name` is used in error messages.
  ///
  /// - Throws: ``DecodeError``: `.empty`, `.unknownFormat`, `.tooLarge`
  ///   (before allocating), `.truncated`, `.corrupt`, `.outOfMemory`.
  package static func decode(bytes: [UInt8], name: String, options: DecodeOptions = .init()) throws(DecodeError)
    -> DecodedPhoto
  {
    checkScale(options)
    switch try format(of: bytes, name: name) {
    case .jpeg: return try JPEGDecoding.decode(bytes: bytes, name: name, options: options, region: nil)
    case .png: return try PNGDecoding.decode(bytes: bytes, name: name, options: options, region: nil)
    case .heic: return try HEICDecoding.decode(bytes: bytes, name: name, options: options, region: nil)
    }
  }

  /// Decodes only `region` of the photo at `path`, at full resolution.
  ///
  /// `region` is in pixels of the photo as displayed. A JPEG is decoded only
  /// down to the region's last row, and only the iMCU columns covering it
  /// (`jpeg_crop_scanline`, `jpeg_skip_scanlines`); a PNG is decoded whole and
  /// cropped. `options.scaleDenominator` must be 1 (a programmer error
  /// otherwise, which traps).
  ///
  /// - Returns: A `region.width` x `region.height` upright image, and the
  ///   whole photo's metadata.
  /// - Throws: ``DecodeError``, including `.regionOutside` when the region is
  ///   empty or not inside the displayed photo.
  package static func decode(path: String, options: DecodeOptions = .init(), region: PixelRect) throws(DecodeError)
    -> DecodedPhoto
  {
    let bytes = try PhotoFile.read(path: path, maxPixels: options.maxPixels).bytes
    return try decode(bytes: bytes, name: path, options: options, region: region)
  }

  /// Decodes only `region` of photo bytes; see ``decode(path:options:region:)``.
  package static func decode(bytes: [UInt8], name: String, options: DecodeOptions = .init(), region: PixelRect)
    throws(DecodeError) -> DecodedPhoto
  {
    precondition(options.scaleDenominator == 1, "a region decode is at full resolution")
    switch try format(of: bytes, name: name) {
    case .jpeg: return try JPEGDecoding.decode(bytes: bytes, name: name, options: options, region: region)
    case .png: return try PNGDecoding.decode(bytes: bytes, name: name, options: options, region: region)
    case .heic: return try HEICDecoding.decode(bytes: bytes, name: name, options: options, region: region)
    }
  }

  /// Reads the photo's header and EXIF only, without decoding pixels or
  /// applying the pixel limit. Damage in the image data goes unnoticed.
  ///
  /// The file is read with the default pixel limit's byte limit (``fileByteLimit(maxPixels:)``).
  ///
  /// - Throws: ``DecodeError`` for unreadable, empty, unknown or corrupt headers.
  package static func readMetadata(path: String) throws(DecodeError) -> PhotoMetadata {
    let bytes = try PhotoFile.read(path: path, maxPixels: DecodeOptions().maxPixels).bytes
    return try readMetadata(bytes: bytes, name: path)
  }

  /// Reads the header and EXIF of photo bytes; see ``readMetadata(path:)``.
  package static func readMetadata(bytes: [UInt8], name: String) throws(DecodeError) -> PhotoMetadata {
    switch try format(of: bytes, name: name) {
    case .jpeg: return try JPEGDecoding.readMetadata(bytes: bytes, name: name)
    case .png: return try PNGDecoding.readMetadata(bytes: bytes, name: name)
    case .heic: return try HEICDecoding.readMetadata(bytes: bytes, name: name)
    }
  }

  /// Reads a photo file's bytes without decoding them, as ``decode(path:options:)`` does: the
  /// file must be a regular file (checked with `fstat` on the open descriptor; FIFOs, devices
  /// and folders are refused without blocking) of at most ``fileByteLimit(maxPixels:)`` bytes.
  ///
  /// - Throws: ``DecodeError/unreadable(file:reason:)``, ``DecodeError/notAFile(file:kind:)``,
  ///   ``DecodeError/fileTooLarge(file:bytes:limitBytes:maxPixels:)``.
  package static func readFile(path: String, maxPixels: Int) throws(DecodeError) -> SafeFile.Contents {
    try PhotoFile.read(path: path, maxPixels: maxPixels)
  }

  /// The most bytes a photo file may hold when photos may have up to `maxPixels` pixels:
  /// 8 bytes per pixel plus 4 MiB (804 MiB for the default 100 MP).
  package static func fileByteLimit(maxPixels: Int) -> Int {
    PhotoFile.byteLimit(maxPixels: maxPixels)
  }

  /// The most scans a progressive JPEG may have: 100 (libjpeg's own progressions use 10 or
  /// fewer). More are refused with ``DecodeError/tooManyScans(file:limit:)`` by a libjpeg
  /// progress monitor, as libjpeg-turbo advises for untrusted files (`djpeg -maxscans`).
  package static let maximumJPEGScans = Int(WM_JPEG_MAX_SCANS)

  /// The format announced by the first bytes: the PNG signature
  /// `89 50 4E 47 0D 0A 1A 0A`, the JPEG start-of-image marker `FF D8 FF`, or an ISO
  /// base media `ftyp` box (bytes 4-7) whose major brand is one of HEIF's
  /// (``HEICDecoding/brands``).
  package static func format(of bytes: [UInt8]) -> PhotoFormat? {
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
    if bytes.count >= 12, bytes[4..<8].elementsEqual("ftyp".utf8),
      HEICDecoding.brands.contains(String(decoding: bytes[8..<12], as: UTF8.self))
    {
      return .heic
    }
    return nil
  }

  private static func format(of bytes: [UInt8], name: String) throws(DecodeError) -> PhotoFormat {
    if bytes.isEmpty { throw .empty(file: name) }
    guard let format = format(of: bytes) else { throw .unknownFormat(file: name) }
    return format
  }

  private static func checkScale(_ options: DecodeOptions) {
    precondition(
      [1, 2, 4, 8].contains(options.scaleDenominator),
      "scaleDenominator must be 1, 2, 4 or 8, not \(options.scaleDenominator)")
  }

  /// Refuses a header claiming more than `options.maxPixels` pixels.
  static func checkPixelLimit(width: Int, height: Int, options: DecodeOptions, name: String) throws(DecodeError) {
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    if overflow || pixels > options.maxPixels {
      throw .tooLarge(file: name, width: width, height: height, limit: options.maxPixels)
    }
  }

  /// Refuses a region that is empty or not inside the displayed photo.
  static func checkRegion(_ region: PixelRect, displayedWidth: Int, displayedHeight: Int, name: String)
    throws(DecodeError)
  {
    let inside =
      region.width > 0 && region.height > 0 && region.x >= 0 && region.y >= 0
      && region.x <= displayedWidth - region.width && region.y <= displayedHeight - region.height
    if !inside {
      throw .regionOutside(
        file: name, region: region, displayedWidth: displayedWidth,
        displayedHeight: displayedHeight)
    }
  }
}
