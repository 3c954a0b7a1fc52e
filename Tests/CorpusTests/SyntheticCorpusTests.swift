import Audio
import Foundation
import TestSupport
import XCTest
@testable import Corpus

/// Properties a listener would check, measured from the written audio with estimators written
/// here (RMS, autocorrelation F0, duration), never read back from the synthesizer's settings.
final class SyntheticCorpusTests: XCTestCase {
    static let words = 3
    /// One small corpus (3 words × 2 speakers × 7 emotions = 42 clips) shared by the tests.
    static let shared: Result<URL, Error> = Result {
        let folder = try SharedData.temporaryDirectory("synthetic-shared")
        try SyntheticCorpus.synthesize(to: folder, words: words, seed: 42)
        return folder
    }

    override class func tearDown() {
        if case .success(let folder) = shared { try? FileManager.default.removeItem(at: folder) }
        super.tearDown()
    }

    func testLayoutCountsAndFormatMatchTESS() throws {
        let folder = try Self.shared.get()
        let scan = try TESSCorpus.scan(root: folder)
        XCTAssertEqual(scan.clips.count, 42)
        XCTAssertTrue(scan.skipped.isEmpty, "\(scan.skipped)")
        XCTAssertTrue(scan.duplicates.isEmpty)
        XCTAssertEqual(scan.countsByLabel.map(\.count), Array(repeating: 6, count: 7))
        XCTAssertEqual(scan.countsBySpeaker.map(\.speaker), ["SOF", "SYF"])
        XCTAssertEqual(scan.countsBySpeaker.map(\.count), [21, 21])
        XCTAssertEqual(Set(scan.clips.map(\.word)), Set(TESSWords.all.prefix(3)))
        XCTAssertTrue(scan.clips.contains { $0.path == "SOF_ps/SOF_back_ps.wav" })
        for clip in scan.clips {
            let info = try AudioFile.info(clip.url)
            XCTAssertEqual(info.format, "WAV")
            XCTAssertEqual(info.encoding, "PCM_16")
            XCTAssertEqual(info.sampleRate, 24414)
            XCTAssertEqual(info.channels, 1)
            XCTAssertTrue((1.2...3.0).contains(clip.duration), "\(clip.path): \(clip.duration) s")
        }
        let manifest = try XCTUnwrap(SyntheticCorpus.readManifest(in: folder))
        XCTAssertEqual(manifest.seed, "42")
        XCTAssertEqual(manifest.words, 3)
    }

    /// Speech starts close to the clip's start, as in TESS (and not 0.5 s in, which the study's
    /// offset would cut away).
    func testClipsStartWithAShortLeadIn() throws {
        let scan = try TESSCorpus.scan(root: try Self.shared.get())
        for clip in scan.clips {
            let x = try AudioFile.readMono(clip.url).samples
            let onset = try XCTUnwrap(x.firstIndex { abs($0) > 0.02 }, clip.path)
            XCTAssertLessThan(Double(onset) / 24414, 0.25, clip.path)
        }
    }

    func testEmotionsDifferInTheDirectionsOfMurrayAndArnott() throws {
        let scan = try TESSCorpus.scan(root: try Self.shared.get())
        var rms: [String: [Double]] = [:]
        var duration: [String: [Double]] = [:]
        var pitch: [String: [Double]] = [:]
        for clip in scan.clips {
            let signal = try AudioFile.readMono(clip.url)
            rms[clip.label, default: []].append(Acoustics.rms(signal.samples))
            duration[clip.label, default: []].append(signal.duration)
            if let f0 = Acoustics.meanF0(signal.samples, sampleRate: signal.sampleRate) {
                pitch[clip.label, default: []].append(f0)
            }
        }
        func mean(_ values: [Double]?) -> Double { let v = values ?? []; return v.reduce(0, +) / Double(max(v.count, 1)) }
        let summary = TESSCorpus.labels.map {
            String(format: "%@ rms %.4f dur %.2f f0 %.0f", $0, mean(rms[$0]), mean(duration[$0]), mean(pitch[$0]))
        }.joined(separator: "; ")
        print("measured: \(summary)")
        // Intensity: anger louder than neutral, sadness softer.
        XCTAssertGreaterThan(mean(rms["angry"]), 1.3 * mean(rms["neutral"]), summary)
        XCTAssertGreaterThan(mean(rms["neutral"]), 1.3 * mean(rms["sad"]), summary)
        // Rate: sadness and disgust slower (longer clips) than anger and fear.
        XCTAssertGreaterThan(mean(duration["sad"]), mean(duration["angry"]) + 0.2, summary)
        XCTAssertGreaterThan(mean(duration["disgust"]), mean(duration["fear"]) + 0.3, summary)
        // Pitch: pleasant surprise, fear and anger above neutral; sadness and disgust below.
        XCTAssertGreaterThan(mean(pitch["ps"]), 1.3 * mean(pitch["sad"]), summary)
        XCTAssertGreaterThan(mean(pitch["fear"]), mean(pitch["neutral"]) + 15, summary)
        XCTAssertGreaterThan(mean(pitch["angry"]), mean(pitch["neutral"]) + 15, summary)
        XCTAssertLessThan(mean(pitch["sad"]), mean(pitch["neutral"]), summary)
        XCTAssertLessThan(mean(pitch["disgust"]), mean(pitch["neutral"]), summary)
    }

