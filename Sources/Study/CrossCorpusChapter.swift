import Base
import Corpus
import Foundation
import NeuralNet
import Plot
import Report

extension ChapterID {
    public static let crossCorpus: ChapterID = "08-cross-corpus"
}

/// Chapter 8: does a model trained on one corpus recognise emotion in another? With `--data`
/// given more than once, every corpus trains a model with the ladder's collapse-free recipe
/// (`standardized`, on the `random` protocol's 80 % side) and every other corpus tests it, on the
/// labels the two share in the common vocabulary (TESS `ps` = RAVDESS `08` = surprise). The
/// diagonal is each corpus's own held-out 20 %, on the labels shared by all the corpora given.
public enum CrossCorpusChapter: Chapter {
    public static let id = ChapterID.crossCorpus
    public static let title = "Cross-corpus: trained on one corpus, tested on another"
    public static let purpose = "with --data given twice or more: train on each corpus, test on every other, on their shared labels"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self, FeaturesChapter.self] }
    public static func keyComponents(_ o: StudyOptions) -> [String] {
        o.trainingKey + FeaturesChapter.keyComponents(o) + ["ladder-scope=\(o.ladderScope.rawValue)"]
            + o.otherCorpora.map { "corpus=\($0.standardizedFileURL.path)" }
    }

    /// Chapter 1 scans the other corpora on every run; their fingerprints are this chapter's
    /// to depend on, not chapter 1's (which would re-run chapters 2–7 for a change elsewhere).
    public static func upstreamKeyComponents(_ upstream: ReportContext) -> [String] {
        upstream.output(of: LoadChapter.self)?.others.map(\.fingerprint) ?? []
    }

    public static func notApplicable(_ o: StudyOptions) -> String? {
        o.dataDirectories.count >= 2 ? nil
            : "it needs two corpora or more (`study run --data TESS --data RAVDESS …`): chapters 1–7 study the first, this chapter trains on each and tests on every other"
    }

    /// One corpus of the run, as this chapter uses it.
    public struct CorpusInfo: Codable, Sendable {
        /// The name in the matrix (the convention's name, made unique with its folder when two agree).
        public var name: String
        public var folder: String
        /// Clips with features and a label in the common vocabulary.
        public var nClips: Int
        public var nSpeakers: Int
        /// Common labels present among its clips, in vocabulary order.
        public var labels: [String]
        /// Its own labels and what they mean in the common vocabulary.
        public var mapping: [LabelMapping]
        /// Clips whose features could not be computed.
        public var nFailures: Int
    }

    /// One train → test cell of the matrix.
    public struct Pair: Codable, Sendable {
        public var train: Int
        public var test: Int
        /// The common labels of this pair, in vocabulary order: the model's classes.
        public var labels: [String]
        public var nTrain: Int
        public var nValidation: Int
        public var nTest: Int
        public var epochs: Int
        public var bestEpoch: Int
        public var collapsed: Bool
        public var accuracy: Double
        public var uar: Double
        public var accuracyCI: Statistics.Interval
        public var uarCI: Statistics.Interval
        /// What the bootstrap resamples: test speakers across corpora, texts within one.
        public var clusterUnit: String
        public var confusion: [[Int]]
        /// Class probabilities, row-major (test clip × class, classes in `labels` order), the
        /// clips in the order tested: for the reproducibility digest.
        public var probabilities: [Float]
        public var figure: String
    }

    /// A cell that could not be filled, and why.
    public struct Missing: Codable, Sendable {
        public var train: Int
        public var test: Int
        public var reason: String
    }

    public struct Output: Codable, Sendable {
        public var corpora: [CorpusInfo]
        /// Common labels present in every corpus: the diagonal's classes.
        public var shared: [String]
        public var pairs: [Pair]
        public var missing: [Missing]
        public var accuracyFigure: String
        public var uarFigure: String
        public var trainings: Int
        public var seconds: Double

        func pair(_ r: Int, _ c: Int) -> Pair? { pairs.first { $0.train == r && $0.test == c } }
        /// matrix[train][test], nil where the cell is missing.
        public func matrix(_ value: (Pair) -> Double) -> [[Double?]] {
            corpora.indices.map { r in corpora.indices.map { c in pair(r, c).map(value) } }
        }
    }

    /// A corpus's features with its labels in the common vocabulary.
    struct CorpusData {
        var name: String
        var rows: [FeaturesChapter.Row]
        var common: [CommonEmotion]
        var features: Int

        func indices(of labels: [CommonEmotion]) -> [Int] {
            let wanted = Set(labels)
            return rows.indices.filter { wanted.contains(common[$0]) }
        }

        func matrix(_ idx: [Int], standardizer: Standardizer) -> [Float] {
            var x = [Float](); x.reserveCapacity(idx.count * features)
            for i in idx { x += rows[i].values }
            return standardizer.apply(x)
        }
    }

    /// A trained model: corpus `train` on `labels`, with the held-out 20 % of its corpus.
    struct Model {
        var labels: [CommonEmotion]
        var run: TrainingRun
        var standardizer: Standardizer
        var nTrain: Int
        var nValidation: Int
        var heldOut: [Int]
    }

    /// Unique display names: the corpus name, with the folder when two corpora share one.
    static func names(_ corpora: [CorpusScan]) -> [String] {
        corpora.map { c in
            corpora.filter { $0.name == c.name }.count > 1 ? "\(c.name) (\(c.root.lastPathComponent))" : c.name
        }
    }

    /// Every pair's probabilities in the order of `pairs` (trained-on corpus, then tested-on,
    /// in `--data` order): the end of the predictions digest.
    public static func digestFloats(_ output: Output) -> (part: DigestPart, values: [Float])? {
        (.predictions, output.pairs.flatMap(\.probabilities))
    }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let o = ctx.options
        let start = Date()
        let load = try ctx.output(of: LoadChapter.self)
        let first = try ctx.output(of: FeaturesChapter.self)
        guard let preset = o.recipe.featurePreset else {
            throw StudyError.invalidOption("unknown feature preset '\(o.recipe.preset)'; use notebook or librosa")
        }
        let scans = [load.corpus] + load.others
        let shown = names(scans)
        var data: [CorpusData] = []
        var infos: [CorpusInfo] = []
        for (k, scan) in scans.enumerated() {
            var rows = first.rows, failures = first.failures.count
            if k > 0 {
                let e = FeaturesChapter.extract(scan, recipe: o.recipe, preset: preset, threads: o.threads, progress: ctx.progress,
                                                label: "extracting MFCCs of \(shown[k])")
                rows = e.rows; failures = e.failures.count
            }
            // Clips whose label has no common emotion cannot be compared across corpora.
            let kept = rows.compactMap { r in scan.commonLabel(r.label).map { (r, $0) } }
            let d = CorpusData(name: shown[k], rows: kept.map(\.0), common: kept.map(\.1), features: o.recipe.nMFCC)
            data.append(d)
            infos.append(CorpusInfo(name: shown[k], folder: scan.root.lastPathComponent, nClips: d.rows.count,
                                    nSpeakers: Set(d.rows.map(\.speaker)).count,
                                    labels: Set(d.common).sorted().map(\.rawValue), mapping: scan.labelMapping, nFailures: failures))
        }
        let sharedAll = data.map { Set($0.common) }.reduce(Set(CommonEmotion.allCases)) { $0.intersection($1) }.sorted()

        // One model per (training corpus, label set): the diagonal's set, and each pair's set.
        var wanted: [(train: Int, labels: [CommonEmotion])] = []
        func want(_ r: Int, _ labels: [CommonEmotion]) {
            if !wanted.contains(where: { $0.train == r && $0.labels == labels }) { wanted.append((r, labels)) }
        }
        var missing: [Missing] = []
        var cells: [(r: Int, c: Int, labels: [CommonEmotion])] = []
        for r in data.indices {
            for c in data.indices {
                let labels = r == c ? sharedAll : Set(data[r].common).intersection(data[c].common).sorted()
                guard labels.count >= 2 else {
                    missing.append(Missing(train: r, test: c, reason: labels.isEmpty ? "no label in common"
                                           : "only one label in common (\(labels[0].rawValue)): nothing to tell apart"))
                    continue
                }
                cells.append((r, c, labels))
                want(r, labels)
            }
        }

        var models: [String: Model] = [:]
        func key(_ r: Int, _ labels: [CommonEmotion]) -> String { "\(r):" + labels.map(\.rawValue).joined(separator: ",") }
        struct Job {
            var wanted: (train: Int, labels: [CommonEmotion])
            var train: [Int], validation: [Int], heldOut: [Int]
            var standardizer: Standardizer
            var xTrain: [Float]
            var label: String
        }
        var jobs: [Job] = []
        for (n, w) in wanted.enumerated() {
            let d = data[w.train]
            let rows = d.indices(of: w.labels)
            let split = Split.shuffled(count: rows.count, testSize: 0.2, seed: o.seed)
            let side = split.train.map { rows[$0] }, heldOut = split.test.map { rows[$0] }
            let (train, validation) = LadderPlan.validationSlice(of: side, words: d.rows.map(\.word), wholeWords: false, seed: o.seed)
            guard train.count >= 2, !validation.isEmpty, !heldOut.isEmpty else {
                for cell in cells where cell.r == w.train && cell.labels == w.labels {
                    missing.append(Missing(train: cell.r, test: cell.c,
                                           reason: "too few clips to train on (\(train.count) training, \(validation.count) validation, \(heldOut.count) held out)"))
                }
                continue
            }
            var raw = [Float](); raw.reserveCapacity(train.count * d.features)
            for i in train { raw += d.rows[i].values }
            let standardizer = Standardizer.fit(x: raw, count: train.count, features: d.features, scope: o.ladderScope)
            jobs.append(Job(wanted: w, train: train, validation: validation, heldOut: heldOut,
                            standardizer: standardizer, xTrain: standardizer.apply(raw),
                            label: "cross-corpus \(n + 1)/\(wanted.count): \(d.name) on \(w.labels.count) labels"))
        }
        // As the ladder's runs: `--threads` trainings at a time, each on one thread, so that a
        // model's bits depend neither on the thread count nor on the trainings beside it.
        let trained = TrainingRun.concurrently(jobs.count, order: jobs.indices.sorted { jobs[$0].train.count > jobs[$1].train.count },
                                               options: o) { i, oneThread -> TrainingRun in
            let job = jobs[i], d = data[job.wanted.train]
            let classIndex = Dictionary(uniqueKeysWithValues: job.wanted.labels.enumerated().map { ($0.element, $0.offset) })
            return try TrainingRun.fit(xTrain: job.xTrain, yTrain: job.train.map { classIndex[d.common[$0]]! },
                                       xValidation: d.matrix(job.validation, standardizer: job.standardizer),
                                       yValidation: job.validation.map { classIndex[d.common[$0]]! },
                                       features: d.features, classes: job.wanted.labels.count, options: oneThread, seed: o.seed,
                                       label: job.label, progress: ctx.progress)
        }
        for (job, run) in zip(jobs, trained) {
            models[key(job.wanted.train, job.wanted.labels)] = Model(labels: job.wanted.labels, run: try run.get(),
                                                                     standardizer: job.standardizer, nTrain: job.train.count,
                                                                     nValidation: job.validation.count, heldOut: job.heldOut)
        }

        var pairs: [Pair] = []
        for cell in cells {
            guard let model = models[key(cell.r, cell.labels)] else { continue }
            let test = data[cell.c]
            let rows = cell.r == cell.c ? model.heldOut : test.indices(of: cell.labels)
            guard !rows.isEmpty else {
                missing.append(Missing(train: cell.r, test: cell.c, reason: "no test clip with the shared labels"))
                continue
            }
            let classIndex = Dictionary(uniqueKeysWithValues: cell.labels.enumerated().map { ($0.element, $0.offset) })
            let classes = cell.labels.count
            let truth = rows.map { classIndex[test.common[$0]]! }
            // The training corpus's statistics, as a deployed model would apply them.
            let probs = model.run.model.predictProbabilities(test.matrix(rows, standardizer: model.standardizer), count: rows.count)
            let names = cell.labels.map(\.rawValue)
            // Within a corpus the texts are the clusters (the ladder's random rung); across
            // corpora, the test corpus's speakers: generalising to new voices is the question.
            let within = cell.r == cell.c
            let result = TestResult(probabilities: probs, truth: truth, labels: names,
                                    clusters: rows.map { within ? test.rows[$0].word : test.rows[$0].speaker }, seed: o.seed)
            let m = result.metrics
            let slug = "\(cell.r + 1)_to_\(cell.c + 1)"
            let figure = try ctx.write(Charts.confusionMatrix(
                counts: m.confusion, labels: names,
                title: "trained on \(data[cell.r].name), tested on \(within ? "its held-out 20 %" : test.name)\naccuracy \(Markdown.fixed(m.accuracy, 3)), UAR \(Markdown.fixed(m.uar, 3))"),
                to: "confusion_\(slug).png")
            pairs.append(Pair(train: cell.r, test: cell.c, labels: names, nTrain: model.nTrain, nValidation: model.nValidation,
                              nTest: rows.count, epochs: model.run.history.rows.count, bestEpoch: model.run.history.bestEpoch,
                              collapsed: model.run.collapsed, accuracy: m.accuracy, uar: m.uar,
                              accuracyCI: result.accuracyCI, uarCI: result.uarCI, clusterUnit: within ? "text" : "speaker",
                              confusion: m.confusion, probabilities: probs, figure: figure))
        }
        missing.sort { ($0.train, $0.test) < ($1.train, $1.test) }

        var partial = Output(corpora: infos, shared: sharedAll.map(\.rawValue), pairs: pairs, missing: missing,
                             accuracyFigure: "", uarFigure: "", trainings: models.count, seconds: 0)
        let notes: [[String]] = {
            infos.indices.map { r in infos.indices.map { c in
                if let p = partial.pair(r, c) {
                    return "\(p.labels.count) labels, n=\(p.nTest)" + (p.collapsed ? "\ncollapsed" : "")
                }
                return missing.first { $0.train == r && $0.test == c } == nil ? "" : "not run"
            } }
        }()
        partial.accuracyFigure = try ctx.write(Charts.crossCorpusMatrix(values: partial.matrix(\.accuracy), names: shown,
                                                                        notes: notes,
                                                                        title: "Cross-corpus accuracy\nrows trained on, columns tested on; dashed: within the corpus"),
                                               to: "cross_corpus_accuracy.png")
        partial.uarFigure = try ctx.write(Charts.crossCorpusMatrix(values: partial.matrix(\.uar), names: shown, notes: notes,
                                                                   title: "Cross-corpus unweighted average recall (UAR)\nrows trained on, columns tested on; dashed: within the corpus",
                                                                   colorbarLabel: "UAR"),
                                          to: "cross_corpus_uar.png")
        try ctx.write(CSV.encode(header: ["train", "test", "labels", "n_train", "n_test", "accuracy", "accuracy_lo", "accuracy_hi", "uar", "collapsed"],
                                 rows: pairs.map { p in
                                     [shown[p.train], shown[p.test], p.labels.joined(separator: " "), String(p.nTrain), String(p.nTest),
                                      String(p.accuracy), p.accuracyCI.bounds.map { String($0.lo) } ?? "", p.accuracyCI.bounds.map { String($0.hi) } ?? "",
                                      String(p.uar), String(p.collapsed)]
                                 }),
                      to: "cross_corpus.csv")
        partial.seconds = Date().timeIntervalSince(start)
        return partial
    }

    public struct Figure {
        var name: String
        var figure: String
    }

    public struct Section {
        var nCorpora: Int
        var corpusTable: String
        var shared: String
        var accuracyFigure: String
        var uarFigure: String
        var pairTable: String
        var hasMissing: Bool
        var missingTable: String
        var mappingTables: [Figure]
        var trainings: Int
        var seconds: String
        var figures: [Figure]
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let names = output.corpora.map(\.name)
        let corpusTable = Markdown.table(["", "corpus", "folder", "clips used", "speakers", "labels (common vocabulary)", "feature failures"],
                                         output.corpora.enumerated().map { i, c in
                                             [String(i + 1), c.name, Markdown.code(c.folder), String(c.nClips), String(c.nSpeakers),
                                              c.labels.joined(separator: ", "), String(c.nFailures)]
                                         }, align: ["r", "l", "l", "r", "r", "l", "r"])
        func withCI(_ x: Double, _ i: Statistics.Interval, unit: String) -> String {
            if case .tooFewClusters(let n) = i { return "\(Markdown.fixed(x, 3)) (no interval: \(n) \(unit)s)" }
            return "\(Markdown.fixed(x, 3)) \(i.text(point: x))"
        }
        let pairTable = Markdown.table(["trained on", "tested on", "labels", "train / val / test", "accuracy [95 % CI]", "UAR [95 % CI]",
                                        "chance", "epochs (best)", ""],
                                       output.pairs.map { p in
                                           [names[p.train], p.train == p.test ? "its held-out 20 %" : names[p.test],
                                            p.labels.joined(separator: ", "), "\(p.nTrain) / \(p.nValidation) / \(p.nTest)",
                                            withCI(p.accuracy, p.accuracyCI, unit: p.clusterUnit), withCI(p.uar, p.uarCI, unit: p.clusterUnit),
                                            Markdown.fixed(1 / Double(p.labels.count), 3), "\(p.epochs) (\(p.bestEpoch))",
                                            p.collapsed ? "**collapsed**" : ""]
                                       }, align: ["l", "l", "l", "r", "l", "l", "r", "r", "l"])
        let missingTable = Markdown.table(["trained on", "tested on", "not run because"],
                                          output.missing.map { [names[$0.train], $0.train == $0.test ? "its held-out 20 %" : names[$0.test], $0.reason] })
        let mappings = output.corpora.map { c in
            Figure(name: c.name, figure: Markdown.table(["label", "name", "common vocabulary"],
                                                        c.mapping.map { [Markdown.code($0.code), $0.displayName, $0.common.rawValue] }))
        }
        return Section(nCorpora: output.corpora.count, corpusTable: corpusTable,
                       shared: output.shared.isEmpty ? "none" : output.shared.joined(separator: ", "),
                       accuracyFigure: output.accuracyFigure, uarFigure: output.uarFigure, pairTable: pairTable,
                       hasMissing: !output.missing.isEmpty, missingTable: missingTable, mappingTables: mappings,
                       trainings: output.trainings, seconds: Markdown.fixed(output.seconds, 1),
                       figures: output.pairs.map { p in
                           Figure(name: "\(names[p.train]) → \(p.train == p.test ? "held out" : names[p.test])", figure: p.figure)
                       })
    }
}
