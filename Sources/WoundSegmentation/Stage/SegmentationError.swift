import WoundCore

/// Why a photo could not be segmented. Each case carries the facts and, in
/// its description, the option that fixes it.
package enum SegmentationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The photo has no pixels.
  case emptyImage(width: Int, height: Int)
  /// The region of interest has no pixel inside the photo.
  case regionOfInterestOutsideImage(PixelRect, imageWidth: Int, imageHeight: Int)
  /// The seed lies outside the photo, or outside the region of interest when one is given.
  case seedOutside(Point, area: PixelRect)
  /// The seed lies farther than `limitPixels` from every wound region found: it points at
  /// no wound, and keeping the nearest region would measure something else.
  case seedFarFromWound(Point, distancePixels: Double, limitPixels: Double)
  /// The model cannot run at the working size (a model file defect).
  case model(SegmentationModelError)

  package var description: String {
    switch self {
    case .emptyImage(let width, let height):
      return "cannot segment an empty \(width)x\(height) photo"
    case .regionOfInterestOutsideImage(let roi, let width, let height):
      return
        "--roi \(roi.x),\(roi.y),\(roi.width),\(roi.height) has no pixel inside the \(width)x\(height) photo"
    case .seedOutside(let seed, let area):
      return
        "--seed \(seed.x),\(seed.y) lies outside the searched area x \(area.x)..<\(area.maxX), y \(area.y)..<\(area.maxY)"
    case .seedFarFromWound(let seed, let distance, let limit):
      return "--seed \(seed.x),\(seed.y) is \(Int(distance.rounded())) px from the nearest wound region found "
        + "(more than \(Int(limit.rounded())) px): point inside the wound, or leave --seed out"
    case .model(let error):
      return error.description
    }
  }
}
