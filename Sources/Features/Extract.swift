import Base
import Audio
import Dispatch
import Foundation

/// Why features could not be computed for a clip.
public enum FeatureError: Error, CustomStringConvertible, Equatable {
    case emptySignal(path: String)
    /// The features came out NaN or infinite: samples so large (a float file holding 1e30, say)
    /// that their power overflows Float. The clip is unusable, not the analysis.
    case nonFinite(path: String, count: Int)
    /// Fewer than 9 frames: Δ and ΔΔ need a 9-frame window (librosa refuses too).
    case tooShortForDeltas(path: String, frames: Int)

    public var description: String {
        switch self {
        case .emptySignal(let path):
            return "\(path): no samples to analyse after loading; check the offset and duration"
        case .tooShortForDeltas(let path, let frames):
            return "\(path): \(frames) analysis frames, fewer than the 9 that Δ and ΔΔ need (about 0.2 s); use a longer clip or another feature set"
        case .nonFinite(let path, let count):
            return "\(path): \(count) of its features are NaN or infinite (samples far outside −1…1 overflow the "
                + "spectrum's power); the clip cannot be classified: re-export it with samples in −1…1"
        }
    }
}

/// Seconds spent in each stage of the feature chain (summed over clips and threads).
public struct StageTimes: Sendable {
    public var load = 0.0     // decode + mixdown + resample
    public var stft = 0.0     // STFT + power
    public var mel = 0.0      // mel projection
    public var dbDCT = 0.0    // power_to_db + DCT + means
    public init() {}
    public var total: Double { load + stft + mel + dbDCT }
    public static func += (a: inout StageTimes, b: StageTimes) {
        a.load += b.load; a.stft += b.stft; a.mel += b.mel; a.dbDCT += b.dbDCT
    }
}

@inline(__always)
private func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

/// The MFCC chain on a loaded signal: STFT (n_fft 2048, hop 512, Hann, centred with
/// `padMode`) → power → 128 Slaney mel bands → power_to_db (ref 1, amin 1e-10, top_db 80) →
/// DCT-II ortho → first `nMFCC` coefficients, i.e. `librosa.feature.mfcc(y=y, sr=sampleRate,
/// n_mfcc=nMFCC, pad_mode=padMode)`. Returns `nMFCC × frames`.
public func mfcc(y: [Float], sampleRate: Int, nMFCC: Int = 20, nFFT: Int = 2048, hop: Int = 512,
                 padMode: PadMode = .constant, nMels: Int = 128) -> Spectrogram {
    var times = StageTimes()
    return mfccTimed(y: y, sampleRate: sampleRate, nMFCC: nMFCC, nFFT: nFFT, hop: hop, padMode: padMode,
                     nMels: nMels, times: &times)
}

func mfccTimed(y: [Float], sampleRate: Int, nMFCC: Int, nFFT: Int = 2048, hop: Int = 512,
               padMode: PadMode, nMels: Int = 128, times: inout StageTimes) -> Spectrogram {
    let t0 = now()
    let power = powerSpectrogram(y, nFFT: nFFT, hop: hop, center: true, padMode: padMode)
    let t1 = now()
    let mel = melSpectrogram(power: power, filterbank: MelCache.filterbank(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels))
    let t2 = now()
    let coefficients = mfcc(melDB: powerToDB(mel), nMFCC: nMFCC)
    let t3 = now()
    times.stft += t1 - t0
    times.mel += t2 - t1
    times.dbDCT += t3 - t2
    return coefficients
}

/// The notebook's feature for one clip: `np.mean(librosa.feature.mfcc(y=librosa.load(url,
/// duration=duration, offset=offset)…, n_mfcc=nMFCC).T, axis=0)` with `preset`'s resampler and
/// padding. Throws `AudioError` (unreadable, too short for the offset, NaN/inf samples, …) or
/// `FeatureError`; never returns NaN (silence gives finite values: every band at −100 dB).
public func extractMFCCMeans(url: URL, preset: FeaturePreset = .notebook, offset: Double = 0.5,
                             duration: Double? = 3, nMFCC: Int = 40, sampleRate: Int = 22050) throws -> [Float] {
    var times = StageTimes()
    return try extractMFCCMeansTimed(url: url, preset: preset, offset: offset, duration: duration,
                                     nMFCC: nMFCC, sampleRate: sampleRate, times: &times)
}

