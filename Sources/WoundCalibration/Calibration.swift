import WoundCore

/// How the scale of a photo is to be found.
///
/// Exactly one source of scale is used per photo. The explicit ones
/// (``scale(pixelsPerMm:)`` and ``ruler(x1:y1:x2:y2:mm:)``) are recorded as
/// given, so that a re-run of the same photo uses the same scale.
package enum CalibrationRequest: Sendable, Equatable, Hashable {
  /// Detect an AprilTag tag36h11 marker. The black square's edge comes from
  /// the tag ID (IDs 10...100 state it in millimetres) unless
  /// `sizeMmOverride` gives it explicitly.
  case marker(sizeMmOverride: Double?)
  /// A fixed scale in pixels per millimetre, for photos from a fixed rig.
  case scale(pixelsPerMm: Double)
  /// Two points on a ruler in the photo (displayed pixels) and the distance
  /// between them in millimetres.
  case ruler(x1: Double, y1: Double, x2: Double, y2: Double, mm: Double)

  /// Marker detection with the size implied by the tag ID.
  package static let marker = CalibrationRequest.marker(sizeMmOverride: nil)
}

/// Where a calibration's scale came from.
package enum CalibrationMethod: String, Sendable, Codable, Equatable {
  /// An AprilTag marker detected in the photo.
  case marker
  /// An explicit scale in pixels per millimetre.
  case scale
  /// Two points on a ruler and the distance between them.
  case ruler
}

/// Two points on a ruler in the photo and the distance between them, as the
/// user gave them.
package struct RulerMeasurement: Sendable, Equatable, Codable {
  /// First point, displayed pixels.
  package var x1: Double
  package var y1: Double
  /// Second point, displayed pixels.
  package var x2: Double
  package var y2: Double
  /// The distance between the two points on the ruler, millimetres.
  package var mm: Double

  package init(x1: Double, y1: Double, x2: Double, y2: Double, mm: Double) {
    self.x1 = x1
    self.y1 = y1
    self.x2 = x2
    self.y2 = y2
    self.mm = mm
  }

  /// The distance between the two points in pixels.
  package var lengthPixels: Double { ((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1)).squareRoot() }
}

/// One tag36h11 marker found in a photo, with its refined corners.
package struct DetectedMarker: Sendable, Equatable, Codable {
  /// The tag36h11 ID (0...586).
  package var id: Int
  /// The black square's edge in millimetres: the explicit size when one was
  /// given, else the size implied by the ID (10...100), else `nil`.
  package var sizeMm: Double?
  /// The four corners of the black square in displayed pixels (pixel centres
  /// at integer coordinates), refined to sub-pixel, clockwise as displayed
  /// starting from the tag's own top-left corner (written `[[x, y]] x 4` in JSON).
  package var corners: [Point]
  /// The AprilTag library's decision margin (mean distance of the data bits
  /// from the decision threshold, grey levels); higher is better.
  package var decisionMargin: Double
  /// Number of bit errors the library corrected (0 is best).
  package var hammingDistance: Int

  package init(id: Int, sizeMm: Double?, corners: [Point], decisionMargin: Double, hammingDistance: Int) {
    self.id = id
    self.sizeMm = sizeMm
    self.corners = corners
    self.decisionMargin = decisionMargin
    self.hammingDistance = hammingDistance
  }

  /// The centre of the black square in displayed pixels (mean of the corners).
  package var centrePixels: Point {
    let p = corners
    return Point(x: p.map(\.x).reduce(0, +) / 4, y: p.map(\.y).reduce(0, +) / 4)
  }

  /// The mean length of the black square's four sides in pixels.
  package var sizePixels: Double { MarkerGeometry.sideLengths(corners).reduce(0, +) / 4 }
}

/// The scale of one photo: the map from displayed pixels to millimetres on
/// the wound's plane, and how far it can be trusted.
///
/// JSON field names are part of the calibration contract
/// (`docs/calibration.md`); `homography` encodes as 9 numbers,
/// row-major. Coordinates are displayed pixels with pixel centres at integer
/// coordinates; the homography maps them to millimetres on the marker plane,
/// with the marker's black square at `[0, S] x [0, S]` (its top-left corner at
/// the origin).
package struct Calibration: Sendable, Equatable, Codable {
  /// Where the scale came from, with the figures only that source has.
  package enum Source: Sendable, Equatable {
    /// The chosen detected marker.
    case marker(MarkerScale)
    /// An explicit scale in pixels per millimetre.
    case scale
    /// Two points on a ruler and the distance between them, as given.
    case ruler(RulerMeasurement)
  }

  /// Where the scale came from.
  package var source: Source
  /// Displayed pixels -> millimetres on the marker plane.
  package var homography: Homography
  /// Pixels per millimetre at the marker (local scale of the map there; for
  /// an explicit scale or ruler, the scale as given or derived).
  package var pixelsPerMm: Double
  /// Reasons to doubt the scale, for the user; empty when none (their messages in JSON).
  package var warnings: [Warning] = []
  /// Every marker found in the photo, the chosen one included, in detection
  /// order (sorted by ID, then position); with an explicit scale or a ruler, none.
  package var markers: [DetectedMarker] = []

  /// Where the scale came from, without its figures.
  package var method: CalibrationMethod {
    switch source {
    case .marker: return .marker
    case .scale: return .scale
    case .ruler: return .ruler
    }
  }

  /// The chosen marker, when the scale came from one.
  package var marker: MarkerScale? {
    if case .marker(let marker) = source { return marker }
    return nil
  }

  /// The ruler as given, when the scale came from one.
  package var ruler: RulerMeasurement? {
    if case .ruler(let ruler) = source { return ruler }
    return nil
  }

  /// The same photo's calibration re-based on the sized marker nearest to
  /// `point` (displayed pixels), for example the wound's centroid.
  ///
  /// Returns `self` unchanged for explicit scales and rulers, and when only
  /// one marker has a known size. Pure: no pixels are read again.
  package func selectingMarker(nearest point: Point) -> Calibration {
    guard let current = marker, let chosen = MarkerSelection.nearestSized(markers, to: point) else { return self }
    if chosen.id == current.id, chosen.corners == current.corners { return self }
    return (try? Calibrator.calibration(chosen: chosen, all: markers)) ?? self
  }
}