    /// The older speaker is lower-pitched than the younger one.
    func testOlderSpeakerIsLower() throws {
        let scan = try TESSCorpus.scan(root: try Self.shared.get())
        var pitch: [String: [Double]] = [:]
        for clip in scan.clips where clip.label == "neutral" || clip.label == "happy" {
            let signal = try AudioFile.readMono(clip.url)
            if let f0 = Acoustics.meanF0(signal.samples, sampleRate: signal.sampleRate) { pitch[clip.speaker, default: []].append(f0) }
        }
        let sof = (pitch["SOF"] ?? []).reduce(0, +) / Double(max(pitch["SOF"]?.count ?? 0, 1))
        let syf = (pitch["SYF"] ?? []).reduce(0, +) / Double(max(pitch["SYF"]?.count ?? 0, 1))
        XCTAssertGreaterThan(syf, sof + 10, "SOF \(sof) Hz, SYF \(syf) Hz")
    }

    /// Same seed, same bytes, even within one process after other synthesis; another seed
    /// changes the clips.
    func testSameSeedGivesIdenticalBytesAndOtherSeedDiffers() throws {
        let a = try SharedData.temporaryDirectory("synthetic-a")
        let b = try SharedData.temporaryDirectory("synthetic-b")
        let c = try SharedData.temporaryDirectory("synthetic-c")
        defer { [a, b, c].forEach { try? FileManager.default.removeItem(at: $0) } }
        try SyntheticCorpus.synthesize(to: a, words: 1, seed: 7)
        try SyntheticCorpus.synthesize(to: c, words: 1, seed: 8)
        // espeak-ng's breath noise comes from libc's rand(), which the synthesizer's forked child
        // inherits: what this process drew from it before must not change the clips (it once
        // changed every SYF clip of a default run).
        for _ in 0..<1000 { _ = rand() }
        try SyntheticCorpus.synthesize(to: b, words: 1, seed: 7)
        let paths = try TESSCorpus.scan(root: a).clips.map(\.path)
        XCTAssertEqual(paths.count, 14)
        var differing = 0
        for path in paths {
            let bytesA = try Data(contentsOf: a.appendingPathComponent(path))
            XCTAssertEqual(bytesA, try Data(contentsOf: b.appendingPathComponent(path)), path)
            if bytesA != (try Data(contentsOf: c.appendingPathComponent(path))) { differing += 1 }
        }
        XCTAssertEqual(differing, paths.count)
    }

