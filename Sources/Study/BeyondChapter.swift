import Foundation
import NeuralNet
import Plot
import Report

extension ChapterID {
    public static let beyond: ChapterID = "07-beyond"
}

/// Chapter 7: what the notebook's single random split hides. The 80/20 split mixes both
/// speakers and all 200 words, so every test clip has near-twins in training; a speaker-
/// independent split (train on one actress, test on the other) asks the real question.
/// Repeating the recipe over seeds shows how often it collapses to the uniform prediction.
public enum BeyondChapter: Chapter {
    public static let id = ChapterID.beyond
    public static let title = "Beyond the notebook: honest evaluation"
    public static let purpose = "speaker-independent evaluation and the spread over seeds"
    public static var upstream: [any Chapter.Type] { [FeaturesChapter.self] }
    public static func keyComponents(_ o: StudyOptions) -> [String] {
        o.trainingKey + ["repeats=\(o.repeats)", "si=\(o.speakerIndependent)"]
    }

    /// Train on one speaker, test on another.
    public struct SpeakerRun: Codable, Sendable {
        public var trainSpeaker: String
        public var testSpeaker: String
        public var nTrain: Int
        public var nTest: Int
        /// Nil when there were too few clips to train on.
        public var result: RunResult?
        public var figure: String?
        public var direction: String { "\(trainSpeaker) → \(testSpeaker)" }
    }

    public struct RunResult: Codable, Sendable {
        public var epochs: Int
        public var bestEpoch: Int
        public var accuracy: Double
        public var uar: Double
        public var collapsed: Bool
    }

    public struct RepeatRun: Codable, Sendable {
        public var seed: UInt64
        public var result: RunResult
    }

    public struct Output: Codable, Sendable {
        public var speakerRuns: [SpeakerRun]
        /// Why there are no speaker-independent runs, when there are none.
        public var speakerSkipReason: String?
        public var repeats: [RepeatRun]
        public var standardized: Bool
    }

    /// The seed of repeat `r`: seed + r, wrapped into numpy's 0…2³²−1.
    static func repeatSeed(_ seed: UInt64, _ r: Int) -> UInt64 { (seed &+ UInt64(r)) & 0xFFFF_FFFF }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let o = ctx.options
        let data = LabelledData(try ctx.output(of: FeaturesChapter.self))

        // Speaker-independent evaluation, both directions.
        let speakers = Array(Set(data.speakers)).sorted()
        var speakerRuns: [SpeakerRun] = []
        var skipReason: String?
        if o.speakerIndependent && speakers.count == 2 {
            for (a, b) in [(speakers[0], speakers[1]), (speakers[1], speakers[0])] {
                let trainPool = data.speakers.indices.filter { data.speakers[$0] == a }
                let test = data.speakers.indices.filter { data.speakers[$0] == b }
                // Early stopping watches 10 % of the training speaker's clips, never the test speaker.
                let inner = Split.shuffled(count: trainPool.count, testSize: 0.1, seed: o.seed)
                var run = SpeakerRun(trainSpeaker: a, testSpeaker: b, nTrain: inner.train.count, nTest: test.count)
                guard inner.train.count >= 2, !inner.test.isEmpty, !test.isEmpty else {
                    speakerRuns.append(run)
                    continue
                }
                let trained = try TrainingRun.train(data: data, train: inner.train.map { trainPool[$0] },
                                                    validation: inner.test.map { trainPool[$0] }, options: o, seed: o.seed,
                                                    label: "\(a)→\(b)", progress: ctx.progress)
                let m = evaluate(trained, data: data, rows: test)
                run.result = RunResult(trained, m)
                run.figure = try ctx.write(Charts.confusionMatrix(counts: m.confusion, labels: data.labels,
                                                                  title: "Train \(a), test \(b) — accuracy \(Markdown.fixed(m.accuracy, 3)), UAR \(Markdown.fixed(m.uar, 3))"),
                                           to: "confusion_\(a)_to_\(b).png")
                speakerRuns.append(run)
            }
        } else {
            skipReason = speakers.count == 2 ? "switched off" : "the corpus has \(speakers.count) speaker(s), not 2"
        }

