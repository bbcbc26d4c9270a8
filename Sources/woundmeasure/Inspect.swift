import ArgumentParser
import FoundationEssentials
import WoundImaging
import WoundMeasureKit

extension WoundMeasureCommand {
  /// `woundmeasure inspect PHOTO...`: what each photo is, as the tool sees it.
  struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "inspect",
      abstract: "Show the format, size, orientation, capture time and camera of photos.",
      discussion: """
        Decodes each photo (at 1/8 size, which still reads all of its data) and prints \
        one line per photo: format, stored and displayed size, EXIF orientation, capture \
        time and camera. A photo that cannot be decoded gives an 'error: FILE: REASON' \
        line on stderr; the others are still inspected.

        Exit status: 0 when every photo decoded, 1 when any was refused, 64 for a usage \
        error.

        Examples:
          woundmeasure inspect samples/*.jpg
          woundmeasure inspect photo.jpg --json
          woundmeasure inspect huge-scan.png --max-megapixels 400
        """)

    @Argument(help: ArgumentHelp("Photos (PNG, JPEG or HEIC, recognised by content).", valueName: "PHOTO"))
    var photos: [String]

    @Flag(help: "Print one JSON object per photo per line instead of text.")
    var json = false

    @OptionGroup var pixelLimit: PixelLimitOptions

    func validate() throws {
      if photos.isEmpty { throw ValidationError("give at least one photo") }
    }

    func run() async throws {
      let options = DecodeOptions(
        maxPixels: pixelLimit.maxPixels, scaleDenominator: 8)
      var failures = 0
      for path in photos {
        do {
          let metadata = try PhotoDecoder.decode(path: path, options: options).metadata
          if json {
            print(try CommandLineValues.jsonLine(InspectLine(file: path, metadata: metadata)))
          } else {
            print(Self.summary(path: path, metadata))
          }
        } catch let error as DecodeError {
          failures += 1
          CommandLineValues.printError("error: \(error.description)")
          if json { print(try CommandLineValues.jsonLine(InspectFailure(file: path, error: error.reason))) }
        }
      }
      if failures > 0 { throw ExitCode.failure }
    }

    /// One text line: `FILE: JPEG 4000x3000 stored, 3000x4000 displayed, orientation 6, ...`.
    static func summary(path: String, _ metadata: PhotoMetadata) -> String {
      var parts = [
        "\(metadata.format.displayName) \(metadata.storedWidth)x\(metadata.storedHeight) stored",
        "\(metadata.displayedWidth)x\(metadata.displayedHeight) displayed",
        "orientation \(metadata.orientation)",
      ]
      switch metadata.captureTime {
      case .none: parts.append("captured unknown")
      case .some(let raw) where TakenTime.isImpossibleEXIF(raw): parts.append("captured \(raw) (not a possible date)")
      case .some(let raw): parts.append("captured \(raw)")
      }
      let camera = [metadata.cameraMake, metadata.cameraModel].compactMap { $0 }.joined(separator: " ")
      parts.append("camera \(camera.isEmpty ? "unknown" : camera)")
      return "\(path): " + parts.joined(separator: ", ")
    }
  }
}

/// One photo in `inspect --json` output.
private struct InspectLine: Encodable {
  var file: String
  var ok = true
  var format: String
  var storedWidth: Int
  var storedHeight: Int
  var displayedWidth: Int
  var displayedHeight: Int
  var orientation: Int
  var captureTime: String?
  var cameraMake: String?
  var cameraModel: String?

  init(file: String, metadata: PhotoMetadata) {
    self.file = file
    self.format = metadata.format.rawValue
    self.storedWidth = metadata.storedWidth
    self.storedHeight = metadata.storedHeight
    self.displayedWidth = metadata.displayedWidth
    self.displayedHeight = metadata.displayedHeight
    self.orientation = metadata.orientation
    self.captureTime = metadata.captureTime
    self.cameraMake = metadata.cameraMake
    self.cameraModel = metadata.cameraModel
  }

  // Absent EXIF facts are written as null, so every line has the same keys.
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(file, forKey: .file)
    try container.encode(ok, forKey: .ok)
    try container.encode(format, forKey: .format)
    try container.encode(storedWidth, forKey: .storedWidth)
    try container.encode(storedHeight, forKey: .storedHeight)
    try container.encode(displayedWidth, forKey: .displayedWidth)
    try container.encode(displayedHeight, forKey: .displayedHeight)
    try container.encode(orientation, forKey: .orientation)
    try container.encode(captureTime, forKey: .captureTime)
    try container.encode(cameraMake, forKey: .cameraMake)
    try container.encode(cameraModel, forKey: .cameraModel)
  }

  private enum CodingKeys: String, CodingKey {
    case file, ok, format, storedWidth, storedHeight, displayedWidth, displayedHeight, orientation
    case captureTime, cameraMake, cameraModel
  }
}

/// A refused photo in `inspect --json` output (the reason also goes to stderr).
private struct InspectFailure: Encodable {
  var file: String
  var ok = false
  var error: String
}
