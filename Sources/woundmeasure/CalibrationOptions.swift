import ArgumentParser
import WoundCalibration
import WoundCore

/// The flags that say where a photo's scale comes from, shared by
/// `calibrate`, `measure` and `batch` through `@OptionGroup`.
///
/// With none of them the photo's tag36h11 marker is used, its size read from
/// its ID. At most one may be given.
struct CalibrationOptions: ParsableArguments {
  @Option(
    name: .customLong("marker-size"),
    help: ArgumentHelp(
      "Edge of the marker's black square in mm, overriding the size its ID states.", valueName: "MM"))
  var markerSizeMm: Double?

  @Option(
    name: .customLong("scale"),
    help: ArgumentHelp(
      "Fixed scale in pixels per mm (photos from a fixed rig); no marker needed.",
      valueName: "PX_PER_MM"))
  var pixelsPerMm: Double?

  @Option(
    name: .customLong("ruler"),
    help: ArgumentHelp(
      "Two points on a ruler in the photo (displayed pixels) and their distance in mm; no marker needed.",
      valueName: "X1,Y1,X2,Y2,MM"))
  var ruler: RulerArgument?

  func validate() throws {
    let given = [markerSizeMm != nil, pixelsPerMm != nil, ruler != nil].filter { $0 }.count
    if given > 1 {
      throw ValidationError("give at most one of --marker-size, --scale and --ruler")
    }
    if let size = markerSizeMm, !(size.isFinite && size > 0) {
      throw ValidationError("--marker-size must be a positive number of mm, not \(size)")
    }
    if let scale = pixelsPerMm, !(scale.isFinite && scale > 0) {
      throw ValidationError("--scale must be a positive number of pixels per mm, not \(scale)")
    }
    if let ruler {
      let length = ruler.measurement.lengthPixels
      if !(length > 0) || !(ruler.measurement.mm > 0) {
        throw ValidationError("--ruler needs two distinct points and a positive distance in mm")
      }
    }
  }

  /// The calibration request these flags describe.
  var request: CalibrationRequest {
    if let pixelsPerMm { return .scale(pixelsPerMm: pixelsPerMm) }
    if let ruler {
      let r = ruler.measurement
      return .ruler(x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2, mm: r.mm)
    }
    return .marker(sizeMmOverride: markerSizeMm)
  }
}

/// `--ruler X1,Y1,X2,Y2,MM`: five comma-separated numbers.
struct RulerArgument: ExpressibleByArgument {
  var measurement: RulerMeasurement

  init?(argument: String) {
    let numbers = argument.split(separator: ",").map { Double($0.trimmingSpaces()) }
    guard numbers.count == 5, numbers.allSatisfy({ $0?.isFinite == true }) else { return nil }
    let n = numbers.map { $0! }
    measurement = RulerMeasurement(x1: n[0], y1: n[1], x2: n[2], y2: n[3], mm: n[4])
  }
}
