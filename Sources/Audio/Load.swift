import Foundation

/// Which band-limited resampler `load` uses.
public enum Resampler: String, Sendable, CaseIterable {
    /// libsoxr, "HQ" recipe: `res_type="soxr_hq"`, the default of librosa ≥ 0.10.
    case soxrHQ
    /// resampy's Kaiser-windowed sinc `kaiser_best`: `res_type="kaiser_best"`, the default of
    /// librosa ≤ 0.9 (what the original notebook ran on).
    case kaiserBest
}

/// Resamples mono `x` from `inRate` to `outRate` with `resampler`, returning
/// `ceil(x.count * outRate / inRate)` samples as `librosa.resample` does.
public func resample(_ x: [Float], from inRate: Int, to outRate: Int, resampler: Resampler) throws -> [Float] {
    switch resampler {
    case .soxrHQ: return try resampleSoxr(x, from: inRate, to: outRate)
    case .kaiserBest: return try resampleResampy(x, from: inRate, to: outRate)
    }
}

/// Reads a clip the way `librosa.load(path, sr=sampleRate, offset=offset, duration=duration,
/// res_type=…)` does.
///
/// - Seeks to frame `Int(offset * nativeRate)` and reads `Int(duration * nativeRate)` frames
///   (all the rest when `duration` is nil); a file shorter than that simply yields fewer
///   samples, never padding.
/// - Mixes the channels down to mono by averaging (`librosa.to_mono`), in Float32.
/// - Resamples to `sampleRate` (22050 by default, librosa's default) with `resampler`; `nil`
///   keeps the file's native rate.
///
/// Errors (all `AudioError`, each naming the file): missing, empty or unreadable files; a clip
/// with no samples at or after `offset` (`shorterThanOffset`; librosa would fail there too);
/// NaN or infinite samples (`invalidSamples`); a negative offset or duration.
public func load(_ url: URL, sampleRate: Int? = 22050, offset: Double = 0, duration: Double? = nil,
                 resampler: Resampler = .soxrHQ) throws -> Signal {
    guard offset >= 0, offset.isFinite else {
        throw AudioError.invalidArgument(path: url.path, reason: "offset must be a finite number of seconds ≥ 0, not \(offset)")
    }
    if let duration, !(duration >= 0 && duration.isFinite) {
        throw AudioError.invalidArgument(path: url.path, reason: "duration must be a finite number of seconds ≥ 0, not \(duration)")
    }
    if let sampleRate, sampleRate <= 0 {
        throw AudioError.invalidArgument(path: url.path, reason: "the target sample rate must be positive, not \(sampleRate)")
    }
    let (signal, _) = try AudioFile.readMono(url) { info in
        let native = Double(info.sampleRate)
        let start = Int(offset * native)
        let frames = duration.map { Int($0 * native) }
        if start >= info.frames && frames != 0 {
            if info.frames == 0 {
                throw AudioError.noAudio(path: url.path, reason: "the file holds no audio frames")
            }
            throw AudioError.shorterThanOffset(path: url.path, duration: info.duration, offset: offset)
        }
        return (start, frames)
    }
    let native = signal.sampleRate
    guard let target = sampleRate, target != native else { return signal }
    if signal.samples.isEmpty { return Signal(samples: [], sampleRate: target) }   // duration 0
    do {
        let y = try resample(signal.samples, from: native, to: target, resampler: resampler)
        return Signal(samples: y, sampleRate: target)
    } catch AudioError.resampleFailed(let reason) {
        throw AudioError.resampleFailed(reason: "\(url.path): \(reason)")
    }
}
