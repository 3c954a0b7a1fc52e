import Base
import Foundation
import NeuralNet
import Plot
import Report

extension ChapterID {
    public static let beyond: ChapterID = "07-beyond"
}

/// Chapter 7: the leakage ladder. The notebook's 99 % comes from a random split that puts both
/// actresses and all 200 words on both sides; each rung removes one source of leakage (the
/// words, the voice, both) and a label-shuffle control checks that the pipeline itself cannot
/// leak. Every run early-stops on a validation slice of its own training side, every accuracy
/// has a word-cluster bootstrap interval, and `--repeats` repeats every rung over more seeds.
public enum BeyondChapter: Chapter {
    public static let id = ChapterID.beyond
    public static let title = "Beyond the notebook: the leakage ladder"
    public static let purpose = "random → word-disjoint → speaker-independent → both, a label-shuffle control, CIs, McNemar"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self, FeaturesChapter.self, EvaluationChapter.self] }
    public static func keyComponents(_ o: StudyOptions) -> [String] {
        o.trainingKey + ["repeats=\(o.repeats)", "ladder=\(o.ladder.rawValue)", "ladder-scope=\(o.ladderScope.rawValue)",
                         "models=\(o.models.joined(separator: ","))"]
    }

    /// The notebook's published accuracy (its last logged val_accuracy), marked on the figure.
    static let notebookAccuracy = 0.9929

    /// One trained and tested ladder run.
    public struct Run: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var direction: String?
        public var recipe: LadderRecipe
        /// The feature set and the model (`FeatureSets`, `Models`).
        public var features: String
        public var model: String
        public var seed: UInt64
        public var nTrain: Int
        public var nValidation: Int
        public var nTest: Int
        public var epochs: Int
        public var bestEpoch: Int
        public var accuracy: Double
        public var uar: Double
        public var accuracyCI: Statistics.Interval
        public var uarCI: Statistics.Interval
        public var collapsed: Bool
        public var seconds: Double
        /// confusion[true][predicted] over the test clips.
        public var confusion: [[Int]]
        /// Test rows (chapter 4's order) and the class predicted for each, for paired tests.
        public var test: [Int]
        public var predicted: [Int]
        /// Class probabilities, row-major (test clip × class), rows in `test` order: for the
        /// reproducibility digest (predictions.csv has them as text for people).
        public var probabilities: [Float]
        public var figure: String
        var isBaseline: Bool { features == Models.baseline.features && model == Models.baseline.model }
        /// "mfcc-functionals × logistic", or nothing for the notebook's model on its features.
        var variant: String? { isBaseline ? nil : "\(features) × \(model)" }
        var name: String { [protocolName.rawValue, direction, recipe.rawValue, variant].compactMap { $0 }.joined(separator: " · ") }
    }

    /// A run the corpus could not support, with the reason.
    public struct Skipped: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var direction: String?
        public var recipe: LadderRecipe
        public var features: String
        public var model: String
        public var reason: String
    }

    /// A speaker protocol's folds pooled: every fold's test predictions together (each clip is
    /// tested once, by the fold that held its speaker out), with a speaker-cluster bootstrap.
    /// Made when the corpus has more than two speakers.
    public struct Pooled: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var recipe: LadderRecipe
        public var features: String
        public var model: String
        public var seed: UInt64
        public var folds: Int
        public var nTest: Int
        public var nSpeakers: Int
        public var accuracy: Double
        public var uar: Double
        public var accuracyCI: Statistics.Interval
        public var uarCI: Statistics.Interval
        public var collapsedFolds: Int
    }

    /// McNemar's exact test of two recipes on the same test clips, with the word-cluster
    /// bootstrap interval of accuracy(a) − accuracy(b).
    public struct Comparison: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var direction: String?
        /// What was compared: two recipes of the notebook's model ("standardized"), or a feature
        /// set × model against the baseline ("mfcc-functionals × logistic").
        public var a: String
        public var b: String
        public var seed: UInt64
        public var n01: Int
        public var n10: Int
        public var pValue: Double
        public var differenceCI: Statistics.Interval
    }

    public struct Output: Codable, Sendable {
        public var level: LadderLevel
        public var labels: [String]
        public var seeds: [UInt64]
        public var runs: [Run]
        public var pooled: [Pooled]
        public var skipped: [Skipped]
        public var comparisons: [Comparison]
        /// The feature sets the ladder had (chapter 4's, `mfcc-means` first).
        public var sets: [String]
        public var ladderFigure: String?
        /// `what_survives.png`: every feature set × model on every rung.
        public var survivalFigure: String?
        /// Chapter 6's result, whose model selection looked at the test set: the top rung.
        public var notebookProcedureAccuracy: Double
        public var notebookProcedureCI: Statistics.Interval
    }

    /// Every run's probabilities, in the order of `runs` (the ladder's: seed, then protocol and
    /// recipe as `--ladder` lists them, then direction): the predictions digest after chapter 6's.
    public static func digestFloats(_ output: Output) -> (part: DigestPart, values: [Float])? {
        (.predictions, output.runs.flatMap(\.probabilities))
    }

    /// The seed of repeat `r`: seed + r, wrapped into numpy's 0…2³²−1.
    static func repeatSeed(_ seed: UInt64, _ r: Int) -> UInt64 { (seed &+ UInt64(r)) & 0xFFFF_FFFF }

    /// The speaker folds of a protocol (`SpeakerFold.folds`), `[nil]` for the others.
    static func directions(_ p: LadderProtocol, speakers: [String], seed: UInt64) -> [SpeakerFold?] {
        switch p {
        case .random, .wordDisjoint, .labelShuffle: return [nil]
        case .speakerIndependent, .speakerWordDisjoint: return SpeakerFold.folds(speakers: speakers, seed: seed)
        }
    }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let o = ctx.options
        let features = try ctx.output(of: FeaturesChapter.self)
        // Every set of chapter 4 on the clips they all have (the same rows in the same order), read once.
        let (datasets, leftOut) = try LabelledData.common(features, sets: features.setNames, folder: o.chapterFolder(FeaturesChapter.id))
        let data = datasets["mfcc-means"]!
        let corpus = try ctx.output(of: LoadChapter.self).corpus
        let textHoldout = corpus.convention?.textHoldoutNotApplicable
        let evaluation = try ctx.output(of: EvaluationChapter.self)
        let speakers = Array(Set(data.speakers)).sorted()
        let seeds = [o.seed] + (o.repeats > 0 ? (1...o.repeats).map { repeatSeed(o.seed, $0) } : [])
        let classes = data.labels.count
        if leftOut > 0 {
            ctx.progress.line("ladder: \(leftOut) clip(s) that a feature set could not describe are left out of every run (04-features/failures.csv)")
        }
        let cells = o.ladder.cells(sets: features.setNames.map { n in
            LadderSet(name: n, shape: datasets[n]!.shape, valuesPerClip: datasets[n]!.features)
        }, models: o.models)

        // 1. Plan every run (and say which cannot run), in the ladder's order.
        struct Job {
            var cell: LadderCell, seed: UInt64, direction: String?
            var plan: LadderPlan
            var label: String
        }
        var jobs: [Job] = [], skipped: [Skipped] = []
        func skip(_ c: LadderCell, _ direction: String?, _ why: String) {
            skipped.append(Skipped(protocolName: c.protocolName, direction: direction, recipe: c.recipe, features: c.features,
                                   model: c.model, reason: why))
        }
        let plannedPerSeed = cells.reduce(0) { n, c in n + max(1, directions(c.protocolName, speakers: speakers, seed: o.seed).count) }
        var index = 0
        for seed in seeds {
            for cell in cells {
                let p = cell.protocolName
                let dirs = directions(p, speakers: speakers, seed: seed)
                if dirs.isEmpty {
                    if seed == o.seed { skip(cell, nil, "needs at least two speakers; the corpus has \(speakers.count)") }
                    index += 1
                    continue
                }
                if let why = textHoldout, p == .wordDisjoint || p == .speakerWordDisjoint {
                    if seed == o.seed { skip(cell, nil, why) }
                    index += dirs.count
                    continue
                }
                for d in dirs {
                    index += 1
                    let direction = d?.name
                    switch LadderPlan.make(p, speakers: data.speakers, words: data.words, labels: data.y, fold: d, seed: seed) {
                    case .failure(let why):
                        if seed == o.seed { skip(cell, direction, why.reason) }
                    case .success(let plan):
                        let what = [p.rawValue, direction, cell.recipe.rawValue, cell.isBaseline ? nil : "\(cell.features) × \(cell.model)"]
                        let label = "ladder \(index)/\(plannedPerSeed * seeds.count): \(what.compactMap { $0 }.joined(separator: " ")) seed \(seed)"
                        jobs.append(Job(cell: cell, seed: seed, direction: direction, plan: plan, label: label))
                    }
                }
            }
        }

        // 2. Train and test them, `--threads` at a time, each on one thread. A run's result does
        // not depend on which runs share the machine with it (nor on --threads), so the output is
        // the same bits however the runs are scheduled. The costliest runs go first and the
        // label-shuffle control (it stops early: nothing to learn) last, so that the runs left
        // when one thread runs out of work are short ones.
        //
        // What a run leaves for step 3 (not its model: nine of them would hold ~300 MB).
        struct Trained {
            var epochs: Int, bestEpoch: Int, collapsed: Bool, probs: [Float], seconds: Double
        }
        func cost(_ j: Job) -> Double {
            guard j.cell.protocolName != .labelShuffle, let m = Models.named(j.cell.model) else { return 0 }
            return Double(j.plan.train.count) * m.relativeCost(valuesPerClip: datasets[j.cell.features]!.features)
        }
        let results = TrainingRun.concurrently(jobs.count, order: jobs.indices.sorted { cost(jobs[$0]) > cost(jobs[$1]) },
                                               options: o) { i, oneThread -> Trained in
            let job = jobs[i]
            let start = Date()
            guard let model = Models.named(job.cell.model) else { throw StudyError.invalidOption("no model '\(job.cell.model)'") }
            let (trained, probs) = try job.cell.recipe.run(model, on: datasets[job.cell.features]!, job.plan, scope: o.ladderScope,
                                                           options: oneThread, seed: job.seed, label: job.label, progress: ctx.progress)
            return Trained(epochs: trained.epochs, bestEpoch: trained.bestEpoch, collapsed: trained.collapsed, probs: probs,
                           seconds: Date().timeIntervalSince(start))
        }

        // 3. Metrics, intervals, figures and predictions, in the ladder's order.
        var runs: [Run] = []
        var predictionRows: [[String]] = []
        for (job, result) in zip(jobs, results) {
            let trained = try result.get()
            let (cell, seed, direction, plan) = (job.cell, job.seed, job.direction, job.plan)
            let p = cell.protocolName
            let truth = plan.test.map { data.y[$0] }
            let result = TestResult(probabilities: trained.probs, truth: truth, labels: data.labels,
                                    clusters: plan.test.map { data.words[$0] }, seed: seed)
            let m = result.metrics
            // The direction names speakers (data): each made a safe file-name part.
            let slug = [p.rawValue, direction.map { d in d.components(separatedBy: "→").map(SafeFileName.part).joined(separator: "_to_") },
                        cell.recipe.rawValue, cell.isBaseline ? nil : SafeFileName.part("\(cell.features)_\(cell.model)"),
                        seed == o.seed ? nil : "seed\(seed)"].compactMap { $0 }.joined(separator: "_")
            let title = [p.rawValue, direction, cell.recipe.rawValue, cell.isBaseline ? nil : "\(cell.features) × \(cell.model)"]
                .compactMap { $0 }.joined(separator: " · ")
            let figure = try ctx.write(Charts.confusionMatrix(
                counts: m.confusion, labels: data.figureLabels,
                title: "\(title)\naccuracy \(Markdown.fixed(m.accuracy, 3)), UAR \(Markdown.fixed(m.uar, 3))"),
                to: "confusion_\(slug).png")
            for (i, row) in plan.test.enumerated() {
                predictionRows.append([data.paths[row], p.rawValue, direction ?? "", cell.recipe.rawValue, cell.features, cell.model, String(seed),
                                       data.labels[truth[i]], data.labels[result.predicted[i]]]
                                      + (0..<classes).map { String(trained.probs[i * classes + $0]) })
            }
            runs.append(Run(protocolName: p, direction: direction, recipe: cell.recipe, features: cell.features, model: cell.model, seed: seed,
                            nTrain: plan.train.count, nValidation: plan.validation.count, nTest: plan.test.count,
                            epochs: trained.epochs, bestEpoch: trained.bestEpoch,
                            accuracy: m.accuracy, uar: m.uar, accuracyCI: result.accuracyCI, uarCI: result.uarCI,
                            collapsed: trained.collapsed, seconds: trained.seconds,
                            confusion: m.confusion, test: plan.test, predicted: result.predicted, probabilities: trained.probs, figure: figure))
        }
        try ctx.write(CSV.encode(header: ["clip", "protocol", "direction", "recipe", "features", "model", "seed", "true", "predicted"]
                                 + data.labels.map { "p_\($0)" },
                                 rows: predictionRows),
                      to: "predictions.csv")

        let comparisons = compare(runs, data: data)
        let pooled = pool(runs, data: data)
        let main = runs.filter { $0.seed == o.seed }
        var ladderFigure: String?
        let baselineMain = main.filter(\.isBaseline)
        if !baselineMain.isEmpty {
            let bars = [Charts.LadderBar(label: "chapter 6 (notebook: selected on test)", group: "notebook procedure (ch. 6)",
                                         value: evaluation.metrics.accuracy, interval: evaluation.accuracyCI.bounds)]
                + baselineMain.compactMap { r -> Charts.LadderBar? in
                    // Folds of more than two speakers are shown pooled (below), one bar per recipe.
                    if r.direction != nil, pooled.contains(where: { $0.protocolName == r.protocolName && $0.recipe == r.recipe && $0.seed == r.seed }) {
                        return nil
                    }
                    return Charts.LadderBar(label: [r.protocolName.rawValue, r.direction].compactMap { $0 }.joined(separator: " "),
                                            group: r.recipe.rawValue, value: r.accuracy, interval: r.accuracyCI.bounds,
                                            collapsed: r.collapsed && r.protocolName != .labelShuffle)
                }
                + pooled.filter { $0.seed == o.seed && $0.features == Models.baseline.features && $0.model == Models.baseline.model }.map { q in
                    Charts.LadderBar(label: "\(q.protocolName.rawValue), \(q.folds) folds pooled", group: q.recipe.rawValue,
                                     value: q.accuracy, interval: q.accuracyCI.bounds)
                }
            ladderFigure = try ctx.write(Charts.ladder(bars: bars, chance: 1 / Double(classes),
                                                       references: [("notebook's published \(notebookAccuracy)", notebookAccuracy)],
                                                       title: "How much of the accuracy survives each removal of leakage (seed \(o.seed))",
                                                       xLabel: "test accuracy (95 % \(corpus.textNoun)-cluster bootstrap interval)"),
                                         to: "leakage_ladder.png")
        }
        let survival = Survival(runs: main, pooled: pooled.filter { $0.seed == o.seed })
        var survivalFigure: String?
        if survival.combinations.count > 1 {
            survivalFigure = try ctx.write(Charts.whatSurvives(survival, chance: 1 / Double(classes),
                                                                    clusterNoun: corpus.textNoun, seed: o.seed),
                                           to: "what_survives.png")
        }
        return Output(level: o.ladder, labels: data.labels, seeds: seeds, runs: runs, pooled: pooled, skipped: skipped, comparisons: comparisons,
                      sets: features.setNames, ladderFigure: ladderFigure, survivalFigure: survivalFigure,
                      notebookProcedureAccuracy: evaluation.metrics.accuracy,
                      notebookProcedureCI: evaluation.accuracyCI)
    }

    /// The speaker protocols' folds pooled per recipe, feature set, model and seed, when there
    /// are more than two speakers (with two, the two directions are the result). The interval
    /// resamples speakers.
    static func pool(_ runs: [Run], data: LabelledData) -> [Pooled] {
        guard Set(data.speakers).count > 2 else { return [] }
        var out: [Pooled] = []
        var seen: Set<String> = []
        for r in runs where r.direction != nil {
            let key = "\(r.protocolName.rawValue)|\(r.recipe.rawValue)|\(r.features)|\(r.model)|\(r.seed)"
            guard seen.insert(key).inserted else { continue }
            let folds = runs.filter { $0.protocolName == r.protocolName && $0.recipe == r.recipe && $0.features == r.features
                && $0.model == r.model && $0.seed == r.seed && $0.direction != nil }
            let rows = folds.flatMap(\.test), predicted = folds.flatMap(\.predicted)
            let truth = rows.map { data.y[$0] }
            let result = TestResult(predicted: predicted, truth: truth, labels: data.labels, clusters: rows.map { data.speakers[$0] },
                                    seed: r.seed)
            out.append(Pooled(protocolName: r.protocolName, recipe: r.recipe, features: r.features, model: r.model, seed: r.seed,
                              folds: folds.count, nTest: rows.count,
                              nSpeakers: Set(rows.map { data.speakers[$0] }).count, accuracy: result.metrics.accuracy, uar: result.metrics.uar,
                              accuracyCI: result.accuracyCI, uarCI: result.uarCI, collapsedFolds: folds.filter(\.collapsed).count))
        }
        return out
    }

    /// McNemar pairs on the same clips, for every seed where both ran: with the notebook's model,
    /// faithful vs standardized on `random` and standardized vs speaker_normalized on each
    /// speaker direction; and every other feature set × model against the notebook's model on
    /// its features (both `standardized`) on each speaker direction. These pairs are fixed before
    /// any result is seen, so none of them is a selection on the test set.
    static func compare(_ runs: [Run], data: LabelledData) -> [Comparison] {
        var pairs: [(Run, Run, String, String)] = []
        let recipePairs: [(LadderProtocol, LadderRecipe, LadderRecipe)] = [
            (.random, .faithful, .standardized), (.speakerIndependent, .standardized, .speakerNormalized),
            (.speakerWordDisjoint, .standardized, .speakerNormalized),
        ]
        for (p, ra, rb) in recipePairs {
            for a in runs where a.isBaseline && a.protocolName == p && a.recipe == ra {
                if let b = runs.first(where: { $0.isBaseline && $0.protocolName == p && $0.recipe == rb && $0.direction == a.direction && $0.seed == a.seed }) {
                    pairs.append((a, b, ra.rawValue, rb.rawValue))
                }
            }
        }
        for b in runs where !b.isBaseline && b.direction != nil && b.recipe == .standardized {
            if let a = runs.first(where: { $0.isBaseline && $0.protocolName == b.protocolName && $0.recipe == .standardized
                && $0.direction == b.direction && $0.seed == b.seed }) {
                pairs.append((a, b, "\(a.features) × \(a.model)", "\(b.features) × \(b.model)"))
            }
        }
        return pairs.compactMap { a, b, nameA, nameB -> Comparison? in
            guard a.test == b.test else { return nil }
            let truth = a.test.map { data.y[$0] }
            let paired = PairedComparison(truth: truth, a: a.predicted, b: b.predicted, clusters: a.test.map { data.words[$0] }, seed: a.seed)
            return Comparison(protocolName: a.protocolName, direction: a.direction, a: nameA, b: nameB, seed: a.seed,
                              n01: paired.n01, n10: paired.n10, pValue: paired.pValue, differenceCI: paired.differenceCI)
        }
    }

    /// Mean, sample deviation, min and max.
    static func spread(_ xs: [Double]) -> (mean: Double, sd: Double, min: Double, max: Double) {
        guard !xs.isEmpty else { return (0, 0, 0, 0) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = xs.count > 1 ? (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
        return (mean, sd, xs.min()!, xs.max()!)
    }

    public struct Figure {
        var name: String
        var figure: String
    }

    public struct Section {
        var hasLadder: Bool
        var level: String
        var ladderFigure: String
        var hasFigure: Bool
        var ladderTable: String
        var rungTable: String
        var skippedTable: String
        var hasSkipped: Bool
        var comparisonTable: String
        var hasComparisons: Bool
        var hasRepeats: Bool
        var repeats: Int
        var spreadTable: String
        var shuffleAccuracy: String
        var chance: String
        var nCollapsed: Int
        var hasCollapsed: Bool
        var seconds: String
        var nRuns: Int
        /// Runs trained at once (`--threads`, at most the number of runs).
        var lanes: Int
        var figures: [Figure]
        var tessLike: Bool
        var corpusName: String
        var nSpeakers: Int
        var nTexts: Int
        var nClasses: Int
        var hasPooled: Bool
        var pooledTable: String
        var foldRule: String
        var hasSurvival: Bool
        var survivalFigure: String
        var hasSurvivalFigure: Bool
        var survivalTable: String
        var setTable: String
        var modelTable: String
        var hasAxisComparisons: Bool
        var axisComparisonTable: String
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let mainSeed = output.seeds.first ?? 0
        let all = output.runs.filter { $0.seed == mainSeed }
        let main = all.filter(\.isBaseline)
        let textNoun = report.output(of: LoadChapter.self)?.corpus.textNoun ?? "word"
        func withCI(_ x: Double, _ i: Statistics.Interval, cluster: String? = nil) -> String {
            "\(Markdown.fixed(x, 3)) \(i.text(point: x, cluster: cluster ?? textNoun))"
        }
        let rows = [["notebook procedure (chapter 6)", "selected on the test set", "",
                     withCI(output.notebookProcedureAccuracy, output.notebookProcedureCI), "", "", ""]]
            + main.map { r in
                [[r.protocolName.rawValue, r.direction].compactMap { $0 }.joined(separator: " "), r.recipe.rawValue,
                 "\(r.nTrain) / \(r.nValidation) / \(r.nTest)",
                 withCI(r.accuracy, r.accuracyCI), withCI(r.uar, r.uarCI), "\(r.epochs) (\(r.bestEpoch))",
                 r.collapsed ? (r.protocolName == .labelShuffle ? "at chance (expected)" : "**collapsed**") : ""]
            }
        let ladderTable = Markdown.table(["protocol", "recipe", "train / val / test", "accuracy [95 % CI]",
                                          "UAR [95 % CI]", "epochs (best)", ""], rows,
                                         align: ["l", "l", "r", "l", "l", "r", "l"])
        let rungTable = Markdown.table(["protocol", "what it removes"], LadderProtocol.allCases.map { [$0.rawValue, $0.removes] })
        let skippedTable = Markdown.table(["protocol", "direction", "recipe", "features × model", "not run because"],
                                          output.skipped.map { [$0.protocolName.rawValue, $0.direction ?? "", $0.recipe.rawValue,
                                                                "\($0.features) × \($0.model)", $0.reason] })
        let showSeed = output.seeds.count > 1
        let comparisonTable = Markdown.table(
            ["protocol", "a vs b"] + (showSeed ? ["seed"] : []) + ["n01", "n10", "McNemar p", "a − b [95 % CI]"],
            output.comparisons.filter { !$0.a.contains("×") }.map { c -> [String] in
                let name: String = [c.protocolName.rawValue, c.direction].compactMap { $0 }.joined(separator: " ")
                let difference: String = c.differenceCI.bounds.map { "[\(Markdown.fixed($0.lo, 3)), \(Markdown.fixed($0.hi, 3))]" } ?? "too few clusters"
                let seed: [String] = showSeed ? [String(c.seed)] : []
                return [name, "\(c.a) vs \(c.b)"] + seed
                    + [String(c.n01), String(c.n10), String(format: "%.2g", c.pValue), difference]
            },
            align: ["l", "l"] + (showSeed ? ["r"] : []) + ["r", "r", "r", "l"])
        let axisComparisonTable = Markdown.table(
            ["protocol", "b"] + (showSeed ? ["seed"] : []) + ["only baseline right (n01)", "only b right (n10)", "McNemar p", "baseline − b [95 % CI]"],
            output.comparisons.filter { $0.a.contains("×") }.map { c -> [String] in
                let name: String = [c.protocolName.rawValue, c.direction].compactMap { $0 }.joined(separator: " ")
                let difference: String = c.differenceCI.bounds.map { "[\(Markdown.fixed($0.lo, 3)), \(Markdown.fixed($0.hi, 3))]" } ?? "too few clusters"
                return [name, c.b] + (showSeed ? [String(c.seed)] : [])
                    + [String(c.n01), String(c.n10), String(format: "%.2g", c.pValue), difference]
            },
            align: ["l", "l"] + (showSeed ? ["r"] : []) + ["r", "r", "r", "l"])
        let survival = Survival(runs: all, pooled: output.pooled.filter { $0.seed == mainSeed })
        let features = report.output(of: FeaturesChapter.self)
        let setTable = Markdown.table(["feature set", "per clip", "what it is"],
                                      [["mfcc-means", "\(features?.nMFCC ?? 40) values", "the notebook's: the mean over frames of librosa's MFCCs"]]
                                      + (features?.sets ?? []).map { s in
                                          [s.name, s.shape.isVector ? "\(s.valuesPerClip) values" : "\(s.valuesPerClip / max(s.columns.count, 1)) frames × \(s.columns.count) bands",
                                           s.summary]
                                      })
        let modelTable = Markdown.table(["model", "takes", "what it is"], Models.all.map { m in
            [m.name, m.accepts(.vector) ? "vector sets" : "sequence sets", m.summary]
        })
        // The spread over seeds, per rung and recipe.
        var keys: [String] = []
        var groups: [String: [Run]] = [:]
        for r in output.runs {
            if groups[r.name] == nil { keys.append(r.name) }
            groups[r.name, default: []].append(r)
        }
        let spreadRows = keys.map { k -> [String] in
            let rs = groups[k]!
            let kept = rs.filter { !$0.collapsed || $0.protocolName == .labelShuffle }
            let s = spread(kept.map(\.accuracy))
            return [k, String(rs.count), Markdown.fixed(s.mean, 4), Markdown.fixed(s.sd, 4), Markdown.fixed(s.min, 4),
                    Markdown.fixed(s.max, 4), String(rs.count - kept.count)]
        }
        let spreadTable = Markdown.table(["run", "seeds", "mean accuracy", "sd", "min", "max", "collapsed (left out)"], spreadRows,
                                         align: ["l", "r", "r", "r", "r", "r", "r"])
        let shuffle = output.runs.filter { $0.protocolName == .labelShuffle }.map(\.accuracy)
        let corpus = report.output(of: LoadChapter.self)?.corpus
        // TESS (or the synthetic TESS-shaped corpus): two actresses, 200 words.
        let tessLike = corpus.map { $0.convention == .tess || $0.convention == nil && $0.name.contains("TESS") } ?? true
        let pooledTable = Markdown.table(["protocol", "recipe"] + (showSeed ? ["seed"] : []) + ["folds", "test clips", "speakers",
                                          "accuracy [95 % CI]", "UAR [95 % CI]", "collapsed folds"],
                                         output.pooled.map { q in
                                             [q.protocolName.rawValue, q.recipe.rawValue] + (showSeed ? [String(q.seed)] : [])
                                                 + [String(q.folds), String(q.nTest), String(q.nSpeakers),
                                                    withCI(q.accuracy, q.accuracyCI, cluster: "speaker"),
                                                    withCI(q.uar, q.uarCI, cluster: "speaker"), String(q.collapsedFolds)]
                                         }, align: ["l", "l"] + (showSeed ? ["r"] : []) + ["r", "r", "r", "l", "l", "r"])
        return Section(hasLadder: !output.runs.isEmpty || !output.skipped.isEmpty, level: output.level.rawValue,
                       ladderFigure: output.ladderFigure ?? "", hasFigure: output.ladderFigure != nil,
                       ladderTable: ladderTable, rungTable: rungTable, skippedTable: skippedTable, hasSkipped: !output.skipped.isEmpty,
                       comparisonTable: comparisonTable, hasComparisons: output.comparisons.contains { !$0.a.contains("×") },
                       hasRepeats: output.seeds.count > 1, repeats: output.seeds.count - 1, spreadTable: spreadTable,
                       shuffleAccuracy: shuffle.isEmpty ? "not run" : Markdown.fixed(spread(shuffle).mean, 4),
                       chance: Markdown.fixed(1 / Double(max(output.labels.count, 1)), 4),
                       nCollapsed: output.runs.filter { $0.collapsed && $0.protocolName != .labelShuffle }.count,
                       hasCollapsed: output.runs.contains { $0.collapsed && $0.protocolName != .labelShuffle },
                       seconds: Markdown.fixed(output.runs.map(\.seconds).reduce(0, +), 1),
                       nRuns: output.runs.count, lanes: max(1, min(report.options.threads, output.runs.count)),
                       figures: all.map { Figure(name: $0.name, figure: $0.figure) },
                       tessLike: tessLike, corpusName: corpus?.name ?? "the corpus", nSpeakers: corpus?.speakers.count ?? 0,
                       nTexts: corpus?.words.count ?? 0, nClasses: output.labels.count,
                       hasPooled: !output.pooled.isEmpty, pooledTable: pooledTable,
                       foldRule: (corpus?.speakers.count ?? 0) <= 10 ? "one speaker per fold" : "five groups of speakers drawn with the seed, one per fold",
                       hasSurvival: survival.combinations.count > 1, survivalFigure: output.survivalFigure ?? "",
                       hasSurvivalFigure: output.survivalFigure != nil, survivalTable: survival.table(clusterNoun: textNoun),
                       setTable: setTable, modelTable: modelTable,
                       hasAxisComparisons: output.comparisons.contains { $0.a.contains("×") }, axisComparisonTable: axisComparisonTable)
    }
}
