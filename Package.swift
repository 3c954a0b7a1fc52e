// swift-tools-version:6.0
// The TESS speech-emotion study, reproduced in Swift.
//
// Module boundaries are import boundaries: Plot knows nothing of audio, NeuralNet nothing of
// MFCCs; only Study knows the whole story. The web demo (and its web framework) lives in a
// separate executable so that `study` builds without it.
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
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

        // Libraries.
        .target(name: "Audio", dependencies: ["CSndfile", "CSoxr"]),
        .target(name: "Features", dependencies: ["Audio", "CFFTW", "COpenBLAS"]),
        .target(name: "Corpus", dependencies: ["Audio", "CEspeakNG"]),
        .target(name: "NeuralNet", dependencies: ["COpenBLAS"]),
        .target(name: "Plot", dependencies: ["CPNG", "CFreeType"]),
        .target(name: "Report", dependencies: [
            .product(name: "Ink", package: "Ink"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .target(name: "StudyText", path: "study", sources: ["StudyText.swift"], resources: [.copy("chapters")]),
        .target(name: "Study", dependencies: ["Audio", "Features", "Corpus", "NeuralNet", "Plot", "Report", "StudyText",
                                             "CSndfile", "CSoxr", "CPNG"]),

        // Executables: thin layers over the libraries.
        .executableTarget(name: "study", dependencies: [
            "Study", "Corpus", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "study-bench", dependencies: [
            "Audio", "Features", "Corpus", "NeuralNet", "Plot",
        ]),
        // The web demo: Hummingbird stays out of `study` and `study-bench`.
        .target(name: "DemoServer", dependencies: [
            "Study", "Audio", "Features", "NeuralNet", "Plot",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "study-demo", dependencies: [
            "DemoServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "TestSupport"]),
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Audio", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Audio", "TestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "CPNG", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "TestSupport"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "TestSupport"]),
        .testTarget(name: "DemoTests", dependencies: [
            "DemoServer", "Study", "NeuralNet", "Audio", "Features", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
