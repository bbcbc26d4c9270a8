import Dispatch
import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundExport
import WoundImaging
import WoundMeasurement
import WoundSegmentation
import WoundTimeline

/// Everything one measurement produced: the timeline entry and the pixels
/// behind it (for the overlay and mask files).
package struct MeasurementOutcome: Sendable {
  /// The entry to append to the patient's timeline (without `hash`/`previousHash`,
  /// which the store fills in).
  package var entry: TimelineEntry
  /// The photo as displayed, full resolution.
  package var image: RGBImage
  /// The wound mask at full resolution, kept over the wound's box, 255 = wound.
  package var wound: BoxMask
  /// ``wound`` as a photo-sized mask, made on each read (`--mask-out`, tests).
  package var mask: Mask { wound.photoSized }
  /// Per-pixel tissue classes inside the wound.
  package var tissue: TissueMap
  /// The calibration used (after re-selecting the marker nearest the wound).
  package var calibration: Calibration
  /// The measures in the marker's plane.
  package var measures: PlaneMeasures
  /// When the photo was taken, and where that came from.
  package var taken: TakenTime
  /// Reasons to doubt the figures, in the order they arose; the entry records their messages.
  package var warnings: [Warning]

  /// The overlay image: tissue tint, wound outline, marker outline(s), a scale bar, the
  /// region numbers, and a caption (patient, site, taken time, area, scale) with the legend.
  ///
  /// - Parameter patient: the patient named in the caption (the timeline's patient ID).
  package func overlay(patient: String) -> RGBImage {
    Overlay.render(
      image: image, mask: wound, tissue: tissue, markerOutlines: calibration.exclusionPolygons,
      pixelsPerMm: calibration.pixelsPerMm, caption: overlayCaption(patient: patient),
      regionBoxes: measures.regions.map(\.boundingBox))
  }

  /// ``overlay(patient:)`` drawn on the outcome's own photo, which it takes: ``image``
  /// is empty afterwards, and no second photo-sized copy is made.
  package mutating func takeOverlay(patient: String) -> RGBImage {
    let canvas = image
    image = RGBImage(width: 0, height: 0)
    return Overlay.render(
      image: consume canvas, mask: wound, tissue: tissue, markerOutlines: calibration.exclusionPolygons,
      pixelsPerMm: calibration.pixelsPerMm, caption: overlayCaption(patient: patient),
      regionBoxes: measures.regions.map(\.boundingBox))
  }

  /// The overlay's caption: who and where, when, how large, at what scale.
  func overlayCaption(patient: String) -> [String] {
    let taken = UTCTime.iso8601(taken.date).replacing("T", with: " ").replacing("Z", with: "")
    let regions = measures.regions.count > 1 ? " TOTAL OF \(measures.regions.count) REGIONS" : ""
    return [
      "\(patient) \(entry.woundSite)", "TAKEN \(taken) UTC",
      cFormat("AREA %.2f CM2", measures.areaMm2 / 100) + regions
        + cFormat("  SCALE %.2f PX/MM", calibration.pixelsPerMm),
    ]
  }
}

