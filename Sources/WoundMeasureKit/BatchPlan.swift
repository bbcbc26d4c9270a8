import Foundation

/// One photo a batch is to measure, with whose timeline it belongs to.
public struct BatchItem: Sendable, Equatable {
  /// The photo's path as the batch names it (the folder argument joined with the
  /// path found under it, or the manifest's path); recorded in the timeline as given.
  public var path: String
  /// The path relative to the batch folder (used to lay out `--output`).
  public var relativePath: String
  /// The patient ID whose timeline receives the entry.
  public var patient: String
  /// The wound site within the patient's timeline.
  public var woundSite: String
  /// A taken time given by a manifest, overriding EXIF, file name and mtime.
  public var takenGiven: Date?
  /// The manifest's `closed` column says a person confirmed the wound closed.
  public var closureConfirmed: Bool = false
  /// A wound mask given by a manifest, used instead of segmentation.
  public var maskPath: String?

  public init(
    path: String, relativePath: String, patient: String, woundSite: String, takenGiven: Date? = nil,
    maskPath: String? = nil
  ) {
    self.path = path
    self.relativePath = relativePath
    self.patient = patient
    self.woundSite = woundSite
    self.takenGiven = takenGiven
    self.maskPath = maskPath
  }
}

/// A photo the batch could not place in any timeline, and why.
public struct BatchPlanProblem: Sendable, Equatable {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
}

/// Why a batch could not be planned at all.
public enum BatchPlanError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The batch folder does not exist or is not a directory.
  case notAFolder(path: String)
  /// The manifest could not be read.
  case unreadableManifest(file: String, reason: String)
  /// A manifest line is malformed; `line` counts from 1.
  case badManifestLine(file: String, line: Int, reason: String)

  public var description: String {
    switch self {
    case .notAFolder(let path): return "\(path): not a folder"
    case .unreadableManifest(let file, let reason): return "\(file): cannot read the manifest: \(reason)"
    case .badManifestLine(let file, let line, let reason): return "\(file):\(line): \(reason)"
    }
  }
}