        // The notebook's recipe over several seeds: its split and its initialisation both change.
        var repeats: [RepeatRun] = []
        if o.repeats > 0 {
            for r in 1...o.repeats {
                let seed = repeatSeed(o.seed, r)
                let split = Split.shuffled(count: data.count, testSize: 0.2, seed: seed)
                let trained = try TrainingRun.train(data: data, train: split.train, validation: split.test, options: o, seed: seed,
                                                    label: "repeat \(r)/\(o.repeats) (seed \(seed))", progress: ctx.progress)
                repeats.append(RepeatRun(seed: seed, result: RunResult(trained, evaluate(trained, data: data, rows: split.test))))
            }
        }
        return Output(speakerRuns: speakerRuns, speakerSkipReason: skipReason, repeats: repeats, standardized: o.standardize)
    }

    static func evaluate(_ run: TrainingRun, data: LabelledData, rows: [Int]) -> Metrics {
        let (x, y) = data.rows(rows, standardizer: run.standardizer)
        return Metrics(labels: data.labels, truth: y, predicted: run.model.predictClasses(x, count: y.count))
    }

    /// Mean, sample deviation, min and max of the repeats' accuracies.
    static func spread(_ xs: [Double]) -> (mean: Double, sd: Double, min: Double, max: Double) {
        guard !xs.isEmpty else { return (0, 0, 0, 0) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = xs.count > 1 ? (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
        return (mean, sd, xs.min()!, xs.max()!)
    }

    public struct Figure {
        var direction: String
        var figure: String
    }

    public struct Section {
        var hasSi: Bool
        var siTable: String
        var siFigures: [Figure]
        var siReason: String
        var hasRepeats: Bool
        var repeats: Int
        var repeatTable: String
        var repeatMean: String
        var repeatSd: String
        var repeatMin: String
        var repeatMax: String
        var nCollapsed: Int
        var standardize: Bool
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let siRows = output.speakerRuns.map { r -> [String] in
            guard let x = r.result else { return [r.direction, String(r.nTrain), String(r.nTest), "", "", "", "too few clips"] }
            return [r.direction, String(r.nTrain), String(r.nTest), String(x.epochs), Markdown.fixed(x.accuracy, 4),
                    Markdown.fixed(x.uar, 4), x.collapsed ? "collapsed" : ""]
        }
        let siTable = Markdown.table(["train → test", "train clips", "test clips", "epochs", "accuracy", "UAR", ""], siRows,
                                     align: ["l", "r", "r", "r", "r", "r", "l"])
        let repeatRows = output.repeats.map { r in
            [String(r.seed), String(r.result.epochs), String(r.result.bestEpoch), Markdown.fixed(r.result.accuracy, 4),
             Markdown.fixed(r.result.uar, 4), r.result.collapsed ? "collapsed" : ""]
        }
        let s = spread(output.repeats.map(\.result.accuracy))
        return Section(hasSi: output.speakerSkipReason == nil, siTable: siTable,
                       siFigures: output.speakerRuns.compactMap { r in r.figure.map { Figure(direction: r.direction, figure: $0) } },
                       siReason: output.speakerSkipReason ?? "",
                       hasRepeats: !output.repeats.isEmpty, repeats: output.repeats.count,
                       repeatTable: Markdown.table(["seed", "epochs", "best epoch", "test accuracy", "UAR", ""], repeatRows,
                                                   align: ["r", "r", "r", "r", "r", "l"]),
                       repeatMean: Markdown.fixed(s.mean, 4), repeatSd: Markdown.fixed(s.sd, 4),
                       repeatMin: Markdown.fixed(s.min, 4), repeatMax: Markdown.fixed(s.max, 4),
                       nCollapsed: output.repeats.filter(\.result.collapsed).count, standardize: output.standardized)
    }
}

extension BeyondChapter.RunResult {
    init(_ run: TrainingRun, _ m: Metrics) {
        self.init(epochs: run.history.rows.count, bestEpoch: run.history.bestEpoch, accuracy: m.accuracy, uar: m.uar,
                  collapsed: run.collapsed)
    }
}
