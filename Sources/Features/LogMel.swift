import Foundation

/// `logmel`: a log-mel spectrogram as a fixed-length sequence of frames × 64 bands, for models
/// that read time (a 2-D CNN, a recurrent net) rather than one vector per clip.
///
/// Each clip's matrix is librosa's
///
///     S = librosa.feature.melspectrogram(y, sr=22050, n_fft=1024, win_length=551,
///                                        hop_length=220, n_mels=64)
///     D = librosa.power_to_db(S)            # ref=1.0, amin=1e-10, top_db=80
///
/// (periodic Hann window of 551 points — 25 ms — zero-padded to 1024 and centred; center=True
/// with the preset's pad mode, reflect for `notebook`, zeros for `librosa`; power 2; 64 Slaney
/// mel bands from 0 Hz to Nyquist, Slaney norm, htk=False). `logMel(samples:sampleRate:)` gives
/// that matrix as computed, `1 + count / 220` frames.
///
/// The frame count rule: every clip gives `frames` = 1 + (duration × sampleRate) / 220 frames
/// (integer division), the frame count of a signal exactly as long as the analysis window —
/// 301 for the study's 3 s at 22050 Hz (`FeatureSets.Window`). A shorter clip is padded at the
/// end with frames whose every band holds the clip's own minimum dB value (silence at the
/// clip's floor, which after top_db is at least its maximum − 80 dB); a longer signal is cropped
/// to its first `frames` frames. The padding never touches the computed frames, so they equal
/// the unpadded computation. Values are frame-major: values[t * 64 + b].
///
/// Silence is finite: power is clamped at amin (1e-10) before the logarithm, so an all-zero
/// clip gives −100 dB everywhere.
public struct LogMelSet: FeatureSet {
    public static let nFFT = 1024
    public static let winLength = 551
    public static let hopLength = 220
    public static let nMels = 64

    public let preset: FeaturePreset
    /// The analysis window the frame count is computed for, in seconds (the study's 3 s).
    public let duration: Double
    /// The sample rate the frame count is computed for (the study's 22050 Hz).
    public let sampleRate: Int

    public init(preset: FeaturePreset = .notebook, duration: Double = 3, sampleRate: Int = 22050) {
        precondition(duration > 0 && sampleRate > 0, "duration and sampleRate must be positive")
        self.preset = preset
        self.duration = duration
        self.sampleRate = sampleRate
    }

    /// Frames per clip: 1 + (duration × sampleRate, rounded to a sample count) / hop.
    public var frames: Int {
        frameCount(samples: Int((duration * Double(sampleRate)).rounded()), nFFT: Self.nFFT, hop: Self.hopLength)
    }

    public var name: String { "logmel" }
    public var version: Int { 1 }
    public var summary: String {
        "log-mel spectrogram (librosa melspectrogram n_fft 1024, 25 ms window, 10 ms hop, \(Self.nMels) bands; "
            + "power_to_db), \(frames) frames × \(Self.nMels) bands, shorter clips padded with their minimum"
    }
    public var shape: FeatureShape { .sequence(frames: frames, bands: Self.nMels) }
    public var columns: [String] { (0..<Self.nMels).map { "mel\($0)" } }
    public var parameters: [(String, String)] {
        let seconds = duration == duration.rounded() ? String(Int(duration)) : String(duration)
        return [("sr", "\(sampleRate)"), ("n_fft", "\(Self.nFFT)"), ("win_length", "\(Self.winLength)"),
                ("hop_length", "\(Self.hopLength)"), ("window", "hann"), ("n_mels", "\(Self.nMels)"),
                ("mel_norm", "slaney"), ("htk", "false"), ("power", "2"),
                ("ref", "1.0"), ("amin", "1e-10"), ("top_db", "80"), ("pad_mode", preset.padMode.rawValue),
                ("window_seconds", seconds), ("frames", "\(frames)"), ("pad", "clip-minimum"), ("crop", "first-frames")]
    }

    public func configured(preset: FeaturePreset) -> any FeatureSet {
        LogMelSet(preset: preset, duration: duration, sampleRate: sampleRate)
    }

    /// The frame count of the study's window: its duration (nil: the set's own) at its rate.
    public func configured(window: FeatureSets.Window) -> any FeatureSet {
        LogMelSet(preset: preset, duration: window.duration ?? duration, sampleRate: window.sampleRate ?? sampleRate)
    }

    /// The unpadded log-mel matrix of `samples` (64 bins × `1 + count / 220` frames), as
    /// librosa's `power_to_db(melspectrogram(...))`; the mel filterbank is `sampleRate`'s.
    public func logMel(samples: [Float], sampleRate: Int) -> Spectrogram {
        let power = powerSpectrogram(samples, nFFT: Self.nFFT, hop: Self.hopLength, winLength: Self.winLength,
                                     center: true, padMode: preset.padMode)
        let mel = melSpectrogram(power: power,
                                 filterbank: MelCache.filterbank(sampleRate: sampleRate, nFFT: Self.nFFT, nMels: Self.nMels))
        return powerToDB(mel)
    }

    /// `frames` × 64 values, frame-major: `logMel` padded with its minimum or cropped (see the
    /// type's comment). An empty signal is an error naming `path`.
    public func features(samples: [Float], sampleRate: Int, path: String) throws -> [Float] {
        guard !samples.isEmpty else { throw FeatureError.emptySignal(path: path) }
        return Self.fitted(logMel(samples: samples, sampleRate: sampleRate), frames: frames)
    }

    /// `m`'s values, frame-major, with exactly `frames` frames: its first `frames` frames, then
    /// as many frames of its minimum value as it lacks. `m` must have at least one frame.
    public static func fitted(_ m: Spectrogram, frames: Int) -> [Float] {
        precondition(m.frames > 0, "a clip gives at least one frame")
        let kept = min(m.frames, frames)
        var out = Array(m.values[0..<(kept * m.bins)])
        if kept < frames {
            let floor = m.values.min()!
            out += [Float](repeating: floor, count: (frames - kept) * m.bins)
        }
        return out
    }
}
