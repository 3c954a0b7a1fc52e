import Foundation
import Plot

/// The figures of one study run, rendered and written as PNG: 7 waveform envelopes (3 s at
/// 22050 Hz), 7 spectrograms (1025 × 130), the count plot, the training history, the confusion
/// matrix, the layer diagram, the box plot and the heatmap. Synthetic data is made first and not
/// timed. Figures are independent, so they are drawn on all cores. PNGs use libpng's fast
/// setting (zlib level 3, no row filters): for these flat-coloured figures files grow by about a
/// tenth while encoding takes a fraction of the time of zlib's default level 6 with filtering.
func runPlotBench() {
    let sr = 22050.0
    let emotions = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]   // seven categories, as TESS has
    let signals = emotions.indices.map { Gallery.sampleSignal(seconds: 3, sampleRate: sr, seed: $0) }
    let spectrograms = emotions.indices.map { Gallery.sampleSpectrogram(bins: 1025, frames: 130, sampleRate: sr, seed: $0) }
    let history = Gallery.sampleHistory(epochs: 25)
    let confusion = Gallery.sampleConfusion()
    let distributions = Gallery.sampleDistributions()
    let means = Gallery.sampleMeanMatrix()

    let out = FileManager.default.temporaryDirectory.appendingPathComponent("plot-bench-\(UUID().uuidString)")
    do {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    } catch {
        print("plot bench: cannot create \(out.path): \(error)")
        return
    }
    defer { try? FileManager.default.removeItem(at: out) }

    // Each job builds its figure from data and writes it, all inside the timed region.
    var jobs: [(String, @Sendable () -> Figure)] = []
    for (i, emotion) in emotions.enumerated() {
        jobs.append(("wave-\(emotion)", { Charts.envelope(values: signals[i], sampleRate: sr, title: emotion) }))
        jobs.append(("spectrogram-\(emotion)", {
            Charts.spectrogram(db: spectrograms[i], rows: 1025, cols: 130, xMax: 3, yMax: sr / 2, title: emotion)
        }))
    }
    jobs.append(("target-distribution", { Charts.countPlot(categories: emotions, counts: Array(repeating: 400, count: 7)) }))
    jobs.append(("training-history", {
        Charts.trainingHistory(epochs: Array(0..<25), trainAccuracy: history.trainAccuracy, valAccuracy: history.valAccuracy,
                               trainLoss: history.trainLoss, valLoss: history.valLoss, bestEpoch: history.best)
    }))
    jobs.append(("confusion-matrix", { Charts.confusionMatrix(counts: confusion, labels: emotions, title: "UAR 0.963, accuracy 0.963") }))
    jobs.append(("architecture", { Charts.layerDiagram(layers: Gallery.sampleLayers) }))
    jobs.append(("mfcc-distributions", { Charts.boxPlot(groups: emotions, values: distributions, title: "MFCC 2 by emotion", yLabel: "MFCC 2") }))
    jobs.append(("mfcc-means", {
        Charts.heatmap(matrix: means, rowLabels: emotions, colLabels: (1...40).map(String.init), title: "Mean MFCC per emotion",
                       colormap: .rdBu, colorbarLabel: "z-score", vmin: -3, vmax: 3)
    }))

    // Warm-up outside the timing: loads the fonts once, as a study run does for its first figure.
    _ = try? Charts.countPlot(categories: ["a"], counts: [1]).pngData()

    let work = jobs
    let results = JobResults(count: work.count)
    let cpuStart = processCPUSeconds()
    let start = Date()
    DispatchQueue.concurrentPerform(iterations: work.count) { k in
        let t0 = Date()
        let (name, make) = work[k]
        let url = out.appendingPathComponent(name + ".png")
        var failure: String?
        do {
            try make().write(to: url)
        } catch {
            failure = "\(error)"
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        results.record(k, seconds: Date().timeIntervalSince(t0), bytes: size, failure: failure)
    }
    let (seconds, bytes, failures) = results.values()
    let total = Date().timeIntervalSince(start)
    let cpu = processCPUSeconds() - cpuStart

    print("plot bench: \(jobs.count) figures rendered and written as PNG (libpng fast: zlib level 3, no filters), "
          + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
    for (k, (name, _)) in jobs.enumerated() {
        let status = failures[k].map { "FAILED: \($0)" } ?? "\(bytes[k] / 1024) KiB"
        print("  " + name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%7.1f ms  ", seconds[k] * 1000) + status)
    }
    // Wall time depends on what else the machine runs; CPU time (all threads) does not.
    print(String(format: "plot bench total: %.3f s wall, %.3f s CPU (target ≤ 1 s)", total, cpu))
}

/// Per-job time, file size and failure, filled in by the concurrent jobs. `@unchecked Sendable`
/// because the arrays are mutable state shared across threads: every access holds `lock`.
private final class JobResults: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: [Double]
    private var bytes: [Int]
    private var failures: [String?]

    init(count: Int) {
        seconds = Array(repeating: 0, count: count)
        bytes = Array(repeating: 0, count: count)
        failures = Array(repeating: nil, count: count)
    }

    func record(_ k: Int, seconds s: Double, bytes b: Int, failure: String?) {
        lock.withLock {
            seconds[k] = s
            bytes[k] = b
            failures[k] = failure
        }
    }

    func values() -> (seconds: [Double], bytes: [Int], failures: [String?]) {
        lock.withLock { (seconds, bytes, failures) }
    }
}

#if canImport(Glibc)
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// User plus system time of this process so far, all threads.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF_WHO, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