/// `extractMFCCMeans`, adding the seconds spent per stage to `times` (for benchmarks).
public func extractMFCCMeansTimed(url: URL, preset: FeaturePreset = .notebook, offset: Double = 0.5,
                                  duration: Double? = 3, nMFCC: Int = 40, sampleRate: Int = 22050,
                                  times: inout StageTimes) throws -> [Float] {
    let t0 = now()
    let signal = try load(url, sampleRate: sampleRate, offset: offset, duration: duration, resampler: preset.resampler)
    times.load += now() - t0
    guard !signal.samples.isEmpty else { throw FeatureError.emptySignal(path: url.path) }
    let coefficients = mfccTimed(y: signal.samples, sampleRate: signal.sampleRate, nMFCC: nMFCC,
                                 padMode: preset.padMode, times: &times)
    let t1 = now()
    let means = mfccMeans(coefficients)
    times.dbDCT += now() - t1
    return try checkedFinite(means, path: url.path)
}

/// `extractMFCCMeans` for many clips on `threads` threads (both cores by default). Each result
/// is the clip's 40 means or the error that clip raised; one bad clip never stops the batch.
/// `progress(done, total)` is called after each clip, from the worker threads, one call at a time.
public func extractFeatures(urls: [URL], preset: FeaturePreset = .notebook, offset: Double = 0.5,
                            duration: Double? = 3, nMFCC: Int = 40, sampleRate: Int = 22050,
                            threads: Int = 2, progress: ((Int, Int) -> Void)? = nil) -> [Result<[Float], Error>] {
    var times = StageTimes()
    return extractFeaturesTimed(urls: urls, preset: preset, offset: offset, duration: duration, nMFCC: nMFCC,
                                sampleRate: sampleRate, threads: threads, times: &times, progress: progress)
}

/// `extractFeatures`, also returning the per-stage seconds summed over all threads.
public func extractFeaturesTimed(urls: [URL], preset: FeaturePreset = .notebook, offset: Double = 0.5,
                                 duration: Double? = 3, nMFCC: Int = 40, sampleRate: Int = 22050,
                                 threads: Int = 2, times: inout StageTimes,
                                 progress: ((Int, Int) -> Void)? = nil) -> [Result<[Float], Error>] {
    let (results, total) = extractBatch(count: urls.count, threads: threads, progress: progress) { i, local in
        try extractMFCCMeansTimed(url: urls[i], preset: preset, offset: offset, duration: duration,
                                  nMFCC: nMFCC, sampleRate: sampleRate, times: &local)
    }
    times += total
    return results
}

/// The batch loop of every extraction: `body(i, &times)` for i in 0..<count on `threads`
/// workers that pull indices from a shared counter (a slow clip never idles a core); each
/// result at its index, so the output does not depend on the thread count; one failure never
/// stops the batch. `progress(done, count)` is called after each item, one call at a time.
func extractBatch(count: Int, threads: Int, progress: ((Int, Int) -> Void)?,
                  _ body: (Int, inout StageTimes) throws -> [Float]) -> (results: [Result<[Float], Error>], times: StageTimes) {
    let workers = max(1, min(threads, count))
    let lock = NSLock()
    let results = UnsafeMutableBufferPointer<Result<[Float], Error>?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    var next = 0
    var done = 0
    var total = StageTimes()
    // `next`, `done`, `total`, `results` and the progress calls are only touched under `lock`.
    ConcurrentLoop.perform(iterations: workers) { _ in
        var local = StageTimes()
        while true {
            lock.lock()
            let i = next
            next += 1
            lock.unlock()
            if i >= count { break }
            let r = Result { try body(i, &local) }
            lock.lock()
            results[i] = r
            done += 1
            progress?(done, count)
            lock.unlock()
        }
        lock.lock()
        total += local
        lock.unlock()
    }
    return (results.map { $0! }, total)
}

/// `features`, or `FeatureError.nonFinite` naming `path` when any is NaN or infinite.
func checkedFinite(_ features: [Float], path: String) throws -> [Float] {
    let bad = features.count { !$0.isFinite }
    guard bad == 0 else { throw FeatureError.nonFinite(path: path, count: bad) }
    return features
}
