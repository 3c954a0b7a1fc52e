import Audio
import Foundation

/// A feature set as a value: a name and version, the columns it produces, its analysis
/// parameters, and one function from a clip's samples to a vector of features. The registry
/// (`FeatureSets`) lists them, as `Chapters` lists the chapters; nothing downstream names a
/// particular set.
///
/// Every set loads a clip the same way (the notebook's analysis window: `offset`, `duration`,
/// at `sampleRate` with the preset's resampler), then runs its own chain.
public protocol FeatureSet: Sendable {
    /// The registry name (`mfcc-means`).
    var name: String { get }
    /// Bumped when the set's numbers change for the same input.
    var version: Int { get }
    /// One line for `study features --list`.
    var summary: String { get }
    /// Column names, in output order (D of them); for a sequence, the names of the bands.
    var columns: [String] { get }
    /// A vector of `columns.count` values per clip (the default), or a sequence of frames ×
    /// bands, row-major (frame-major), of a fixed frame count.
    var shape: FeatureShape { get }
    /// The analysis parameters, as `key=value` pairs for listings and model cards.
    var parameters: [(String, String)] { get }
    /// The features of a loaded signal (`samples` at `sampleRate`); errors name `path`.
    func features(samples: [Float], sampleRate: Int, path: String) throws -> [Float]
    /// The same set with `preset`'s STFT padding (the resampler is the window's: `extract`).
    func configured(preset: FeaturePreset) -> any FeatureSet
    /// The same set for clips loaded in `window` (a sequence set's frame count depends on its
    /// duration and rate); the default is the set itself.
    func configured(window: FeatureSets.Window) -> any FeatureSet
    /// The window this set loads a clip in, given the study's: the study's itself (the
    /// default), or the set's own (eGeMAPS analyses the whole clip at its own rate).
    func loadingWindow(_ study: FeatureSets.Window) -> FeatureSets.Window
    /// The options `configured(option:value:)` takes: each key with its allowed values.
    var options: [(key: String, values: [String])] { get }
    /// The same set with option `key` set to `value`; nil when the set has no such option or
    /// value (`options` lists them).
    func configured(option key: String, value: String) -> (any FeatureSet)?
}

/// What a feature set gives per clip.
public enum FeatureShape: Sendable, Equatable, Codable {
    /// `columns.count` values (a design-matrix row).
    case vector
    /// `frames` × `bands` values, frame-major: values[t * bands + b]. Every clip gives the same
    /// frame count (the set pads or crops to it, and says how).
    case sequence(frames: Int, bands: Int)

    public var isVector: Bool { self == .vector }

    /// Values per clip of a set with `columns` columns (its bands, for a sequence).
    public func valuesPerClip(columns: Int) -> Int {
        switch self {
        case .vector: return columns
        case .sequence(let frames, let bands): return frames * bands
        }
    }

    /// The tensor shape of `rows` clips: (rows, D) or (rows, frames, bands).
    public func tensorShape(rows: Int, columns: Int) -> [Int] {
        switch self {
        case .vector: return [rows, columns]
        case .sequence(let frames, let bands): return [rows, frames, bands]
        }
    }
}

extension FeatureSet {
    public var shape: FeatureShape { .vector }
    public func configured(window: FeatureSets.Window) -> any FeatureSet { self }
    public func loadingWindow(_ study: FeatureSets.Window) -> FeatureSets.Window { study }
    public var options: [(key: String, values: [String])] { [] }
    public func configured(option key: String, value: String) -> (any FeatureSet)? { nil }
    /// Values per clip: D for a vector, frames × bands for a sequence.
    public var valuesPerClip: Int { shape.valuesPerClip(columns: columns.count) }
}

/// The study's feature sets.
public enum FeatureSets {
    /// Every set, in the order the report lists them.
    public static let all: [any FeatureSet] = [MFCCMeansSet(preset: .notebook), MFCCFunctionalsSet(preset: .notebook),
                                               EGeMAPSSet(), LogMelSet(preset: .notebook)]

