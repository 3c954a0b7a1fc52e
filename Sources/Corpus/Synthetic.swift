import Base
import Audio
import Foundation

/// A TESS-shaped corpus spoken by espeak-ng: two female speakers (SOF older and lower, SYF
/// younger), the 200 TESS words in "Say the word ___", seven emotions, 16-bit mono WAV at
/// 24414 Hz in TESS's layout `<SPK>_<emotion>/<SPK>_<word>_<emotion>.wav`, so that the very same
/// loader (`TESSCorpus.scan`) reads it. It lets the study run end to end with no download.
public enum SyntheticCorpus {
    /// Bumped whenever a change to the generator changes its output, so caches rebuild.
    public static let generatorVersion = 1
    /// TESS's native rate.
    public static let sampleRate = 24414
    /// Written last, atomically: a folder without a valid manifest is not a finished corpus.
    public static let manifestName = ".tess-synthetic.json"
    /// The libespeak-ng version that synthesizes the corpus (recorded in the manifest).
    public static var espeakVersion: String { EspeakProcess.version }
    /// How much each clip departs at random from its emotion's style (0 = none). At 1 the
    /// classes overlap enough that a classifier does not reach a trivial 100%; raise it to make
    /// the corpus harder, lower it to make it easier.
    public static let defaultVariation = 1.0
    /// TESS's shortest and longest clip, in seconds; every synthetic clip lies within.
    public static let durationRange: ClosedRange<Double> = 1.25...2.99

    /// What a built corpus folder holds, as recorded in its manifest.
    public struct Manifest: Codable, Equatable, Sendable {
        public var generator = "espeak-ng TESS-shaped corpus"
        public var version = SyntheticCorpus.generatorVersion
        /// Decimal string: JSON numbers cannot hold every UInt64 exactly.
        public var seed: String
        public var words: Int
        public var variation: Double
        public var clips: Int
        public var sampleRate = SyntheticCorpus.sampleRate
        /// Another espeak-ng release may speak differently, so it is part of the cache key.
        public var espeak = EspeakProcess.version
    }

    /// Returns `folder` holding a finished corpus built with these settings, building it first
    /// when the folder is missing, unfinished, or was built with another seed, word count,
    /// variation or generator version. A rebuild goes to a temporary sibling folder that is
    /// renamed into place, so an interrupted build never looks finished. A non-empty folder
    /// without our manifest is never deleted: that is an error instead.
    ///
    /// Runs that share the folder take turns: the check and the build happen under a
    /// `FileLock` on the hidden sibling folder `.<name>.lock` (not on the corpus folder itself,
    /// which a rebuild replaces, nor on its parent, which the caller may lock for its own
    /// purposes). A second run, in this process or another, blocks until the first has finished,
    /// after calling `waiting` once with a message saying so, and then finds the corpus built.
    public static func ensure(at folder: URL, words: Int = 200, seed: UInt64 = 42,
                              variation: Double = defaultVariation,
                              progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                              waiting: (_ message: String) -> Void = { _ in }) throws -> URL {
        let folder = folder.standardizedFileURL
        let expected = try manifest(words: words, seed: seed, variation: variation)
        let lock: FileLock
        do {
            lock = try FileLock(folder: lockFolder(for: folder), what: "synthetic corpus", wait: true, waiting: waiting)
        } catch let e as WriteError {
            throw CorpusError.writeFailed(path: e.path, reason: e.reason)
        } catch {
            throw CorpusError.writeFailed(path: lockFolder(for: folder).path, reason: SystemErrorText.describe(error))
        }
        defer { withExtendedLifetime(lock) {} }
        if readManifest(in: folder) == expected, allClipsPresent(in: folder, words: words) { return folder }

        let fm = FileManager.default
        if fm.fileExists(atPath: folder.path) {
            let ours = fm.fileExists(atPath: folder.appendingPathComponent(manifestName).path)
            let contents = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
            guard ours || contents.isEmpty else {
                throw CorpusError.invalidArgument("\(folder.path): exists and is not a synthetic corpus (no \(manifestName)); "
                    + "choose an empty or new folder for the synthetic corpus, or delete this one")
            }
        }
        let parent = folder.deletingLastPathComponent()
        let temp = parent.appendingPathComponent(".\(folder.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw CorpusError.writeFailed(path: parent.path, reason: SystemErrorText.describe(error))
        }
        defer { try? fm.removeItem(at: temp) }
        try synthesize(to: temp, words: words, seed: seed, variation: variation, progress: progress)
        do {
            if fm.fileExists(atPath: folder.path) { try fm.removeItem(at: folder) }
            try fm.moveItem(at: temp, to: folder)
        } catch {
            throw CorpusError.writeFailed(path: folder.path, reason: "cannot move the new corpus into place: \(SystemErrorText.describe(error))")
        }
        return folder
    }

