import Foundation
import Testing
import WoundCore
import WoundImaging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Attacks on the command line with hostile files, special files and mistyped options. Each
// test checks the exact message, the exit status, and that every file that must stay is
// byte-for-byte what it was (and that no temporary file was left behind).

/// A work folder holding `photo.jpg` and `mask.png` (a sample photo and its true mask) and,
/// after ``recordOnce()``, the timeline `tl/P001.json`.
struct HostileWorkFolder {
  let url: URL

  init(_ name: String) throws {
    url = try Tool.temporaryFolder(name)
    let photo = try #require(Tool.sampleRelativePaths().first)
    try FileManager.default.copyItem(at: Tool.samplePhotos.appendingPathComponent(photo), to: file("photo.jpg"))
    try FileManager.default.copyItem(at: Tool.sampleMask(photo), to: file("mask.png"))
  }

  func file(_ relative: String) -> URL { url.appendingPathComponent(relative) }

  /// Measures the photo into `tl/P001.json`.
  func recordOnce() throws {
    let run = try Tool.run(
      ["measure", "photo.jpg", "--patient", "P001", "--mask", "mask.png", "--timeline-dir", "tl"], in: url,
      timeout: 120)
    #expect(run.status == 0, "stderr: \(run.stderr)")
  }

  /// Every file under the folder (links not followed) with its bytes, or its link target.
  func snapshot() throws -> [String: Data] {
    var out: [String: Data] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: url.path) else { return out }
    while let relative = enumerator.nextObject() as? String {
      let path = url.appendingPathComponent(relative).path
      switch SafeFile.status(path, followingLinks: false)?.kind {
      case .regular: out[relative] = FileManager.default.contents(atPath: path)
      case .symbolicLink:
        out[relative] = Data(("-> " + (try FileManager.default.destinationOfSymbolicLink(atPath: path))).utf8)
      case .fifo: out[relative] = Data("fifo".utf8)
      default: break
      }
    }
    return out
  }

  func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite(.serialized) struct HostileInputTests {
  static let regularFilesOnly =
    "not a regular file; outputs are written only as regular files (new, or replacing one), never through links "
    + "or into devices, so nothing was written"

  @Test func measureRefusesOutputsThatAreInputsTimelinesLinksOrDevices() throws {
    let work = try HostileWorkFolder("outputs")
    defer { work.remove() }
    try work.recordOnce()
    try Data("keep me\n".utf8).write(to: work.file("victim.txt"))
    try FileManager.default.createSymbolicLink(atPath: work.file("link.png").path, withDestinationPath: "victim.txt")
    try FileManager.default.createSymbolicLink(
      atPath: work.file("tl/P001.json.tmp").path, withDestinationPath: "../victim.txt")
    let before = try work.snapshot()
    let never = "an output never replaces"
    let cases: [(option: String, target: String, message: String)] = [
      (
        "--overlay", "tl/P001.json",
        "tl/P001.json: is a timeline file; \(never) a timeline, so nothing was written "
          + "(choose another name)"
      ),
      (
        "--overlay", "tl/P002.json",
        "tl/P002.json: is a timeline file; \(never) a timeline, so nothing was written "
          + "(choose another name)"
      ),
      (
        "--mask-out", "photo.jpg",
        "photo.jpg: is an input of this command; \(never) an input, so nothing was written "
          + "(choose another name)"
      ),
      (
        "--mask-out", "./mask.png",
        "./mask.png: is the same file as the input mask.png; \(never) an input, so "
          + "nothing was written (choose another name)"
      ),
      ("--overlay", "/dev/full", "/dev/full: is a character device, \(Self.regularFilesOnly)"),
      ("--overlay", "/dev/null", "/dev/null: is a character device, \(Self.regularFilesOnly)"),
      ("--overlay", "link.png", "link.png: is a symbolic link, \(Self.regularFilesOnly)"),
      ("--mask-out", "tl", "tl: is a folder, \(Self.regularFilesOnly)"),
    ]
    for (option, target, message) in cases {
      let run = try Tool.run(
        ["measure", "photo.jpg", "--patient", "P001", "--mask", "mask.png", "--timeline-dir", "tl", option, target],
        in: work.url, timeout: 30)
      #expect(run.status == 1, "\(option) \(target): \(run.stderr)")
      #expect(run.stderr == "error: \(message)\n")
      #expect(run.stdout.isEmpty)
      #expect(try work.snapshot() == before, "\(option) \(target) changed a file")
    }
    #expect(SafeFile.status("/dev/null", followingLinks: false)?.kind == .characterDevice)
  }

  @Test func timelineChartNeverReplacesTheTimeline() throws {
    let work = try HostileWorkFolder("chart")
    defer { work.remove() }
    try work.recordOnce()
    let before = try work.snapshot()
    for (target, message) in [
      (
        "tl/P001.json",
        "tl/P001.json: is an input of this command; an output never replaces an input, so nothing "
          + "was written (choose another name)"
      ),
      (
        "tl/../tl/P001.json",
        "tl/../tl/P001.json: is the same file as the input tl/P001.json; an output never "
          + "replaces an input, so nothing was written (choose another name)"
      ),
      (
        "tl/P009.json",
        "tl/P009.json: is a timeline file; an output never replaces a timeline, so nothing was "
          + "written (choose another name)"
      ),
      ("/dev/full", "/dev/full: is a character device, \(Self.regularFilesOnly)"),
    ] {
      let run = try Tool.run(
        ["timeline", "P001", "--timeline-dir", "tl", "--chart", target], in: work.url, timeout: 30)
      #expect(run.status == 1)
      #expect(run.stderr == "error: \(message)\n")
      #expect(run.stdout.isEmpty)
      #expect(try work.snapshot() == before)
    }
    let good = try Tool.run(
      ["timeline", "P001", "--timeline-dir", "tl", "--chart", "chart.svg"], in: work.url, timeout: 30)
    #expect(good.status == 0, "stderr: \(good.stderr)")
    #expect(try String(contentsOf: work.file("chart.svg"), encoding: .utf8).hasPrefix("<svg") == true)
  }

  @Test func specialFilesAsInputsAreRefusedWithoutBlocking() throws {
    let work = try HostileWorkFolder("special")
    defer { work.remove() }
    #expect(mkfifo(work.file("fifo.jpg").path, 0o644) == 0)
    try FileManager.default.createDirectory(at: work.file("tl"), withIntermediateDirectories: true)
    #expect(mkfifo(work.file("tl/P002.json").path, 0o644) == 0)
    try FileManager.default.createSymbolicLink(atPath: work.file("tl/P003.json").path, withDestinationPath: "/dev/zero")
    let before = try work.snapshot()
    let photoRule = "not a regular file; only regular files are read as photos"
    let cases: [([String], String)] = [
      (
        ["measure", "fifo.jpg", "--patient", "P001", "--no-save", "--scale", "10"],
        "error: fifo.jpg: is a FIFO (named pipe), \(photoRule)\n"
      ),
      (
        ["measure", "photo.jpg", "--patient", "P001", "--no-save", "--mask", "fifo.jpg"],
        "error: fifo.jpg: is a FIFO (named pipe), \(photoRule)\n"
      ),
      (["inspect", "fifo.jpg"], "error: fifo.jpg: is a FIFO (named pipe), \(photoRule)\n"),
      (["inspect", "/dev/zero"], "error: /dev/zero: is a character device, \(photoRule)\n"),
      (["inspect", "tl"], "error: tl: is a folder, \(photoRule)\n"),
      (
        ["timeline", "P002", "--timeline-dir", "tl"],
        "error: tl/P002.json: is a FIFO (named pipe), not a regular file, so it was not used; the timeline was left "
          + "unchanged\n"
      ),
      (
        ["timeline", "P003", "--timeline-dir", "tl"],
        "error: tl/P003.json: is a character device, not a regular file, so it was not used; the timeline was left "
          + "unchanged\n"
      ),
    ]
    for (arguments, message) in cases {
      let run = try Tool.run(arguments, in: work.url, timeout: 30)
      #expect(run.status == 1, "\(arguments): \(run.stderr)")
      #expect(run.stderr == message, "\(arguments)")
      #expect(try work.snapshot() == before)
    }
    let audit = try Tool.run(["audit", "tl/P003.json"], in: work.url, timeout: 30)
    #expect(audit.status == 1)
    #expect(audit.stdout.contains("cannot be read: tl/P003.json: is a character device, not a regular file"))
    #expect(try work.snapshot() == before)
  }

  @Test func aTimelineThatIsAFIFOIsNotAppendedTo() throws {
    let work = try HostileWorkFolder("fifo-timeline")
    defer { work.remove() }
    try FileManager.default.createDirectory(at: work.file("tl"), withIntermediateDirectories: true)
    #expect(mkfifo(work.file("tl/P001.json").path, 0o644) == 0)
    let run = try Tool.run(
      ["measure", "photo.jpg", "--patient", "P001", "--mask", "mask.png", "--timeline-dir", "tl"], in: work.url,
      timeout: 60)
    #expect(run.status == 1)
    #expect(
      run.stderr.hasSuffix(
        "error: photo.jpg: measured but not recorded: tl/P001.json: is a FIFO (named pipe), not a regular file, so it "
          + "was not used; the timeline was left unchanged\n"))
    #expect(SafeFile.status(work.file("tl/P001.json").path, followingLinks: false)?.kind == .fifo)
  }

  @Test func aBatchFolderWithLinkLoopsAndAFIFOEndsAtOnce() throws {
    let work = try HostileWorkFolder("batch")
    defer { work.remove() }
    let site = work.file("b/P1/heel")
    try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: work.file("photo.jpg"), to: site.appendingPathComponent("a.jpg"))
    #expect(mkfifo(site.appendingPathComponent("f.jpg").path, 0o644) == 0)
    try FileManager.default.createSymbolicLink(atPath: work.file("b/loop1").path, withDestinationPath: ".")
    try FileManager.default.createSymbolicLink(atPath: work.file("b/loop2").path, withDestinationPath: ".")
    let started = Date()
    let dry = try Tool.run(["batch", "b", "--dry-run", "--timeline-dir", "tl"], in: work.url, timeout: 30)
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(dry.status == 1)
    #expect(
      dry.stdout == """
        would fail     b/P1/heel/f.jpg: b/P1/heel/f.jpg: is a FIFO (named pipe), not a regular file; skipped (only \
        regular files are read)
        would measure  b/P1/heel/a.jpg -> P1/heel
        dry run: would measure 1, skip 0, fail 1

        """)
    // A manifest naming the FIFO: it fails with its reason, the other photo is measured.
    try Data("path,patient,wound,taken,mask\nP1/heel/a.jpg,P1,heel,,../mask.png\nP1/heel/f.jpg,P1,heel,,\n".utf8)
      .write(to: work.file("m.csv"))
    let run = try Tool.run(
      ["batch", "b", "--manifest", "m.csv", "--timeline-dir", "tl", "--jobs", "1"], in: work.url, timeout: 120)
    #expect(run.status == 1)
    #expect(run.stderr.contains("failed: b/P1/heel/f.jpg: is a FIFO (named pipe), \(Self.photoRule)"))
    #expect(run.stdout.contains("measured 1, skipped 0, failed 1"))
    #expect(try TimelineFile(work.file("tl/P1.json")).entries.count == 1)
  }

  static let photoRule = "not a regular file; only regular files are read as photos"

  @Test func aProgressiveJPEGWithThousandsOfScansIsRefusedQuickly() throws {
    let work = try HostileWorkFolder("scans")
    defer { work.remove() }
    let fixture = Tool.packageRoot.appendingPathComponent("Tests/WoundImagingTests/Fixtures/progressive-5000-scans.jpg")
    let started = Date()
    let run = try Tool.run(["inspect", fixture.path], in: work.url, timeout: 30)
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(run.status == 1)
    #expect(
      run.stderr == "error: \(fixture.path): the progressive JPEG has more than 100 scans (photos have about "
        + "10); refused so that its decoding cannot take minutes\n")
  }

  @Test func aPixelBufferTheSystemCannotGiveIsTheTypedRefusal() throws {
    let work = try HostileWorkFolder("memory")
    defer { work.remove() }
    // The header claims 50000x50000 pixels (7.5 GB of RGB); with 4 GB of address space the
    // allocation is refused, not attempted.
    let huge = Tool.packageRoot.appendingPathComponent("Tests/WoundImagingTests/Fixtures/huge-50000x50000.jpg").path
    let run = try Tool.run(
      ["measure", huge, "--patient", "P001", "--no-save", "--scale", "10", "--max-megapixels", "5000"],
      in: work.url, limits: "ulimit -v 4000000", timeout: 60)
    #expect(run.status == 1, "stderr: \(run.stderr)")
    #expect(
      run.stderr == "error: \(huge): out of memory while decoding (lower --max-megapixels to refuse such "
        + "photos before decoding)\n")
  }

  @Test func aFailedWriteIsARuntimeErrorWithTheSystemsMessage() throws {
    let work = try HostileWorkFolder("efbig")
    defer { work.remove() }
    let before = try work.snapshot()
    // Files of a few KiB at most (`ulimit -f 16`, in blocks): the overlay (about 1 MB) cannot be written.
    let run = try Tool.run(
      [
        "measure", "photo.jpg", "--patient", "P001", "--mask", "mask.png", "--timeline-dir", "tl", "--overlay",
        "out.png",
      ], in: work.url, limits: "trap '' XFSZ; ulimit -f 16", timeout: 60)
    #expect(run.status == 1)
    #expect(
      run.stderr.hasSuffix(
        "error: photo.jpg: cannot write the overlay or mask: out.png: cannot write: File too large\n"))
    #expect(!run.stderr.contains("errno"))
    #expect(try work.snapshot() == before, "a file or a temporary file was left behind")
    // A marker into a missing folder: exit 1 with the system's reason, not the usage status 64.
    let marker = try Tool.run(["marker", "--id", "20", "--output", "missing/m.svg"], in: work.url, timeout: 30)
    #expect(marker.status == 1)
    #expect(
      marker.stderr
        == "error: missing/m.svg: cannot create a temporary file in missing: No such file or directory\n")
  }

  /// A full disk, on a 64 KiB tmpfs where this process may mount one (as root on Linux);
  /// elsewhere the test has nothing to do.
  @Test func aFullDiskLeavesTheTimelineAsItWas() throws {
    let work = try HostileWorkFolder("enospc")
    defer { work.remove() }
    let disk = work.file("disk")
    try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
    guard geteuid() == 0, mountTmpfs(at: disk.path, bytes: 64 << 10) else {
      print("full disk: no tmpfs can be mounted here; nothing to check")
      return
    }
    defer { _ = umountFolder(disk.path) }
    print("full disk: a 64 KiB tmpfs is mounted for the timeline and the overlay")
    let args = ["measure", "photo.jpg", "--patient", "P001", "--mask", "mask.png", "--timeline-dir", "disk/tl"]
    let first = try Tool.run(args, in: work.url, timeout: 60)
    #expect(first.status == 0, "stderr: \(first.stderr)")
    let timeline = try Data(contentsOf: work.file("disk/tl/P001.json"))
    // The overlay (about 1 MB) cannot fit on the disk; the measurement is then not recorded.
    let run = try Tool.run(args + ["--overlay", "disk/out.png"], in: work.url, timeout: 60)
    #expect(run.status == 1)
    #expect(
      run.stderr.hasSuffix(
        "error: photo.jpg: cannot write the overlay or mask: disk/out.png: cannot write: No space left on device\n"),
      "stderr: \(run.stderr)")
    #expect(try Data(contentsOf: work.file("disk/tl/P001.json")) == timeline)
    #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).sorted() == ["tl"])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: disk.path + "/tl").sorted()
        == [".photo-index", "P001.json", "P001.json.head", "P001.json.lock"])
  }

  @Test func identifiersThatReadAsOptionsAreUsageErrors() throws {
    let work = try HostileWorkFolder("ids")
    defer { work.remove() }
    let measure = try Tool.run(["measure", "photo.jpg", "--patient=-rf"], in: work.url, timeout: 30)
    #expect(measure.status == 64)
    #expect(
      measure.stderr.hasPrefix(
        "Error: invalid patient ID '-rf': starts with '-'; use 1-64 characters from "
          + "A-Z a-z 0-9 . _ -, starting with a letter or digit\n"))
    let timeline = try Tool.run(["timeline", "--", "--help"], in: work.url, timeout: 30)
    #expect(timeline.status == 64)
    #expect(timeline.stderr.hasPrefix("Error: invalid patient ID '--help': starts with '-'"))
    let wound = try Tool.run(["measure", "photo.jpg", "--patient", "P1", "--wound=-x"], in: work.url, timeout: 30)
    #expect(wound.status == 64)
    #expect(wound.stderr.hasPrefix("Error: invalid wound site '-x': starts with '-'"))
  }

  @Test func anImpossibleEXIFDateIsReportedAsSuch() throws {
    let work = try HostileWorkFolder("exif-date")
    defer { work.remove() }
    let fixture = Tool.packageRoot.appendingPathComponent("Tests/WoundImagingTests/Fixtures/exif-rotated.jpg")
    var bytes = try [UInt8](Data(contentsOf: fixture))
    let good = Array("2026:03:14 09:26:53".utf8)
    let range = try #require(bytes.firstRange(of: good))
    bytes.replaceSubrange(range, with: Array("2026:02:30 09:26:53".utf8))
    try Data(bytes).write(to: work.file("bad-date.jpg"))
    try ImageEncoder.writePNG(GreyImage(width: 48, height: 32, value: 255), to: work.file("white.png").path)
    let inspect = try Tool.run(["inspect", "bad-date.jpg"], in: work.url, timeout: 30)
    #expect(inspect.status == 0)
    #expect(inspect.stdout.contains("captured 2026:02:30 09:26:53 (not a possible date)"))
    let measure = try Tool.run(
      ["measure", "bad-date.jpg", "--patient", "P1", "--no-save", "--scale", "10", "--mask", "white.png"], in: work.url,
      timeout: 60)
    #expect(measure.status == 0, "stderr: \(measure.stderr)")
    #expect(
      measure.stderr.contains(
        "warning: bad-date.jpg: TAKEN TIME UNKNOWN: the photo's EXIF capture time '2026:02:30 09:26:53' is not a "
          + "possible date and the file name holds none; using the file's modification time"))
    #expect(!measure.stderr.contains("no capture time"))
  }
}

/// `mount -t tmpfs -o size=BYTES tmpfs FOLDER`; false when it cannot be done here.
private func mountTmpfs(at folder: String, bytes: Int) -> Bool {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/mount")
  process.arguments = ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", folder]
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  guard (try? process.run()) != nil else { return false }
  process.waitUntilExit()
  return process.terminationStatus == 0
}

/// `umount FOLDER`.
private func umountFolder(_ folder: String) -> Bool {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/umount")
  process.arguments = [folder]
  guard (try? process.run()) != nil else { return false }
  process.waitUntilExit()
  return process.terminationStatus == 0
}
