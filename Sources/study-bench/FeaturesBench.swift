import Audio
import Features
import Foundation

/// `study-bench features [DIR] [--synthetic N] [--threads T] [--preset notebook|librosa|both]`:
/// extracts the 40 MFCC means (offset 0.5 s, duration 3 s, as the notebook) of every audio file
/// under DIR (default `../shared/tess-sample` beside the repository, or `$TESS_SHARED/tess-sample`),
/// or of N synthetic 2-second 24414 Hz clips written to a temporary folder, and prints clips/s
/// and the time per stage for each preset. One warm-up clip first builds the shared tables
/// (FFTW plan, mel and DCT matrices, the resampy filter); its time is printed separately.
func runFeaturesBench(directory: URL?, synthetic: Int?, threads: Int, presets: [FeaturePreset], micro: Bool) {
    guard let (urls, cleanup) = benchClips(directory: directory, synthetic: synthetic) else { return }
    defer { if let cleanup { try? FileManager.default.removeItem(at: cleanup) } }

    if micro { microBenchmark(urls[0]) }
    print("threads: \(threads); per-stage times are CPU-seconds summed over threads, per clip")
    for preset in presets {
        let warm0 = Date()
        _ = try? extractMFCCMeans(url: urls[0], preset: preset)
        let warm = Date().timeIntervalSince(warm0)
        var times = StageTimes()
        let t0 = Date()
        let results = extractFeaturesTimed(urls: urls, preset: preset, threads: threads, times: &times)
        let wall = Date().timeIntervalSince(t0)
        let failures = results.filter { if case .failure = $0 { return true } else { return false } }
        let perClip = { (s: Double) in String(format: "%.3f ms", s * 1000 / Double(urls.count)) }
        print(String(format: "[%@] %d clips in %.3f s wall = %.0f clips/s (warm-up clip %.3f s), %d failed",
                     preset.name, urls.count, wall, Double(urls.count) / wall, warm, failures.count))
        print("  load+resample \(perClip(times.load)) | STFT+power \(perClip(times.stft)) | mel \(perClip(times.mel)) | dB+DCT+mean \(perClip(times.dbDCT))")
        for case .failure(let e) in results.prefix(5) { print("  error: \(e)") }
    }
}

/// `study-bench features [DIR] --set NAME`: one registry set over every clip (the set's own
/// loading window, e.g. eGeMAPS' whole clip at its own rate), one warm-up clip first; prints the
/// wall time per clip. With `--threads 1` it is the peer of `tools/time_opensmile.py DIR`.
func runFeatureSetBench(_ set: any FeatureSet, directory: URL?, synthetic: Int?, threads: Int) {
    guard let (urls, cleanup) = benchClips(directory: directory, synthetic: synthetic) else { return }
    defer { if let cleanup { try? FileManager.default.removeItem(at: cleanup) } }
    _ = try? FeatureSets.extract(set, url: urls[0])
    let t0 = Date()
    let results = FeatureSets.extractAll(set, urls: urls, threads: threads)
    let wall = Date().timeIntervalSince(t0)
    let failed = results.filter { if case .failure = $0 { return true } else { return false } }.count
    print(String(format: "%@ v%d: %d clips in %.2f s on %d thread(s) = %.2f ms per clip (wall), %.0f clips/s; %d failed",
                 set.name, set.version, urls.count, wall, threads, wall * 1000 / Double(urls.count), Double(urls.count) / wall, failed))
    for case .failure(let e) in results.prefix(3) { print("  error: \(e)") }
    if set is EGeMAPSSet { eGeMAPSStages(urls) }
}

