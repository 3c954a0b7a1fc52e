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
        o.trainingKey + ["repeats=\(o.repeats)", "ladder=\(o.ladder.rawValue)", "ladder-scope=\(o.ladderScope.rawValue)"]
    }

    /// The notebook's published accuracy (its last logged val_accuracy), marked on the figure.
    static let notebookAccuracy = 0.9929

    /// One trained and tested ladder run.
    public struct Run: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var direction: String?
        public var recipe: LadderRecipe
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
        var name: String { [protocolName.rawValue, direction, recipe.rawValue].compactMap { $0 }.joined(separator: " · ") }
    }

    /// A run the corpus could not support, with the reason.
    public struct Skipped: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var direction: String?
        public var recipe: LadderRecipe
        public var reason: String
    }

    /// A speaker protocol's folds pooled: every fold's test predictions together (each clip is
    /// tested once, by the fold that held its speaker out), with a speaker-cluster bootstrap.
    /// Made when the corpus has more than two speakers.
    public struct Pooled: Codable, Sendable {
        public var protocolName: LadderProtocol
        public var recipe: LadderRecipe
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
        public var a: LadderRecipe
        public var b: LadderRecipe
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
        public var ladderFigure: String?
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
        let data = LabelledData(try ctx.output(of: FeaturesChapter.self))
        let corpus = try ctx.output(of: LoadChapter.self).corpus
        let textHoldout = corpus.convention?.textHoldoutNotApplicable
        let evaluation = try ctx.output(of: EvaluationChapter.self)
        let speakers = Array(Set(data.speakers)).sorted()
        let seeds = [o.seed] + (o.repeats > 0 ? (1...o.repeats).map { repeatSeed(o.seed, $0) } : [])
        let classes = data.labels.count

        // 1. Plan every run (and say which cannot run), in the ladder's order.
        struct Job {
            var protocolName: LadderProtocol, recipe: LadderRecipe, seed: UInt64, direction: String?
            var plan: LadderPlan
            var label: String
        }
        var jobs: [Job] = [], skipped: [Skipped] = []
        let plannedPerSeed = o.ladder.runs.reduce(0) { n, pr in n + max(1, directions(pr.0, speakers: speakers, seed: o.seed).count) }
        var index = 0
        for seed in seeds {
            for (p, recipe) in o.ladder.runs {
                let dirs = directions(p, speakers: speakers, seed: seed)
                if dirs.isEmpty {
                    if seed == o.seed {
                        skipped.append(Skipped(protocolName: p, direction: nil, recipe: recipe,
                                               reason: "needs at least two speakers; the corpus has \(speakers.count)"))
                    }
                    index += 1
                    continue
                }
                if let why = textHoldout, p == .wordDisjoint || p == .speakerWordDisjoint {
                    if seed == o.seed { skipped.append(Skipped(protocolName: p, direction: nil, recipe: recipe, reason: why)) }
                    index += dirs.count
                    continue
                }
                for d in dirs {
                    index += 1
                    let direction = d?.name
                    switch LadderPlan.make(p, speakers: data.speakers, words: data.words, labels: data.y, fold: d, seed: seed) {
                    case .failure(let why):
                        if seed == o.seed { skipped.append(Skipped(protocolName: p, direction: direction, recipe: recipe, reason: why.reason)) }
                    case .success(let plan):
                        let label = "ladder \(index)/\(plannedPerSeed * seeds.count): \([p.rawValue, direction, recipe.rawValue].compactMap { $0 }.joined(separator: " ")) seed \(seed)"
                        jobs.append(Job(protocolName: p, recipe: recipe, seed: seed, direction: direction, plan: plan, label: label))
                    }
                }
            }
        }

        // 2. Train and test them, `--threads` at a time, each on one thread. A run's result does
        // not depend on which runs share the machine with it (nor on --threads), so the output is
        // the same bits however the runs are scheduled. The largest training sides go first and
        // the label-shuffle control (it stops early: nothing to learn) last, so that the runs
        // left when one thread runs out of work are short ones.
        //
        // What a run leaves for step 3 (not its model: nine of them would hold ~300 MB).
        struct Trained {
            var history: History, collapsed: Bool, probs: [Float], seconds: Double
        }
        func size(_ j: Job) -> Int { j.protocolName == .labelShuffle ? 0 : j.plan.train.count }
        let results = TrainingRun.concurrently(jobs.count, order: jobs.indices.sorted { size(jobs[$0]) > size(jobs[$1]) },
                                               options: o) { i, oneThread -> Trained in
            let job = jobs[i]
            let start = Date()
            let x = job.recipe.inputs(data, job.plan, scope: o.ladderScope)
            let trained = try TrainingRun.fit(xTrain: x.train, yTrain: job.plan.train.map { job.plan.labels[$0] },
                                              xValidation: x.validation, yValidation: job.plan.validation.map { job.plan.labels[$0] },
                                              features: data.features, classes: classes, options: oneThread, seed: job.seed,
                                              label: job.label, progress: ctx.progress)
            let probs = trained.model.predictProbabilities(x.test, count: job.plan.test.count)
            return Trained(history: trained.history, collapsed: trained.collapsed, probs: probs,
                           seconds: Date().timeIntervalSince(start))
        }

        // 3. Metrics, intervals, figures and predictions, in the ladder's order.
        var runs: [Run] = []
        var predictionRows: [[String]] = []
        for (job, result) in zip(jobs, results) {
            let trained = try result.get()
            let (probs, seconds) = (trained.probs, trained.seconds)
            let (p, recipe, seed, direction, plan) = (job.protocolName, job.recipe, job.seed, job.direction, job.plan)
            let truth = plan.test.map { data.y[$0] }
            let predicted = truth.indices.map { argmax(probs, row: $0, classes: classes) }
            let m = Metrics(labels: data.labels, truth: truth, predicted: predicted)
            let ci = Statistics.clusterBootstrap(truth: truth, predicted: predicted, cluster: plan.test.map { data.words[$0] },
                                                 classes: classes, seed: seed)
            // The direction names speakers (data): each made a safe file-name part.
            let slug = [p.rawValue, direction.map { d in d.components(separatedBy: "→").map(SafeFileName.part).joined(separator: "_to_") },
                        recipe.rawValue, seed == o.seed ? nil : "seed\(seed)"].compactMap { $0 }.joined(separator: "_")
            let figure = try ctx.write(Charts.confusionMatrix(
                counts: m.confusion, labels: data.figureLabels,
                title: "\([p.rawValue, direction, recipe.rawValue].compactMap { $0 }.joined(separator: " · "))\naccuracy \(Markdown.fixed(m.accuracy, 3)), UAR \(Markdown.fixed(m.uar, 3))"),
                to: "confusion_\(slug).png")
            for (i, row) in plan.test.enumerated() {
                predictionRows.append([data.paths[row], p.rawValue, direction ?? "", recipe.rawValue, String(seed),
                                       data.labels[truth[i]], data.labels[predicted[i]]]
                                      + (0..<classes).map { String(probs[i * classes + $0]) })
            }
            runs.append(Run(protocolName: p, direction: direction, recipe: recipe, seed: seed,
                            nTrain: plan.train.count, nValidation: plan.validation.count, nTest: plan.test.count,
                            epochs: trained.history.rows.count, bestEpoch: trained.history.bestEpoch,
                            accuracy: m.accuracy, uar: m.uar, accuracyCI: ci.accuracy, uarCI: ci.uar,
                            collapsed: trained.collapsed, seconds: seconds,
                            confusion: m.confusion, test: plan.test, predicted: predicted, probabilities: probs, figure: figure))
        }
        try ctx.write(CSV.encode(header: ["clip", "protocol", "direction", "recipe", "seed", "true", "predicted"] + data.labels.map { "p_\($0)" },
                                 rows: predictionRows),
                      to: "predictions.csv")

        let comparisons = compare(runs, data: data)
        let pooled = pool(runs, data: data)
        let main = runs.filter { $0.seed == o.seed }
        var ladderFigure: String?
        if !main.isEmpty {
            let bars = [Charts.LadderBar(label: "chapter 6 (notebook: selected on test)", group: "notebook procedure (ch. 6)",
                                         value: evaluation.metrics.accuracy, interval: evaluation.accuracyCI.bounds)]
                + main.compactMap { r -> Charts.LadderBar? in
                    // Folds of more than two speakers are shown pooled (below), one bar per recipe.
                    if r.direction != nil, pooled.contains(where: { $0.protocolName == r.protocolName && $0.recipe == r.recipe && $0.seed == r.seed }) {
                        return nil
                    }
                    return Charts.LadderBar(label: [r.protocolName.rawValue, r.direction].compactMap { $0 }.joined(separator: " "),
                                            group: r.recipe.rawValue, value: r.accuracy, interval: r.accuracyCI.bounds,
                                            collapsed: r.collapsed && r.protocolName != .labelShuffle)
                }
                + pooled.filter { $0.seed == o.seed }.map { q in
                    Charts.LadderBar(label: "\(q.protocolName.rawValue), \(q.folds) folds pooled", group: q.recipe.rawValue,
                                     value: q.accuracy, interval: q.accuracyCI.bounds)
                }
            ladderFigure = try ctx.write(Charts.ladder(bars: bars, chance: 1 / Double(classes),
                                                       references: [("notebook's published \(notebookAccuracy)", notebookAccuracy)],
                                                       title: "How much of the accuracy survives each removal of leakage (seed \(o.seed))",
                                                       xLabel: "test accuracy (95 % \(corpus.textNoun)-cluster bootstrap interval)"),
                                         to: "leakage_ladder.png")
        }
        return Output(level: o.ladder, labels: data.labels, seeds: seeds, runs: runs, pooled: pooled, skipped: skipped, comparisons: comparisons,
                      ladderFigure: ladderFigure, notebookProcedureAccuracy: evaluation.metrics.accuracy,
                      notebookProcedureCI: evaluation.accuracyCI)
    }

    /// The speaker protocols' folds pooled per recipe and seed, when there are more than two
    /// speakers (with two, the two directions are the result). The interval resamples speakers.
    static func pool(_ runs: [Run], data: LabelledData) -> [Pooled] {
        guard Set(data.speakers).count > 2 else { return [] }
        var out: [Pooled] = []
        var seen: [String] = []
        for r in runs where r.direction != nil {
            let key = "\(r.protocolName.rawValue)|\(r.recipe.rawValue)|\(r.seed)"
            guard !seen.contains(key) else { continue }
            seen.append(key)
            let folds = runs.filter { $0.protocolName == r.protocolName && $0.recipe == r.recipe && $0.seed == r.seed && $0.direction != nil }
            let rows = folds.flatMap(\.test), predicted = folds.flatMap(\.predicted)
            let truth = rows.map { data.y[$0] }
            let m = Metrics(labels: data.labels, truth: truth, predicted: predicted)
            let ci = Statistics.clusterBootstrap(truth: truth, predicted: predicted, cluster: rows.map { data.speakers[$0] },
                                                 classes: data.labels.count, seed: r.seed)
            out.append(Pooled(protocolName: r.protocolName, recipe: r.recipe, seed: r.seed, folds: folds.count, nTest: rows.count,
                              nSpeakers: Set(rows.map { data.speakers[$0] }).count, accuracy: m.accuracy, uar: m.uar,
                              accuracyCI: ci.accuracy, uarCI: ci.uar, collapsedFolds: folds.filter(\.collapsed).count))
        }
        return out
    }

    /// McNemar pairs on the same clips: faithful vs standardized on `random`, standardized vs
    /// speaker_normalized on each speaker direction, for every seed where both ran.
    static func compare(_ runs: [Run], data: LabelledData) -> [Comparison] {
        let pairs: [(LadderProtocol, LadderRecipe, LadderRecipe)] = [
            (.random, .faithful, .standardized), (.speakerIndependent, .standardized, .speakerNormalized),
            (.speakerWordDisjoint, .standardized, .speakerNormalized),
        ]
        var out: [Comparison] = []
        for (p, ra, rb) in pairs {
            for a in runs where a.protocolName == p && a.recipe == ra {
                guard let b = runs.first(where: { $0.protocolName == p && $0.recipe == rb && $0.direction == a.direction && $0.seed == a.seed }),
                      a.test == b.test else { continue }
                let truth = a.test.map { data.y[$0] }
                var n01 = 0, n10 = 0
                for i in truth.indices {
                    let okA = a.predicted[i] == truth[i], okB = b.predicted[i] == truth[i]
                    if okA && !okB { n01 += 1 }
                    if okB && !okA { n10 += 1 }
                }
                out.append(Comparison(protocolName: p, direction: a.direction, a: ra, b: rb, seed: a.seed, n01: n01, n10: n10,
                                      pValue: Statistics.mcnemarExact(n01: n01, n10: n10),
                                      differenceCI: Statistics.pairedDifference(truth: truth, a: a.predicted, b: b.predicted,
                                                                                cluster: a.test.map { data.words[$0] }, seed: a.seed)))
            }
        }
        return out
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
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let mainSeed = output.seeds.first ?? 0
        let main = output.runs.filter { $0.seed == mainSeed }
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
        let skippedTable = Markdown.table(["protocol", "direction", "recipe", "not run because"],
                                          output.skipped.map { [$0.protocolName.rawValue, $0.direction ?? "", $0.recipe.rawValue, $0.reason] })
        let showSeed = output.seeds.count > 1
        let comparisonTable = Markdown.table(
            ["protocol", "a vs b"] + (showSeed ? ["seed"] : []) + ["n01", "n10", "McNemar p", "a − b [95 % CI]"],
            output.comparisons.map { c -> [String] in
                let name: String = [c.protocolName.rawValue, c.direction].compactMap { $0 }.joined(separator: " ")
                let difference: String = c.differenceCI.bounds.map { "[\(Markdown.fixed($0.lo, 3)), \(Markdown.fixed($0.hi, 3))]" } ?? "too few clusters"
                let seed: [String] = showSeed ? [String(c.seed)] : []
                return [name, "\(c.a.rawValue) vs \(c.b.rawValue)"] + seed
                    + [String(c.n01), String(c.n10), String(format: "%.2g", c.pValue), difference]
            },
            align: ["l", "l"] + (showSeed ? ["r"] : []) + ["r", "r", "r", "l"])
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
                       comparisonTable: comparisonTable, hasComparisons: !output.comparisons.isEmpty,
                       hasRepeats: output.seeds.count > 1, repeats: output.seeds.count - 1, spreadTable: spreadTable,
                       shuffleAccuracy: shuffle.isEmpty ? "not run" : Markdown.fixed(spread(shuffle).mean, 4),
                       chance: Markdown.fixed(1 / Double(max(output.labels.count, 1)), 4),
                       nCollapsed: output.runs.filter { $0.collapsed && $0.protocolName != .labelShuffle }.count,
                       hasCollapsed: output.runs.contains { $0.collapsed && $0.protocolName != .labelShuffle },
                       seconds: Markdown.fixed(output.runs.map(\.seconds).reduce(0, +), 1),
                       nRuns: output.runs.count, lanes: max(1, min(report.options.threads, output.runs.count)),
                       figures: main.map { Figure(name: $0.name, figure: $0.figure) },
                       tessLike: tessLike, corpusName: corpus?.name ?? "the corpus", nSpeakers: corpus?.speakers.count ?? 0,
                       nTexts: corpus?.words.count ?? 0, nClasses: output.labels.count,
                       hasPooled: !output.pooled.isEmpty, pooledTable: pooledTable,
                       foldRule: (corpus?.speakers.count ?? 0) <= 10 ? "one speaker per fold" : "five groups of speakers drawn with the seed, one per fold")
    }
}
