import Foundation

/// A feature set that also has frame-level descriptors (openSMILE's "LLDs"), for
/// `study features extract --lld`.
public protocol FrameLevelFeatureSet: FeatureSet {
    /// The descriptors' names, in output order.
    var frameColumns: [String] { get }
    /// Every frame of a loaded signal: its start and end in seconds and `frameColumns.count` values.
    func frames(samples: [Float], sampleRate: Int, path: String) throws -> [(start: Double, end: Double, values: [Float])]
}

/// `egemaps-v02`: the extended Geneva Minimalistic Acoustic Parameter Set (Eyben et al. 2016), as
/// openSMILE's `config/egemaps/v02` computes it: 25 low-level descriptors every 10 ms summarised
/// into 88 functionals, under openSMILE's column names and in its order. The chain is declared in
/// `EGeMAPSChain`; each step is its own file in this folder.
///
/// Like `smile.process_file`, the set analyses the whole clip at its own sample rate (no
/// resampling) by default; `analysis: .studyWindow` takes the study's offset and duration instead
/// (still at the clip's own rate).
public struct EGeMAPSSet: FrameLevelFeatureSet {
    /// Which part of a clip the set analyses.
    public enum Analysis: String, Sendable, CaseIterable {
        /// The whole clip (openSMILE's `process_file`), the default.
        case wholeClip = "whole-clip"
        /// The study's analysis window (offset and duration), at the clip's own rate.
        case studyWindow = "study-window"
    }

    public let analysis: Analysis
    public init(analysis: Analysis = .wholeClip) { self.analysis = analysis }

    public var name: String { "egemaps-v02" }
    public var version: Int { 1 }
    public var summary: String {
        "openSMILE's eGeMAPS v02: 25 frame-level voice descriptors (pitch, jitter, shimmer, loudness, HNR, formants, spectral balance, MFCC 1–4) summarised into 88 functionals"
    }
    public var columns: [String] { EGeMAPSChain.functionalNames }
    public var frameColumns: [String] { EGeMAPSChain.lldNames }
    public var parameters: [(String, String)] {
        [("config", "eGeMAPSv02 (openSMILE 3 / opensmile 2.6.0)"), ("analysis", analysis.rawValue), ("sample_rate", "native"),
         ("frames", "60 ms Gaussian + 20 ms Hamming, 10 ms step")]
    }

    public var options: [(key: String, values: [String])] { [("analysis", Analysis.allCases.map(\.rawValue))] }

    public func configured(option key: String, value: String) -> (any FeatureSet)? {
        guard key == "analysis", let a = Analysis(rawValue: value) else { return nil }
        return EGeMAPSSet(analysis: a)
    }

    /// The preset changes nothing: the set neither resamples nor pads an STFT.
    public func configured(preset: FeaturePreset) -> any FeatureSet { self }

    public func loadingWindow(_ study: FeatureSets.Window) -> FeatureSets.Window {
        switch analysis {
        case .wholeClip: return FeatureSets.Window(offset: 0, duration: nil, sampleRate: nil)
        case .studyWindow: return FeatureSets.Window(offset: study.offset, duration: study.duration, sampleRate: nil)
        }
    }

    public func features(samples: [Float], sampleRate: Int, path: String) throws -> [Float] {
        guard !samples.isEmpty else { throw FeatureError.emptySignal(path: path) }
        return EGeMAPSChain.functionals(signal: samples, sampleRate: Double(sampleRate)).map { Float($0) }
    }

    public func frames(samples: [Float], sampleRate: Int, path: String) throws -> [(start: Double, end: Double, values: [Float])] {
        guard !samples.isEmpty else { throw FeatureError.emptySignal(path: path) }
        return EGeMAPSChain.llds(signal: samples, sampleRate: Double(sampleRate))
    }
}
