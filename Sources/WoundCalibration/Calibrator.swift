internal import CKernels
import FoundationEssentials
import WoundCore

/// Finds the scale of a photo: from a tag36h11 marker, an explicit scale or a
/// ruler. Deterministic: the same pixels and request give the same result.
package enum Calibrator {
  /// Calibrates one photo.
  ///
  /// For `.marker`, every tag36h11 marker that passes the quality filter
  /// (`docs/calibration.md`) is listed in ``Calibration/markers``; the one
  /// with a known size nearest the image centre is chosen (the pipeline
  /// re-selects the one nearest the wound with
  /// ``Calibration/selectingMarker(nearest:)``). For `.scale` and `.ruler`
  /// the homography is a pure scale and the values are recorded as given.
  ///
  /// - Parameters:
  ///   - image: the photo as displayed (EXIF orientation applied).
  ///   - request: where the scale comes from.
  /// - Returns: the calibration, with warnings when the scale is doubtful.
  /// - Throws: ``CalibrationError/noMarker(rejected:)`` when no marker is
  ///   found, ``CalibrationError/unknownMarkerSize(id:)`` when the markers'
  ///   IDs state no size and none was given, and the `invalid...` cases for
  ///   explicit values that are not positive and finite.
  package static func calibrate(image: RGBImage, request: CalibrationRequest) throws(CalibrationError)
    -> Calibration
  {
    switch request {
    case .scale(let pixelsPerMm):
      guard pixelsPerMm.isFinite, pixelsPerMm > 0 else { throw .invalidScale(pixelsPerMm: pixelsPerMm) }
      return Calibration(source: .scale, homography: .scaling(1 / pixelsPerMm), pixelsPerMm: pixelsPerMm)

    case .ruler(let x1, let y1, let x2, let y2, let mm):
      let ruler = RulerMeasurement(x1: x1, y1: y1, x2: x2, y2: y2, mm: mm)
      let lengthPixels = ruler.lengthPixels
      guard lengthPixels.isFinite, lengthPixels > 0, mm.isFinite, mm > 0 else {
        throw .invalidRuler(lengthPixels: lengthPixels, mm: mm)
      }
      let pixelsPerMm = lengthPixels / mm
      var warnings: [Warning] = []
      if lengthPixels < 40 {
        warnings.append(
          Warning(
            .shortRuler,
            "the ruler spans only \(format(lengthPixels, 1)) px; the scale is unreliable, mark points further apart"))
      }
      if let disagreement = markerDisagreement(image: image, rulerPixelsPerMm: pixelsPerMm, ruler: ruler) {
        warnings.append(disagreement)
      }
      return Calibration(
        source: .ruler(ruler), homography: .scaling(1 / pixelsPerMm), pixelsPerMm: pixelsPerMm, warnings: warnings)

    case .marker(let sizeMmOverride):
      if let size = sizeMmOverride, !(size.isFinite && size > 0) { throw .invalidMarkerSize(mm: size) }
      guard image.width >= 16, image.height >= 16 else {
        throw .imageTooSmall(width: image.width, height: image.height)
      }
      let search = detectMarkers(in: image, sizeMmOverride: sizeMmOverride)
      let centre = Point(x: Double(image.width - 1) / 2, y: Double(image.height - 1) / 2)
      guard let nearest = MarkerSelection.nearest(search.markers, to: centre) else {
        throw .noMarker(rejected: search.rejected)
      }
      guard let chosen = MarkerSelection.nearestSized(search.markers, to: centre) else {
        throw .unknownMarkerSize(id: nearest.id)
      }
      return try calibration(chosen: chosen, all: search.markers)
    }
  }

  /// How far apart the ruler's scale and that of a marker in the same photo are, beyond
  /// ``rulerMarkerTolerance``, as a warning; `nil` when they agree or no sized marker is found.
  ///
  /// The marker nearest the ruler's midpoint is used, at the scale it gives at its own
  /// centre (the same figure `calibrate` prints for it).
  static func markerDisagreement(image: RGBImage, rulerPixelsPerMm: Double, ruler: RulerMeasurement) -> Warning? {
    guard image.width >= 16, image.height >= 16 else { return nil }
    let search = detectMarkers(in: greyImage(from: image), sizeMmOverride: nil)
    let midpoint = Point(x: (ruler.x1 + ruler.x2) / 2, y: (ruler.y1 + ruler.y2) / 2)
    guard let marker = MarkerSelection.nearestSized(search.markers, to: midpoint),
      let markerCalibration = try? calibration(chosen: marker, all: search.markers), markerCalibration.pixelsPerMm > 0
    else { return nil }
    let difference = rulerPixelsPerMm / markerCalibration.pixelsPerMm - 1
    guard abs(difference) > rulerMarkerTolerance else { return nil }
    return Warning(
      .rulerDisagreesWithMarker,
      "the ruler gives \(format(rulerPixelsPerMm, 2)) px/mm but marker ID \(marker.id) in the same photo gives "
        + "\(format(markerCalibration.pixelsPerMm, 2)) px/mm (\(format(difference * 100, 1)) %): check the ruler's "
        + "points and distance, or drop --ruler to use the marker")
  }

  /// The relative difference between a ruler's and a marker's scale that is warned about: 5 %.
  package static let rulerMarkerTolerance = 0.05

  /// The markers found in a grey photo and how many detections the quality
  /// filter refused.
  package struct MarkerSearch: Sendable, Equatable {
    /// Accepted markers, sorted by ID, then top to bottom, then left to right.
    package var markers: [DetectedMarker]
    /// Detections refused by the quality filter.
    package var rejected: Int
    /// The quad decimation factor the markers were found at.
    package var quadDecimate: Int
  }

  /// Detects and refines every tag36h11 marker in a grey photo.
  ///
  /// Quads are searched on an image decimated by ``quadDecimate(width:height:)``
  /// for speed; when nothing is accepted there, the search is repeated at
  /// full resolution (small markers). Corners are then refined to sub-pixel
  /// at full resolution and the quality filter applied.
  ///
  /// - Parameter sizeMmOverride: the black-square edge of every marker, when
  ///   given; otherwise each marker's size comes from its ID.
  package static func detectMarkers(in grey: GreyImage, sizeMmOverride: Double?) -> MarkerSearch {
    let decimate = quadDecimate(width: grey.width, height: grey.height)
    var search = detectMarkers(in: grey, sizeMmOverride: sizeMmOverride, quadDecimate: decimate)
    if search.markers.isEmpty && decimate > 1 {
      let full = detectMarkers(in: grey, sizeMmOverride: sizeMmOverride, quadDecimate: 1)
      search = MarkerSearch(markers: full.markers, rejected: max(search.rejected, full.rejected), quadDecimate: 1)
    }
    return search
  }

  /// Detects and refines every tag36h11 marker in a photo, searching a
  /// half-size grey image when the photo is large.
  ///
  /// Photos whose long side exceeds 2000 pixels (quad decimation 3 or 4) are
  /// searched on a half-size grey image (each 2 x 2 block's mean luma) with
  /// half the decimation, so the library sees the same quad image; each
  /// marker's corners are then mapped to the photo (`2 x + 0.5`) and refined
  /// at full resolution in a grey crop around the marker only, with the same
  /// ``CornerRefinement`` as the whole-photo search. The full-size grey photo
  /// is never made unless the half-size search accepts nothing, in which case
  /// the search on the whole grey photo runs as before.
  package static func detectMarkers(in image: RGBImage, sizeMmOverride: Double?) -> MarkerSearch {
    let decimate = quadDecimate(width: image.width, height: image.height)
    var reducedRejected = 0
    if decimate >= 3 {
      let half = halfGreyImage(from: image)
      let search = detectMarkers(
        in: half, sizeMmOverride: sizeMmOverride, quadDecimate: Float(decimate),
        refine: { corners in
          let full = corners.map { Point(x: 2 * $0.x + 0.5, y: 2 * $0.y + 0.5) }
          return refineInCrop(full, image: image)
        })
      if !search.markers.isEmpty {
        return MarkerSearch(markers: search.markers, rejected: search.rejected, quadDecimate: decimate)
      }
      reducedRejected = search.rejected
    }
    let search = detectMarkers(in: greyImage(from: image), sizeMmOverride: sizeMmOverride)
    return MarkerSearch(
      markers: search.markers, rejected: max(search.rejected, reducedRejected), quadDecimate: search.quadDecimate)
  }

  /// Refines corners (photo pixels) in a grey crop of the photo that holds
  /// every sample ``CornerRefinement`` can take, so the result equals a
  /// refinement in the whole grey photo.
  static func refineInCrop(_ corners: [Point], image: RGBImage) -> [Point]? {
    let xs = corners.map(\.x), ys = corners.map(\.y)
    guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max(),
      minX.isFinite, maxX.isFinite, minY.isFinite, maxY.isFinite
    else { return nil }
    // The refinement samples within half a module of a side and lets a corner
    // move by at most max(3 px, a module): a quarter of the side plus 8 px covers both.
    let margin = 0.25 * max(maxX - minX, maxY - minY) + 8
    let x0 = max(0, Int((minX - margin).rounded(.down)))
    let y0 = max(0, Int((minY - margin).rounded(.down)))
    let x1 = min(image.width, Int((maxX + margin).rounded(.up)) + 1)
    let y1 = min(image.height, Int((maxY + margin).rounded(.up)) + 1)
    guard x1 - x0 >= 2, y1 - y0 >= 2 else { return nil }
    let crop = greyImage(from: image, x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    let ox = Double(x0), oy = Double(y0)
    let local = corners.map { Point(x: $0.x - ox, y: $0.y - oy) }
    return CornerRefinement.refine(local, in: crop)?.map { Point(x: $0.x + ox, y: $0.y + oy) }
  }

  /// The quad decimation for an image: the long side brought to at most
  /// about 1000 pixels (1 up to 1000 px, 2 up to 2000 px, ..., at most 4).
  package static func quadDecimate(width: Int, height: Int) -> Int {
    let long = max(width, height)
    return min(4, max(1, (long + 999) / 1000))
  }

  static func detectMarkers(in grey: GreyImage, sizeMmOverride: Double?, quadDecimate: Int) -> MarkerSearch {
    detectMarkers(
      in: grey, sizeMmOverride: sizeMmOverride, quadDecimate: Float(quadDecimate),
      refine: { CornerRefinement.refine($0, in: grey) })
  }

  /// Detects tags in `grey`, refines each one's corners with `refine` (which
  /// returns them in photo pixels) and applies the quality filter.
  ///
  /// The codes are first decoded with up to 1 corrected bit; only when that
  /// accepts no marker are they decoded again with up to 2. The library's
  /// table for 2 corrected bits takes 36 MB and about 40 ms to build, more
  /// than the marker search itself on a 12 MP photo; a marker found with 0
  /// or 1 corrected bits is found the same with either table.
  static func detectMarkers(
    in grey: GreyImage, sizeMmOverride: Double?, quadDecimate: Float, refine: ([Point]) -> [Point]?
  ) -> MarkerSearch {
    let quick = detectMarkers(
      in: grey, sizeMmOverride: sizeMmOverride, quadDecimate: quadDecimate, correctedBits: 1, refine: refine)
    guard quick.markers.isEmpty else { return quick }
    let thorough = detectMarkers(
      in: grey, sizeMmOverride: sizeMmOverride, quadDecimate: quadDecimate,
      correctedBits: AprilTag.Detector.maximumCorrectedBits, refine: refine)
    return MarkerSearch(
      markers: thorough.markers, rejected: max(quick.rejected, thorough.rejected),
      quadDecimate: thorough.quadDecimate)
  }

  /// ``detectMarkers(in:sizeMmOverride:quadDecimate:refine:)`` with one table of corrected bits.
  static func detectMarkers(
    in grey: GreyImage, sizeMmOverride: Double?, quadDecimate: Float, correctedBits: Int,
    refine: ([Point]) -> [Point]?
  ) -> MarkerSearch {
    let detector = AprilTag.Detector(quadDecimate: quadDecimate, correctedBits: correctedBits)
    let detections = detector.detect(grey)
    var accepted: [DetectedMarker] = []
    var rejected = 0
    for detection in detections {
      guard MarkerFilter.accepts(hammingDistance: detection.hammingDistance, decisionMargin: detection.decisionMargin),
        let corners = refine(detection.corners),
        MarkerFilter.accepts(corners: corners)
      else {
        rejected += 1
        continue
      }
      let marker = DetectedMarker(
        id: detection.id, sizeMm: sizeMmOverride ?? MarkerGeometry.impliedSizeMm(id: detection.id),
        corners: corners, decisionMargin: detection.decisionMargin,
        hammingDistance: detection.hammingDistance)
      // The same tag found twice (overlapping quads): keep the stronger one.
      if let twin = accepted.firstIndex(where: {
        $0.id == marker.id && distance($0.centrePixels, marker.centrePixels) < 0.5 * marker.sizePixels
      }) {
        rejected += 1
        if accepted[twin].decisionMargin < marker.decisionMargin { accepted[twin] = marker }
        continue
      }
      accepted.append(marker)
    }
    accepted.sort { a, b in
      if a.id != b.id { return a.id < b.id }
      let ca = a.centrePixels, cb = b.centrePixels
      return ca.y != cb.y ? ca.y < cb.y : ca.x < cb.x
    }
    return MarkerSearch(markers: accepted, rejected: rejected, quadDecimate: Int(quadDecimate.rounded(.up)))
  }

  /// The grey version of a photo handed to the detector:
  /// `(77 R + 150 G + 29 B + 128) >> 8` (ITU-R BT.601 luma in fixed point).
  package static func greyImage(from image: RGBImage) -> GreyImage {
    let count = image.width * image.height
    var grey = [UInt8](repeating: 0, count: count)
    image.pixels.withUnsafeBufferPointer { rgb in
      grey.withUnsafeMutableBufferPointer { out in
        for i in 0..<count {
          let r = UInt32(rgb[3 * i]), g = UInt32(rgb[3 * i + 1]), b = UInt32(rgb[3 * i + 2])
          out[i] = UInt8(truncatingIfNeeded: (77 * r + 150 * g + 29 * b + 128) >> 8)
        }
      }
    }
    return GreyImage(width: image.width, height: image.height, pixels: grey)
  }

  /// The grey version of a rectangle of a photo, as ``greyImage(from:)``
  /// computes it; the rectangle must lie inside the photo.
  static func greyImage(from image: RGBImage, x x0: Int, y y0: Int, width: Int, height: Int) -> GreyImage {
    var grey = [UInt8](repeating: 0, count: width * height)
    image.pixels.withUnsafeBufferPointer { rgb in
      grey.withUnsafeMutableBufferPointer { out in
        for y in 0..<height {
          let source = ((y0 + y) * image.width + x0) * 3
          for x in 0..<width {
            let i = source + 3 * x
            let r = UInt32(rgb[i]), g = UInt32(rgb[i + 1]), b = UInt32(rgb[i + 2])
            out[y * width + x] = UInt8(truncatingIfNeeded: (77 * r + 150 * g + 29 * b + 128) >> 8)
          }
        }
      }
    }
    return GreyImage(width: width, height: height, pixels: grey)
  }

  /// Whether this processor runs the AVX2 rows of ``halfGreyImage(from:wide:)``.
  package static let wideRowsAvailable = wm_wide_kernels_available() != 0

  /// A half-size grey image for the marker search: pixel `(i, j)` is the mean
  /// luma of the photo's pixels `2i, 2i + 1` by `2j, 2j + 1`,
  /// `(sum of 77 R + 150 G + 29 B + 512) >> 10`; an odd last row or column is
  /// left out. Its pixel centre `(i, j)` lies at photo `(2i + 0.5, 2j + 0.5)`.
  ///
  /// With `wide` (where the processor has AVX2), eight outputs at a time in C
  /// (`wm_half_grey_row`, the same integer arithmetic, so the same bytes).
  package static func halfGreyImage(from image: RGBImage, wide: Bool = wideRowsAvailable) -> GreyImage {
    let width = image.width / 2
    let height = image.height / 2
    var grey = [UInt8](repeating: 0, count: width * height)
    image.pixels.withUnsafeBufferPointer { rgb in
      grey.withUnsafeMutableBufferPointer { out in
        for y in 0..<height {
          let top = 2 * y * image.width * 3
          let bottom = top + image.width * 3
          // Eight outputs at a time in AVX2 where the processor has it (the same bytes), the rest here.
          let done =
            wide
            ? wm_half_grey_row(rgb.baseAddress! + top, rgb.baseAddress! + bottom, out.baseAddress! + y * width, width)
            : 0
          for x in done..<width {
            let a = top + 6 * x, b = bottom + 6 * x
            let r = UInt32(rgb[a]) + UInt32(rgb[a + 3]) + UInt32(rgb[b]) + UInt32(rgb[b + 3])
            let g = UInt32(rgb[a + 1]) + UInt32(rgb[a + 4]) + UInt32(rgb[b + 1]) + UInt32(rgb[b + 4])
            let bl = UInt32(rgb[a + 2]) + UInt32(rgb[a + 5]) + UInt32(rgb[b + 2]) + UInt32(rgb[b + 5])
            out[y * width + x] = UInt8(truncatingIfNeeded: (77 * r + 150 * g + 29 * bl + 512) >> 10)
          }
        }
      }
    }
    return GreyImage(width: width, height: height, pixels: grey)
  }

  /// The calibration from one chosen marker (which must have a size), with
  /// the quality figures and warnings computed against all markers.
  static func calibration(chosen: DetectedMarker, all markers: [DetectedMarker]) throws(CalibrationError)
    -> Calibration
  {
    guard let sizeMm = chosen.sizeMm else { throw .unknownMarkerSize(id: chosen.id) }
    let cornersPixels = chosen.corners
    guard let mmFromPixels = Homography.fromCorrespondences(cornersPixels, MarkerGeometry.squareMm(sizeMm)),
      let pixelsFromMm = mmFromPixels.inverted()
    else { throw .degenerateMarker(id: chosen.id) }
    let local = MarkerGeometry.localScale(pixelsFromMm: pixelsFromMm, atMm: Point(x: sizeMm / 2, y: sizeMm / 2))
    let sides = MarkerGeometry.sideLengths(cornersPixels)
    let sideRatio = sides.min()! / sides.max()!
    let sizePixels = chosen.sizePixels

    var warnings: [Warning] = []
    let foreshortening = min(sideRatio, local.foreshortening)
    if foreshortening < MarkerFilter.warnForeshortening {
      warnings.append(
        Warning(
          .obliqueMarker,
          "marker ID \(chosen.id) is seen very obliquely (foreshortened \(format(1 / foreshortening, 1)):1, "
            + "tilt about \(format(local.tiltDegrees, 0)) deg); the scale is unreliable, photograph the wound square on"
        ))
    }
    if sizePixels < MarkerFilter.warnSizePixels {
      warnings.append(
        Warning(
          .smallMarker,
          "marker ID \(chosen.id) is only \(format(sizePixels, 0)) px across; the scale is unreliable, "
            + "move closer or use a larger marker"))
    }
    for other in markers where !(other.id == chosen.id && other.corners == chosen.corners) {
      guard let otherSize = other.sizeMm else {
        warnings.append(
          Warning(.unsizedMarkerIgnored, "marker ID \(other.id) ignored: its ID does not state its size"))
        continue
      }
      let measured = MarkerGeometry.sideLengths(other.corners.map { mmFromPixels.apply($0) }).reduce(0, +) / 4
      let disagreement = measured / otherSize - 1
      if abs(disagreement) > MarkerFilter.warnScaleDisagreement {
        warnings.append(
          Warning(
            .markersDisagree,
            "markers disagree: through marker ID \(chosen.id) (\(format(sizeMm, 1)) mm), marker ID \(other.id) "
              + "measures \(format(measured, 2)) mm instead of \(format(otherSize, 1)) mm "
              + "(\(format(disagreement * 100, 1)) %); check the printed sizes and that both lie in the wound's plane"))
      }
    }

    let scale = MarkerScale(
      id: chosen.id, sizeMm: sizeMm, corners: chosen.corners, decisionMargin: chosen.decisionMargin,
      hammingDistance: chosen.hammingDistance, sizePixels: sizePixels, sideRatio: sideRatio,
      tiltDegrees: local.tiltDegrees, outlinePixels: MarkerGeometry.outline(pixelsFromMm: pixelsFromMm, sizeMm: sizeMm))
    return Calibration(
      source: .marker(scale), homography: mmFromPixels, pixelsPerMm: local.pixelsPerMm, warnings: warnings,
      markers: markers)
  }

  static func distance(_ a: Point, _ b: Point) -> Double {
    ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
  }

  static func format(_ value: Double, _ decimals: Int) -> String {
    cFormat("%.\(decimals)f", value)
  }
}

/// Which detections count as markers, and when a marker's scale is doubtful.
enum MarkerFilter {
  /// Lowest decision margin accepted for a clean decode; each corrected bit
  /// raises it by ``marginPerCorrectedBit``.
  static let minimumDecisionMargin = 25.0
  static let marginPerCorrectedBit = 20.0
  /// Most bits the library may have corrected.
  static let maximumHammingDistance = 2
  /// Shortest accepted side of the black square, pixels.
  static let minimumSidePixels = 12.0
  /// Warn below this side ratio / singular-value ratio (2:1).
  static let warnForeshortening = 0.5
  /// Warn below this black-square size, pixels.
  static let warnSizePixels = 40.0
  /// Warn when another marker disagrees by more than this fraction.
  static let warnScaleDisagreement = 0.05

  static func accepts(hammingDistance: Int, decisionMargin: Double) -> Bool {
    hammingDistance <= maximumHammingDistance
      && decisionMargin >= minimumDecisionMargin + marginPerCorrectedBit * Double(hammingDistance)
  }

  static func accepts(corners: [Point]) -> Bool {
    corners.count == 4 && MarkerGeometry.isConvex(corners)
      && MarkerGeometry.sideLengths(corners).min()! >= minimumSidePixels
      && MarkerGeometry.signedArea(corners) > 0
  }
}

/// Choosing among several markers.
enum MarkerSelection {
  /// The marker whose centre is nearest `point` (ties: the first in order).
  static func nearest(_ markers: [DetectedMarker], to point: Point) -> DetectedMarker? {
    var best: DetectedMarker? = nil
    var bestDistance = Double.infinity
    for marker in markers {
      let d = Calibrator.distance(marker.centrePixels, point)
      if d < bestDistance {
        bestDistance = d
        best = marker
      }
    }
    return best
  }

  /// The marker with a known size whose centre is nearest `point`.
  static func nearestSized(_ markers: [DetectedMarker], to point: Point) -> DetectedMarker? {
    nearest(markers.filter { $0.sizeMm != nil }, to: point)
  }
}
