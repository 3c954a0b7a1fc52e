import ArgumentParser
import Audio
import Base
import Features
import Foundation
import NeuralNet

/// `study-bench probe [--clips DIR] [--kernels deterministic|native] [--values]`: one JSON line
/// of SHA-256 digests of what this process computes, so that runs in other environments (another
/// `OPENBLAS_CORETYPE`, `SOXR_USE_SIMD`, …) or on other CPUs can be compared byte for byte
/// (`CrossCPUTests` runs it in subprocesses). Each digest covers little-endian float32 values:
///
/// - `features_sha256`: the 40 MFCC means (offset 0.5 s, duration 3 s, as the notebook) of every
///   clip, preset `notebook` for all clips in order, then preset `librosa` for all clips;
/// - `resampled_sha256`: for each generated signal in order, the soxr HQ then the resampy
///   kaiser_best resampling of its first quarter second to 22050 Hz.
///
/// The clips are the audio files under `--clips` (sorted by path) or, without it, the generated
/// signals written as 16-bit WAV files to a temporary folder, so the probe needs nothing of
/// `../shared`.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "One JSON line of SHA-256 digests of features and resampled signals, to compare across environments and CPUs.")

    @Option(help: "Folder of audio clips (default: generated test signals at 24414 and 96000 Hz).")
    var clips: String?

    @Option(help: "deterministic (the study's own arithmetic, the default) or native (the libraries' choice for this CPU).")
    var kernels = "deterministic"

    @Option(help: "Threads to extract features on (the digests do not depend on it).")
    var threads = 2

    @Flag(help: "Also print the feature values themselves (field 'features'), to compare arithmetics within a tolerance.")
    var values = false

    func validate() throws {
        guard Arithmetic(rawValue: kernels) != nil else {
            throw ValidationError("--kernels must be one of: \(Arithmetic.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard threads >= 1 else { throw ValidationError("--threads needs a positive count") }
    }

    func run() throws {
        // The arithmetic first, then libsoxr's environment pinned to it, before any thread.
        Arithmetic.current = Arithmetic(rawValue: kernels)!
        SoxrEnvironment.pin()
        var line = ProbeLine()
        line.add("kernels", string: Arithmetic.current.rawValue)
        line.add("soxr_engine", string: SoxrEnvironment.engine() ?? "unknown")
        do {
            try Probe.addFeatures(to: &line, clips: clips.map { URL(fileURLWithPath: $0) }, threads: threads, values: values)
            try Probe.addResampled(to: &line)
            Probe.addWeights(to: &line, threads: threads)
        } catch {
            FileHandle.standardError.write(Data("probe: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(line.json)
    }
}

/// A JSON object written field by field in a fixed order (so that equal results give equal
/// bytes, which `CrossCPUTests` compares).
struct ProbeLine {
    private var fields: [String] = []

    mutating func add(_ key: String, string value: String) {
        fields.append("\"\(key)\":\"\(value)\"")
    }

    mutating func add(_ key: String, raw value: String) {
        fields.append("\"\(key)\":\(value)")
    }

    var json: String { "{" + fields.joined(separator: ",") + "}" }
}

/// Why the probe could not compute its digests.
struct ProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Probe {
    /// A generated test signal: `name` at `rate` Hz.
    struct Signal {
        let name: String
        let rate: Int
        let samples: [Float]
    }

    /// Rates of the generated signals: TESS's 24414 Hz and a 96 kHz studio rate (a large
    /// downsampling ratio for both resamplers).
    static let rates = [24414, 96000]

    /// Chirp, noise and tone at each rate, 1 s long (the notebook's analysis starts at 0.5 s:
    /// 0.5 s, 22 frames, are analysed; short, because the tests run the probe in debug builds).
    /// The noise is an LCG's, so every platform generates the same samples; the sines are
    /// computed in Double and then rounded to 16 bits by the WAV writer, which absorbs any
    /// last-ulp difference of a libm.
    static func signals() -> [Signal] {
        rates.flatMap { rate -> [Signal] in
            let n = rate
            let t = (0..<n).map { Double($0) / Double(rate) }
            var state: UInt32 = 2024
            let noise: [Float] = (0..<n).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return Float(0.4 * (Double(state >> 8) / Double(1 << 24) - 0.5))
            }
            return [
                // 100 Hz → 8 kHz over 1 s: a sweep through every band, below the 11025 Hz
                // Nyquist frequency of the 22050 Hz output.
                Signal(name: "chirp", rate: rate, samples: t.map { Float(0.5 * sin(2 * Double.pi * (100 * $0 + 3_950 * $0 * $0))) }),
                Signal(name: "noise", rate: rate, samples: noise),
                Signal(name: "tone", rate: rate, samples: t.map { Float(0.3 * sin(2 * Double.pi * 440 * $0) + 0.1 * sin(2 * Double.pi * 3_520 * $0)) }),
            ]
        }
    }

    /// Adds `clips` (the count), `features_sha256` and, with `values`, `features`.
    static func addFeatures(to line: inout ProbeLine, clips: URL?, threads: Int, values: Bool) throws {
        var temporary: URL?
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let urls: [URL]
        if let clips {
            urls = audioFiles(under: clips)
            guard !urls.isEmpty else { throw ProbeError("no audio files under \(clips.path)") }
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            temporary = dir
            urls = try signals().map { s in
                let url = dir.appendingPathComponent("\(s.name)_\(s.rate).wav")
                try AudioFile.writeWAV16(s.samples, sampleRate: s.rate, to: url)
                return url
            }
        }
        var hash = SHA256()
        var printed: [String] = []
        for preset in FeaturePreset.all {
            var rows: [String] = []
            for (url, result) in zip(urls, extractFeatures(urls: urls, preset: preset, threads: threads)) {
                let means: [Float]
                do { means = try result.get() } catch { throw ProbeError("\(url.lastPathComponent) (\(preset.name)): \(error)") }
                update(&hash, means)
                rows.append("[" + means.map { "\($0)" }.joined(separator: ",") + "]")
            }
            printed.append("\"\(preset.name)\":[" + rows.joined(separator: ",") + "]")
        }
        line.add("clips", raw: "\(urls.count)")
        line.add("features_sha256", string: SHA256.hex(hash.finalize()))
        if values { line.add("features", raw: "{" + printed.joined(separator: ",") + "}") }
    }

    /// Adds `resampled_sha256`: soxr HQ then resampy kaiser_best of the first quarter second of
    /// each generated signal (the whole signals are resampled again inside the features; a
    /// quarter second keeps the debug-build probe fast and still spans many filter phases).
    static func addResampled(to line: inout ProbeLine) throws {
        var hash = SHA256()
        for s in signals() {
            let x = Array(s.samples.prefix(s.rate / 4))
            update(&hash, try resampleSoxr(x, from: s.rate, to: 22050))
            update(&hash, try resampleResampy(x, from: s.rate, to: 22050))
        }
        line.add("resampled_sha256", string: SHA256.hex(hash.finalize()))
    }

    /// Hashes `values` as little-endian float32 (whatever the host's byte order).
    static func update(_ hash: inout SHA256, _ values: [Float]) {
        var bytes = [UInt8](repeating: 0, count: 4 * values.count)
        bytes.withUnsafeMutableBytes { out in
            for (i, v) in values.enumerated() {
                out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        hash.update(bytes)
    }

    private static func audioFiles(under dir: URL) -> [URL] {
        let extensions: Set<String> = ["wav", "aif", "aiff", "flac"]
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }
}

extension Probe {
    /// Adds `weights_sha256`: the weights (little-endian float32, in parameter order) of a small
    /// CNN (both convolution paths: im2col and Winograd F(4,5)) trained for 2 epochs on seeded
    /// toy data with dropout, on `threads` data-parallel threads: small enough for debug builds.
    static func addWeights(to line: inout ProbeLine, threads: Int) {
        var rng = Xoshiro256(seed: 21)
        let length = 20, classes = 4, count = 72
        var x = [Float](), y = [Int]()
        for i in 0..<count {
            let c = i % classes
            for t in 0..<length { x.append((abs(t - 4 * c - 2) <= 1 ? 1.5 : 0) + rng.uniform(-0.5, 0.5)) }
            y.append(c)
        }
        var hash = SHA256()
        for path in [Conv1DPath.im2col, .winograd(outputTile: 4)] {
            let model = Sequential(inputShape: [length, 1], specs: [
                .conv1D(filters: 16, kernelSize: 5, activation: .relu),
                .conv1D(filters: 16, kernelSize: 5, activation: .relu),
                .maxPool1D(poolSize: 5, stride: 2),
                .dropout(rate: 0.2),
                .flatten,
                .dense(units: 16, activation: .relu),
                .dense(units: classes, activation: .softmax),
            ], seed: 7)
            (model.layers[1] as? Conv1D)?.pathOverride = path
            fit(model, x: Array(x[0..<(56 * length)]), y: Array(y[0..<56]), xVal: Array(x[(56 * length)...]),
                yVal: Array(y[56...]), features: length,
                options: FitOptions(seed: 8, batchSize: 16, epochs: 2, patience: nil, threads: threads))
            for p in model.snapshot() {
                var le = p.map { $0.bitPattern.littleEndian }
                le.withUnsafeMutableBytes { hash.update(UnsafeRawBufferPointer($0)) }
            }
        }
        line.add("weights_sha256", string: SHA256.hex(hash.finalize()))
    }
}
