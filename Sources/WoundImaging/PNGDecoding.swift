internal import CCodecShims
import WoundCore

/// One libpng simplified-API reader (`wm_png_reader`), freed when this value
/// dies. Not thread-safe: one decode at a time, on one thread.
struct PNGReader: ~Copyable {
  let handle: OpaquePointer
  let name: String

  init(name: String) throws(DecodeError) {
    guard let handle = wm_png_reader_create() else { throw .outOfMemory(file: name) }
    self.handle = handle
    self.name = name
  }

  deinit { wm_png_reader_destroy(handle) }

  /// The one checker for shim statuses: maps them to ``DecodeError`` with
  /// libpng's message (`png_image.message`).
  func check(_ status: wm_status) throws(DecodeError) {
    try DecodeError.check(status, file: name, format: .png) { String(cString: wm_png_reader_message(handle)) }
  }

  /// Reads IHDR and the chunks before the image data
  /// (`png_image_begin_read_from_memory`). `data` must outlive this reader.
  func readHeader(_ data: UnsafeBufferPointer<UInt8>) throws(DecodeError) -> wm_png_header {
    var header = wm_png_header()
    try check(wm_png_read_header(handle, data.baseAddress, data.count, &header))
    return header
  }

  /// Decodes all rows as 8-bit RGB over white (`png_image_finish_read`).
  func readRGB(into destination: UnsafeMutablePointer<UInt8>, strideBytes: Int) throws(DecodeError) {
    try check(wm_png_read_rgb(handle, destination, strideBytes))
  }
}

/// PNG decoding with libpng's simplified API.
///
/// All PNG colour types and bit depths (1, 2, 4, 8, 16), palettes with tRNS
/// and Adam7 interlacing are converted by libpng to 8-bit RGB. Alpha
/// (including tRNS) is composited over white on the stored values,
/// `round((c * a + 255 * (255 - a)) / 255)`. 16-bit samples are reduced to
/// 8 bits as stored (no gamma change), also when gAMA/sRGB chunks are absent.
enum PNGDecoding {
  static func readMetadata(bytes: [UInt8], name: String) throws(DecodeError) -> PhotoMetadata {
    let reader = try PNGReader(name: name)
    return try bytes.withUnsafeBufferPointer { data throws(DecodeError) in
      let header = try reader.readHeader(data)
      return metadata(header: header, exif: exifFacts(data))
    }
  }

  /// Decodes the whole photo (box-averaged by `options.scaleDenominator`),
  /// or `region` of it, upright.
  static func decode(bytes: [UInt8], name: String, options: DecodeOptions, region: PixelRect?) throws(DecodeError)
    -> DecodedPhoto
  {
    let reader = try PNGReader(name: name)
    return try bytes.withUnsafeBufferPointer { data throws(DecodeError) in
      let header = try reader.readHeader(data)
      let width = Int(header.width)
      let height = Int(header.height)
      try PhotoDecoder.checkPixelLimit(width: width, height: height, options: options, name: name)
      let facts = exifFacts(data)
      let metadata = metadata(header: header, exif: facts)
      if let region {
        try PhotoDecoder.checkRegion(
          region, displayedWidth: metadata.displayedWidth,
          displayedHeight: metadata.displayedHeight, name: name)
      }
      let count = width * height * 3
      guard CheckedAllocation.isAvailable(bytes: count) else { throw .outOfMemory(file: name) }
      var failure: DecodeError?
      let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        LargeBuffers.adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: count)
        do throws(DecodeError) {
          try reader.readRGB(into: buffer.baseAddress!, strideBytes: width * 3)
          initialized = count
        } catch {
          // Dropped untouched: none of it counts as initialised.
          initialized = 0
          failure = error
        }
      }
      if let failure { throw failure }
      var stored = RGBImage(width: width, height: height, pixels: pixels)
      if let region {
        let storedRegion = facts.orientation.storedRegion(of: region, storedWidth: width, storedHeight: height)
        stored = stored.cropped(to: storedRegion)
      } else if options.scaleDenominator > 1 {
        stored = stored.boxReduced(by: options.scaleDenominator)
      }
      return DecodedPhoto(image: stored.displayed(orientation: facts.orientation), metadata: metadata)
    }
  }

  /// The payload of the first eXIf chunk before the image data, parsed; PNG
  /// keeps the TIFF block without JPEG's "Exif\0\0" prefix. Walks the chunk
  /// list directly, as libpng's simplified API does not expose eXIf.
  private static func exifFacts(_ data: UnsafeBufferPointer<UInt8>) -> EXIFFacts {
    var offset = 8  // after the signature
    while offset + 8 <= data.count {
      let length =
        Int(data[offset]) << 24 | Int(data[offset + 1]) << 16
        | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
      let type = (data[offset + 4], data[offset + 5], data[offset + 6], data[offset + 7])
      let start = offset + 8
      guard length <= data.count - start else { return .absent }
      if type == (0x65, 0x58, 0x49, 0x66) {  // "eXIf"
        return EXIFFacts.parse(UnsafeBufferPointer(rebasing: data[start..<(start + length)]))
      }
      if type == (0x49, 0x44, 0x41, 0x54) || type == (0x49, 0x45, 0x4E, 0x44) {  // IDAT, IEND
        return .absent
      }
      offset = start + length + 4  // data, then CRC
    }
    return .absent
  }

  private static func metadata(header: wm_png_header, exif: EXIFFacts) -> PhotoMetadata {
    let width = Int(header.width)
    let height = Int(header.height)
    let displayed = exif.orientation.displayedSize(storedWidth: width, storedHeight: height)
    return PhotoMetadata(
      format: .png, storedWidth: width, storedHeight: height, displayedWidth: displayed.width,
      displayedHeight: displayed.height, orientation: exif.orientation.rawValue,
      captureTime: exif.captureTime, cameraMake: exif.cameraMake, cameraModel: exif.cameraModel)
  }
}
