internal import CAprilTag
import FoundationEssentials
import WoundCore

/// The tag36h11 family and detector of the AprilTag C library (libapriltag
/// 3), seen only through this file.
enum AprilTag {
  /// Number of codes in tag36h11: valid IDs are `0..<codeCount`.
  static let codeCount = 587

  /// One detection copied out of the library before its memory is freed.
  struct Detection: Sendable, Equatable {
    /// The decoded tag ID.
    var id: Int
    /// Bits corrected (`apriltag_detection_t.hamming`).
    var hammingDistance: Int
    /// `apriltag_detection_t.decision_margin`.
    var decisionMargin: Double
    /// The library's four corners (`p[0...3]`) in displayed pixels with pixel
    /// centres at integer coordinates, reordered clockwise as displayed
    /// starting from the tag's own top-left corner.
    var corners: [Point]
  }

  /// The library's corner coordinates put pixel centres at half-integers;
  /// ours put them at integers.
  static let libraryPixelOffset = 0.5

  /// The 10 x 10 module pattern of a tag36h11 tag, row-major from the tag's
  /// top-left, `true` = black; the outer ring is the white border.
  ///
  /// Calls `apriltag_to_image`. Traps when `id` is not in `0..<codeCount`
  /// (a programmer error: callers validate IDs first).
  static func modules(id: Int) -> [[Bool]] {
    precondition((0..<codeCount).contains(id), "tag36h11 has IDs 0...\(codeCount - 1)")
    let family = tag36h11_create()!
    defer { tag36h11_destroy(family) }
    let image = apriltag_to_image(family, Int32(id))!
    // `image_u8_destroy` is not exported by the shared library; it frees the
    // buffer and then the struct, both from `calloc`, which is what this does.
    defer {
      free(image.pointee.buf)
      free(image)
    }
    let width = Int(image.pointee.width)
    let height = Int(image.pointee.height)
    let stride = Int(image.pointee.stride)
    let buffer = image.pointee.buf!
    return (0..<height).map { y in (0..<width).map { x in buffer[y * stride + x] < 128 } }
  }

  /// A tag36h11 detector; one owner frees the detector and its family.
  ///
  /// Not thread-safe: the library keeps per-detector scratch state, so the
  /// type is neither copyable nor `Sendable`. Settings: `nthreads = 1` for
  /// determinism, `refine_edges = 1`, `quad_sigma = 0`, up to 1 or 2 corrected bits.
  struct Detector: ~Copyable {
    /// The most corrected bits the quality filter accepts.
    static let maximumCorrectedBits = 2
    private let detector: UnsafeMutablePointer<apriltag_detector_t>
    private let family: UnsafeMutablePointer<apriltag_family_t>

    /// Creates the detector (`apriltag_detector_create`, `tag36h11_create`,
    /// `apriltag_detector_add_family_bits`).
    ///
    /// - Parameters:
    ///   - quadDecimate: the library finds quads on an image decimated by
    ///     this factor (1 = full resolution); decoding and edge refinement
    ///     still use the full image.
    ///   - correctedBits: the most bit errors a code may have and still
    ///     decode (0 to ``maximumCorrectedBits``); the library's table grows
    ///     from 0.5 MB for 1 bit to 36 MB for 2.
    init(quadDecimate: Float, correctedBits: Int = maximumCorrectedBits) {
      precondition((0...Self.maximumCorrectedBits).contains(correctedBits), "corrected bits 0-2")
      family = tag36h11_create()
      detector = apriltag_detector_create()
      apriltag_detector_add_family_bits(detector, family, Int32(correctedBits))
      detector.pointee.nthreads = 1
      detector.pointee.quad_decimate = quadDecimate
      detector.pointee.quad_sigma = 0
      detector.pointee.refine_edges = true
      detector.pointee.decode_sharpening = 0.25
      detector.pointee.debug = false
    }

    deinit {
      apriltag_detector_destroy(detector)
      tag36h11_destroy(family)
    }

    /// Detects tags in a grey image (`apriltag_detector_detect`), copies
    /// them out and frees the library's detections
    /// (`apriltag_detections_destroy`).
    ///
    /// The library reads the image in place, without a copy: with
    /// `quad_sigma = 0` it never writes to it (it would blur it in place at
    /// `quad_decimate = 1` with a blur asked for).
    func detect(_ grey: GreyImage) -> [Detection] {
      precondition(detector.pointee.quad_sigma == 0, "the detector would blur the caller's image in place")
      return grey.pixels.withUnsafeBufferPointer { buffer -> [Detection] in
        var image = image_u8_t(
          width: Int32(grey.width), height: Int32(grey.height), stride: Int32(grey.width),
          buf: UnsafeMutablePointer(mutating: buffer.baseAddress))
        guard let found = apriltag_detector_detect(detector, &image) else { return [] }
        defer { apriltag_detections_destroy(found) }
        var result: [Detection] = []
        for index in 0..<Int(zarray_size(found)) {
          var pointer: UnsafeMutablePointer<apriltag_detection_t>? = nil
          zarray_get(found, Int32(index), &pointer)
          guard let d = pointer?.pointee else { continue }
          let p = [d.p.0, d.p.1, d.p.2, d.p.3].map {
            Point(x: $0.0 - AprilTag.libraryPixelOffset, y: $0.1 - AprilTag.libraryPixelOffset)
          }
          // libapriltag 3 lists p[0...3] as the tag's bottom-left,
          // bottom-right, top-right, top-left; ours start at top-left and run
          // clockwise as displayed.
          let corners = [p[3], p[2], p[1], p[0]]
          result.append(
            Detection(
              id: Int(d.id), hammingDistance: Int(d.hamming), decisionMargin: Double(d.decision_margin),
              corners: corners))
        }
        return result
      }
    }
  }
}
