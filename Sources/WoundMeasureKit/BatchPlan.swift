import FoundationEssentials
import WoundCore

/// One photo a batch is to measure, with whose timeline it belongs to.
package struct BatchItem: Sendable, Equatable {
  /// The photo's path as the batch names it (the folder argument joined with the
  /// path found under it, or the manifest's path); recorded in the timeline as given.
  package var path: String
  /// The path relative to the batch folder (used to lay out `--output`).
  package var relativePath: String
  /// The patient ID whose timeline receives the entry.
  package var patient: String
  /// The wound site within the patient's timeline.
  package var woundSite: String
  /// A taken time given by a manifest, overriding EXIF, file name and mtime.
  package var takenGiven: Date?
  /// The manifest's `closed` column says a person confirmed the wound closed.
  package var closureConfirmed: Bool = false
  /// A wound mask given by a manifest, used instead of segmentation.
  package var maskPath: String?

  package init(
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
package struct BatchPlanProblem: Sendable, Equatable {
  package var path: String
  package var reason: String
  package init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
}

/// Why a batch could not be planned at all.
package enum BatchPlanError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The batch folder does not exist or is not a directory.
  case notAFolder(path: String)
  /// The manifest could not be read.
  case unreadableManifest(file: String, reason: String)
  /// A manifest line is malformed; `line` counts from 1.
  case badManifestLine(file: String, line: Int, reason: String)

  package var description: String {
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
package enum BatchPlan {
  /// The file-name extensions a batch treats as photos (lower case).
  package static let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "heic", "heif"]

  /// The wound site used when a manifest leaves the `wound` column empty.
  package static let defaultWoundSite = "wound"

  /// Every photo under `folder`, recursively, as paths relative to it, sorted.
  ///
  /// Hidden files and folders (names starting with `.`) are skipped; so are photo names that
  /// are not regular files (see ``walk(folder:including:)``).
  /// - Throws: ``BatchPlanError/notAFolder(path:)``.
  package static func findPhotos(in folder: String) throws(BatchPlanError) -> [String] {
    try walk(folder: folder, including: isPhotoName).files
  }

  /// Whether a file name ends in a photo extension (``photoExtensions``, any case).
  static func isPhotoName(_ name: String) -> Bool {
    photoExtensions.contains(PathName.extension(of: name).lowercased())
  }

  /// The regular files under `folder` whose names pass `including`, as paths relative to
  /// it sorted by bytes, and the special files among those names.
  ///
  /// Hidden names (starting with `.`) are skipped. A symbolic link to a folder is followed,
  /// but each real folder (by device and inode) is walked once, so links that loop (two
  /// links to `.`) or lead to a folder already walked add nothing. A name that passes
  /// `including` but is a FIFO, a device or a socket is returned as refused, with a message,
  /// and never opened; links that lead nowhere are skipped. Of two paths to one folder, the
  /// shallower (then the first by name) is the one walked.
  ///
  /// - Throws: ``BatchPlanError/notAFolder(path:)``.
  static func walk(folder: String, including: (String) -> Bool) throws(BatchPlanError)
    -> (files: [String], refused: [BatchPlanProblem])
  {
    guard let root = SafeFile.status(folder, followingLinks: true), root.kind == .directory else {
      throw .notAFolder(path: folder)
    }
    var walked: Set<FileIdentity> = [root.identity]
    var files: [String] = []
    var refused: [BatchPlanProblem] = []
    // Breadth first, names sorted: of two paths to one folder, the shallower (then the first
    // by name) is the one walked.
    var pending = [""]
    while !pending.isEmpty {
      let relative = pending.removeFirst()
      let here = relative.isEmpty ? folder : join(folder, relative)
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: here) else { continue }
      for name in names.sorted() where !name.hasPrefix(".") {
        let rel = relative.isEmpty ? name : relative + "/" + name
        let full = join(folder, rel)
        guard let target = SafeFile.status(full, followingLinks: true) else { continue }
        switch target.kind {
        case .directory:
          if walked.insert(target.identity).inserted { pending.append(rel) }
        case .regular:
          if including(name) { files.append(rel) }
        default:
          if including(name) {
            refused.append(
              BatchPlanProblem(
                path: full,
                reason: "\(full): is \(target.kind), not a regular file; skipped (only regular files are read)"))
          }
        }
      }
    }
    files.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    return (files, refused)
  }

  /// Joins the batch folder and a relative path the way it is recorded.
  package static func join(_ folder: String, _ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    if folder.isEmpty || folder == "." { return relative }
    return folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
  }

  /// Where a photo's overlay and mask go under `--output DIR`: the photo's path relative to
  /// the batch folder without its extension, kept inside `directory` (a leading `/` is
  /// dropped and `..` components become `_`), to which `.overlay.png` and `.mask.png` are added.
  package static func outputBase(directory: String, relativePath: String) -> String {
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true).map {
      $0 == ".." || $0 == "." ? "_" : String($0)
    }
    let inside = PathName.removingExtension(parts.joined(separator: "/"))
    return join(directory, inside.isEmpty ? "_" : inside)
  }

  /// The batch items of a folder laid out as `FOLDER/<patient>/<wound-site>/<photo>`.
  ///
  /// Photos at any other depth are returned as problems, not items.
  package static func fromLayout(folder: String) throws(BatchPlanError) -> (
    items: [BatchItem], problems: [BatchPlanProblem]
  ) {
    var items: [BatchItem] = []
    let walked = try walk(folder: folder, including: isPhotoName)
    var problems = walked.refused
    for relative in walked.files {
      let path = join(folder, relative)
      switch parseLayout(relativePath: relative) {
      case .some(let (patient, site)):
        items.append(BatchItem(path: path, relativePath: relative, patient: patient, woundSite: site))
      case .none:
        problems.append(
          BatchPlanProblem(
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
  package static func parseLayout(relativePath: String) -> (patient: String, woundSite: String)? {
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    guard parts.count == 3 else { return nil }
    return (parts[0], parts[1])
  }

  /// The most bytes a manifest may hold: 16 MiB (some 100,000 lines).
  package static let maximumManifestBytes = 16 << 20

  /// The batch items listed in a CSV manifest file.
  ///
  /// The manifest must be a regular file of at most ``maximumManifestBytes``, in UTF-8.
  ///
  /// - Parameters:
  ///   - file: the manifest's path (named in errors).
  ///   - folder: the batch folder; relative `path` values are taken under it.
  /// - Throws: ``BatchPlanError/unreadableManifest(file:reason:)``,
  ///   ``BatchPlanError/badManifestLine(file:line:reason:)``.
  package static func fromManifest(file: String, folder: String) throws(BatchPlanError) -> [BatchItem] {
    let bytes: [UInt8]
    do {
      bytes = try SafeFile.read(file, limitBytes: maximumManifestBytes).bytes
    } catch .system(_, _, let code) {
      throw .unreadableManifest(file: file, reason: SafeFile.systemMessage(code))
    } catch {
      throw .unreadableManifest(file: file, reason: error.reason)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .unreadableManifest(file: file, reason: "is not UTF-8 text")
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
  package static func parseManifest(text: String, file: String, folder: String) throws(BatchPlanError) -> [BatchItem] {
    let rows = csvRows(text)
    guard let (headerLine, header) = rows.first else {
      throw .badManifestLine(
        file: file, line: 1, reason: "empty manifest; expected the header path,patient,wound,taken")
    }
    let columns = header.map { $0.trimmingSpaces().lowercased() }
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
        return fields[column].trimmingSpaces()
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
      if !(fields.count == 1 && fields[0].trimmingSpaces().isEmpty) {
        rows.append((rowLine, fields))
      }
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
