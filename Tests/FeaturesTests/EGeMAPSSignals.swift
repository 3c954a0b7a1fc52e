import Audio
import Foundation
import TestSupport
import XCTest

/// The generated signals of `tools/make_egemaps_fixture.py`, made the same way (same formulas in
/// Double, same LCG noise) and written and read back as 16-bit WAV through libsndfile as the
/// script's soundfile does, so that openSMILE and we analyse the same samples; and the fixture
/// the script wrote (openSMILE 2.6.0's functionals and LLDs of each).
enum EGeMAPSSignals {
    struct Entry: Decodable {
        let rate: Int
        let functionals: [Double]
        let lld: [[Double]]?
    }

    struct Fixture: Decodable {
        let functional_names: [String]
        let lld_names: [String]
        let signals: [String: Entry]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/egemaps/synthetic.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// Values in [−0.5, 0.5): state = state · 1664525 + 1013904223 (mod 2³²), (state >> 8) / 2²⁴ − 0.5.
    static func lcgNoise(_ n: Int, seed: UInt32) -> [Double] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 1_664_525 &+ 1_013_904_223
            return Double(s >> 8) / Double(1 << 24) - 0.5
        }
    }

    static func voice(rate: Int, seconds: Double, f0: Double, seed: UInt32) -> [Double] {
        let r = Double(rate)
        let n = Int((seconds * r).rounded())
        let noise = lcgNoise(n, seed: seed)
        let segments = [(0.1, 0.6), (0.8, seconds - 0.2)]
        var out = [Double](repeating: 0, count: n)
        var phase = 0.0
        for i in 0..<n {
            let t = Double(i) / r
            let f = f0 * (1 + 0.03 * sin(2 * Double.pi * 5 * t))
            phase += 2 * Double.pi * f / r
            var gate = 0.0
            for (a, b) in segments where a <= t && t < b {
                let edge = min(t - a, b - t)
                gate = edge >= 0.02 ? 1.0 : 0.5 - 0.5 * cos(Double.pi * edge / 0.02)
            }
            var v = 0.0
            if gate > 0 {
                var k = 1
                while Double(k) * f < 0.45 * r && k <= 60 {
                    let hf = Double(k) * f
                    let a1 = (hf - 700) / 200, a2 = (hf - 1200) / 250
                    let amp = (1.0 / Double(k)) * (1 + 2 * exp(-(a1 * a1)) + exp(-(a2 * a2)))
                    v += amp * sin(Double(k) * phase)
                    k += 1
                }
            }
            out[i] = 0.2 * gate * v + 0.01 * noise[i]
        }
        return out
    }

    static func tone(rate: Int, seconds: Double, frequency: Double, amplitude: Double) -> [Double] {
        let n = Int((seconds * Double(rate)).rounded())
        return (0..<n).map { amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate)) }
    }

    /// The script's SIGNALS table.
    static func generate(_ name: String) -> (rate: Int, samples: [Double]) {
        switch name {
        case "voice-16k": return (16000, voice(rate: 16000, seconds: 1.5, f0: 140, seed: 1))
        case "voice-24414": return (24414, voice(rate: 24414, seconds: 1.5, f0: 220, seed: 2))
        case "voice-8k": return (8000, voice(rate: 8000, seconds: 1.2, f0: 110, seed: 3))
        case "voice-96k": return (96000, voice(rate: 96000, seconds: 1.0, f0: 180, seed: 4))
        case "clipped-22050": return (22050, voice(rate: 22050, seconds: 1.2, f0: 160, seed: 5).map { min(max(4 * $0, -1), 1) })
        case "silence-16k": return (16000, [Double](repeating: 0, count: 16000))
        case "tone-16k": return (16000, tone(rate: 16000, seconds: 1.0, frequency: 220, amplitude: 0.5))
        case "noise-16k": return (16000, lcgNoise(16000, seed: 6).map { 0.5 * $0 })
        case "short-16k": return (16000, tone(rate: 16000, seconds: 0.1, frequency: 200, amplitude: 0.3))
        default: fatalError("no generated signal \(name)")
        }
    }

    /// `name`'s samples as openSMILE reads them: Float32, written as 16-bit PCM and read back.
    static func samples(_ name: String) throws -> (rate: Int, samples: [Float]) {
        let (rate, x) = generate(name)
        let dir = try SharedData.temporaryDirectory("egemaps-signal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("\(name).wav")
        try AudioFile.writeWAV16(x.map { Float($0) }, sampleRate: rate, to: url)
        let read = try AudioFile.readMono(url)
        return (rate, read.samples)
    }
}