/// eGeMAPS' steps one by one over `urls` (one thread): where the time goes.
private func eGeMAPSStages(_ urls: [URL]) {
    var times: [(String, Double)] = []
    func time<T>(_ label: String, _ body: () -> T) -> T {
        let t0 = Date()
        let r = body()
        let dt = Date().timeIntervalSince(t0)
        if let i = times.firstIndex(where: { $0.0 == label }) { times[i].1 += dt } else { times.append((label, dt)) }
        return r
    }
    for url in urls {
        guard let signal = time("load (decode)", { try? load(url, sampleRate: nil) }) else { continue }
        let a = time("framing + FFT") { SmileAnalysis(signal: SmileAnalysis.openSMILEInput(signal.samples), sampleRate: Double(signal.sampleRate)) }
        let f0 = time("F0 (SHS + Viterbi)") { smileF0(a) }
        let formants = time("formants (LPC)") { smileFormants(a) }
        _ = time("jitter + shimmer") { smileJitterShimmer(a, f0: f0.f0Hz) }
        _ = time("harmonics + HNR") { smileHarmonics(a, f0: f0.f0Hz, formants: formants) }
        _ = time("loudness") { SmileLoudness.contour(a) }
        _ = time("spectral balance") { SmileSpectralBalance.contour(a) }
        _ = time("MFCC") { SmileMFCC.contour(a) }
        let c = time("whole contours (again)") { EGeMAPSChain.contours(signal: signal.samples, sampleRate: Double(signal.sampleRate)) }
        _ = time("functionals") { EGeMAPSFunctionals.compute(c) }
    }
    for (label, t) in times {
        print("  " + label.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%7.2f ms per clip", t * 1000 / Double(urls.count)))
    }
}

/// The clips a features bench times: N synthetic clips written to a temporary folder (removed by
/// the caller: the second value), or every audio file under `directory` (default: the shared TESS
/// sample). Nil, after saying why, when there are none.
private func benchClips(directory: URL?, synthetic: Int?) -> ([URL], URL?)? {
    if let synthetic {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("features-bench-\(UUID().uuidString)")
        do {
            let urls = try writeSyntheticClips(count: synthetic, to: dir)
            print("features bench: \(synthetic) synthetic 2-s clips at 24414 Hz in \(dir.path)")
            return (urls, dir)
        } catch {
            print("features bench: cannot write synthetic clips: \(error)")
            return nil
        }
    }
    let dir = directory ?? defaultClipDirectory()
    let urls = audioFiles(under: dir)
    guard !urls.isEmpty else {
        print("features bench: no audio files under \(dir.path); pass a directory or --synthetic N")
        return nil
    }
    print("features bench: \(urls.count) clips under \(dir.path)")
    return (urls, nil)
}

/// Each step in isolation on one clip, repeated: where the time goes.
private func microBenchmark(_ url: URL) {
    func time(_ label: String, _ body: () throws -> Void) {
        let reps = 200
        let t0 = Date()
        for _ in 0..<reps { try? body() }
        print("  " + label.padding(toLength: 28, withPad: " ", startingAt: 0)
              + String(format: "%8.4f ms", Date().timeIntervalSince(t0) * 1000 / Double(reps)))
    }
    guard let native = try? AudioFile.readMono(url, startFrame: 12207, frameCount: 73242),
          let y = try? resampleSoxr(native.samples, from: native.sampleRate, to: 22050) else { return }
    print("micro-benchmark on \(url.lastPathComponent) (\(native.samples.count) native samples, \(y.count) at 22050 Hz):")
    time("info", { _ = try AudioFile.info(url) })
    time("decode (readMono)", { _ = try AudioFile.readMono(url, startFrame: 12207, frameCount: 73242) })
    time("soxr HQ", { _ = try resampleSoxr(native.samples, from: native.sampleRate, to: 22050) })
    time("soxr HQ, 100 samples", { _ = try resampleSoxr(Array(native.samples.prefix(100)), from: native.sampleRate, to: 22050) })
    time("resampy kaiser_best", { _ = try resampleResampy(native.samples, from: native.sampleRate, to: 22050) })
    let s = stft(y)
    time("stft", { _ = stft(y) })
    let p = powerSpectrogram(s)
    time("power", { _ = powerSpectrogram(s) })
    let m = melSpectrogram(power: p, sampleRate: 22050)
    time("mel", { _ = melSpectrogram(power: p, sampleRate: 22050) })
    let db = powerToDB(m)
    time("power_to_db", { _ = powerToDB(m) })
    let c = mfcc(melDB: db, nMFCC: 40)
    time("dct", { _ = mfcc(melDB: db, nMFCC: 40) })
    time("means", { _ = mfccMeans(c) })
}

private func defaultClipDirectory() -> URL {
    if let env = ProcessInfo.processInfo.environment["TESS_SHARED"], !env.isEmpty {
        return URL(fileURLWithPath: env).appendingPathComponent("tess-sample")
    }
    // ../shared beside the repository (found from the working directory upwards).
    var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    while dir.path != "/" {
        let candidate = dir.deletingLastPathComponent().appendingPathComponent("shared/tess-sample")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        dir.deleteLastPathComponent()
    }
    return URL(fileURLWithPath: "../shared/tess-sample")
}

private func audioFiles(under dir: URL) -> [URL] {
    let extensions: Set<String> = ["wav", "aif", "aiff", "flac"]
    guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
    return e.compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) }
        .sorted { $0.path < $1.path }
}

/// N clips of 2 s at 24414 Hz, 16-bit: a rising chirp plus a little LCG noise, different per clip.
private func writeSyntheticClips(count: Int, to dir: URL) throws -> [URL] {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let rate = 24414
    return try (0..<count).map { c in
        var state: UInt32 = UInt32(truncatingIfNeeded: 12345 &+ c &* 7919)
        let f0 = 150.0 + Double(c % 50) * 5
        let samples: [Float] = (0..<(2 * rate)).map { n in
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise = Double(state >> 8) / Double(1 << 24) - 0.5
            let t = Double(n) / Double(rate)
            return Float(0.3 * sin(2 * Double.pi * (f0 * t + 400 * t * t)) + 0.02 * noise)
        }
        let url = dir.appendingPathComponent(String(format: "clip_%05d.wav", c))
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: url)
        return url
    }
}
