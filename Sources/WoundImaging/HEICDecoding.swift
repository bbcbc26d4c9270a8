internal import CCodecShims
import WoundCore

/// One libheif context (libheif loaded on first use, `wm_heif_load`) reading a file held
/// in memory, and its primary image's handle (`heif_context_alloc`, `heif_context_read_from_memory_without_copy`,
/// `heif_context_get_primary_image_handle`); both released when this value dies.
/// The bytes must outlive it. Not thread-safe: one decode at a time, on one thread.
struct HEIFPrimaryImage: ~Copyable {
  let context: OpaquePointer
  let handle: OpaquePointer
  let name: String

  /// - Throws: `.decoderMissing` when libheif cannot be loaded; `.outOfMemory` when it
  ///   cannot be set up; the checker's cases (``DecodeError/check(_:file:)``) for a file
  ///   libheif cannot read.
  init(bytes: UnsafeBufferPointer<UInt8>, name: String) throws(DecodeError) {
    // libheif is loaded on the first HEIC photo, not with the tool (see heif_loader.h).
    guard wm_heif_load() != 0 else {
      throw .decoderMissing(
        file: name, format: .heic, reason: wm_heif_load_error().map { String(cString: $0) } ?? "libheif.so.1")
    }
    guard let context = wm_heif_context_alloc() else { throw .outOfMemory(file: name) }
    do throws(DecodeError) {
      try DecodeError.check(
        wm_heif_context_read_from_memory_without_copy(context, bytes.baseAddress, bytes.count, nil), file: name)
      var handle: OpaquePointer?
      try DecodeError.check(wm_heif_context_get_primary_image_handle(context, &handle), file: name)
      guard let handle else { throw DecodeError.corrupt(file: name, format: .heic, message: "no primary image") }
      self.context = context
      self.handle = handle
      self.name = name
    } catch {
      wm_heif_context_free(context)
      throw error
    }
  }

  deinit {
    wm_heif_image_handle_release(handle)
    wm_heif_context_free(context)
  }

  /// The size as displayed, after the file's transformations
  /// (`heif_image_handle_get_width`, `heif_image_handle_get_height`).
  var displayedSize: (width: Int, height: Int) {
    (Int(wm_heif_image_handle_get_width(handle)), Int(wm_heif_image_handle_get_height(handle)))
  }

  /// The coded size before transformations (`heif_image_handle_get_ispe_width`, `..._height`).
  var storedSize: (width: Int, height: Int) {
    (Int(wm_heif_image_handle_get_ispe_width(handle)), Int(wm_heif_image_handle_get_ispe_height(handle)))
  }

  /// The first EXIF block's TIFF data, if any (`heif_image_handle_get_list_of_metadata_block_IDs`,
  /// `heif_image_handle_get_metadata`). HEIF's EXIF block starts with a 32-bit big-endian
  /// offset from its end to the TIFF header.
  func exifTIFF() -> [UInt8]? {
    var id: heif_item_id = 0
    guard wm_heif_image_handle_get_list_of_metadata_block_IDs(handle, "Exif", &id, 1) == 1 else { return nil }
    let size = wm_heif_image_handle_get_metadata_size(handle, id)
    guard size > 4, size < 16 << 20 else { return nil }
    var block = [UInt8](repeating: 0, count: size)
    let status = block.withUnsafeMutableBytes { wm_heif_image_handle_get_metadata(handle, id, $0.baseAddress) }
    guard status.code == heif_error_Ok else { return nil }
    let offset = Int(block[0]) << 24 | Int(block[1]) << 16 | Int(block[2]) << 8 | Int(block[3])
    guard offset >= 0, offset < size - 4 else { return nil }
    return Array(block[(4 + offset)...])
  }

  /// Decodes the primary image to interleaved 8-bit RGB, transformations applied
  /// (`heif_decode_image` with default options, `heif_image_get_plane_readonly`), and
  /// copies it out before the image is released.
  func decodeRGB() throws(DecodeError) -> RGBImage {
    var image: OpaquePointer?
    try DecodeError.check(
      wm_heif_decode_image(handle, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nil), file: name)
    guard let image else { throw .corrupt(file: name, format: .heic, message: "no decoded image") }
    defer { wm_heif_image_release(image) }
    let width = Int(wm_heif_image_get_width(image, heif_channel_interleaved))
    let height = Int(wm_heif_image_get_height(image, heif_channel_interleaved))
    var stride: Int32 = 0
    guard width > 0, height > 0, let plane = wm_heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride),
      Int(stride) >= width * 3
    else {
      throw .corrupt(file: name, format: .heic, message: "the decoded image has no RGB plane")
    }
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    pixels.withUnsafeMutableBufferPointer { destination in
      for y in 0..<height {
        (destination.baseAddress! + y * width * 3).update(from: plane + y * Int(stride), count: width * 3)
      }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }
}

