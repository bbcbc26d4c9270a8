import ArgumentParser
import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundImaging

extension WoundMeasureCommand {
  /// `woundmeasure calibrate PHOTO...`: finds each photo's scale and says how
  /// far it can be trusted.
  struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "calibrate",
      abstract: "Find the scale of photos from their marker, or check a given scale.",
      discussion: """
        Prints, per photo, the marker's ID and size, the scale in pixels per mm and how \
        oblique the view is. Warnings go to stderr as 'warning:' lines; a photo without \
        a usable scale gives an 'error:' line and a non-zero exit status.

        Examples:
          woundmeasure calibrate samples/photos/P001/left-heel/*.jpg
          woundmeasure calibrate samples/photos/P002/right-hallux/2026-10-12_1.jpg --json
          woundmeasure calibrate photo.jpg --marker-size 19.6
          woundmeasure calibrate photo.jpg --ruler 120,840,620,840,50
        """)

    @Argument(help: ArgumentHelp("Photos (PNG, JPEG or HEIC).", valueName: "PHOTO"))
    var photos: [String]

    @Flag(help: "Print one JSON object per photo per line instead of text.")
    var json = false

    @OptionGroup var calibration: CalibrationOptions

    func validate() throws {
      if photos.isEmpty { throw ValidationError("give at least one photo") }
    }

    func run() async throws {
      var failures = 0
      for path in photos {
        let result: Calibration
        do {
          let photo = try PhotoDecoder.decode(path: path)
          result = try Calibrator.calibrate(image: photo.image, request: calibration.request)
        } catch let error as DecodeError {
          CommandLineValues.printError("error: \(error.description)")
          failures += 1
          continue
        } catch let error as CalibrationError {
          CommandLineValues.printError("error: \(path): \(error.description)")
          failures += 1
          continue
        }
        for warning in result.warnings { CommandLineValues.printError("warning: \(path): \(warning)") }
        if json {
          print(try CommandLineValues.jsonLine(CalibrateLine(file: path, calibration: result)))
        } else {
          print(Self.summary(path: path, result))
        }
      }
      if failures > 0 { throw ExitCode.failure }
    }

    /// One human-readable line per photo.
    static func summary(path: String, _ c: Calibration) -> String {
      func f(_ v: Double, _ d: Int) -> String { cFormat("%.\(d)f", v) }
      switch c.source {
      case .scale:
        return "\(path): scale \(f(c.pixelsPerMm, 3)) px/mm (given)"
      case .ruler(let r):
        return "\(path): ruler \(f(r.lengthPixels, 1)) px = \(f(r.mm, 2)) mm, \(f(c.pixelsPerMm, 3)) px/mm"
      case .marker(let m):
        var text = "\(path): marker ID \(m.id), \(f(m.sizeMm, 1)) mm, \(f(c.pixelsPerMm, 3)) px/mm"
        text += ", \(f(m.sizePixels, 0)) px across"
        text += ", tilt \(f(m.tiltDegrees, 1)) deg, sides \(f(m.sideRatio, 2))"
        text += ", margin \(f(m.decisionMargin, 0)), hamming \(m.hammingDistance)"
        if c.markers.count > 1 { text += ", \(c.markers.count) markers" }
        return text
      }
    }
  }
}

/// One line of `calibrate --json`: the file, then the calibration's fields.
struct CalibrateLine: Encodable {
  var file: String
  var calibration: Calibration

  enum CodingKeys: String, CodingKey { case file }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(file, forKey: .file)
    try calibration.encode(to: encoder)
  }
}