/// The measurement of one photo, from its bytes to a timeline entry.
///
/// A pure function of (photo bytes, settings, tool version, model file): the same
/// inputs give bit-identical figures on every run, in any batch order and with any
/// number of parallel jobs. The flow is described in `docs/pipeline.md`.
package enum MeasurementPipeline {
  /// The bundled segmentation model (it carries its file's SHA-256), loaded once per process.
  static let bundledModel: Result<SegmentationModel, SegmentationModelError> = {
    do throws(SegmentationModelError) { return .success(try SegmentationModel.bundled()) } catch {
      return .failure(error)
    }
  }()

  /// The bundled tissue model, loaded once per process.
  static let bundledTissueModel: Result<TissueModel, SegmentationModelError> = {
    do throws(SegmentationModelError) { return .success(try TissueModel.bundled()) } catch {
      return .failure(error)
    }
  }()

  /// The bundled tissue model joined to the bundled outline model's fine pass
  /// (``FinePassTissue``), made once per process; `nil` when either cannot be
  /// loaded or they cannot be joined.
  static let bundledFinePassTissue: FinePassTissue? = {
    guard let outline = try? bundledModel.get(), let tissue = try? bundledTissueModel.get() else { return nil }
    return FinePassTissue(outline: outline, tissue: tissue)
  }()

  /// The bundled segmentation model, or the reason it cannot be loaded.
  package static func bundledSegmentationModel() throws(SegmentationModelError) -> SegmentationModel {
    try bundledModel.get()
  }

  /// The threads one measurement may use when it is the only work of the
  /// process (the `measure` command): the cores this process may run on, at
  /// most 4.
  ///
  /// On Linux the cores are those of the process's CPU affinity (`taskset`, a
  /// cpuset), read from `Cpus_allowed` in `/proc/self/status`; elsewhere, or
  /// when that cannot be read, the active processor count.
  package static var defaultThreads: Int {
    max(1, min(4, allowedCores() ?? ProcessInfo.processInfo.activeProcessorCount))
  }

  /// The number of set bits of the `Cpus_allowed` mask in `/proc/self/status`, or `nil`.
  static func allowedCores() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
    else { return nil }
    var count = 0
    for character in line.dropFirst("Cpus_allowed:".count)
    where character != "," && character != " " && character != "\t" {
      guard let nibble = character.hexDigitValue else { return nil }
      count += nibble.nonzeroBitCount
    }
    return count > 0 ? count : nil
  }

  /// Measures the photo at `path`.
  ///
  /// Reads the file once; everything else is derived from those bytes.
  /// - Parameters:
  ///   - path: the photo's path, recorded as given.
  ///   - settings: see ``MeasurementSettings``.
  ///   - threads: how many threads the measurement may use (see
  ///     ``measure(photoBytes:path:modificationDate:settings:segmentationModel:threads:)``).
  /// - Returns: the entry and the pixels behind it.
  /// - Throws: ``MeasurementError``, naming the file.
  package static func measure(photoAt path: String, settings: MeasurementSettings, threads: Int = 1)
    throws(MeasurementError) -> MeasurementOutcome
  {
    let contents = try readPhoto(path, maxPixels: settings.maxPixels)
    return try measure(
      photoBytes: contents.bytes, path: path, modificationDate: Date(timeIntervalSince1970: contents.modificationTime),
      settings: settings, threads: threads)
  }

  /// Measures a photo already read into memory.
  ///
  /// - Parameters:
  ///   - photoBytes: the file's bytes.
  ///   - path: the photo's path, recorded as given and named in errors.
  ///   - modificationDate: the file's modification time (the last taken-time fallback).
  ///   - settings: see ``MeasurementSettings``.
  ///   - segmentationModel: the model to segment with; `nil` (the tool's
  ///     behaviour) is the bundled one. For benchmarks and evaluations.
  ///   - threads: how many threads the measurement may use: with more than
  ///     one, the bundled outline model is loaded while the photo is decoded, the
  ///     network's whole-photo pass runs beside the marker search, and the
  ///     networks' convolutions, the fine pass's crops and outline and the
  ///     tissue labels share their work. The figures are the same
  ///     bits for any number; `batch` measures one photo per worker on one
  ///     thread each.
  package static func measure(
    photoBytes: [UInt8], path: String, modificationDate: Date, settings: MeasurementSettings,
    segmentationModel: SegmentationModel? = nil, threads: Int = 1
  ) throws(MeasurementError) -> MeasurementOutcome {
    if threads > 1 && segmentationModel == nil && settings.maskPath == nil {
      // Load the bundled outline model (once per process) beside the decoding.
      // The tissue model loads after the marker search: loaded here, its weights
      // would add to the peak of memory, which falls while the marker search
      // and the whole-photo pass run side by side.
      DispatchQueue.global().async { _ = bundledModel }
    }
    let photoSha256 = sha256Hex(photoBytes)
    let decoded: DecodedPhoto
    do {
      decoded = try PhotoDecoder.decode(
        bytes: photoBytes, name: path, options: DecodeOptions(maxPixels: settings.maxPixels, scaleDenominator: 1))
    } catch {
      throw .decoding(error)
    }
    let image = decoded.image
    var warnings: [Warning] = []

    // When it was taken, before anything costly: a photo with no date of its own may be refused.
    let taken = TakenTime.resolve(
      given: settings.takenGiven, exifCaptureTime: decoded.metadata.captureTime, path: path,
      modificationDate: modificationDate)
    if taken.source == .mtime && !settings.allowFileTime {
      throw .takenTimeFromFileOnly(file: path, modificationTime: UTCTime.iso8601(taken.date))
    }
    if let warning = taken.warning(exifCaptureTime: decoded.metadata.captureTime) { warnings.append(warning) }

    // Scale. With a second thread, the network's whole-photo pass (which needs
    // no calibration) runs beside the marker search.
    let coarse: BackgroundValue<ProbabilityMap?>? =
      threads > 1 && settings.maskPath == nil
      ? BackgroundValue { [image] in
        guard let model = segmentationModel ?? (try? bundledSegmentationModel()) else { return nil }
        return try? Segmenter.coarseProbabilities(image: image, model: model, threads: threads)
      } : nil
    defer { _ = coarse?.wait() }
    var calibration: Calibration
    do {
      calibration = try Calibrator.calibrate(image: image, request: settings.calibration)
    } catch {
      throw .calibration(file: path, error)
    }

    // Wound outline: the given mask, or segmentation with every marker excluded.
    var mask: BoxMask
    var regions: MaskRegions
    var maskSha256: String?
    var model: SegmentationModel?
    var tissueCrops: [TissueCrop]?
    if let maskPath = settings.maskPath {
      let maskBytes = try readFile(maskPath, maxPixels: settings.maxPixels)
      maskSha256 = sha256Hex(maskBytes)
      regions = MaskRegions(
        mask: try decodeMask(
          maskBytes, maskPath: maskPath, photo: path, width: image.width, height: image.height,
          maxPixels: settings.maxPixels))
      mask = BoxMask(regions: regions)
    } else {
      let outlineModel: SegmentationModel
      do {
        if let segmentationModel {
          outlineModel = segmentationModel
        } else {
          outlineModel = try bundledSegmentationModel()
        }
      } catch {
        throw .segmentation(file: path, reason: error.description)
      }
      model = outlineModel
      // The tissue model runs in the outline's fine pass when the two can be joined.
      let tissue =
        segmentationModel == nil
        ? bundledFinePassTissue
        : (try? bundledTissueModel.get()).flatMap { FinePassTissue(outline: outlineModel, tissue: $0) }
      let segmentation = try segment(
        image: image, calibration: calibration, settings: settings, model: outlineModel, path: path,
        threads: threads, coarse: coarse?.wait() ?? nil, tissue: tissue)
      mask = segmentation.wound
      regions = segmentation.labelled
      tissueCrops = segmentation.tissueCrops
    }

    // No wound is not a healed wound: only a person can confirm closure.
    var centroid = regions.centroid
    if settings.closureConfirmed {
      if centroid != nil {
        let found = PlaneGeometry.areaMm2(of: regions, homography: calibration.homography) / 100
        warnings.append(
          Warning(
            .closedButWoundFound,
            cFormat(
              "closure was confirmed, but the outline still finds %.2f cm² of wound; recorded as closed", found)
          ))
      }
      mask = BoxMask(width: mask.width, height: mask.height)
      regions = .empty(width: mask.width, height: mask.height)
      centroid = nil
    } else if centroid == nil {
      throw .noWoundFound(file: path)
    }

    // Several markers: the one nearest the wound gives the scale.
    if let centroid, calibration.markers.count > 1 {
      calibration = calibration.selectingMarker(nearest: centroid)
    }
    warnings.append(contentsOf: calibration.warnings)
    if regions.touchesBorder {
      warnings.append(
        Warning(.woundAtPhotoEdge, "the wound outline touches the photo's edge; the wound may extend beyond the photo"))
    }

    // Tissue, with the marker's printed white and black as the colour reference.
    let reference = calibration.markerColours(in: image).map { ColourReference(white: $0.white, black: $0.black) }
    let tissue: TissueMap
    let tissueModel: TissueModel
    do {
      tissueModel = try bundledTissueModel.get()
      tissue = try TissueClassifier.classify(
        image: image, mask: mask, reference: reference, model: tissueModel, crops: tissueCrops, threads: threads)
    } catch {
      throw .segmentation(file: path, reason: error.description)
    }

    // Geometry in the marker's plane.
    let measures = PlaneGeometry.measure(mask: mask, regions: regions, homography: calibration.homography)
    var epitheliumAreaMm2 = 0.0
    if tissue.shares.epithelium > 0 {
      // From the labels over the wound's box: no photo-sized mask.
      epitheliumAreaMm2 = PlaneGeometry.areaMm2(of: tissue.regions(of: .epithelium), homography: calibration.homography)
    }

    let facts = MeasurementFacts(
      path: path, byteSize: photoBytes.count, photoSha256: photoSha256, metadata: decoded.metadata,
      settings: settings, maskSha256: maskSha256, modelSha256: model?.fileSHA256,
      tissueModelSha256: tissueModel.network.fileSHA256,
      calibration: calibration,
      measures: measures, epitheliumAreaMm2: epitheliumAreaMm2, tissue: tissue, reference: reference,
      taken: taken, warnings: warnings)
    return MeasurementOutcome(
      entry: facts.timelineEntry(), image: image, wound: mask, tissue: tissue, calibration: calibration,
      measures: measures, taken: taken, warnings: warnings)
  }

  // MARK: Steps

  /// Reads a photo (or mask) file once: a regular file of at most the byte limit that
  /// `maxPixels` allows (``PhotoDecoder/fileByteLimit(maxPixels:)``), with its modification time.
  ///
  /// - Throws: ``MeasurementError/decoding(_:)`` with the refusal, which names the file.
  package static func readPhoto(_ path: String, maxPixels: Int = MeasurementSettings.defaultMaxPixels)
    throws(MeasurementError) -> SafeFile.Contents
  {
    do {
      return try PhotoDecoder.readFile(path: path, maxPixels: maxPixels)
    } catch {
      throw .decoding(error)
    }
  }

  /// The bytes of ``readPhoto(_:maxPixels:)``.
  static func readFile(_ path: String, maxPixels: Int = MeasurementSettings.defaultMaxPixels)
    throws(MeasurementError) -> [UInt8]
  {
    try readPhoto(path, maxPixels: maxPixels).bytes
  }

  /// Decodes a given mask: grey level (mean of R, G, B) >= 128 is wound. An ImageJ ROI
  /// (`.roi`, or a ROI Manager `.zip`, told apart by content) is drawn instead: every pixel
  /// whose centre lies inside one of its polygons is wound.
  static func decodeMask(
    _ bytes: [UInt8], maskPath: String, photo: String, width: Int, height: Int,
    maxPixels: Int = MeasurementSettings.defaultMaxPixels
  ) throws(MeasurementError) -> Mask {
    if bytes.starts(with: Array("Iout".utf8)) || bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
      return try outlineMask(bytes, path: maskPath, width: width, height: height)
    }
    let decoded: DecodedPhoto
    do {
      decoded = try PhotoDecoder.decode(bytes: bytes, name: maskPath, options: DecodeOptions(maxPixels: maxPixels))
    } catch {
      throw .maskDecoding(mask: maskPath, error)
    }
    let rgb = decoded.image
    guard rgb.width == width, rgb.height == height else {
      throw .maskSizeMismatch(
        mask: maskPath, maskWidth: rgb.width, maskHeight: rgb.height, photo: photo, photoWidth: width,
        photoHeight: height)
    }
    var mask = Mask(width: width, height: height)
    rgb.pixels.withUnsafeBufferPointer { src in
      mask.pixels.withUnsafeMutableBufferPointer { dst in
        for i in 0..<(width * height) {
          let sum = Int(src[3 * i]) + Int(src[3 * i + 1]) + Int(src[3 * i + 2])
          dst[i] = sum >= 3 * 128 ? 255 : 0
        }
      }
    }
    return mask
  }

  /// The mask of an ImageJ outline: the union of its polygons, in the photo's displayed pixels.
  static func outlineMask(_ bytes: [UInt8], path: String, width: Int, height: Int) throws(MeasurementError) -> Mask {
    let polygons: [ImageJROI.Polygon]
    do {
      polygons = try ImageJROI.decode(bytes)
    } catch {
      throw .outlineDecoding(outline: path, reason: error.description)
    }
    let mask = RegionOutlines.rasterize(polygons: polygons.map(\.vertices), width: width, height: height)
    guard mask.pixels.contains(where: { $0 != 0 }) else {
      throw .outlineDecoding(outline: path, reason: "its polygons cover no pixel of the \(width)x\(height) photo")
    }
    return mask
  }

  /// Runs segmentation with every detected marker's outline excluded.
  static func segment(
    image: RGBImage, calibration: Calibration, settings: MeasurementSettings, model: SegmentationModel, path: String,
    threads: Int = 1, coarse: ProbabilityMap? = nil, tissue: FinePassTissue? = nil
  ) throws(MeasurementError) -> SegmentationResult {
    let hints = SegmentationHints(regionOfInterest: settings.regionOfInterest, seed: settings.seedPixels)
    do {
      return try Segmenter.segment(
        image: image, excluding: calibration.exclusionPolygons, hints: hints, model: model, threads: threads,
        coarse: coarse, tissue: tissue)
    } catch {
      throw .segmentation(file: path, reason: error.description)
    }
  }

}
