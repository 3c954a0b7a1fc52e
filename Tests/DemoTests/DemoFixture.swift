import Audio
import DemoServer
import Features
import Foundation
import NeuralNet
import TestSupport
import XCTest

/// A throw-away model and example folder, made once per test run: an untrained notebook CNN
/// (the demo must answer exactly as `Predictor` does, whatever the weights) with a standardizer
/// fitted to the fixture clips so that the probabilities are spread out rather than one-hot,
/// and one synthetic clip per emotion.
enum DemoFixture {
    static let labels = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]
    static let sampleRate = 24414

    struct Files {
        let root: URL
        let model: URL
        let examples: URL
        /// A file beside the examples folder that the examples endpoint must never serve.
        let secret: URL
        var exampleFiles: [URL] { labels.map { examples.appendingPathComponent("\($0)_SYN.wav") } }
    }

    static let files: Result<Files, Error> = Result { try make() }

    static func make() throws -> Files {
        let root = try SharedData.temporaryDirectory("demo-tests")
        let examples = root.appendingPathComponent("examples")
        try FileManager.default.createDirectory(at: examples.appendingPathComponent("nested"), withIntermediateDirectories: true)
        for (i, label) in labels.enumerated() {
            try AudioFile.writeWAV16(tone(f0: 120 + 45 * Double(i), seconds: 2.0, noise: 0.02 * Double(i)),
                                     sampleRate: sampleRate, to: examples.appendingPathComponent("\(label)_SYN.wav"))
        }
        // Neither may be listed or served: not a .wav, and not directly in the folder.
        try Data("not audio".utf8).write(to: examples.appendingPathComponent("notes.txt"))
        try AudioFile.writeWAV16(tone(f0: 200, seconds: 1, noise: 0), sampleRate: sampleRate,
                                 to: examples.appendingPathComponent("nested/hidden.wav"))
        let secret = root.appendingPathComponent("secret.wav")
        try AudioFile.writeWAV16(tone(f0: 300, seconds: 1, noise: 0), sampleRate: sampleRate, to: secret)

        let model = root.appendingPathComponent("model.safetensors")
        let clips = labels.map { examples.appendingPathComponent("\($0)_SYN.wav") }
        try ModelFile.save(NotebookCNN.make(seed: 7), standardizer: try standardizer(for: clips),
                           metadata: ["classes": labels.joined(separator: ","), "feature_preset": "librosa",
                                      "n_mfcc": "40", "offset_s": "0.5", "duration_s": "3"],
                           to: model)
        return Files(root: root, model: model, examples: examples, secret: secret)
    }

    /// Per-coefficient mean and standard deviation of the clips' features.
    private static func standardizer(for clips: [URL]) throws -> Standardizer {
        let rows = try clips.map { try extractMFCCMeans(url: $0, preset: .librosa, offset: 0.5, duration: 3, nMFCC: 40) }
        let n = Float(rows.count)
        let mean = (0..<40).map { j in rows.reduce(0) { $0 + $1[j] } / n }
        let std = (0..<40).map { j in max(1e-3, (rows.reduce(0) { $0 + ($1[j] - mean[j]) * ($1[j] - mean[j]) } / n).squareRoot()) }
        return Standardizer(mean: mean, std: std)
    }

    /// A harmonic tone with vibrato and deterministic noise: voice-like enough for MFCCs.
    static func tone(f0: Double, seconds: Double, noise: Double, rate: Int = sampleRate) -> [Float] {
        var state: UInt64 = 0x9E3779B97F4A7C15
        return (0..<Int(seconds * Double(rate))).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let r = Double(state >> 11) / Double(1 << 53) - 0.5
            let t = Double(i) / Double(rate)
            let f = f0 * (1 + 0.03 * sin(2 * .pi * 5 * t))
            var v = 0.0
            for h in 1...5 { v += sin(2 * .pi * f * Double(h) * t) / Double(h) }
            return Float(0.25 * v + noise * r)
        }
    }

    /// WAV bytes of `samples`, through the project's own writer.
    static func wavBytes(_ samples: [Float], rate: Int = sampleRate) throws -> [UInt8] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("demo-test-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: url)
        return Array(try Data(contentsOf: url))
    }
}
