import Audio
import Base
import Corpus
import Features
import Foundation
import Inference
import Plot
import Report

extension ChapterID {
    public static let eda: ChapterID = "02-eda"
}

/// Chapter 2: what the corpus looks like — counts, durations, and for each emotion the
/// waveform and spectrogram of one clip of each speaker (the notebook drew one per emotion).
public enum EDAChapter: Chapter {
    public static let id = ChapterID.eda
    public static let title = "Exploratory data analysis"
    public static let purpose = "counts per label and speaker, durations, waveform and spectrogram per emotion"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self] }
    /// The analysis window is reported against the durations.
    public static func keyComponents(_ o: StudyOptions) -> [String] { ["offset=\(o.recipe.offset)", "duration=\(o.recipe.duration)", "kernels=\(o.kernels.rawValue)"] }

    /// The notebook's order of its example figures (its README's example_data_1 is fear, _2
    /// angry), for the corpus's labels that it names; the others follow in class order.
    static let notebookExampleOrder = ["fear", "angry", "disgust", "neutral", "sad", "ps", "happy"]

    public struct Stats: Codable, Sendable {
        public var count: Int
        public var min: Double
        public var median: Double
        public var mean: Double
        public var max: Double
    }

    public struct DurationGroup: Codable, Sendable {
        public var group: String
        public var stats: Stats
    }

    /// One example clip with its figures and playable copy (links relative to the output folder).
    public struct Example: Codable, Sendable {
        public var label: String
        public var speaker: String
        public var path: String
        public var duration: Double
        public var wave: String
        public var spectrogram: String
        public var audio: String
    }

    public struct Output: Codable, Sendable {
        public var speakers: [String]
        /// Clips per label and speaker: counts[label][speaker].
        public var counts: [String: [String: Int]]
        public var durationGroups: [DurationGroup]
        public var all: Stats
        public var exampleWord: String?
        public var examples: [Example]
        public var nShorterThanOffset: Int
        public var nLongerThanWindow: Int
    }

    /// Example figures are drawn for this many speakers (the first, sorted): TESS's two; a
    /// corpus of 91 actors would otherwise draw a thousand figures.
    static let exampleSpeakers = 2

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let corpus = try ctx.output(of: LoadChapter.self).corpus
        let clips = corpus.clips
        let labels = corpus.labelCodes
        let speakers = corpus.speakers

        var counts: [String: [String: Int]] = [:]
        for c in clips { counts[c.label, default: [:]][c.speaker, default: 0] += 1 }

        var groups: [DurationGroup] = []
        for l in labels { groups.append(DurationGroup(group: l, stats: stats(clips.filter { $0.label == l }.map(\.duration)))) }
        for sp in speakers { groups.append(DurationGroup(group: "speaker \(sp)", stats: stats(clips.filter { $0.speaker == sp }.map(\.duration)))) }
        let allDurations = clips.map(\.duration)
        let recipe = ctx.options.recipe

        // One example per emotion and speaker: the same word for all, when the corpus allows.
        let word = commonWord(clips, labels: labels, speakers: speakers)
        let ordered = notebookExampleOrder.filter(labels.contains) + labels.filter { !notebookExampleOrder.contains($0) }
        // Labels and speakers come from data: their file names are safe stems (`SafeFileNames`),
        // unique in the folder; the report shows the originals.
        var names = SafeFileNames()
        var jobs: [(label: String, speaker: String, clip: Clip, stem: String)] = []
        for label in ordered {
            for sp in speakers.prefix(exampleSpeakers) {
                let candidates = clips.filter { $0.label == label && $0.speaker == sp }
                guard let clip = candidates.first(where: { $0.word == word }) ?? candidates.first else { continue }
                jobs.append((label, sp, clip, names.name(for: [label, sp])))
            }
        }
        ctx.progress.start("drawing example clips", total: jobs.count)
        // The figures are independent: drawn on `threads` workers (worker w takes jobs w, w + n, …),
        // each result stored at its job's index, so the output is the same for any thread count.
        let results = ResultSlots<Result<Example, any Error>>(count: jobs.count)
        let done = Counter()
        let workers = max(1, min(ctx.options.threads, jobs.count))
        ConcurrentLoop.perform(iterations: workers) { w in
            for i in stride(from: w, to: jobs.count, by: workers) {
                results[i] = Result { try drawExample(jobs[i], corpus: corpus, recipe: recipe, ctx: ctx) }
                ctx.progress.update("drawing example clips", done: done.increment(), total: jobs.count)
            }
        }
        let examples = try results.values.map { try $0.get() }
        return Output(speakers: speakers, counts: counts, durationGroups: groups, all: stats(allDurations),
                      exampleWord: word, examples: examples,
                      nShorterThanOffset: allDurations.filter { $0 <= recipe.offset }.count,
                      nLongerThanWindow: allDurations.filter { $0 > recipe.offset + recipe.duration }.count)
    }

    /// One example's waveform, spectrogram and playable copy.
    static func drawExample(_ job: (label: String, speaker: String, clip: Clip, stem: String), corpus: CorpusScan,
                            recipe: FeatureRecipe, ctx: ChapterContext) throws -> Example {
        let stem = job.stem
        let title = "\(corpus.displayName(job.label)) — \(job.speaker)"
        // The notebook loads the whole clip at librosa's default rate for both figures.
        let signal = try Audio.load(job.clip.url, sampleRate: recipe.sampleRate, resampler: .soxrHQ)
        let wave = try ctx.write(Charts.envelope(values: signal.samples, sampleRate: Double(signal.sampleRate), title: title),
                                 to: "figures/\(stem)_wave.png")
        let spec = spectrogramDB(signal.samples, sampleRate: signal.sampleRate)
        let spectrogram = try ctx.write(Charts.spectrogram(db: spec.db, rows: spec.rows, cols: spec.cols,
                                                           xMax: spec.seconds, yMax: Double(signal.sampleRate) / 2, title: title),
                                        to: "figures/\(stem)_spectrogram.png")
        // A browser-playable copy of what the figures show (some TESS clips are AIFF, which
        // browsers do not play), from the samples already decoded.
        try AudioFile.writeWAV16(signal.samples, sampleRate: signal.sampleRate, to: try ctx.url("audio/\(stem).wav"))
        return Example(label: job.label, speaker: job.speaker, path: job.clip.path, duration: job.clip.duration,
                       wave: wave, spectrogram: spectrogram, audio: ctx.link("audio/\(stem).wav"))
    }

    public struct ExampleView {
        var label: String
        var labelName: String
        var speaker: String
        var path: String
        var duration: String
        var wave: String
        var spectrogram: String
        var audio: String
    }

    public struct EmotionView {
        var label: String
        var labelName: String
        var clips: [ExampleView]
    }

    public struct Section {
        var countTable: String
        var durationTable: String
        var speakers: String
        var nSpeakers: Int
        var exampleWord: String
        /// "word" (TESS and its synthetic twin) or "text" (the other corpora's sentences or statements).
        var textNoun: String
        var emotions: [EmotionView]
        var nShorterThanOffset: Int
        var nLongerThanWindow: Int
        var medianDuration: String
        var windowOffset: String
        var windowDuration: String
        var windowEnd: String
    }

    public static func section(_ output: Output, _ report: ReportContext) throws -> Section {
        guard let corpus = report.output(of: LoadChapter.self)?.corpus else { throw StudyError.missingOutput(path: LoadChapter.id.rawValue) }
        let labels = corpus.labelCodes
        let speakers = output.speakers
        // Codes that are not words (RAVDESS `05`, EmoDB `W`) get their name beside them.
        func labelCell(_ code: String) -> String {
            let name = corpus.displayName(code)
            return name == code ? code : "\(code) (\(name))"
        }
        let countRows = labels.map { l in
            [labelCell(l)] + speakers.map { String(output.counts[l]?[$0] ?? 0) } + [String(output.counts[l]?.values.reduce(0, +) ?? 0)]
        }
        let countTable = Markdown.table(["label"] + speakers + ["total"], countRows, align: ["l"] + speakers.map { _ in "r" } + ["r"])
        func row(_ group: String, _ s: Stats) -> [String] {
            guard s.count > 0 else { return [group, "0", "", "", "", ""] }
            return [group, String(s.count), Markdown.fixed(s.min, 2), Markdown.fixed(s.median, 2), Markdown.fixed(s.mean, 2), Markdown.fixed(s.max, 2)]
        }
        let durationTable = Markdown.table(["group", "clips", "min (s)", "median (s)", "mean (s)", "max (s)"],
                                           output.durationGroups.map { row(labels.contains($0.group) ? labelCell($0.group) : $0.group, $0.stats) } + [row("all", output.all)],
                                           align: ["l", "r", "r", "r", "r", "r"])
        var order: [String] = []
        for e in output.examples where !order.contains(e.label) { order.append(e.label) }
        let emotions = order.map { label in
            EmotionView(label: label, labelName: corpus.displayName(label), clips: output.examples.filter { $0.label == label }.map { e in
                ExampleView(label: e.label, labelName: corpus.displayName(e.label), speaker: e.speaker, path: e.path,
                            duration: Markdown.fixed(e.duration, 2), wave: e.wave, spectrogram: e.spectrogram,
                            audio: Markdown.audio(e.audio, label: e.path))
            })
        }
        let r = report.options.recipe
        return Section(countTable: countTable, durationTable: durationTable, speakers: speakers.joined(separator: ", "),
                       nSpeakers: speakers.count, exampleWord: output.exampleWord ?? "(varies)",
                       textNoun: corpus.textNoun, emotions: emotions,
                       nShorterThanOffset: output.nShorterThanOffset, nLongerThanWindow: output.nLongerThanWindow,
                       medianDuration: Markdown.fixed(output.all.median, 2), windowOffset: number(r.offset),
                       windowDuration: number(r.duration), windowEnd: number(r.offset + r.duration))
    }

    /// 0.5 → "0.5", 3.0 → "3".
    static func number(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    static func stats(_ xs: [Double]) -> Stats {
        guard !xs.isEmpty else { return Stats(count: 0, min: 0, median: 0, mean: 0, max: 0) }
        let s = xs.sorted()
        return Stats(count: s.count, min: s.first!, median: median(s), mean: s.reduce(0, +) / Double(s.count), max: s.last!)
    }

    /// A word spoken in every emotion by every speaker, so that examples differ only in emotion
    /// ("back", the notebook's README example, when the corpus has it).
    static func commonWord(_ clips: [Clip], labels: [String], speakers: [String]) -> String? {
        var have: [String: Set<String>] = [:]
        for c in clips { have[c.word, default: []].insert("\(c.label)|\(c.speaker)") }
        let need = labels.count * speakers.count
        let complete = have.filter { $0.value.count == need }.keys.sorted()
        return complete.first(where: { $0 == "back" }) ?? complete.first
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