/// HEIC decoding with libheif.
///
/// libheif applies the file's transformations (`irot` rotation, `imir` mirroring,
/// `clap` crop), as HEIF (ISO/IEC 23008-12) requires; the EXIF orientation tag, which
/// HEIF makes informative only, is not applied again, so ``PhotoMetadata/orientation``
/// is 1. The capture time and camera come from the EXIF block. The pixel limit is
/// checked on the displayed size before any pixel is decoded; a region or a reduced
/// decode is cut from the whole decoded image, as for PNG.
enum HEICDecoding {
  /// The major brands read as HEIC: HEVC-coded images and sequences, and the
  /// generic HEIF brands iPhones and `heif-enc` also write.
  static let brands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]

  static func readMetadata(bytes: [UInt8], name: String) throws(DecodeError) -> PhotoMetadata {
    try bytes.withUnsafeBufferPointer { data throws(DecodeError) in
      let primary = try HEIFPrimaryImage(bytes: data, name: name)
      return metadata(primary)
    }
  }

  static func decode(bytes: [UInt8], name: String, options: DecodeOptions, region: PixelRect?) throws(DecodeError)
    -> DecodedPhoto
  {
    try bytes.withUnsafeBufferPointer { data throws(DecodeError) in
      let primary = try HEIFPrimaryImage(bytes: data, name: name)
      let metadata = metadata(primary)
      try PhotoDecoder.checkPixelLimit(
        width: metadata.displayedWidth, height: metadata.displayedHeight, options: options, name: name)
      if let region {
        try PhotoDecoder.checkRegion(
          region, displayedWidth: metadata.displayedWidth, displayedHeight: metadata.displayedHeight, name: name)
      }
      var image = try primary.decodeRGB()
      guard image.width == metadata.displayedWidth, image.height == metadata.displayedHeight else {
        throw .corrupt(
          file: name, format: .heic,
          message:
            "decoded \(image.width)x\(image.height), announced \(metadata.displayedWidth)x\(metadata.displayedHeight)")
      }
      if let region {
        image = image.cropped(to: region)
      } else if options.scaleDenominator > 1 {
        image = image.boxReduced(by: options.scaleDenominator)
      }
      return DecodedPhoto(image: image, metadata: metadata)
    }
  }

  private static func metadata(_ primary: borrowing HEIFPrimaryImage) -> PhotoMetadata {
    let displayed = primary.displayedSize
    let stored = primary.storedSize
    let exif = primary.exifTIFF().map { tiff in tiff.withUnsafeBufferPointer { EXIFFacts.parse($0) } } ?? .absent
    return PhotoMetadata(
      format: .heic, storedWidth: stored.width > 0 ? stored.width : displayed.width,
      storedHeight: stored.height > 0 ? stored.height : displayed.height, displayedWidth: displayed.width,
      displayedHeight: displayed.height, orientation: 1, captureTime: exif.captureTime, cameraMake: exif.cameraMake,
      cameraModel: exif.cameraModel)
  }
}

extension DecodeError {
  /// The one checker for libheif's `heif_error` results: returns for `heif_error_Ok`,
  /// else throws `.outOfMemory` (`heif_error_Memory_allocation_error`), `.truncated`
  /// (`heif_suberror_End_of_data`) or `.corrupt` with libheif's message.
  static func check(_ error: heif_error, file: String) throws(DecodeError) {
    if error.code == heif_error_Ok { return }
    if error.code == heif_error_Memory_allocation_error { throw .outOfMemory(file: file) }
    if error.subcode == heif_suberror_End_of_data { throw .truncated(file: file, format: .heic) }
    let message = error.message.map { String(cString: $0) } ?? "libheif error \(error.code.rawValue)"
    throw .corrupt(file: file, format: .heic, message: message)
  }
}
