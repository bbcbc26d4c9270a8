/// Why a segmentation model file was refused, or could not run at a size.
///
/// Every case names the model file (its path, or the resource name of the
/// bundled model) and the facts that make it unusable, so a test can match the
/// exact case and a user can tell which file to replace.
package enum SegmentationModelError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The bundled model is missing from the package's resources.
  case resourceMissing(name: String)
  /// The file could not be read from disk.
  case unreadable(file: String, reason: String)
  /// The first eight bytes are not `WMSEG01\n`.
  case badMagic(file: String)
  /// The file ends before the part named in `part` is complete.
  case truncated(file: String, part: String, neededBytes: Int, actualBytes: Int)
  /// The JSON header is not valid UTF-8 JSON, or a field is missing or of the wrong type.
  case invalidHeader(file: String, reason: String)
  /// The header's `format` is not `woundmeasure-segmentation-model`.
  case unsupportedFormat(file: String, format: String)
  /// The header's `version` is not one this runtime reads.
  case unsupportedVersion(file: String, version: Int)
  /// The header's `dtype` is neither `float32` nor `float16`.
  case unsupportedDataType(file: String, dataType: String)
  /// Operation number `index` (counted from 0) is malformed.
  case invalidOperation(file: String, index: Int, reason: String)
  /// Operation `index` reads a tensor that no earlier operation wrote.
  case unknownTensor(file: String, index: Int, tensor: String)
  /// Operation `index` reads `count` weights at element `offset`, beyond the
  /// `available` elements of the weight blob.
  case weightsOutOfRange(file: String, index: Int, offset: Int, count: Int, available: Int)
  /// Operation `index` expects `expected` channels in `tensor` but it has `actual`.
  case channelMismatch(file: String, index: Int, tensor: String, expected: Int, actual: Int)
  /// Operation `index` combines tensors of different spatial sizes, or shrinks
  /// its input to nothing, when the network's input is `inputWidth` x `inputHeight`.
  case shapeMismatch(file: String, index: Int, inputWidth: Int, inputHeight: Int, reason: String)
  /// The network's output tensor is never written, or does not have the
  /// channel count and spatial size the header promises.
  case invalidOutput(file: String, reason: String)
  /// An input of `width` x `height` pixels is not a positive multiple of the
  /// model's size multiple.
  case inputSizeNotSupported(file: String, width: Int, height: Int, multiple: Int)
  /// An outline was asked of a model whose output is per-class (a tissue model).
  case notAnOutlineModel(file: String)
  /// Class probabilities were asked of a model with one wound-probability output.
  case notAClassModel(file: String)
  /// A tissue model's classes are not the ones the tissue stage reads.
  case unexpectedClasses(file: String, expected: [String], found: [String])

  package var description: String {
    switch self {
    case .resourceMissing(let name):
      return "\(name): the bundled model file is missing from the package resources"
    case .unreadable(let file, let reason):
      return "\(file): cannot read the segmentation model: \(reason)"
    case .badMagic(let file):
      return "\(file): not a segmentation model (the file does not start with 'WMSEG01')"
    case .truncated(let file, let part, let needed, let actual):
      return "\(file): segmentation model is truncated in its \(part) (needs \(needed) bytes, has \(actual))"
    case .invalidHeader(let file, let reason):
      return "\(file): invalid segmentation model header: \(reason)"
    case .unsupportedFormat(let file, let format):
      return "\(file): unsupported model format '\(format)' (expected 'woundmeasure-segmentation-model')"
    case .unsupportedVersion(let file, let version):
      return "\(file): unsupported segmentation model version \(version) (this tool reads version 1)"
    case .unsupportedDataType(let file, let dataType):
      return "\(file): unsupported weight type '\(dataType)' (expected 'float32' or 'float16')"
    case .invalidOperation(let file, let index, let reason):
      return "\(file): operation \(index) is invalid: \(reason)"
    case .unknownTensor(let file, let index, let tensor):
      return "\(file): operation \(index) reads tensor '\(tensor)', which no earlier operation writes"
    case .weightsOutOfRange(let file, let index, let offset, let count, let available):
      return "\(file): operation \(index) reads \(count) weights at offset \(offset), beyond the \(available) stored"
    case .channelMismatch(let file, let index, let tensor, let expected, let actual):
      return "\(file): operation \(index) expects \(expected) channels in '\(tensor)', which has \(actual)"
    case .shapeMismatch(let file, let index, let width, let height, let reason):
      return "\(file): operation \(index) does not fit a \(width)x\(height) input: \(reason)"
    case .invalidOutput(let file, let reason):
      return "\(file): invalid network output: \(reason)"
    case .inputSizeNotSupported(let file, let width, let height, let multiple):
      return "\(file): input of \(width)x\(height) pixels is not a positive multiple of \(multiple)"
    case .notAnOutlineModel(let file):
      return "\(file): a tissue-class model, not a wound-outline model (its output is one probability per class)"
    case .notAClassModel(let file):
      return "\(file): a wound-outline model, not a tissue-class model (its output is one wound probability)"
    case .unexpectedClasses(let file, let expected, let found):
      return "\(file): tissue model classes are \(found.joined(separator: ", ")); expected "
        + expected.joined(separator: ", ")
    }
  }
}