/// The marker a calibration's scale comes from, and how far it can be trusted.
package struct MarkerScale: Sendable, Equatable {
  /// The tag ID.
  package var id: Int
  /// The black square's edge in millimetres.
  package var sizeMm: Double
  /// The black square's corners in displayed pixels, clockwise from the tag's own
  /// top-left (written `[[x, y]] x 4` in JSON).
  package var corners: [Point]
  /// The library's decision margin.
  package var decisionMargin: Double
  /// Bits corrected by the library.
  package var hammingDistance: Int
  /// Mean side of the black square in pixels.
  package var sizePixels: Double
  /// Shortest over longest side of the black square in the photo (1 = seen
  /// square on; 0.5 = foreshortened 2:1).
  package var sideRatio: Double
  /// Estimated tilt of the marker plane away from the camera's view, in
  /// degrees (0 = photographed straight on), from the local affine part of
  /// the homography at the marker: `acos(minor / major singular value)`.
  package var tiltDegrees: Double
  /// The marker's outline including its white border (and a quarter module of
  /// margin), as a 4-point polygon in displayed pixels, clockwise; segmentation
  /// excludes these pixels from the wound (see ``Calibration/exclusionPolygons``).
  package var outlinePixels: [Point]
}

/// Why a photo's scale could not be found. Cases carry the facts; the command
/// line prefixes the file name.
package enum CalibrationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No tag36h11 marker passed the quality filter, and no explicit scale was
  /// given. `rejected` counts detections refused by the filter.
  case noMarker(rejected: Int)
  /// The chosen marker's ID implies no size (only IDs 10...100 do) and none
  /// was given.
  case unknownMarkerSize(id: Int)
  /// A ruler with coincident points or a non-positive/non-finite length.
  case invalidRuler(lengthPixels: Double, mm: Double)
  /// An explicit scale that is not a positive finite number.
  case invalidScale(pixelsPerMm: Double)
  /// An explicit marker size that is not a positive finite number.
  case invalidMarkerSize(mm: Double)
  /// The marker's corners do not give an invertible map (degenerate quad).
  case degenerateMarker(id: Int)
  /// The image is too small to hold a marker.
  case imageTooSmall(width: Int, height: Int)

  package var description: String {
    switch self {
    case .noMarker(let rejected):
      let extra = rejected > 0 ? " (\(rejected) weak detection(s) rejected)" : ""
      return "no calibration marker (AprilTag tag36h11) found\(extra); "
        + "photograph a printed marker beside the wound, or give --scale or --ruler"
    case .unknownMarkerSize(let id):
      return "marker ID \(id) does not state its size (only IDs 10...100 do); "
        + "pass --marker-size MM with the edge of its black square"
    case .invalidRuler(let lengthPixels, let mm):
      return "invalid ruler: \(lengthPixels) px for \(mm) mm; "
        + "--ruler needs two distinct points and a positive length in mm"
    case .invalidScale(let pixelsPerMm):
      return "invalid scale \(pixelsPerMm) px/mm; --scale needs a positive number"
    case .invalidMarkerSize(let mm):
      return "invalid marker size \(mm) mm; --marker-size needs a positive number"
    case .degenerateMarker(let id):
      return "marker ID \(id) is degenerate (its corners do not span a square)"
    case .imageTooSmall(let width, let height):
      return "image \(width)x\(height) is too small to hold a calibration marker"
    }
  }
}

/// The warnings a calibration can carry.
extension Warning.Code {
  /// The marker is seen so obliquely that its scale is unreliable.
  package static let obliqueMarker = Warning.Code("oblique-marker")
  /// The marker is too few pixels across for a reliable scale.
  package static let smallMarker = Warning.Code("small-marker")
  /// Another marker was found whose ID states no size; it was not compared.
  package static let unsizedMarkerIgnored = Warning.Code("unsized-marker-ignored")
  /// Two markers of the photo give scales that disagree.
  package static let markersDisagree = Warning.Code("markers-disagree")
  /// The ruler's two points are too close for a reliable scale.
  package static let shortRuler = Warning.Code("short-ruler")
  /// The ruler's scale and a marker's in the same photo disagree.
  package static let rulerDisagreesWithMarker = Warning.Code("ruler-disagrees-with-marker")
}