    /// The sets that give one vector per clip (what a design-matrix model such as `logistic`
    /// or `cnn1d` takes), in `all` order.
    public static var vectors: [any FeatureSet] { all.filter { $0.shape.isVector } }

    /// The set called `name`, or nil.
    public static func named(_ name: String) -> (any FeatureSet)? { all.first { $0.name == name } }

    /// What a clip's set is computed from: the notebook's window (0.5 s offset, 3 s) at 22050 Hz,
    /// with `preset`'s resampler. `duration` nil: to the end of the clip; `sampleRate` nil: the
    /// clip's own rate (no resampling).
    public struct Window: Sendable, Equatable {
        public var offset: Double = 0.5
        public var duration: Double? = 3
        public var sampleRate: Int? = 22050
        public init(offset: Double = 0.5, duration: Double? = 3, sampleRate: Int? = 22050) {
            self.offset = offset
            self.duration = duration
            self.sampleRate = sampleRate
        }
    }

    /// `set`'s features of the clip at `url`, loaded in the set's window for the study's
    /// `window` (`FeatureSet.loadingWindow`) with `preset`'s resampler.
    /// Errors (`AudioError`, `FeatureError`) name the clip; non-finite features are an error.
    public static func extract(_ set: any FeatureSet, url: URL, preset: FeaturePreset = .notebook,
                               window studyWindow: Window = Window()) throws -> [Float] {
        let window = set.loadingWindow(studyWindow)
        let signal = try load(url, sampleRate: window.sampleRate, offset: window.offset, duration: window.duration,
                              resampler: preset.resampler)
        guard !signal.samples.isEmpty else { throw FeatureError.emptySignal(path: url.path) }
        return try checkedFinite(set.features(samples: signal.samples, sampleRate: signal.sampleRate, path: url.path), path: url.path)
    }

    /// `extract` for every clip of `urls` on `threads` threads: each result is the clip's
    /// features or its error, in `urls` order whatever the thread count.
    public static func extractAll(_ set: any FeatureSet, urls: [URL], preset: FeaturePreset = .notebook,
                                  window: Window = Window(), threads: Int = 2,
                                  progress: ((Int, Int) -> Void)? = nil) -> [Result<[Float], Error>] {
        extractBatch(count: urls.count, threads: threads, progress: progress) { i, _ in
            try extract(set, url: urls[i], preset: preset, window: window)
        }.results
    }
}

/// `mfcc-means`: the notebook's 40 MFCC means (librosa's `mfcc`, n_fft 2048, hop 512, 128 mel
/// bands, then the mean over frames). The same chain as `extractMFCCMeans`, so the same bits.
public struct MFCCMeansSet: FeatureSet {
    public let preset: FeaturePreset
    public let nMFCC: Int
    public init(preset: FeaturePreset = .notebook, nMFCC: Int = 40) {
        self.preset = preset
        self.nMFCC = nMFCC
    }

    public var name: String { "mfcc-means" }
    public var version: Int { 1 }
    public var summary: String { "the notebook's \(nMFCC) MFCC means over the analysis window (librosa's mfcc, then the mean over frames)" }
    public var columns: [String] { (1...nMFCC).map { "mfcc_\($0)" } }
    public var parameters: [(String, String)] {
        [("n_mfcc", "\(nMFCC)"), ("n_fft", "2048"), ("hop_length", "512"), ("n_mels", "128"), ("pad_mode", preset.padMode.rawValue)]
    }

    public func configured(preset: FeaturePreset) -> any FeatureSet { MFCCMeansSet(preset: preset, nMFCC: nMFCC) }

    public func features(samples: [Float], sampleRate: Int, path: String) throws -> [Float] {
        mfccMeans(mfcc(y: samples, sampleRate: sampleRate, nMFCC: nMFCC, padMode: preset.padMode))
    }
}

