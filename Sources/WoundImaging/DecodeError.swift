internal import CCodecShims
import WoundCore

/// Why a photo was refused. Every case names the file (the path, or the name
/// given with the bytes).
package enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file could not be opened or read; `reason` is the system's message (`strerror`).
  case unreadable(file: String, reason: String)
  /// The path names a FIFO, a device, a socket or a folder; nothing was read from it (so a
  /// FIFO cannot block and `/dev/zero` cannot fill the memory).
  case notAFile(file: String, kind: FileKind)
  /// The file holds more bytes than a photo of at most `maxPixels` pixels may take
  /// (`limitBytes`, see `docs/safety.md`); refused before it is read whole.
  case fileTooLarge(file: String, bytes: Int, limitBytes: Int, maxPixels: Int)
  /// The file has no bytes.
  case empty(file: String)
  /// The content is neither PNG, JPEG nor HEIC (decided by its first bytes).
  case unknownFormat(file: String)
  /// The header claims `width * height` pixels, more than `limit`; refused
  /// before the pixel buffer is allocated.
  case tooLarge(file: String, width: Int, height: Int, limit: Int)
  /// The file ends before the image data does.
  case truncated(file: String, format: PhotoFormat)
  /// The library refused the data; `message` is libjpeg's, libpng's or libheif's own.
  case corrupt(file: String, format: PhotoFormat, message: String)
  /// The library could not allocate its working memory, or the pixel buffer the header
  /// asks for cannot be allocated.
  case outOfMemory(file: String)
  /// A progressive JPEG has more than `limit` scans (``PhotoDecoder/maximumJPEGScans``);
  /// refused by libjpeg's progress monitor before the extra scans are decoded.
  case tooManyScans(file: String, limit: Int)
  /// A requested region does not lie inside the displayed photo.
  case regionOutside(file: String, region: PixelRect, displayedWidth: Int, displayedHeight: Int)
  /// The decoder of this format (libheif, loaded only when a HEIC photo is read) could not
  /// be loaded; `reason` is the loader's message.
  case decoderMissing(file: String, format: PhotoFormat, reason: String)

  /// The file the error is about.
  package var file: String {
    switch self {
    case .unreadable(let file, _), .notAFile(let file, _), .fileTooLarge(let file, _, _, _), .empty(let file),
      .unknownFormat(let file), .tooLarge(let file, _, _, _), .truncated(let file, _), .corrupt(let file, _, _),
      .outOfMemory(let file), .tooManyScans(let file, _), .regionOutside(let file, _, _, _),
      .decoderMissing(let file, _, _):
      return file
    }
  }

  /// What went wrong, without the file name.
  package var reason: String {
    switch self {
    case .unreadable(_, let reason):
      return "cannot read the file: \(reason)"
    case .notAFile(_, let kind):
      return "is \(kind), not a regular file; only regular files are read as photos"
    case .fileTooLarge(_, let bytes, let limit, let maxPixels):
      return "the file holds \(SafeFile.formatBytes(bytes)), more than the \(SafeFile.formatBytes(limit)) a photo of "
        + "at most \(megapixels(maxPixels)) may take (8 bytes per pixel plus 4 MiB); it was not read "
        + "(raise --max-megapixels if the photo is that large)"
    case .empty:
      return "the file is empty"
    case .unknownFormat:
      return "not a PNG, JPEG or HEIC file (unrecognised content)"
    case .tooLarge(_, let width, let height, let limit):
      return "the image claims \(width)x\(height) pixels (\(megapixels(width * height))), "
        + "more than the limit of \(megapixels(limit)) (raise it with --max-megapixels)"
    case .truncated(_, let format):
      return "the \(format.displayName) data ends early (truncated file)"
    case .corrupt(_, let format, let message):
      // libjpeg's own messages often start with "Corrupt JPEG data: "; say it once.
      let prefix = "corrupt \(format.displayName) data"
      var detail = Substring(message)
      if detail.lowercased().hasPrefix(prefix.lowercased()) {
        detail = detail.dropFirst(prefix.count).drop { $0 == ":" || $0 == " " }
      }
      return detail.isEmpty ? prefix : "\(prefix): \(detail)"
    case .outOfMemory:
      return "out of memory while decoding (lower --max-megapixels to refuse such photos before decoding)"
    case .tooManyScans(_, let limit):
      return "the progressive JPEG has more than \(limit) scans (photos have about 10); refused so that its "
        + "decoding cannot take minutes"
    case .regionOutside(_, let region, let width, let height):
      return "the region \(region) lies outside the \(width)x\(height) photo"
    case .decoderMissing(_, let format, let reason):
      return "cannot decode \(format.displayName): its decoder could not be loaded (\(reason)); "
        + "install it (Debian: apt-get install libheif1)"
    }
  }

  package var description: String { "\(file): \(reason)" }
}

/// Why an image could not be encoded or written.
package enum EncodeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// JPEG quality outside 1...100.
  case invalidQuality(Int)
  /// The image has no pixels; PNG and JPEG need at least one.
  case emptyImage(width: Int, height: Int)
  /// The library refused; `message` is libpng's or libjpeg's own.
  case encoderFailed(format: PhotoFormat, message: String)
  /// The output file was refused (a link, a device, an input, a timeline) or could not be
  /// written; the error names the file and, for system errors, carries `strerror`'s text.
  case output(SafeFileError)

  package var description: String {
    switch self {
    case .invalidQuality(let quality):
      return "JPEG quality \(quality) is outside 1...100"
    case .emptyImage(let width, let height):
      return "cannot encode an empty \(width)x\(height) image"
    case .encoderFailed(let format, let message):
      return "\(format.displayName) encoder failed: \(message)"
    case .output(let error):
      return error.description
    }
  }
}

extension PhotoFormat {
  /// "PNG" or "JPEG", for messages.
  package var displayName: String {
    switch self {
    case .png: return "PNG"
    case .jpeg: return "JPEG"
    case .heic: return "HEIC"
    }
  }
}

/// A pixel count for messages: "2500 MP", "12.2 MP", or "1536 pixels" when
/// below 0.1 megapixels.
private func megapixels(_ pixels: Int) -> String {
  let tenths = (Double(pixels) / 100_000).rounded()
  if tenths < 1 { return "\(pixels) pixels" }
  if tenths.truncatingRemainder(dividingBy: 10) == 0 { return "\(Int(tenths / 10)) MP" }
  return "\(tenths / 10) MP"
}

extension DecodeError {
  /// The one checker for the codec shims' statuses: returns when `status` is
  /// `WM_STATUS_OK`, else throws the matching case for `file`, with the
  /// library's message (read only when needed) for corrupt data.
  static func check(
    _ status: wm_status, file: String, format: PhotoFormat, message: () -> String
  ) throws(DecodeError) {
    switch status {
    case WM_STATUS_OK: return
    case WM_STATUS_TRUNCATED: throw .truncated(file: file, format: format)
    case WM_STATUS_NO_MEMORY: throw .outOfMemory(file: file)
    case WM_STATUS_TOO_MANY_SCANS: throw .tooManyScans(file: file, limit: PhotoDecoder.maximumJPEGScans)
    default: throw .corrupt(file: file, format: format, message: message())
    }
  }
}
