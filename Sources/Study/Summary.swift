import Foundation
import Inference

/// `summary.json`: the run's numbers for machines (CI dashboards, notebooks comparing runs).
/// Its schema is documented in `docs/summary-schema.md`; `schemaVersion` changes whenever a
/// field changes meaning or goes away (new fields may appear without a bump). Values that may
/// be undefined (a diverged run's loss, a chapter that did not run) are left out.
public struct StudySummary: Codable, Sendable {
    public static let currentSchemaVersion = 1

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
    public var repeats: RepeatsSummary
    /// What this run did with each chapter: "up to date", "ran: <why>", "not run".
    public var chapters: [String: String]
    public var timingsS: [String: Double]
    public var environment: EnvironmentSummary

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", corpus, recipe, preset, seed, standardize, features, training, evaluation
        case speakerIndependent = "speaker_independent", repeats, chapters, timingsS = "timings_s", environment
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
        enum CodingKeys: String, CodingKey { case n, nFailures = "n_failures", seconds }
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

    public struct RepeatRunSummary: Codable, Sendable {
        public var seed: UInt64
        public var accuracy: Double
        public var uar: Double
        public var epochs: Int
        public var collapsed: Bool
    }

    public struct RepeatsSummary: Codable, Sendable {
        public var n: Int
        public var mean: Double?
        public var sd: Double?
        public var min: Double?
        public var max: Double?
        public var collapsed: Int
        public var runs: [RepeatRunSummary]
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
    init(report: ReportContext, chapters: [String: String], timings: [String: Double]) {
        let o = report.options
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
            features = FeaturesSummary(n: f.rows.count, nFailures: f.failures.count, seconds: f.seconds)
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
        repeats = RepeatsSummary(n: 0, collapsed: 0, runs: [])
        if let b = report.output(of: BeyondChapter.self) {
            for r in b.speakerRuns {
                speakerIndependent["\(r.trainSpeaker)→\(r.testSpeaker)"] = SpeakerSummary(
                    accuracy: r.result?.accuracy, uar: r.result?.uar, collapsed: r.result?.collapsed, nTrain: r.nTrain, nTest: r.nTest)
            }
            let accuracies = b.repeats.map(\.result.accuracy)
            let s = BeyondChapter.spread(accuracies)
            repeats = RepeatsSummary(n: b.repeats.count, mean: accuracies.isEmpty ? nil : s.mean, sd: accuracies.isEmpty ? nil : s.sd,
                                     min: accuracies.isEmpty ? nil : s.min, max: accuracies.isEmpty ? nil : s.max,
                                     collapsed: b.repeats.filter(\.result.collapsed).count,
                                     runs: b.repeats.map { RepeatRunSummary(seed: $0.seed, accuracy: $0.result.accuracy, uar: $0.result.uar,
                                                                            epochs: $0.result.epochs, collapsed: $0.result.collapsed) })
        }
    }
}
