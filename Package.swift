// swift-tools-version: 6.0
//
// woundmeasure: measures chronic wounds from calibrated photos.
//
// Layers depend one way: C modules -> Swift wrappers -> pure-Swift core ->
// timeline store -> pipeline -> command line. See docs/ARCHITECTURE.md.

import PackageDescription

let package = Package(
  name: "woundmeasure",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "woundmeasure", targets: ["woundmeasure"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
  ],
  targets: [
    // MARK: C libraries (module maps only) and the setjmp shims

    .systemLibrary(
      name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
    .systemLibrary(
      name: "CExif", pkgConfig: "libexif", providers: [.apt(["libexif-dev"])]),
    .systemLibrary(
      name: "CAprilTag", pkgConfig: "apriltag", providers: [.apt(["libapriltag-dev"])]),
    .target(
      name: "CCodecShims",
      dependencies: ["CPNG", "CJPEG"]),
    // The network's matrix tile and the marker search's grey rows in AVX2, chosen at run time,
    // bit-identical to the Swift ones.
    .target(
      name: "CKernels",
      cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
    // The bundled networks (Resources/*.wmseg), copied beside the executable; a C target so that
    // no generated Swift resource accessor links Foundation into the tool.
    .target(name: "WoundModels", resources: [.copy("Resources")]),

    // MARK: Swift core (FoundationEssentials and the C runtime only: no module of the tool imports Foundation)

    // WoundCore's one dependency: swift-crypto for SHA-256 (`sha256Hex`).
    .target(name: "WoundCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
    .target(name: "WoundMeasurement", dependencies: ["WoundCore"]),
    .target(
      name: "WoundSegmentation",
      dependencies: ["WoundCore", "CKernels", "WoundModels"],
      // The network's loops are optimised in debug builds too: `swift test` runs the model
      // on real photos, which unoptimised code makes some 20 times slower.
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

    // MARK: Swift wrappers of the C libraries

    .target(
      name: "WoundImaging",
      dependencies: ["WoundCore", "CExif", "CCodecShims"]),
    .target(
      name: "WoundCalibration",
      dependencies: ["WoundCore", "CAprilTag", "CKernels"]),

    // MARK: Timeline store, pipeline, command line

    .target(
      name: "WoundTimeline", dependencies: ["WoundCore"]),
    .target(
      name: "WoundExport",
      dependencies: [
        "WoundCore", "WoundMeasurement", "WoundTimeline", .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .target(
      name: "WoundMeasureKit",
      dependencies: [
        "WoundCore", "WoundImaging", "WoundCalibration", "WoundSegmentation",
        "WoundMeasurement", "WoundTimeline", "WoundExport",
      ]),
    .executableTarget(
      name: "woundmeasure",
      dependencies: [
        "WoundMeasureKit", "WoundCore", "WoundImaging", "WoundCalibration", "WoundTimeline", "WoundExport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .executableTarget(
      name: "wm-timeline-stress", dependencies: ["WoundTimeline"]),

    // MARK: Benchmarks

    .executableTarget(
      name: "WoundBenchmarks",
      dependencies: [
        "WoundCore", "WoundImaging", "WoundCalibration", "WoundSegmentation",
        "WoundMeasurement", "WoundTimeline", "WoundMeasureKit",
      ],
      path: "Benchmarks/WoundBenchmarks"),

    // MARK: Tests

    .testTarget(name: "WoundCoreTests", dependencies: ["WoundCore"]),
    .testTarget(
      name: "WoundImagingTests", dependencies: ["WoundImaging", "WoundCore"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "WoundCalibrationTests",
      dependencies: ["WoundCalibration", "WoundImaging", "WoundCore", "WoundMeasurement"]),
    .testTarget(
      name: "WoundSegmentationTests",
      dependencies: [
        "WoundSegmentation", "WoundImaging", "WoundCore", .product(name: "Crypto", package: "swift-crypto"),
      ],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "WoundMeasurementTests", dependencies: ["WoundMeasurement", "WoundCore"]),
    .testTarget(
      name: "WoundExportTests", dependencies: ["WoundExport", "WoundMeasurement", "WoundTimeline", "WoundCore"]),
    .testTarget(name: "WoundTimelineTests", dependencies: ["WoundTimeline", "WoundCore", "wm-timeline-stress"]),
    .testTarget(
      name: "WoundMeasureKitTests",
      dependencies: ["WoundMeasureKit", "WoundImaging", "WoundCore", "WoundTimeline", "WoundCalibration"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["woundmeasure", "WoundMeasureKit", "WoundImaging", "WoundCore", "WoundTimeline"]),
  ]
)