/// Finds the photos of a batch and assigns each to a patient and wound site.
///
/// Two ways, documented in `docs/batch-and-audit.md`:
/// - the folder layout `FOLDER/<patient>/<wound-site>/<photo>`;
/// - a CSV manifest with the header `path,patient,wound,taken[,mask]` (`wound`, `taken` and
///   `mask` may be empty; paths are relative to the batch folder unless absolute).
///
/// Photos are files ending in `.jpg`, `.jpeg`, `.png`, `.heic` or `.heif` (any case); their format is decided
/// by content when they are decoded. The order is the byte order of the relative paths, so it
/// does not depend on the file system.
public enum BatchPlan {
  /// The file-name extensions a batch treats as photos (lower case).
  public static let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "heic", "heif"]

  /// The wound site used when a manifest leaves the `wound` column empty.
  public static let defaultWoundSite = "wound"

  /// Every photo under `folder`, recursively, as paths relative to it, sorted.
  ///
  /// Hidden files and folders (names starting with `.`) are skipped.
  /// - Throws: ``BatchPlanError/notAFolder(path:)``.
  public static func findPhotos(in folder: String) throws(BatchPlanError) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw .notAFolder(path: folder)
    }
    var found: [String] = []
    walk(folder: folder, relative: "", into: &found)
    return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
  }

  private static func walk(folder: String, relative: String, into found: inout [String]) {
    let here = relative.isEmpty ? folder : (folder as NSString).appendingPathComponent(relative)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: here) else { return }
    for name in names where !name.hasPrefix(".") {
      let rel = relative.isEmpty ? name : relative + "/" + name
      let full = (folder as NSString).appendingPathComponent(rel)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        walk(folder: folder, relative: rel, into: &found)
      } else if photoExtensions.contains((name as NSString).pathExtension.lowercased()) {
        found.append(rel)
      }
    }
  }

  /// Joins the batch folder and a relative path the way it is recorded.
  public static func join(_ folder: String, _ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    if folder.isEmpty || folder == "." { return relative }
    return folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
  }

  /// Where a photo's overlay and mask go under `--output DIR`: the photo's path relative to
  /// the batch folder without its extension, kept inside `directory` (a leading `/` is
  /// dropped and `..` components become `_`), to which `.overlay.png` and `.mask.png` are added.
  public static func outputBase(directory: String, relativePath: String) -> String {
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true).map {
      $0 == ".." || $0 == "." ? "_" : String($0)
    }
    let inside = (parts.joined(separator: "/") as NSString).deletingPathExtension
    return join(directory, inside.isEmpty ? "_" : inside)
  }

  /// The batch items of a folder laid out as `FOLDER/<patient>/<wound-site>/<photo>`.
  ///
  /// Photos at any other depth are returned as problems, not items.
  public static func fromLayout(folder: String) throws(BatchPlanError) -> (items: [BatchItem], problems: [BatchPlanProblem]) {
    var items: [BatchItem] = []
    var problems: [BatchPlanProblem] = []
    for relative in try findPhotos(in: folder) {
      let path = join(folder, relative)
      switch parseLayout(relativePath: relative) {
      case .some(let (patient, site)):
        items.append(BatchItem(path: path, relativePath: relative, patient: patient, woundSite: site))
      case .none:
        problems.append(BatchPlanProblem(
          path: path,
          reason: "\(path): not in the layout <patient>/<wound-site>/<photo> under the batch folder; "
            + "move it there or list it in a --manifest"))
      }
    }
    return (items, problems)
  }

  /// Reads `<patient>/<wound-site>/<photo>` from a path relative to the batch folder.
  ///
  /// Returns `nil` unless the path has exactly three components.
  public static func parseLayout(relativePath: String) -> (patient: String, woundSite: String)? {
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    guard parts.count == 3 else { return nil }
    return (parts[0], parts[1])
  }

  /// The batch items listed in a CSV manifest file.
  ///
  /// - Parameters:
  ///   - file: the manifest's path (named in errors).
  ///   - folder: the batch folder; relative `path` values are taken under it.
  /// - Throws: ``BatchPlanError/unreadableManifest(file:reason:)``,
  ///   ``BatchPlanError/badManifestLine(file:line:reason:)``.
  public static func fromManifest(file: String, folder: String) throws(BatchPlanError) -> [BatchItem] {
    let text: String
    do {
      text = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      throw .unreadableManifest(file: file, reason: (error as NSError).localizedDescription)
    }
    return try parseManifest(text: text, file: file, folder: folder)
  }

  /// Parses manifest text; see ``fromManifest(file:folder:)``.
  ///
  /// The first line must be the header; its columns may come in any order, `path` and
  /// `patient` are required, `wound`, `taken`, `mask` (a wound mask to use instead of
  /// segmentation, as `measure --mask`) and `closed` (`yes` when a person confirmed the
  /// wound closed, as `measure --closed`) optional. Fields may be double-quoted
  /// (RFC 4180). Blank lines are ignored. Items come back sorted by path.
  public static func parseManifest(text: String, file: String, folder: String) throws(BatchPlanError) -> [BatchItem] {
    let rows = csvRows(text)
    guard let (headerLine, header) = rows.first else {
      throw .badManifestLine(file: file, line: 1, reason: "empty manifest; expected the header path,patient,wound,taken")
    }
    let columns = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    guard let pathColumn = columns.firstIndex(of: "path"), let patientColumn = columns.firstIndex(of: "patient") else {
      throw .badManifestLine(
        file: file, line: headerLine,
        reason: "the header must name the columns path and patient (and optionally wound, taken, mask)")
    }
    let woundColumn = columns.firstIndex(of: "wound")
    let takenColumn = columns.firstIndex(of: "taken")
    let maskColumn = columns.firstIndex(of: "mask")
    let closedColumn = columns.firstIndex(of: "closed")
    var items: [BatchItem] = []
    for (line, fields) in rows.dropFirst() {
      func field(_ column: Int?) -> String {
        guard let column, column < fields.count else { return "" }
        return fields[column].trimmingCharacters(in: .whitespaces)
      }
      let relative = field(pathColumn)
      let patient = field(patientColumn)
      guard !relative.isEmpty else { throw .badManifestLine(file: file, line: line, reason: "empty path") }
      guard !patient.isEmpty else { throw .badManifestLine(file: file, line: line, reason: "empty patient") }
      let wound = field(woundColumn).isEmpty ? defaultWoundSite : field(woundColumn)
      var taken: Date?
      let takenText = field(takenColumn)
      if !takenText.isEmpty {
        guard let date = TakenTime.parseGiven(takenText) else {
          throw .badManifestLine(
            file: file, line: line,
            reason: "unreadable taken date '\(takenText)'; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")
        }
        taken = date
      }
      let mask = field(maskColumn)
      var item = BatchItem(
        path: join(folder, relative), relativePath: relative, patient: patient, woundSite: wound, takenGiven: taken,
        maskPath: mask.isEmpty ? nil : join(folder, mask))
      switch field(closedColumn).lowercased() {
      case "", "no", "false", "0": break
      case "yes", "true", "1": item.closureConfirmed = true
      case let other:
        throw .badManifestLine(file: file, line: line, reason: "closed must be yes or no (or empty), not '\(other)'")
      }
      items.append(item)
    }
    return items.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
  }

  /// Splits CSV text into rows of fields with their 1-based line numbers, skipping blank lines.
  static func csvRows(_ text: String) -> [(line: Int, fields: [String])] {
    var rows: [(Int, [String])] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var line = 1
    var rowLine = 1
    var chars = Array(text.unicodeScalars)
    if chars.first == "\u{FEFF}" { chars.removeFirst() }
    var i = 0
    func endRow() {
      fields.append(field)
      if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) { rows.append((rowLine, fields)) }
      fields = []
      field = ""
    }
    while i < chars.count {
      let c = chars[i]
      if inQuotes {
        if c == "\"" {
          if i + 1 < chars.count, chars[i + 1] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        inQuotes = true
      } else if c == "," {
        fields.append(field)
        field = ""
      } else if c == "\n" || c == "\r" {
        if c == "\r", i + 1 < chars.count, chars[i + 1] == "\n" { i += 1 }
        endRow()
        line += 1
        rowLine = line
      } else {
        field.unicodeScalars.append(c)
      }
      i += 1
    }
    if !field.isEmpty || !fields.isEmpty { endRow() }
    return rows
  }
}
