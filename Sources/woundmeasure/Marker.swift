import ArgumentParser
import FoundationEssentials
import WoundCalibration
import WoundCore
import WoundImaging

extension WoundMeasureCommand {
  /// `woundmeasure marker --id 20 --output marker.svg`: writes a printable
  /// calibration marker at its true size.
  struct Marker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "marker",
      abstract: "Write a printable calibration marker (SVG or PNG) at its true size.",
      discussion: """
        The marker is an AprilTag tag36h11 tag; IDs 10...100 state the edge of the black \
        square in mm (ID 20 = 20 mm), so photos of it need no typed size. Print at 100 % \
        and check the black square with a ruler.

        Examples:
          woundmeasure marker --id 20 --output marker-20mm.svg
          woundmeasure marker --id 30 --output marker-30mm.png --dpi 300
          woundmeasure marker --id 120 --size-mm 15 --output marker-15mm.svg
        """)

    @Option(help: "tag36h11 ID (0...586); IDs 10...100 state their size in mm.")
    var id: Int

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file, .svg or .png.", valueName: "FILE"))
    var output: String

    @Option(
      name: .customLong("size-mm"),
      help: ArgumentHelp("Edge of the black square in mm (default: the ID's own size).", valueName: "MM"))
    var sizeMm: Double?

    @Option(help: "Resolution of a PNG in dots per inch.")
    var dpi: Int = 600

    /// The file type, from the output's extension.
    enum Kind { case svg, png }

    var kind: Kind? {
      let lower = output.lowercased()
      if lower.hasSuffix(".svg") { return .svg }
      if lower.hasSuffix(".png") { return .png }
      return nil
    }

    func validate() throws {
      guard kind != nil else { throw ValidationError("--output must end in .svg or .png: \(output)") }
      guard (0...586).contains(id) else { throw ValidationError("--id must be a tag36h11 ID, 0...586") }
      if sizeMm == nil && !(10...100).contains(id) {
        throw ValidationError("ID \(id) does not state its size (only IDs 10...100 do); pass --size-mm MM")
      }
      if let sizeMm, !(sizeMm.isFinite && sizeMm >= 5 && sizeMm <= 500) {
        throw ValidationError("--size-mm must be between 5 and 500 mm")
      }
      guard (72...2400).contains(dpi) else { throw ValidationError("--dpi must be between 72 and 2400") }
    }

    func run() async throws {
      let size = sizeMm ?? Double(id)
      do {
        try SafeFile.checkOutput(output, protecting: .none)
        switch kind! {
        case .svg:
          let text = try MarkerSheet.svg(id: id, sizeMm: size)
          try SafeFile.write(Array(text.utf8), to: output)
        case .png:
          let image = try MarkerSheet.raster(id: id, sizeMm: size, dotsPerInch: dpi)
          try ImageEncoder.writePNG(image, to: output, pixelsPerMetre: MarkerSheet.pixelsPerMetre(dotsPerInch: dpi))
        }
      } catch {
        CommandLineValues.printError("error: \(error)")
        throw ExitCode.failure
      }
      print("\(output): tag36h11 ID \(id), black square \(MarkerSheet.formatMm(size)) mm; print at 100 %")
    }
  }
}
