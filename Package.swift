// swift-tools-version:6.0
// The TESS speech-emotion study, reproduced in Swift.
//
// Module boundaries are import boundaries: Plot knows nothing of audio, NeuralNet nothing of
// MFCCs; only Study knows the whole story, and the demo knows nothing of Study. The web demo
// (and its web framework) lives in a separate executable so that `study` builds without it.
// Every target is in Swift 6 language mode.
import PackageDescription

func system(_ name: String, pkg: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkg, providers: [.apt([apt])])
}

let package = Package(
    name: "TESSStudy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "study", targets: ["study"]),
        .executable(name: "study-bench", targets: ["study-bench"]),
        .executable(name: "study-demo", targets: ["study-demo"]),
        .executable(name: "study-fuzz", targets: ["study-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // Already Hummingbird's; named for DemoServer's small HTTP/1.1 client (NIOHTTP1), the same range.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // Already Hummingbird's too; named because DemoServer imports them (its logger, its
        // service group, its status types).
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // C libraries from Debian packages (scripts/install-deps.sh installs them).
        system("CSndfile", pkg: "sndfile", apt: "libsndfile1-dev"),
        system("CSoxr", pkg: "soxr", apt: "libsoxr-dev"),
        system("CFFTW", pkg: "fftw3f", apt: "libfftw3-dev"),
        system("COpenBLAS", pkg: "openblas", apt: "libopenblas-dev"),
        system("CPNG", pkg: "libpng", apt: "libpng-dev"),
        system("CFreeType", pkg: "freetype2", apt: "libfreetype-dev"),
        system("CEspeakNG", pkg: "espeak-ng", apt: "libespeak-ng-dev"),

        // Libraries. Base holds what every module shares (atomic write, CSV, hashes, the random
        // generators, argmax, file locks); the others import it and nothing above them.
        .target(name: "Base"),
        // The study's own GEMM micro-kernels (C: AVX2+FMA and AVX-512 variants chosen at run
        // time with target attributes, no compiler flags): one summation order on every CPU.
        .target(name: "CGEMM"),
        .target(name: "Audio", dependencies: ["Base", "CSndfile", "CSoxr"]),
        .target(name: "Features", dependencies: ["Base", "Audio", "CFFTW"]),
        .target(name: "Corpus", dependencies: ["Base", "Audio", "CEspeakNG"]),
        .target(name: "NeuralNet", dependencies: ["Base", "CGEMM", "COpenBLAS"]),
        .target(name: "Plot", dependencies: ["Base", "CPNG", "CFreeType"]),
        .target(name: "Report", dependencies: [
            "Base",
            .product(name: "Ink", package: "Ink"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        // A saved model and its feature recipe: load, compute features, predict, draw. Used by
        // `study predict` and the web demo, which therefore need nothing of Study.
        .target(name: "Inference", dependencies: ["Base", "Audio", "Features", "NeuralNet", "Plot"]),
        .target(name: "StudyText", path: "study", sources: ["StudyText.swift"], resources: [.copy("chapters")]),
        // The chapters, their runner and the report: the only module that knows the whole story.
        // It imports no C module: each library reports its own C library's version.
        .target(name: "Study", dependencies: ["Base", "Audio", "Features", "Corpus", "NeuralNet", "Plot", "Report",
                                             "StudyText", "Inference"]),

        // Executables: thin layers over the libraries.
        .executableTarget(name: "study", dependencies: [
            "Study", "Base", "Audio", "Features", "Corpus", "Inference", "NeuralNet",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "study-bench", dependencies: [
            "Base", "Audio", "Features", "Corpus", "NeuralNet", "Plot",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The web demo: Hummingbird stays out of `study` and `study-bench`.
        .target(name: "DemoServer", dependencies: [
            "Inference", "Base", "Audio", "Features", "NeuralNet",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "study-demo", dependencies: [
            "DemoServer", "Audio", "Inference", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),

        // Tests.
        .executableTarget(name: "study-fuzz", dependencies: [
            "Base", "Audio", "Corpus", "NeuralNet", "DemoServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BaseTests", dependencies: ["Base", "TestSupport"]),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "Base", "TestSupport"]),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Audio", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Audio", "Base", "TestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Base", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "CPNG", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Base", "TestSupport"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Base", "Corpus", "Features", "Inference", "Plot", "TestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "Features", "NeuralNet", "Audio", "TestSupport"]),
        .testTarget(name: "DemoTests", dependencies: [
            "DemoServer", "Inference", "NeuralNet", "Audio", "Features", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
