import Foundation
import Inference

/// `summary.json`: the run's numbers for machines (CI dashboards, notebooks comparing runs).
/// Its schema is documented in `docs/summary-schema.md`; `schemaVersion` changes whenever a
/// field changes meaning or goes away (new fields may appear without a bump). Values that may
/// be undefined (a diverged run's loss, a chapter that did not run) are left out.
public struct StudySummary: Codable, Sendable {
    public static let currentSchemaVersion = 3

    public var schemaVersion = StudySummary.currentSchemaVersion
    public var corpus: CorpusSummary?
    public var recipe: FeatureRecipe
    public var preset: String
    public var seed: UInt64
    public var standardize: Bool
    public var features: FeaturesSummary?
    public var training: TrainingSummary?
    public var evaluation: EvaluationSummary?
    public var speakerIndependent: [String: SpeakerSummary]
    /// Chapter 7's ladder runs, one row per protocol, direction, recipe and seed.
    public var ladder: [LadderRowSummary]
    /// The speaker protocols' folds pooled (corpora with more than two speakers).
    public var ladderPooled: [PooledSummary]
    public var mcnemar: [McNemarSummary]
    /// Calibration of chapter 6's model.
    public var calibration: CalibrationSummary?
    /// Chapter 8, when `--data` was given more than once.
    public var crossCorpus: CrossCorpusSummary?
    /// What this run did with each chapter: "up to date", "ran: <why>", "not run".
    public var chapters: [String: String]
    public var timingsS: [String: Double]
    public var environment: EnvironmentSummary
    /// The options of the run: what `study verify` reads to tell a default run.
    public var options: RunOptionsSummary?
    /// The digest of the run's outputs and the versions that shape them (`Reproducibility`).
    public var reproducibility: ReproducibilityDigest?

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", corpus, recipe, preset, seed, standardize, features, training, evaluation
        case speakerIndependent = "speaker_independent", ladder, ladderPooled = "ladder_pooled", mcnemar, calibration, crossCorpus = "cross_corpus", chapters, timingsS = "timings_s", environment
        case options, reproducibility
    }

    public struct CorpusSummary: Codable, Sendable {
        public var kind: String
        public var name: String
        public var root: String
        public var nFiles: Int
        public var nSkipped: Int
        public var nDuplicates: Int
        public var labels: [String]
        public var labelCounts: [String: Int]
        public var speakers: [String]
        public var fingerprint: String
        enum CodingKeys: String, CodingKey {
            case kind, name, root, nFiles = "n_files", nSkipped = "n_skipped", nDuplicates = "n_duplicates", labels
            case labelCounts = "label_counts", speakers, fingerprint
        }
    }

    public struct FeaturesSummary: Codable, Sendable {
        public var n: Int
        public var nFailures: Int
        public var seconds: Double
        /// Every feature set chapter 4 computed, `mfcc-means` first (schema 3).
        public var sets: [SetSummary]
        enum CodingKeys: String, CodingKey { case n, nFailures = "n_failures", seconds, sets }
    }

    public struct SetSummary: Codable, Sendable {
        public var name: String
        public var version: Int
        /// "vector" or "sequence"
        public var kind: String
        public var valuesPerClip: Int
        public var file: String
        public var sha256: String?
        enum CodingKeys: String, CodingKey { case name, version, kind, valuesPerClip = "values_per_clip", file, sha256 }
    }

    public struct EpochSummary: Codable, Sendable {
        public var epoch: Int
        public var accuracy: Double?
        public var loss: Double?
        public var valAccuracy: Double?
        public var valLoss: Double?
        enum CodingKeys: String, CodingKey { case epoch, accuracy, loss, valAccuracy = "val_accuracy", valLoss = "val_loss" }
    }

    public struct TrainingSummary: Codable, Sendable {
        public var epochsRun: Int
        public var bestEpoch: Int
        public var bestValLoss: Double?
        public var seconds: Double
        public var secondsPerEpoch: Double
        public var nTrain: Int
        public var nTest: Int
        public var standardize: Bool
        public var collapsed: Bool
        public var history: [EpochSummary]
        enum CodingKeys: String, CodingKey {
            case epochsRun = "epochs_run", bestEpoch = "best_epoch", bestValLoss = "best_val_loss", seconds
            case secondsPerEpoch = "seconds_per_epoch", nTrain = "n_train", nTest = "n_test", standardize, collapsed, history
        }
    }

    public struct ClassSummary: Codable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public struct EvaluationSummary: Codable, Sendable {
        public var testLoss: Double?
        public var testAccuracy: Double
        public var uar: Double
        public var macroF1: Double
        public var labels: [String]
        public var confusionMatrix: [[Int]]
        public var perClass: [String: ClassSummary]
        /// [lo, hi] of the 95 % word-cluster bootstrap interval; absent with fewer than 10 words.
        public var testAccuracyCI95: [Double]?
        public var uarCI95: [Double]?
        enum CodingKeys: String, CodingKey {
            case testLoss = "test_loss", testAccuracy = "test_accuracy", uar, macroF1 = "macro_f1", labels
            case testAccuracyCI95 = "test_accuracy_ci95", uarCI95 = "uar_ci95"
            case confusionMatrix = "confusion_matrix", perClass = "per_class"
        }
    }

    public struct SpeakerSummary: Codable, Sendable {
        public var accuracy: Double?
        public var uar: Double?
        public var collapsed: Bool?
        public var nTrain: Int
        public var nTest: Int
        enum CodingKeys: String, CodingKey { case accuracy, uar, collapsed, nTrain = "n_train", nTest = "n_test" }
    }

    public struct LadderRowSummary: Codable, Sendable {
        public var protocolName: String
        public var direction: String?
        public var recipe: String
        /// The feature set and the model (schema 3).
        public var features: String
        public var model: String
        public var seed: UInt64
        public var nTrain: Int
        public var nValidation: Int
        public var nTest: Int
        public var epochs: Int
        public var accuracy: Double
        public var accuracyCI95: [Double]?
        public var uar: Double
        public var uarCI95: [Double]?
        public var collapsed: Bool
        public var seconds: Double
        enum CodingKeys: String, CodingKey {
            case protocolName = "protocol", direction, recipe, features, model, seed, nTrain = "n_train", nValidation = "n_validation", nTest = "n_test"
            case epochs, accuracy, accuracyCI95 = "accuracy_ci95", uar, uarCI95 = "uar_ci95", collapsed, seconds
        }
        // `direction` is written as null when absent (the schema names it), unlike other optionals.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(protocolName, forKey: .protocolName)
            try c.encode(direction, forKey: .direction)
            try c.encode(recipe, forKey: .recipe)
            try c.encode(features, forKey: .features)
            try c.encode(model, forKey: .model)
            try c.encode(seed, forKey: .seed)
            try c.encode(nTrain, forKey: .nTrain)
            try c.encode(nValidation, forKey: .nValidation)
            try c.encode(nTest, forKey: .nTest)
            try c.encode(epochs, forKey: .epochs)
            try c.encode(accuracy, forKey: .accuracy)
            try c.encodeIfPresent(accuracyCI95, forKey: .accuracyCI95)
            try c.encode(uar, forKey: .uar)
            try c.encodeIfPresent(uarCI95, forKey: .uarCI95)
            try c.encode(collapsed, forKey: .collapsed)
            try c.encode(seconds, forKey: .seconds)
        }
    }

    public struct PooledSummary: Codable, Sendable {
        public var protocolName: String
        public var recipe: String
        public var features: String
        public var model: String
        public var seed: UInt64
        public var folds: Int
        public var nTest: Int
        public var nSpeakers: Int
        public var accuracy: Double
        /// Speaker-cluster bootstrap; absent with fewer than 10 speakers.
        public var accuracyCI95: [Double]?
        public var uar: Double
        public var uarCI95: [Double]?
        public var collapsedFolds: Int
        enum CodingKeys: String, CodingKey {
            case protocolName = "protocol", recipe, features, model, seed, folds, nTest = "n_test", nSpeakers = "n_speakers", accuracy
            case accuracyCI95 = "accuracy_ci95", uar, uarCI95 = "uar_ci95", collapsedFolds = "collapsed_folds"
        }
    }

    public struct McNemarSummary: Codable, Sendable {
        public var protocolName: String
        public var direction: String?
        public var a: String
        public var b: String
        public var seed: UInt64
        public var n01: Int
        public var n10: Int
        public var pValue: Double
        public var diffCI95: [Double]?
        enum CodingKeys: String, CodingKey {
            case protocolName = "protocol", direction, a, b, seed, n01, n10, pValue = "p_value", diffCI95 = "diff_ci95"
        }
    }

    public struct CrossCorpusSummary: Codable, Sendable {
        /// Corpus names in `--data` order: the matrices' rows (train) and columns (test).
        public var corpora: [String]
        /// Common labels shared by every corpus: the diagonal's classes.
        public var labels: [String]
        public var pairs: [CrossPairSummary]
        /// accuracy[train][test] on that pair's own shared labels; null where the cell is missing.
        public var accuracy: [[Double?]]
        public var uar: [[Double?]]
    }

    public struct CrossPairSummary: Codable, Sendable {
        public var train: String
        public var test: String
        public var labels: [String]
        public var accuracy: Double
        public var accuracyCI95: [Double]?
        public var uar: Double
        public var uarCI95: [Double]?
        public var nTrain: Int
        public var nTest: Int
        public var collapsed: Bool
        enum CodingKeys: String, CodingKey {
            case train, test, labels, accuracy, accuracyCI95 = "accuracy_ci95", uar, uarCI95 = "uar_ci95"
            case nTrain = "n_train", nTest = "n_test", collapsed
        }
    }

    public struct CalibrationSummary: Codable, Sendable {
        public var ece: Double
        public var bins: [Statistics.Bin]
    }

    public struct EnvironmentSummary: Codable, Sendable {
        public var os: String
        public var cpu: String
        public var cores: Int
        public var memoryGib: Double
        public var date: String
        public var libraries: [String: String]
        enum CodingKeys: String, CodingKey { case os, cpu, cores, memoryGib = "memory_gib", date, libraries }
    }
}

