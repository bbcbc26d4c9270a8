import FoundationEssentials
import WoundCore
import WoundModels

#if canImport(Glibc)
  import Glibc
#endif

/// A wound segmentation network loaded from a `.wmseg` file.
///
/// The file holds an 8-byte magic `WMSEG01\n`, a little-endian `UInt32`
/// header length, a UTF-8 JSON header (format, version, weight type, input
/// normalisation, output, and the list of operations), zero bytes up to the
/// next multiple of 4, then the weight blob (`float32` or `float16`, little
/// endian; converted to `Float` on load). `docs/segmentation.md` describes
/// the format in full.
///
/// A model is immutable and `Sendable`: one instance can serve any number of
/// concurrent ``Segmenter/segment(image:excluding:hints:model:threads:)`` calls.
package struct SegmentationModel: Sendable {
  /// The resource name of the model shipped with the package.
  package static let bundledResourceName = "wound-segmentation.wmseg"

  /// The path or resource name the model was read from, used in messages.
  package let fileName: String
  /// The lower-case hex SHA-256 of the model file's bytes, which identifies the
  /// model (a measurement records it). The bytes themselves are not kept.
  package let fileSHA256: String
  /// The weight type stored in the file: `"float32"` or `"float16"`.
  package let dataType: String
  /// Input channels (3: R, G, B).
  package let inputChannels: Int
  /// The side, in pixels, of the square crops the network was trained on.
  package let trainingSizePixels: Int
  /// Input width and height must be positive multiples of this.
  package let sizeMultiplePixels: Int
  /// Input normalisation: `x = (value - normalizeSubtract) / normalizeDivide`,
  /// for 8-bit channel values.
  package let normalizeSubtract: Float
  /// See ``normalizeSubtract``.
  package let normalizeDivide: Float
  /// The free-form `training` object of the header (recipe, seed, split,
  /// validation figures), re-serialised as JSON with sorted keys; `nil` when absent.
  package let trainingDescriptionJSON: String?

  /// What the network's output means: one wound probability (the outline
  /// model), or a probability per named class (the tissue model).
  package let output: ModelOutput

  /// The second, finer pass over each wound's crop that the model was trained
  /// and validated for; `nil` when the model is used for one pass only.
  package private(set) var finePass: FinePassRule?

  /// The same model used for the whole-photo pass only (to measure each pass apart).
  package func coarseOnly() -> SegmentationModel {
    var copy = self
    copy.finePass = nil
    return copy
  }

  /// The operations and the converted weights.
  let graph: ModelGraph

  /// Parses a model file's bytes.
  ///
  /// - Parameters:
  ///   - bytes: The whole `.wmseg` file.
  ///   - name: The path or resource name, used in error messages.
  /// - Throws: ``SegmentationModelError`` naming `name` and what is wrong:
  ///   bad magic, truncation, an invalid header, an unsupported format,
  ///   version or weight type, a malformed operation, weights out of range,
  ///   channel counts that do not chain, or shapes that do not fit the
  ///   training size.
  package init(bytes: [UInt8], name: String) throws(SegmentationModelError) {
    let parsed = try ModelFileParser.parse(bytes: bytes, name: name)
    self.fileName = name
    self.fileSHA256 = sha256Hex(bytes)
    self.dataType = parsed.dataType
    self.inputChannels = parsed.inputChannels
    self.trainingSizePixels = parsed.trainingSize
    self.sizeMultiplePixels = parsed.sizeMultiple
    self.normalizeSubtract = parsed.normalizeSubtract
    self.normalizeDivide = parsed.normalizeDivide
    self.trainingDescriptionJSON = parsed.trainingJSON
    self.graph = parsed.graph
    self.finePass = parsed.finePass
    self.output = parsed.output
    // A model that cannot run at its own training size is unusable.
    _ = try InferencePlan(
      graph: graph, width: trainingSizePixels, height: trainingSizePixels, fileName: name)
  }

  /// The most bytes a model file may hold: 256 MiB (the bundled model is 1.5 MiB).
  package static let maximumFileBytes = 256 << 20

  /// The location of a model file shipped with the package, or `nil` when neither place
  /// has it: `Resources/NAME` in the `WoundModels` folder the package manager copies
  /// beside the executable (or the test runner), else in the source tree it was built
  /// from (an executable copied elsewhere, as the package manager's own resource lookup
  /// falls back to its build folder).
  static func bundledURL(named name: String) -> URL? {
    let source = String(cString: wm_models_source_file())
    let fallback =
      source.hasPrefix("/") ? PathName.join(PathName.join(PathName.parent(of: source), "Resources"), name) : nil
    for path in [bundledPath(named: name), fallback].compactMap({ $0 })
    where FileManager.default.fileExists(atPath: path) {
      return URL(fileURLWithPath: path)
    }
    return nil
  }

  /// Where a model file shipped with the package is looked for, found or not.
  static func bundledPath(named name: String) -> String {
    let folder = PathName.join(PathName.parent(of: executablePath() ?? ""), String(cString: wm_models_folder_name()))
    return PathName.join(PathName.join(folder, "Resources"), name)
  }

  /// The running executable's path, links resolved.
  private static func executablePath() -> String? {
    #if os(Linux)
      var buffer = [CChar](repeating: 0, count: 4097)
      let count = readlink("/proc/self/exe", &buffer, 4096)
      guard count > 0 else { return nil }
      return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    #else
      return CommandLine.arguments.first
    #endif
  }

  /// Reads and parses the model file at `url`, a regular file of at most
  /// ``maximumFileBytes`` (read by `SafeFile`).
  ///
  /// - Throws: ``SegmentationModelError/unreadable(file:reason:)`` when the
  ///   file cannot be read (with the system's message) or is refused, or any
  ///   parsing error of ``init(bytes:name:)``.
  package init(contentsOf url: URL) throws(SegmentationModelError) {
    let bytes: [UInt8]
    do {
      bytes = try SafeFile.read(url.path, limitBytes: Self.maximumFileBytes).bytes
    } catch .system(_, _, let code) {
      throw .unreadable(file: url.path, reason: SafeFile.systemMessage(code))
    } catch {
      throw .unreadable(file: url.path, reason: error.reason)
    }
    try self.init(bytes: bytes, name: url.path)
  }

  /// The location of the model shipped with the package, or `nil` when the
  /// resource bundle lacks it.
  package static var bundledURL: URL? { bundledURL(named: bundledResourceName) }

  /// Loads the model shipped with the package (`Resources/wound-segmentation.wmseg`).
  ///
  /// - Throws: ``SegmentationModelError/resourceMissing(name:)`` when the
  ///   resource is absent, or any error of ``init(contentsOf:)``.
  package static func bundled() throws(SegmentationModelError) -> SegmentationModel {
    guard let url = bundledURL else { throw .resourceMissing(name: bundledPath(named: bundledResourceName)) }
    return try SegmentationModel(contentsOf: url)
  }

  /// Runs the network on an RGB image and returns the wound probability of
  /// every pixel (sigmoid of the logits), row-major, top-left first.
  ///
  /// - Parameter image: Width and height must be positive multiples of
  ///   ``sizeMultiplePixels``.
  /// - Returns: `image.width * image.height` probabilities in `[0, 1]`.
  /// - Throws: ``SegmentationModelError/inputSizeNotSupported(file:width:height:multiple:)``
  ///   for other sizes.
  package func probabilities(for image: RGBImage) throws(SegmentationModelError) -> [Float] {
    let input = normalizedInput(image)
    return try probabilities(normalizedInput: input, width: image.width, height: image.height)
  }

  /// Converts 8-bit RGB to the network's planar, normalised input.
  func normalizedInput(_ image: RGBImage) -> [Float] {
    let count = image.width * image.height
    var planes = [Float](repeating: 0, count: 3 * count)
    let subtract = normalizeSubtract
    let divide = normalizeDivide
    image.pixels.withUnsafeBufferPointer { source in
      planes.withUnsafeMutableBufferPointer { target in
        for i in 0..<count {
          target[i] = (Float(source[3 * i]) - subtract) / divide
          target[count + i] = (Float(source[3 * i + 1]) - subtract) / divide
          target[2 * count + i] = (Float(source[3 * i + 2]) - subtract) / divide
        }
      }
    }
    return planes
  }

  /// Runs the network on an already normalised planar input (`[3][height][width]`)
  /// and applies the sigmoid; `threads` convolutions may share their work
  /// between (the result does not depend on it).
  func probabilities(
    normalizedInput: [Float], width: Int, height: Int, timings: OperationTimings? = nil, threads: Int = 1
  ) throws(SegmentationModelError) -> [Float] {
    guard output == .probability else { throw .notAnOutlineModel(file: fileName) }
    var logits = try logits(
      normalizedInput: normalizedInput, width: width, height: height, timings: timings, threads: threads)
    Kernels.sigmoid(&logits)
    return logits
  }

  /// Runs a class model on a planar normalised input (`[3][height][width]`) and returns
  /// the softmax over its classes, planar `[classes][height][width]`.
  func classProbabilities(normalizedInput: [Float], width: Int, height: Int, threads: Int = 1)
    throws(SegmentationModelError) -> [Float]
  {
    guard case .classes(let names) = output else { throw .notAClassModel(file: fileName) }
    var values = try logits(
      normalizedInput: normalizedInput, width: width, height: height, timings: nil, threads: threads)
    Kernels.softmax(&values, channels: names.count, plane: width * height)
    return values
  }

  private func logits(
    normalizedInput: [Float], width: Int, height: Int, timings: OperationTimings?, threads: Int
  ) throws(SegmentationModelError) -> [Float] {
    guard width > 0, height > 0, width % sizeMultiplePixels == 0,
      height % sizeMultiplePixels == 0
    else {
      throw .inputSizeNotSupported(
        file: fileName, width: width, height: height, multiple: sizeMultiplePixels)
    }
    let plan = try InferencePlan(graph: graph, width: width, height: height, fileName: fileName)
    return InferenceEngine.run(
      plan: plan, graph: graph, input: normalizedInput, timings: timings, threads: threads)
  }
}

/// What a model file's output holds (`output` in its header).
package enum ModelOutput: Sendable, Equatable {
  /// One channel, a sigmoid: the wound probability of each pixel.
  case probability
  /// One channel per named class, a softmax across them.
  case classes([String])
}
