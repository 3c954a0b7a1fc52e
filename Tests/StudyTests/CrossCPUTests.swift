import Base
import Foundation
import TestSupport
import XCTest

/// Other CPUs, simulated in the ways one machine allows, must not move a bit of the default
/// (`deterministic`) arithmetic. Each run is a subprocess (`study-bench probe`), because the
/// libraries read their variables when they load (OpenBLAS) or when a resampler is made
/// (libsoxr): OpenBLAS's kernel class (`OPENBLAS_CORETYPE`, each class this CPU can run) and
/// blocking (`OPENBLAS_BLOCK_FACTOR`), libsoxr's SIMD switches (`SOXR_USE_SIMD`,
/// `SOXR_USE_SIMD32`) and DFT size. The property checked is equality with a run whose
/// environment has none of them: the probe's whole output line (SHA-256 digests of features and
/// resampled signals), byte for byte. A second part checks that the switches are real — with
/// `--kernels native` they do change bits (libsoxr's scalar engine, FFTW's SIMD codelets) —
/// and that the native arithmetic stays within a tolerance of the deterministic one.
final class CrossCPUTests: XCTestCase {
    static var probe: URL { BuiltProduct.url("study-bench") }

    /// Variables that pick a library's code path (or the study's OpenBLAS re-execution): removed
    /// from every child's environment before a variant sets its own. The libsoxr names are
    /// those its 0.1.3 `soxr_create` reads; the OpenBLAS ones those 0.3.21 reads.
    static let controlled = [
        "OPENBLAS_CORETYPE", "OPENBLAS_BLOCK_FACTOR", "OPENBLAS_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT",
        "OPENBLAS_VERBOSE", "GOTO_NUM_THREADS", "OMP_NUM_THREADS", "STUDY_OPENBLAS_REEXEC",
        "SOXR_USE_SIMD", "SOXR_USE_SIMD32", "SOXR_USE_SIMD64", "SOXR_MIN_DFT_SIZE", "SOXR_LARGE_DFT_SIZE",
        "SOXR_COEFS_SIZE", "SOXR_NUM_THREADS", "SOXR_COEF_INTERP", "SOXR_STRICT_BUF", "SOXR_NOSMALLINTOPT",
    ]

