internal import CCodecShims
import WoundCore

/// One libjpeg decompressor (`wm_jpeg_decoder`), destroyed when this value
/// dies. Not thread-safe: one decode at a time, on one thread.
struct JPEGDecompressor: ~Copyable {
  let handle: OpaquePointer
  let name: String

  /// - Throws: `.outOfMemory` when libjpeg cannot be set up.
  init(name: String) throws(DecodeError) {
    guard let handle = wm_jpeg_decoder_create() else { throw .outOfMemory(file: name) }
    self.handle = handle
    self.name = name
  }

  deinit { wm_jpeg_decoder_destroy(handle) }

  /// The one checker for shim statuses: maps them to ``DecodeError`` with
  /// libjpeg's message (`wm_jpeg_decoder_message`).
  func check(_ status: wm_status) throws(DecodeError) {
    try DecodeError.check(status, file: name, format: .jpeg) { String(cString: wm_jpeg_decoder_message(handle)) }
  }

  /// Reads the markers up to the first scan (`wm_jpeg_read_header`). `data`
  /// must outlive this decompressor.
  func readHeader(_ data: UnsafeBufferPointer<UInt8>) throws(DecodeError) -> wm_jpeg_header {
    var header = wm_jpeg_header()
    try check(wm_jpeg_read_header(handle, data.baseAddress, data.count, &header))
    return header
  }

  /// Starts decompression to RGB at 1/`scale` (`wm_jpeg_start`); the output size.
  func start(scale: Int) throws(DecodeError) -> (width: Int, height: Int) {
    var width: Int32 = 0
    var height: Int32 = 0
    try check(wm_jpeg_start(handle, Int32(scale), &width, &height))
    return (Int(width), Int(height))
  }

  /// Reads up to `rows` rows into `destination` (`wm_jpeg_read_rows`); the
  /// rows read. Fewer than asked for means the image ended early.
  func readRows(into destination: UnsafeMutablePointer<UInt8>, strideBytes: Int, rows: Int) throws(DecodeError) -> Int {
    var read: Int32 = 0
    try check(wm_jpeg_read_rows(handle, destination, strideBytes, Int32(rows), &read))
    return Int(read)
  }

  /// Reads all `rows` rows, throwing `.truncated` if fewer arrive.
  func readAllRows(into destination: UnsafeMutablePointer<UInt8>, strideBytes: Int, rows: Int) throws(DecodeError) {
    if try readRows(into: destination, strideBytes: strideBytes, rows: rows) != rows {
      throw .truncated(file: name, format: .jpeg)
    }
  }

  /// Narrows the decoded columns (`wm_jpeg_crop_columns`); the widened window.
  func cropColumns(x: Int, width: Int) throws(DecodeError) -> (x: Int, width: Int) {
    var offset = Int32(x)
    var columns = Int32(width)
    try check(wm_jpeg_crop_columns(handle, &offset, &columns))
    return (Int(offset), Int(columns))
  }

  /// Skips rows (`wm_jpeg_skip_rows`).
  func skipRows(_ rows: Int) throws(DecodeError) {
    try check(wm_jpeg_skip_rows(handle, Int32(rows)))
  }

  /// Reads to the end of the image (`wm_jpeg_finish`).
  func finish() throws(DecodeError) {
    try check(wm_jpeg_finish(handle))
  }
}

/// JPEG decoding with libjpeg-turbo, through the `CCodecShims` setjmp shims.
enum JPEGDecoding {
  static func readMetadata(bytes: [UInt8], name: String) throws(DecodeError) -> PhotoMetadata {
    let decompressor = try JPEGDecompressor(name: name)
    return try bytes.withUnsafeBufferPointer { data throws(DecodeError) in
      let header = try decompressor.readHeader(data)
      return metadata(header: header, exif: exifFacts(header))
    }
  }

  /// Decodes the whole photo (reduced by `options.scaleDenominator`), or
  /// `region` of it at full resolution, upright.
  static func decode(bytes: [UInt8], name: String, options: DecodeOptions, region: PixelRect?) throws(DecodeError)
    -> DecodedPhoto
  {
    let decompressor = try JPEGDecompressor(name: name)
    return try bytes.withUnsafeBufferPointer { data throws(DecodeError) in
      let header = try decompressor.readHeader(data)
      let width = Int(header.width)
      let height = Int(header.height)
      try PhotoDecoder.checkPixelLimit(width: width, height: height, options: options, name: name)
      let facts = exifFacts(header)
      let metadata = metadata(header: header, exif: facts)
      let image: RGBImage
      if let region {
        try PhotoDecoder.checkRegion(
          region, displayedWidth: metadata.displayedWidth,
          displayedHeight: metadata.displayedHeight, name: name)
        let stored = facts.orientation.storedRegion(of: region, storedWidth: width, storedHeight: height)
        image = try decodeStoredRegion(stored, decompressor: decompressor)
          .displayed(orientation: facts.orientation)
      } else {
        image = try decodeWhole(
          decompressor: decompressor, scale: options.scaleDenominator, orientation: facts.orientation)
      }
      return DecodedPhoto(image: image, metadata: metadata)
    }
  }

