internal import CExif
import WoundCore

/// The EXIF facts the tool uses: orientation, capture time and camera.
struct EXIFFacts: Sendable, Equatable {
  var orientation: EXIFOrientation = .topLeft
  /// DateTimeOriginal as written ("YYYY:MM:DD HH:MM:SS").
  var captureTime: String?
  var cameraMake: String?
  var cameraModel: String?

  /// No EXIF block: orientation `topLeft`, nothing else known.
  static let absent = EXIFFacts()

  /// Parses an EXIF block with libexif (`exif_data_new_from_data`). `bytes`
  /// is a JPEG APP1 payload ("Exif\0\0" then TIFF) or a PNG eXIf payload
  /// (TIFF only). Unparseable EXIF is not an error: the photo's pixels are
  /// still good, so the facts are simply absent.
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> EXIFFacts {
    guard let base = bytes.baseAddress, bytes.count >= 8 else { return .absent }
    let header: [UInt8] = Array("Exif".utf8) + [0, 0]
    if bytes.starts(with: header) {
      return parseJPEGPayload(base, count: bytes.count)
    }
    // libexif wants the "Exif\0\0" prefix that JPEG carries; PNG's eXIf omits it.
    var prefixed = header
    prefixed.append(contentsOf: bytes)
    return prefixed.withUnsafeBufferPointer { parseJPEGPayload($0.baseAddress!, count: $0.count) }
  }

  private static func parseJPEGPayload(_ base: UnsafePointer<UInt8>, count: Int) -> EXIFFacts {
    guard count <= Int(UInt32.max), let data = exif_data_new_from_data(base, UInt32(count)) else {
      return .absent
    }
    defer { exif_data_unref(data) }
    let order = exif_data_get_byte_order(data)
    let ifd0 = data.pointee.ifd.0
    let ifdExif = data.pointee.ifd.2  // EXIF_IFD_EXIF
    var facts = EXIFFacts()
    if let entry = exif_content_get_entry(ifd0, EXIF_TAG_ORIENTATION), entry.pointee.size >= 2,
      entry.pointee.format == EXIF_FORMAT_SHORT
    {
      facts.orientation = EXIFOrientation(exifValue: Int(exif_get_short(entry.pointee.data, order)))
    }
    facts.captureTime = asciiValue(exif_content_get_entry(ifdExif, EXIF_TAG_DATE_TIME_ORIGINAL))
    facts.cameraMake = asciiValue(exif_content_get_entry(ifd0, EXIF_TAG_MAKE))
    facts.cameraModel = asciiValue(exif_content_get_entry(ifd0, EXIF_TAG_MODEL))
    return facts
  }

  /// The text of an ASCII entry, up to its first NUL, trimmed of spaces;
  /// nil when absent, not ASCII, or empty.
  private static func asciiValue(_ entry: UnsafeMutablePointer<ExifEntry>?) -> String? {
    guard let entry, entry.pointee.format == EXIF_FORMAT_ASCII, let data = entry.pointee.data else {
      return nil
    }
    let raw = UnsafeBufferPointer(start: data, count: Int(entry.pointee.size))
    let text = raw.prefix { $0 != 0 }
    let string = String(decoding: text, as: UTF8.self)
    let trimmed = string.trimmingSpaces()
    return trimmed.isEmpty ? nil : trimmed
  }
}