    /// OpenBLAS kernel classes and the /proc/cpuinfo flags their kernels execute (a class whose
    /// instructions the CPU lacks would die of SIGILL, so it is skipped and named).
    static let kernelClasses: [(name: String, flags: [String])] = [
        ("Haswell", ["avx2", "fma"]),
        ("Zen", ["avx2", "fma"]),
        ("SkylakeX", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
        ("Cooperlake", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
        ("Prescott", ["sse3"]),
    ]

    /// The first `flags` line of /proc/cpuinfo ("pni" is how Linux names SSE3).
    static let cpuFlags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        var flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        if flags.contains("pni") { flags.insert("sse3") }
        return flags
    }()

    struct Variant {
        let name: String
        var arguments: [String] = []
        let environment: [String: String]
    }

    /// Each kernel class this CPU can run; prints the skipped ones (visible in the test log).
    static func kernelClassVariants() -> [Variant] {
        var variants: [Variant] = []
        for k in kernelClasses {
            let missing = k.flags.filter { !cpuFlags.contains($0) }
            if missing.isEmpty {
                variants.append(Variant(name: "OPENBLAS_CORETYPE=\(k.name)", environment: ["OPENBLAS_CORETYPE": k.name]))
            } else {
                print("SKIPPED OPENBLAS_CORETYPE=\(k.name): this CPU lacks \(missing.joined(separator: ", "))")
            }
        }
        return variants
    }

    /// Every environment the default arithmetic must ignore, one change at a time.
    static func variants() -> [Variant] {
        kernelClassVariants() + [
            // 10 and 200 are OpenBLAS's clamps (percent of the GEMM block sizes).
            Variant(name: "OPENBLAS_BLOCK_FACTOR=10", environment: ["OPENBLAS_BLOCK_FACTOR": "10"]),
            Variant(name: "OPENBLAS_BLOCK_FACTOR=200", environment: ["OPENBLAS_BLOCK_FACTOR": "200"]),
            Variant(name: "SOXR_USE_SIMD=0", environment: ["SOXR_USE_SIMD": "0"]),
            Variant(name: "SOXR_USE_SIMD=1", environment: ["SOXR_USE_SIMD": "1"]),
            Variant(name: "SOXR_USE_SIMD32=0", environment: ["SOXR_USE_SIMD32": "0"]),
            Variant(name: "SOXR_MIN_DFT_SIZE=8", environment: ["SOXR_MIN_DFT_SIZE": "8"]),
        ]
    }

    /// Runs the probe with the inherited environment minus `controlled`, plus `environment`.
    /// Standard error goes to a temporary file (a chatty child can never block on a full pipe).
    static func runProbe(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        var env = ProcessInfo.processInfo.environment
        for name in controlled { env[name] = nil }
        env.merge(environment) { _, new in new }
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("probe-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let err = try FileHandle(forWritingTo: errFile)
        defer { try? err.close() }
        let p = Process()
        p.executableURL = probe
        p.arguments = ["probe"] + arguments
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                String(decoding: try Data(contentsOf: errFile), as: UTF8.self))
    }

    /// Runs the probe once per variant, two at a time (the machine has two cores), and returns
    /// the output lines in variant order; a failing child fails the test with its stderr.
    func probeLines(_ variants: [Variant], file: StaticString = #filePath, line: UInt = #line) -> [String?] {
        let results = ResultSlots<Result<(status: Int32, out: String, err: String), Error>>(count: variants.count)
        ConcurrentLoop.queue(Array(variants.indices), workers: 2) { i in
            results[i] = Result { try Self.runProbe(variants[i].arguments, environment: variants[i].environment) }
        }
        return variants.indices.map { i -> String? in
            let variant = variants[i]
            switch results[i]! {
            case .failure(let error):
                XCTFail("\(variant.name): cannot run \(Self.probe.path): \(error)", file: file, line: line)
                return nil
            case .success(let r):
                guard r.status == 0, r.out.hasPrefix("{") else {
                    XCTFail("\(variant.name): probe \(variant.arguments.joined(separator: " ")) exited \(r.status):\n\(r.err)", file: file, line: line)
                    return nil
                }
                return r.out
            }
        }
    }

    /// Asserts every variant's line equals the clean run's, naming the ones that differ.
    func assertIgnored(_ arguments: [String], _ variants: [Variant], file: StaticString = #filePath, line: UInt = #line) throws {
        let all = ([Variant(name: "(no library variables)", environment: [:])] + variants).map {
            Variant(name: $0.name, arguments: arguments, environment: $0.environment)
        }
        let lines = probeLines(all, file: file, line: line)
        let reference = try XCTUnwrap(lines[0], "the clean run failed", file: file, line: line)
        XCTAssertTrue(reference.contains("\"kernels\":\"deterministic\""), reference, file: file, line: line)
        print("CROSS-CPU \(arguments.isEmpty ? "generated signals" : arguments.joined(separator: " ")), clean run: \(reference)")
        for (variant, out) in zip(all.dropFirst(), lines.dropFirst()) {
            guard let out else { continue }
            XCTAssertEqual(out, reference, "\(variant.name) changed the default arithmetic's output", file: file, line: line)
            print("CROSS-CPU \(variant.name): \(out == reference ? "identical" : "DIFFERENT")")
        }
    }

    /// The generated signals (no ../shared needed): every variant, one at a time.
    func testDefaultArithmeticIgnoresKernelClassesAndLibrarySwitches() throws {
        try assertIgnored([], Self.variants())
    }

    /// The real TESS clips of ../shared: the clean run against two runs that change everything
    /// at once (the fastest and the oldest kernel class), to keep the test short.
    func testDefaultArithmeticIgnoresThemOnTheSharedClips() throws {
        let clips = try SharedData.require("tess-sample")
        let everything = ["OPENBLAS_BLOCK_FACTOR": "10", "SOXR_USE_SIMD": "0", "SOXR_USE_SIMD32": "0", "SOXR_MIN_DFT_SIZE": "8"]
        let classes = Self.kernelClassVariants().filter { ["Haswell", "Prescott"].contains($0.environment["OPENBLAS_CORETYPE"]) }
        let variants = classes.map { k in
            Variant(name: k.name + " and every other switch", environment: k.environment.merging(everything) { a, _ in a })
        }
        try assertIgnored(["--clips", clips.path], variants)
    }

    /// The switches the default ignores are real: with `--kernels native`, libsoxr's scalar
    /// engine (`SOXR_USE_SIMD=0`) gives other resampled bits than its SSE engine, and FFTW's
    /// SIMD codelets other features than its scalar ones. The native features stay within
    /// 1e-3 of the deterministic ones: both are the same chain with ~1e-7 relative rounding
    /// differences per FFT value, which move a mean of ~500 by ~1e-4 (cf. the 0.01 tolerance
    /// against librosa in ReferenceParityTests, which these differences must stay far below).
    func testNativeArithmeticFollowsTheLibrariesWithinTolerance() throws {
        let native = ["--kernels", "native"]
        let lines = probeLines([
            Variant(name: "deterministic", arguments: ["--values"], environment: [:]),
            Variant(name: "native", arguments: ["--values"] + native, environment: [:]),
            Variant(name: "native SOXR_USE_SIMD=0", arguments: native, environment: ["SOXR_USE_SIMD": "0"]),
            Variant(name: "native SOXR_USE_SIMD=1", arguments: native, environment: ["SOXR_USE_SIMD": "1"]),
        ])
        guard let det = lines[0], let nat = lines[1], let scalar = lines[2], let sse = lines[3] else { return }
        let d = try Self.parse(det), n = try Self.parse(nat), s0 = try Self.parse(scalar), s1 = try Self.parse(sse)

        // libsoxr under native: the environment picks the engine, and the engines differ in bits.
        XCTAssertEqual(s0["soxr_engine"] as? String, "cr32")
        XCTAssertEqual(s1["soxr_engine"] as? String, "cr32s")
        XCTAssertNotEqual(s0["resampled_sha256"] as? String, s1["resampled_sha256"] as? String,
                          "libsoxr's scalar and SSE engines gave the same bits: the SOXR_USE_SIMD variants above test nothing")
        print("CROSS-CPU native SOXR_USE_SIMD=0 vs 1: resampled \(s0["resampled_sha256"]!) vs \(s1["resampled_sha256"]!)")
        // Without the environment, native and deterministic run the same soxr engine.
        XCTAssertEqual(d["resampled_sha256"] as? String, n["resampled_sha256"] as? String)

        // FFTW's SIMD codelets (native) against its scalar ones (deterministic).
        let df = try Self.features(d), nf = try Self.features(n)
        XCTAssertEqual(df.count, nf.count)
        var maxDiff: Float = 0
        for (a, b) in zip(df, nf) {
            XCTAssertEqual(a.count, b.count)
            for (x, y) in zip(a, b) { maxDiff = max(maxDiff, abs(x - y)) }
        }
        XCTAssertLessThan(maxDiff, 1e-3)
        print("CROSS-CPU native vs deterministic features: max |Δ| = \(maxDiff), bits \(d["features_sha256"] as? String == n["features_sha256"] as? String ? "identical" : "differ")")
    }

    static func parse(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    /// The `features` field: one row of means per clip, preset notebook then librosa.
    static func features(_ object: [String: Any]) throws -> [[Float]] {
        let f = try XCTUnwrap(object["features"] as? [String: Any])
        return try ["notebook", "librosa"].flatMap { preset in
            try XCTUnwrap(f[preset] as? [[NSNumber]]).map { $0.map(\.floatValue) }
        }
    }
}