    /// Refuses to synthesize into `folder` when it holds anything but an earlier synthetic
    /// corpus (recognised by its manifest) and `force` is false: a clip of the corpus would
    /// overwrite a file of the user's at the same path.
    public static func checkTarget(_ folder: URL, force: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw CorpusError.invalidArgument("\(folder.path): is a file, not a folder; choose a new or empty folder for the corpus")
        }
        let contents = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
        if contents.isEmpty || force || fm.fileExists(atPath: folder.appendingPathComponent(manifestName).path) { return }
        throw CorpusError.invalidArgument("\(folder.path): holds \(contents.count) entr\(contents.count == 1 ? "y" : "ies") and is not a synthetic "
            + "corpus (no \(manifestName)); its files could be overwritten. Choose a new or empty folder, or pass --force to write into it anyway")
    }

    /// The folder holding `ensure`'s lock for corpus folder `folder`: `.<name>.lock` beside it.
    static func lockFolder(for folder: URL) -> URL {
        folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).lock", isDirectory: true)
    }

    /// Writes the corpus into `folder` (created if needed; other files there are left alone)
    /// and its manifest last. `words` takes the first N of the 200 TESS words; the clip count
    /// is 2 speakers × 7 emotions × N. `progress` is called (serially, from worker threads)
    /// after each clip is written. Returns the number of clips written.
    @discardableResult
    public static func synthesize(to folder: URL, words: Int = 200, seed: UInt64 = 42,
                                  variation: Double = defaultVariation,
                                  progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Int {
        let manifest = try manifest(words: words, seed: seed, variation: variation)
        let plans = plan(words: Array(TESSWords.all.prefix(words)), seed: seed, variation: variation)
        let fm = FileManager.default
        for dir in Set(plans.map { $0.relativePath.split(separator: "/").first.map(String.init) ?? "" }).sorted() {
            do {
                try fm.createDirectory(at: folder.appendingPathComponent(dir), withIntermediateDirectories: true)
            } catch {
                throw CorpusError.writeFailed(path: folder.appendingPathComponent(dir).path, reason: SystemErrorText.describe(error))
            }
        }
        // The previous manifest says which clips this synthesizer wrote here before; those the new
        // corpus does not list are removed (before the new manifest is written, so that an
        // interruption leaves a manifest that still lists them). Files it did not write stay.
        let previous = readManifest(in: folder)
        try render(plans, into: folder, progress: progress)
        if let previous, previous.words > words {
            let keep = Set(plans.map(\.relativePath))
            for path in relativePaths(words: Array(TESSWords.all.prefix(min(previous.words, TESSWords.all.count))))
            where !keep.contains(path) {
                let url = folder.appendingPathComponent(path)
                if unlink(url.path) != 0, errno != ENOENT {
                    throw CorpusError.writeFailed(path: url.path, reason: "cannot remove a clip of the previous corpus: \(String(cString: strerror(errno)))")
                }
            }
        }
        do {
            // Sorted keys: the same corpus writes the same manifest bytes in every process.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(manifest)
            try writeAtomically(data, to: folder.appendingPathComponent(manifestName))
        } catch let e as WriteError {
            throw CorpusError.writeFailed(path: folder.appendingPathComponent(manifestName).path, reason: e.reason)
        } catch {
            throw CorpusError.writeFailed(path: folder.appendingPathComponent(manifestName).path, reason: SystemErrorText.describe(error))
        }
        return plans.count
    }

    /// The manifest of `folder`, or nil when it is missing or unreadable.
    public static func readManifest(in folder: URL) -> Manifest? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(manifestName)) else { return nil }
        return try? JSONDecoder().decode(Manifest.self, from: data)
    }

    /// True when every clip file of a `words`-word corpus exists in `folder` (a cheap check that
    /// catches clips deleted by hand after the build).
    static func allClipsPresent(in folder: URL, words: Int) -> Bool {
        relativePaths(words: Array(TESSWords.all.prefix(words))).allSatisfy {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// `<SPK>_<emotion>/<SPK>_<word>_<emotion>.wav` for every clip, in synthesis order.
    static func relativePaths(words: [String]) -> [String] {
        SyntheticSpeaker.all.flatMap { speaker in
            TESSCorpus.labels.flatMap { label in
                words.map { "\(speaker.code)_\(label)/\(speaker.code)_\($0)_\(label).wav" }
            }
        }
    }

    static func manifest(words: Int, seed: UInt64, variation: Double) throws -> Manifest {
        guard (1...TESSWords.all.count).contains(words) else {
            throw CorpusError.invalidArgument("word count \(words) is out of range; choose 1 to \(TESSWords.all.count)")
        }
        guard variation.isFinite, variation >= 0, variation <= 5 else {
            throw CorpusError.invalidArgument("variation \(variation) is out of range; choose 0 (none) to 5 (default \(defaultVariation))")
        }
        return Manifest(seed: String(seed), words: words, variation: variation,
                        clips: words * SyntheticSpeaker.all.count * TESSCorpus.labels.count)
    }

    /// Everything random about one clip, drawn up front from the clip's own seeded stream.
    struct ClipPlan: Sendable {
        var index: Int
        var relativePath: String
        var request: SpeechRequest
        var style: EmotionStyle
        var gainDB: Double
        var tremoloHz: Double
        var tremoloPhase: Double
        var channelLowPassHz: Double
        var leadSeconds: Double
        var tailSeconds: Double
        var noiseDB: Double
        var noiseSeed: UInt64
    }

    /// Style of one clip: the emotion's style pulled part of the way toward neutral (an actress
    /// does not hit every token equally hard) and jittered, both scaled by `variation`.
    static func plan(words: [String], seed: UInt64, variation v: Double) -> [ClipPlan] {
        let neutral = EmotionTable.style(for: "neutral")!
        let paths = relativePaths(words: words)
        var plans: [ClipPlan] = []
        for speaker in SyntheticSpeaker.all {
            for label in TESSCorpus.labels {
                let base = EmotionTable.style(for: label)!
                for word in words {
                    let index = plans.count
                    var rng = SplitMix64.stream(seed: seed, index: UInt64(index))
                    let strength = max(0.3, 1 - 0.35 * v * rng.unit())
                    func toward(_ e: Double, _ n: Double) -> Double { n + (e - n) * strength }
                    var style = base
                    style.rate = toward(base.rate, neutral.rate) * speaker.rateFactor * exp(0.07 * v * rng.gaussian())
                    style.pitch = toward(base.pitch, neutral.pitch) + speaker.pitchOffset + 5 * v * rng.gaussian()
                    style.range = toward(base.range, neutral.range) + 8 * v * rng.gaussian()
                    style.tremolo = base.tremolo * strength * rng.uniform(0.7, 1.3)
                    style.jitter = base.jitter * strength * rng.uniform(0.7, 1.3)
                    style.breath = base.breath * strength * rng.uniform(0.6, 1.4)
                    style.drive = base.drive * strength * rng.uniform(0.7, 1.3)
                    style.lowPassHz = base.lowPassHz > 0 ? base.lowPassHz * rng.uniform(0.8, 1.25) / strength : 0
                    let request = SpeechRequest(
                        voice: speaker.voice, text: TESSWords.carrierPhrase(word) + base.punctuation,
                        rate: Int32(min(450, max(80, style.rate)).rounded()),
                        pitch: Int32(min(100, max(0, style.pitch)).rounded()),
                        range: Int32(min(100, max(0, style.range)).rounded()),
                        volume: 100)
                    plans.append(ClipPlan(
                        index: index, relativePath: paths[index],
                        request: request, style: style,
                        gainDB: base.gainDB * strength + 2.0 * v * rng.gaussian(),
                        tremoloHz: rng.uniform(5, 8), tremoloPhase: rng.uniform(0, 2 * Double.pi),
                        channelLowPassHz: v > 0 ? rng.uniform(9000 - 3500 * min(v, 1), 10000) : 0,
                        leadSeconds: rng.uniform(0.02, 0.12), tailSeconds: rng.uniform(0.03, 0.15),
                        noiseDB: rng.uniform(-66, -54), noiseSeed: rng.next()))
                }
            }
        }
        return plans
    }

    /// Speech comes from one espeak-ng child process, in plan order; post-processing,
    /// resampling and writing run concurrently on the other cores.
    static func render(_ plans: [ClipPlan], into folder: URL, progress: ((Int, Int) -> Void)?) throws {
        let total = plans.count
        progress?(0, total)
        let state = RenderState(progress: progress)
        let group = DispatchGroup()
        let inFlight = DispatchSemaphore(value: 8)
        let queue = DispatchQueue(label: "corpus.render", attributes: .concurrent)
        do {
            try EspeakProcess.synthesize(plans.map(\.request)) { index, samples, espeakRate in
                if let error = state.error { throw error }
                inFlight.wait()
                group.enter()
                queue.async {
                    defer { inFlight.signal(); group.leave() }
                    do {
                        let plan = plans[index]
                        let audio = try finish(samples, sampleRate: espeakRate, plan: plan)
                        let url = folder.appendingPathComponent(plan.relativePath)
                        try AudioFile.writeWAV16(audio, sampleRate: sampleRate, to: url)
                        state.clipDone(total: total)
                    } catch {
                        state.fail(error)
                    }
                }
            }
        } catch {
            group.wait()
            throw state.error ?? error
        }
        group.wait()
        if let error = state.error { throw error }
    }

    /// Progress count, first error and the caller's progress closure, shared by the render
    /// workers.
    ///
    /// `@unchecked Sendable` because the compiler cannot see that the mutable state is
    /// protected: `done` and `firstError` are only touched under `lock`, and `progress` (the
    /// caller's closure, not required to be `@Sendable`) is only called under `lock`, so its
    /// calls never overlap, and only while `render` waits for the workers, so it never outlives
    /// the call that received it. The errors are handed from a worker to the caller once.
    final class RenderState: @unchecked Sendable {
        private let lock = NSLock()
        private var done = 0
        private var firstError: Error?
        private let progress: ((Int, Int) -> Void)?

        init(progress: ((Int, Int) -> Void)?) { self.progress = progress }

        var error: Error? { lock.withLock { firstError } }

        func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }

        /// Counts a finished clip and reports the new count while holding the lock, so that
        /// progress calls never overlap and counts arrive in order.
        func clipDone(total: Int) {
            lock.withLock {
                done += 1
                progress?(done, total)
            }
        }
    }

    /// From espeak's 16-bit samples to the finished clip at 24414 Hz.
    static func finish(_ raw: [Int16], sampleRate espeakRate: Int, plan: ClipPlan) throws -> [Float] {
        var rng = SplitMix64(seed: plan.noiseSeed)
        let style = plan.style
        var x = raw.map { Float($0) / 32768 }
        x = Effects.trimSilence(x, sampleRate: espeakRate)
        guard !x.isEmpty else {
            throw CorpusError.synthesisFailed(reason: "espeak-ng produced no sound for \"\(plan.request.text)\" (\(plan.relativePath))")
        }
        x = Effects.wobble(x, depth: style.jitter, sampleRate: espeakRate, rng: &rng)
        x = Effects.tremolo(x, depth: style.tremolo, rateHz: plan.tremoloHz, phase: plan.tremoloPhase, sampleRate: espeakRate)
        x = Effects.saturate(x, drive: style.drive)
        x = Effects.lowPass(x, cutoffHz: style.lowPassHz, sampleRate: espeakRate)
        x = Effects.breath(x, level: style.breath, sampleRate: espeakRate, rng: &rng)
        x = Effects.lowPass(x, cutoffHz: plan.channelLowPassHz, sampleRate: espeakRate)
        x = try resampleSoxr(x, from: espeakRate, to: sampleRate)
        x = Effects.setLevel(x, targetDB: -26 + plan.gainDB)

        let maxFrames = Int(durationRange.upperBound * Double(sampleRate))
        let minFrames = Int((durationRange.lowerBound * Double(sampleRate)).rounded(.up))
        x = Effects.truncate(x, to: maxFrames - 2 * sampleRate / 100, sampleRate: sampleRate)
        var lead = Int(plan.leadSeconds * Double(sampleRate))
        var tail = Int(plan.tailSeconds * Double(sampleRate))
        let excess = x.count + lead + tail - maxFrames
        if excess > 0 {
            let fromTail = min(excess, tail - sampleRate / 100)
            tail -= max(0, fromTail)
            lead -= max(0, excess - max(0, fromTail))
        }
        tail += max(0, minFrames - (x.count + lead + tail))
        return Effects.pad(x, lead: lead, tail: tail, noiseDB: plan.noiseDB, rng: &rng)
    }
}