/// `mfcc-functionals`: librosa's 40 MFCCs (c0 included) with Δ and ΔΔ (`librosa.feature.delta`,
/// width 9, mode "interp"), each row summarised by mean, population standard deviation, the
/// 20th, 50th and 80th percentiles (numpy's linear interpolation) and the 20–80 range:
/// 40 × 3 × 6 = 720 columns named `mfcc3_delta_pctl80` (0-based coefficients).
public struct MFCCFunctionalsSet: FeatureSet {
    public let preset: FeaturePreset
    public let nMFCC: Int
    public init(preset: FeaturePreset = .notebook, nMFCC: Int = 40) {
        self.preset = preset
        self.nMFCC = nMFCC
    }

    public static let streams = ["", "_delta", "_delta2"]
    public static let statistics = ["mean", "std", "pctl20", "pctl50", "pctl80", "pctlrange"]

    public var name: String { "mfcc-functionals" }
    public var version: Int { 1 }
    public var summary: String {
        "\(nMFCC) MFCCs with Δ and ΔΔ (width 9), each: mean, std, 20/50/80th percentiles, 20–80 range (\(columns.count) columns)"
    }
    public var columns: [String] {
        Self.streams.flatMap { stream in
            (0..<nMFCC).flatMap { k in Self.statistics.map { "mfcc\(k)\(stream)_\($0)" } }
        }
    }
    public var parameters: [(String, String)] {
        [("n_mfcc", "\(nMFCC)"), ("n_fft", "2048"), ("hop_length", "512"), ("n_mels", "128"), ("pad_mode", preset.padMode.rawValue),
         ("delta_width", "9"), ("percentiles", "20,50,80")]
    }

    public func configured(preset: FeaturePreset) -> any FeatureSet { MFCCFunctionalsSet(preset: preset, nMFCC: nMFCC) }

    public func features(samples: [Float], sampleRate: Int, path: String) throws -> [Float] {
        let m = mfcc(y: samples, sampleRate: sampleRate, nMFCC: nMFCC, padMode: preset.padMode)
        guard m.frames >= 9 else {
            throw FeatureError.tooShortForDeltas(path: path, frames: m.frames)
        }
        return Self.functionals(m)
    }

    /// The 6 statistics of every row of `m`, of its Δ and of its ΔΔ, in `columns` order.
    public static func functionals(_ m: Spectrogram) -> [Float] {
        let rows = (0..<m.bins).map { k in (0..<m.frames).map { Double(m.values[$0 * m.bins + k]) } }
        var out: [Float] = []
        out.reserveCapacity(rows.count * 18)
        for order in 0...2 {
            for row in rows {
                let series = order == 0 ? row : delta(row, order: order)
                out += statistics(series).map { Float($0) }
            }
        }
        return out
    }

    /// `librosa.feature.delta(x, width=9, order=order, mode="interp")` for order 1 or 2: a
    /// Savitzky–Golay derivative (polynomial order = `order`) over 9 frames; "interp" fits the
    /// polynomial to the first and last 9 frames for the 4 frames at each edge, which for a
    /// polynomial of that order gives the derivative of the edge window's centre.
    /// Needs at least 9 frames.
    public static func delta(_ x: [Double], order: Int) -> [Double] {
        precondition(x.count >= 9 && (order == 1 || order == 2))
        func at(_ c: Int) -> Double {
            var s = 0.0
            for k in -4...4 {
                let w = order == 1 ? Double(k) / 60 : 2 * (Double(k * k) - 20.0 / 3) / 308
                s += w * x[c + k]
            }
            return s
        }
        let n = x.count
        return (0..<n).map { t in at(min(max(t, 4), n - 5)) }
    }

    /// Mean, population standard deviation, 20th/50th/80th percentiles (linear interpolation
    /// between order statistics, numpy's default) and the 80th minus the 20th.
    public static func statistics(_ x: [Double]) -> [Double] {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let sorted = x.sorted()
        func percentile(_ q: Double) -> Double {
            let pos = q / 100 * (n - 1)
            let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
        }
        let p20 = percentile(20), p50 = percentile(50), p80 = percentile(80)
        return [mean, variance.squareRoot(), p20, p50, p80, p80 - p20]
    }
}
