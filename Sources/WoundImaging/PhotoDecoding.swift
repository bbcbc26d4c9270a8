import WoundCore

// The decoding stage's public types. `PhotoDecoder` (PhotoDecoder.swift)
// turns photo files into upright RGB images; `ImageEncoder` (ImageEncoder.swift)
// writes PNG and JPEG.

/// The container format, decided by the file's content, never its extension.
package enum PhotoFormat: String, Sendable, Codable {
  case png, jpeg
  /// HEIF with HEVC-coded images (`.heic`, what iPhones store), read with libheif.
  case heic
}

/// What the decoder learned about a photo besides its pixels.
package struct PhotoMetadata: Sendable, Equatable {
  package var format: PhotoFormat
  /// Size as stored in the file, before EXIF orientation.
  package var storedWidth: Int
  package var storedHeight: Int
  /// Size as displayed (after EXIF orientation): the size of the decoded image
  /// at full resolution.
  package var displayedWidth: Int
  package var displayedHeight: Int
  /// EXIF orientation 1...8 (1 when absent or out of range) applied to the stored
  /// pixels. Always 1 for HEIC: libheif applies the file's own rotation and mirroring
  /// (`irot`, `imir`), and the EXIF tag, which HEIF makes informative only, is not
  /// applied again.
  package var orientation: Int
  /// EXIF DateTimeOriginal as written in the file ("YYYY:MM:DD HH:MM:SS"), if any.
  package var captureTime: String?
  /// EXIF Make (camera maker), trimmed, if any.
  package var cameraMake: String?
  /// EXIF Model (camera model), trimmed, if any.
  package var cameraModel: String?

  package init(
    format: PhotoFormat, storedWidth: Int, storedHeight: Int, displayedWidth: Int,
    displayedHeight: Int, orientation: Int, captureTime: String?, cameraMake: String?,
    cameraModel: String?
  ) {
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
package struct DecodedPhoto: Sendable {
  package var image: RGBImage
  package var metadata: PhotoMetadata
  package init(image: RGBImage, metadata: PhotoMetadata) {
    self.image = image
    self.metadata = metadata
  }
}

/// How to decode.
package struct DecodeOptions: Sendable {
  /// Refuse any photo whose header claims more pixels than this, before
  /// allocating the pixel buffer.
  package var maxPixels: Int = 100_000_000
  /// Reduced decode: 1, 2, 4 or 8 (JPEG via libjpeg's DCT scaling; PNG by
  /// box-averaging). The returned image is `ceil(size / scaleDenominator)` of
  /// the displayed size in each direction. Any other value is a programmer
  /// error and traps.
  package var scaleDenominator: Int = 1
  package init(maxPixels: Int = 100_000_000, scaleDenominator: Int = 1) {
    self.maxPixels = maxPixels
    self.scaleDenominator = scaleDenominator
  }
}
