import WoundCore

// CONTRACT (stub, to be implemented by the decoding stage). Signatures here
// are what the other stages call; keep them stable.

/// The container format, decided by the file's content, never its extension.
public enum PhotoFormat: String, Sendable, Codable {
  case png, jpeg
}

/// What the decoder learned about a photo besides its pixels.
public struct PhotoMetadata: Sendable, Equatable {
  public var format: PhotoFormat
  /// Size as stored in the file, before EXIF orientation.
  public var storedWidth: Int
  public var storedHeight: Int
  /// Size as displayed (after EXIF orientation): the size of the decoded image
  /// at full resolution.
  public var displayedWidth: Int
  public var displayedHeight: Int
  /// EXIF orientation 1...8 (1 when absent).
  public var orientation: Int
  /// EXIF DateTimeOriginal as written in the file ("YYYY:MM:DD HH:MM:SS"), if any.
  public var captureTime: String?
  public var cameraMake: String?
  public var cameraModel: String?

  public init(format: PhotoFormat, storedWidth: Int, storedHeight: Int, displayedWidth: Int,
              displayedHeight: Int, orientation: Int, captureTime: String?, cameraMake: String?,
              cameraModel: String?) {
    self.format = format
    self.storedWidth = storedWidth
    self.storedHeight = storedHeight
    self.displayedWidth = displayedWidth
    self.displayedHeight = displayedHeight
    self.orientation = orientation
    self.captureTime = captureTime
    self.cameraMake = cameraMake
    self.cameraModel = cameraModel
  }
}

/// An upright photo: pixels as displayed, and its metadata.
public struct DecodedPhoto: Sendable {
  public var image: RGBImage
  public var metadata: PhotoMetadata
  public init(image: RGBImage, metadata: PhotoMetadata) {
    self.image = image
    self.metadata = metadata
  }
}

/// How to decode.
public struct DecodeOptions: Sendable {
  /// Refuse any photo whose header claims more pixels than this, before
  /// allocating the pixel buffer.
  public var maxPixels: Int = 100_000_000
  /// Reduced decode: 1, 2, 4 or 8 (JPEG via libjpeg's DCT scaling; PNG by
  /// box-averaging). The returned image is about 1/scale of the displayed size.
  public var scaleDenominator: Int = 1
  public init(maxPixels: Int = 100_000_000, scaleDenominator: Int = 1) {
    self.maxPixels = maxPixels
    self.scaleDenominator = scaleDenominator
  }
}

/// Why a photo was refused. Every case names the file.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
  case notImplemented(file: String)
  public var description: String {
    switch self {
    case .notImplemented(let file): return "\(file): decoding is not implemented yet"
    }
  }
}

public enum PhotoDecoder {
  /// Reads and decodes the photo at `path`, upright.
  public static func decode(path: String, options: DecodeOptions = .init()) throws(DecodeError) -> DecodedPhoto {
    throw .notImplemented(file: path)
  }

  /// Decodes photo bytes; `name` is used in error messages.
  public static func decode(bytes: [UInt8], name: String, options: DecodeOptions = .init()) throws(DecodeError) -> DecodedPhoto {
    throw .notImplemented(file: name)
  }
}

/// Encoders for masks, overlays, printable markers and test fixtures.
public enum ImageEncoder {
  /// 8-bit RGB PNG. `pixelsPerMetre`, when given, sets the pHYs chunk.
  public static func writePNG(_ image: RGBImage, to path: String, pixelsPerMetre: Int? = nil) throws {
    throw DecodeError.notImplemented(file: path)
  }
  /// 8-bit grey PNG.
  public static func writePNG(_ image: GreyImage, to path: String, pixelsPerMetre: Int? = nil) throws {
    throw DecodeError.notImplemented(file: path)
  }
  /// Baseline JPEG at `quality` (1...100), no EXIF.
  public static func encodeJPEG(_ image: RGBImage, quality: Int) throws -> [UInt8] {
    throw DecodeError.notImplemented(file: "<memory>")
  }
}