/// nil for NaN and infinity, which JSON cannot hold.
func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
func finite(_ x: Float) -> Double? { x.isFinite ? Double(x) : nil }

extension StudySummary {
    /// The summary of a run from the up-to-date chapters' outputs.
    init(report: ReportContext, chapters: [String: String], timings: [String: Double], reproducibility: ReproducibilityDigest? = nil) {
        let o = report.options
        options = RunOptionsSummary(o)
        self.reproducibility = reproducibility
        recipe = o.recipe
        preset = o.preset
        seed = o.seed
        standardize = o.standardize
        self.chapters = chapters
        timingsS = timings
        environment = RunEnvironment.summary()
        if let load = report.output(of: LoadChapter.self) {
            let c = load.corpus
            corpus = CorpusSummary(kind: load.kind == .synthetic ? "synthetic" : "folder", name: c.name, root: c.root.path,
                                   nFiles: c.clips.count, nSkipped: c.skipped.count, nDuplicates: c.duplicates.count,
                                   labels: c.labelCodes, labelCounts: Dictionary(uniqueKeysWithValues: c.countsByLabel.map { ($0.label, $0.count) }),
                                   speakers: c.speakers, fingerprint: c.fingerprint)
        }
        if let f = report.output(of: FeaturesChapter.self) {
            features = FeaturesSummary(n: f.rows.count, nFailures: f.failures.count, seconds: f.seconds,
                                       sets: [SetSummary(name: "mfcc-means", version: 1, kind: "vector", valuesPerClip: f.nMFCC,
                                                         file: "\(FeaturesChapter.id.rawValue)/features.csv", sha256: nil)]
                                           + f.sets.map { s in
                                               SetSummary(name: s.name, version: s.version, kind: s.shape.isVector ? "vector" : "sequence",
                                                          valuesPerClip: s.valuesPerClip, file: "\(FeaturesChapter.id.rawValue)/\(s.file)",
                                                          sha256: s.sha256)
                                           })
        }
        if let t = report.output(of: TrainingChapter.self) {
            training = TrainingSummary(epochsRun: t.history.count, bestEpoch: t.bestEpoch, bestValLoss: t.best.flatMap { finite($0.valLoss) },
                                       seconds: t.seconds, secondsPerEpoch: t.seconds / Double(max(t.history.count, 1)),
                                       nTrain: t.train.count, nTest: t.test.count, standardize: t.standardized, collapsed: t.collapsed,
                                       history: t.history.map { EpochSummary(epoch: $0.epoch, accuracy: finite($0.accuracy), loss: finite($0.loss),
                                                                             valAccuracy: finite($0.valAccuracy), valLoss: finite($0.valLoss)) })
        }
        if let e = report.output(of: EvaluationChapter.self) {
            let m = e.metrics
            evaluation = EvaluationSummary(testLoss: finite(e.loss), testAccuracy: m.accuracy, uar: m.uar, macroF1: m.macroF1,
                                           labels: m.labels, confusionMatrix: m.confusion,
                                           perClass: Dictionary(uniqueKeysWithValues: m.labels.indices.map { k in
                                               (m.labels[k], ClassSummary(precision: m.precision(k), recall: m.recall(k), f1: m.f1(k), support: m.support(k)))
                                           }),
                                           testAccuracyCI95: e.accuracyCI.bounds.map { [$0.lo, $0.hi] },
                                           uarCI95: e.uarCI.bounds.map { [$0.lo, $0.hi] })
        }
        speakerIndependent = [:]
        ladder = []
        ladderPooled = []
        mcnemar = []
        if let e = report.output(of: EvaluationChapter.self) {
            calibration = CalibrationSummary(ece: e.ece, bins: e.calibrationBins)
        }
        if let b = report.output(of: BeyondChapter.self) {
            ladder = b.runs.map { r in
                LadderRowSummary(protocolName: r.protocolName.rawValue, direction: r.direction, recipe: r.recipe.rawValue,
                                 features: r.features, model: r.model, seed: r.seed,
                                 nTrain: r.nTrain, nValidation: r.nValidation, nTest: r.nTest, epochs: r.epochs,
                                 accuracy: r.accuracy, accuracyCI95: r.accuracyCI.bounds.map { [$0.lo, $0.hi] },
                                 uar: r.uar, uarCI95: r.uarCI.bounds.map { [$0.lo, $0.hi] }, collapsed: r.collapsed, seconds: r.seconds)
            }
            ladderPooled = b.pooled.map { q in
                PooledSummary(protocolName: q.protocolName.rawValue, recipe: q.recipe.rawValue, features: q.features, model: q.model,
                              seed: q.seed, folds: q.folds,
                              nTest: q.nTest, nSpeakers: q.nSpeakers, accuracy: q.accuracy,
                              accuracyCI95: q.accuracyCI.bounds.map { [$0.lo, $0.hi] }, uar: q.uar,
                              uarCI95: q.uarCI.bounds.map { [$0.lo, $0.hi] }, collapsedFolds: q.collapsedFolds)
            }
            mcnemar = b.comparisons.map { c in
                McNemarSummary(protocolName: c.protocolName.rawValue, direction: c.direction, a: c.a, b: c.b,
                               seed: c.seed, n01: c.n01, n10: c.n10, pValue: c.pValue,
                               diffCI95: c.differenceCI.bounds.map { [$0.lo, $0.hi] })
            }
            // The ladder's standardized speaker-independent rows of the notebook's model at the run's seed.
            for r in b.runs where r.isBaseline && r.protocolName == .speakerIndependent && r.recipe == .standardized && r.seed == o.seed {
                speakerIndependent[r.direction ?? "?"] = SpeakerSummary(accuracy: r.accuracy, uar: r.uar, collapsed: r.collapsed,
                                                                        nTrain: r.nTrain, nTest: r.nTest)
            }
        }
        if let x = report.output(of: CrossCorpusChapter.self) {
            let names = x.corpora.map(\.name)
            crossCorpus = CrossCorpusSummary(
                corpora: names, labels: x.shared,
                pairs: x.pairs.map { p in
                    CrossPairSummary(train: names[p.train], test: names[p.test], labels: p.labels, accuracy: p.accuracy,
                                     accuracyCI95: p.accuracyCI.bounds.map { [$0.lo, $0.hi] }, uar: p.uar,
                                     uarCI95: p.uarCI.bounds.map { [$0.lo, $0.hi] }, nTrain: p.nTrain, nTest: p.nTest,
                                     collapsed: p.collapsed)
                },
                accuracy: x.matrix(\.accuracy), uar: x.matrix(\.uar))
        }
    }
}