    func testEnsureBuildsOnceReusesAndRebuildsOnChange() throws {
        let parent = try SharedData.temporaryDirectory("synthetic-cache")
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("corpus")
        var calls: [(Int, Int)] = []
        let built = try SyntheticCorpus.ensure(at: folder, words: 1, seed: 1) { calls.append(($0, $1)) }
        XCTAssertEqual(built.path, folder.standardizedFileURL.path)
        XCTAssertEqual(calls.last?.0, 14)
        XCTAssertEqual(calls.last?.1, 14)
        XCTAssertEqual(try TESSCorpus.scan(root: folder).clips.count, 14)

        calls = []
        _ = try SyntheticCorpus.ensure(at: folder, words: 1, seed: 1) { calls.append(($0, $1)) }
        XCTAssertTrue(calls.isEmpty, "a finished corpus with the same settings is reused")

        _ = try SyntheticCorpus.ensure(at: folder, words: 1, seed: 2) { calls.append(($0, $1)) }
        XCTAssertFalse(calls.isEmpty, "a changed seed rebuilds")
        XCTAssertEqual(SyntheticCorpus.readManifest(in: folder)?.seed, "2")

        calls = []
        try FileManager.default.removeItem(at: folder.appendingPathComponent("SYF_sad/SYF_back_sad.wav"))
        _ = try SyntheticCorpus.ensure(at: folder, words: 1, seed: 2) { calls.append(($0, $1)) }
        XCTAssertFalse(calls.isEmpty, "a missing clip rebuilds")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("SYF_sad/SYF_back_sad.wav").path))

        calls = []
        try Data("{ not json".utf8).write(to: folder.appendingPathComponent(SyntheticCorpus.manifestName))
        _ = try SyntheticCorpus.ensure(at: folder, words: 1, seed: 2) { calls.append(($0, $1)) }
        XCTAssertFalse(calls.isEmpty, "a corrupt manifest rebuilds")
        XCTAssertEqual(SyntheticCorpus.readManifest(in: folder)?.seed, "2")

        _ = try SyntheticCorpus.ensure(at: folder, words: 2, seed: 2) { calls.append(($0, $1)) }
        XCTAssertEqual(calls.last?.1, 28)
        XCTAssertEqual(try TESSCorpus.scan(root: folder).clips.count, 28, "a changed word count rebuilds")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent.path)
        // The lock lives beside the corpus (it must outlive the folder it guards being replaced).
        XCTAssertEqual(leftovers.sorted(), [".corpus.lock", "corpus"], "no temporary build folder is left behind")
    }

    func testEnsureRefusesToReplaceAFolderItDidNotBuild() throws {
        let folder = try SharedData.temporaryDirectory("synthetic-foreign")
        defer { try? FileManager.default.removeItem(at: folder) }
        let precious = folder.appendingPathComponent("thesis.txt")
        try Data("do not delete".utf8).write(to: precious)
        XCTAssertThrowsError(try SyntheticCorpus.ensure(at: folder, words: 1)) { error in
            XCTAssertTrue("\(error)".contains(folder.lastPathComponent), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: precious.path))
    }

    /// Without espeak-ng's data the error says what is missing and how to install it, and the
    /// test process is not taken down with it.
    func testMissingEspeakDataIsAClearError() throws {
        let empty = try SharedData.temporaryDirectory("espeak-empty")
        let folder = try SharedData.temporaryDirectory("synthetic-nodata")
        defer { [empty, folder].forEach { try? FileManager.default.removeItem(at: $0) } }
        let previous = ProcessInfo.processInfo.environment["ESPEAK_DATA_PATH"]
        setenv("ESPEAK_DATA_PATH", empty.path, 1)
        defer { if let previous { setenv("ESPEAK_DATA_PATH", previous, 1) } else { unsetenv("ESPEAK_DATA_PATH") } }
        XCTAssertThrowsError(try SyntheticCorpus.synthesize(to: folder, words: 1)) { error in
            guard case CorpusError.speechUnavailable = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("espeak-ng-data"), "\(error)")
        }
    }

    func testRejectsOutOfRangeSettings() throws {
        let folder = try SharedData.temporaryDirectory("synthetic-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try SyntheticCorpus.synthesize(to: folder, words: 0))
        XCTAssertThrowsError(try SyntheticCorpus.synthesize(to: folder, words: 201))
        XCTAssertThrowsError(try SyntheticCorpus.synthesize(to: folder, words: 1, variation: -1))
    }
}

/// Independent acoustic measurements for the tests.
enum Acoustics {
    static func rms(_ x: [Float]) -> Double {
        (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(x.count, 1))).squareRoot()
    }

    /// Mean fundamental frequency over voiced 40 ms frames, by normalised autocorrelation on the
    /// signal decimated by 3 (F0 searched in 100–600 Hz). A frame is voiced when it is within
    /// 20 dB of the loudest frame and its autocorrelation peak exceeds half its energy.
    static func meanF0(_ signal: [Float], sampleRate: Int) -> Double? {
        var x: [Float] = []
        for i in stride(from: 0, to: signal.count - 2, by: 3) {
            let sum: Float = signal[i] + signal[i + 1] + signal[i + 2]
            x.append(sum / 3)
        }
        let rate = Double(sampleRate) / 3
        let frame = Int(0.04 * rate)
        let hop = frame
        let minLag = Int(rate / 600)
        let maxLag = Int(rate / 100)
        guard x.count > frame + maxLag else { return nil }
        let starts = Array(stride(from: 0, to: x.count - frame - maxLag, by: hop))
        let energies = starts.map { s in (s..<(s + frame)).reduce(Float(0)) { $0 + x[$1] * x[$1] } }
        guard let loudest = energies.max(), loudest > 0 else { return nil }
        var estimates: [Double] = []
        for (s, energy) in zip(starts, energies) where energy > loudest / 100 {
            var bestLag = 0
            var best: Float = 0
            for lag in minLag...maxLag {
                var sum: Float = 0
                for i in s..<(s + frame) { sum += x[i] * x[i + lag] }
                if sum > best { best = sum; bestLag = lag }
            }
            if bestLag > 0, best > 0.5 * energy { estimates.append(rate / Double(bestLag)) }
        }
        return estimates.isEmpty ? nil : estimates.reduce(0, +) / Double(estimates.count)
    }
}
