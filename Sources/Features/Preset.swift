import Audio
import Foundation

/// A named choice of the two settings that differ between the librosa the original notebook
/// ran on and today's librosa. Everything else (22050 Hz, n_fft 2048, hop 512, Hann, 128 Slaney
/// mel bands, power_to_db ref 1 / amin 1e-10 / top_db 80, DCT-II ortho) is common.
public struct FeaturePreset: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let summary: String
    public let resampler: Resampler
    public let padMode: PadMode

    public init(name: String, summary: String, resampler: Resampler, padMode: PadMode) {
        self.name = name
        self.summary = summary
        self.resampler = resampler
        self.padMode = padMode
    }

    public var description: String { "\(name): \(summary)" }

    /// librosa ≤ 0.9's defaults — resampy `kaiser_best` and reflect padding — which the
    /// published notebook really used (its printed first vector starts −467.97388, 75.4238, …).
    public static let notebook = FeaturePreset(
        name: "notebook",
        summary: "resampy kaiser_best resampling + reflect-padded STFT (librosa ≤ 0.9 defaults, as in the original notebook)",
        resampler: .kaiserBest, padMode: .reflect)

    /// librosa 0.10 / 0.11's defaults — libsoxr HQ and zero padding.
    public static let librosa = FeaturePreset(
        name: "librosa",
        summary: "soxr HQ resampling + zero-padded STFT (librosa ≥ 0.10 defaults)",
        resampler: .soxrHQ, padMode: .constant)

    public static let all: [FeaturePreset] = [.notebook, .librosa]

    /// The preset called `name` ("notebook" or "librosa"), or nil.
    public static func named(_ name: String) -> FeaturePreset? {
        all.first { $0.name == name.lowercased() }
    }
}