  /// Decodes every row, straight into the final buffer when the photo is
  /// upright, else through a 16-row strip placed by ``OrientedPlacement``.
  private static func decodeWhole(
    decompressor: borrowing JPEGDecompressor, scale: Int,
    orientation: EXIFOrientation
  ) throws(DecodeError) -> RGBImage {
    let (width, height) = try decompressor.start(scale: scale)
    let count = width * height * 3
    let stripBytes = width * 3 * OrientedPlacement.stripRows
    guard CheckedAllocation.isAvailable(bytes: count), CheckedAllocation.isAvailable(bytes: stripBytes) else {
      throw .outOfMemory(file: decompressor.name)
    }
    var failure: DecodeError?
    let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      LargeBuffers.adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), bytes: count)
      do throws(DecodeError) {
        if orientation == .topLeft {
          try decompressor.readAllRows(into: buffer.baseAddress!, strideBytes: width * 3, rows: height)
        } else {
          let placement = OrientedPlacement(orientation: orientation, storedWidth: width, storedHeight: height)
          let stripRows = OrientedPlacement.stripRows
          let strip = UnsafeMutablePointer<UInt8>.allocate(capacity: stripBytes)
          defer { strip.deallocate() }
          var row = 0
          while row < height {
            let rows = min(stripRows, height - row)
            try decompressor.readAllRows(into: strip, strideBytes: width * 3, rows: rows)
            placement.place(
              strip: strip, rows: rows, firstRow: row, stripStrideBytes: width * 3,
              into: buffer.baseAddress!)
            row += rows
          }
        }
        try decompressor.finish()
        initialized = count
      } catch {
        // The array is dropped: none of it counts as initialised, and none of it is touched
        // (a header may claim far more rows than the file holds).
        initialized = 0
        failure = error
      }
    }
    if let failure { throw failure }
    let displayed = orientation.displayedSize(storedWidth: width, storedHeight: height)
    return RGBImage(width: displayed.width, height: displayed.height, pixels: pixels)
  }

  /// Decodes the stored rectangle `stored` at full resolution, skipping the
  /// rows above it and the iMCU columns outside it.
  ///
  /// libjpeg's chroma upsampling looks one pixel beyond each output pixel;
  /// at the edge of a cropped window or after skipped rows it sees an edge
  /// instead of the neighbour. So the decoded window keeps a margin of
  /// ``contextMarginPixels`` around the region where the photo allows, and
  /// the region's pixels equal those of a whole decode.
  private static func decodeStoredRegion(_ stored: PixelRect, decompressor: borrowing JPEGDecompressor)
    throws(DecodeError) -> RGBImage
  {
    let (width, height) = try decompressor.start(scale: 1)
    let margin = contextMarginPixels
    let left = max(0, stored.x - margin)
    let right = min(width, stored.x + stored.width + margin)
    let top = max(0, stored.y - margin)
    let bottom = min(height, stored.y + stored.height + margin)
    let window = try decompressor.cropColumns(x: left, width: right - left)
    try decompressor.skipRows(top)
    let rows = bottom - top
    guard CheckedAllocation.isAvailable(bytes: window.width * 3 * rows) else {
      throw .outOfMemory(file: decompressor.name)
    }
    var windowPixels = [UInt8](repeating: 0, count: window.width * 3 * rows)
    try windowPixels.withUnsafeMutableBufferPointer { buffer throws(DecodeError) in
      try decompressor.readAllRows(into: buffer.baseAddress!, strideBytes: window.width * 3, rows: rows)
    }
    let windowImage = RGBImage(width: window.width, height: rows, pixels: windowPixels)
    return windowImage.cropped(
      to: PixelRect(
        x: stored.x - window.x, y: stored.y - top, width: stored.width, height: stored.height))
  }

  /// Margin decoded around a region: one iMCU (at most 16 pixels) holds
  /// every pixel the upsampler reads.
  static let contextMarginPixels = 16

  private static func exifFacts(_ header: wm_jpeg_header) -> EXIFFacts {
    guard let exif = header.exif, header.exif_length > 0 else { return .absent }
    return EXIFFacts.parse(UnsafeBufferPointer(start: exif, count: header.exif_length))
  }

  private static func metadata(header: wm_jpeg_header, exif: EXIFFacts) -> PhotoMetadata {
    let width = Int(header.width)
    let height = Int(header.height)
    let displayed = exif.orientation.displayedSize(storedWidth: width, storedHeight: height)
    return PhotoMetadata(
      format: .jpeg, storedWidth: width, storedHeight: height, displayedWidth: displayed.width,
      displayedHeight: displayed.height, orientation: exif.orientation.rawValue,
      captureTime: exif.captureTime, cameraMake: exif.cameraMake, cameraModel: exif.cameraModel)
  }
}
