import Base
import Features
import Foundation
import NeuralNet

// The leakage ladder (chapter 7): the same network, trained and tested on splits that remove one
// source of leakage at a time. Everything here is pure: a protocol and a seed give the rows of
// each side, so tests can check what each side holds without training anything.

/// A rung of the ladder: how test clips are kept apart from training clips.
public enum LadderProtocol: String, Codable, Sendable, CaseIterable {
    /// The notebook's 80/20 random split (scikit-learn's order, with the seed).
    case random
    /// 20 % of the words (rounded down, drawn with the seed) are heard only in test.
    case wordDisjoint = "word_disjoint"
    /// Train on one speaker, test on the other.
    case speakerIndependent = "speaker_independent"
    /// Train on speaker A's training words, test on speaker B's held-out words.
    case speakerWordDisjoint = "speaker_word_disjoint"
    /// Control: the random split with the labels permuted within the training side. Lands at
    /// chance unless something leaks.
    case labelShuffle = "label_shuffle"

    /// What the rung removes, for the report.
    public var removes: String {
        switch self {
        case .random: return "nothing: every test word (or text) is also in training, spoken by the same voices"
        case .wordDisjoint: return "the words (texts): no test word was heard in training (every voice on both sides)"
        case .speakerIndependent: return "the voice: the test speaker was never heard in training (the words were)"
        case .speakerWordDisjoint: return "voice and words: a new speaker saying words never heard in training"
        case .labelShuffle: return "the labels themselves (control): nothing is left to learn, so it must land at chance"
        }
    }
}

/// How features become the network's input on a ladder run.
public enum LadderRecipe: String, Codable, Sendable, CaseIterable {
    /// The notebook's raw MFCC means.
    case faithful
    /// Standardised with the training rows' statistics, as `--standardize` does
    /// (`StudyOptions.defaultStandardization`: one mean and one deviation over all coefficients).
    case standardized
    /// Each speaker's features standardised with that speaker's own mean and deviation,
    /// computed from that speaker's clips in the run, without labels. Transductive: the test
    /// speaker's statistics come from the test clips themselves.
    case speakerNormalized = "speaker_normalized"
}

/// Which ladder runs the study makes (`--ladder`).
public enum LadderLevel: String, Codable, Sendable, CaseIterable {
    /// `standardized` on every protocol, `speaker_normalized` on `speaker_independent`.
    case `default`
    /// Adds `speaker_normalized` on `speaker_word_disjoint` and `faithful` on every protocol.
    case full
    /// No ladder runs.
    case off

    /// (protocol, recipe) pairs in report order.
    public var runs: [(LadderProtocol, LadderRecipe)] {
        switch self {
        case .off: return []
        case .default:
            return LadderProtocol.allCases.map { ($0, .standardized) } + [(.speakerIndependent, .speakerNormalized)]
        case .full:
            return LadderProtocol.allCases.flatMap { p -> [(LadderProtocol, LadderRecipe)] in
                var r: [(LadderProtocol, LadderRecipe)] = [(p, .faithful), (p, .standardized)]
                if p == .speakerIndependent || p == .speakerWordDisjoint { r.append((p, .speakerNormalized)) }
                return r
            }
        }
    }
}

/// One ladder run's configuration before its seed and speaker fold: a rung, a recipe, a
/// feature set and a model.
struct LadderCell: Equatable, Sendable {
    var protocolName: LadderProtocol
    var recipe: LadderRecipe
    var features: String
    var model: String
    var isBaseline: Bool { features == Models.baseline.features && model == Models.baseline.model }
}

/// A feature set as the ladder plans with it.
struct LadderSet: Sendable {
    var name: String
    var shape: FeatureShape
    var valuesPerClip: Int
}

extension LadderLevel {
    /// The runs of this level over the run's feature sets (`mfcc-means` first), in report order:
    /// `runs` with the notebook's model on `mfcc-means` (the ladder as it was), then every other
    /// feature set × model that takes it —
    /// - `default`: on `speaker_independent` with the `standardized` recipe, each model whose
    ///   `inDefaultLadder` says it fits the default run's time budget;
    /// - `full`: `standardized` on every protocol, and `speaker_normalized` on the speaker ones.
    /// `models` (nil: all) limits the other combinations to those models.
    func cells(sets: [LadderSet], models: [String]? = nil) -> [LadderCell] {
        let base = runs.map { LadderCell(protocolName: $0.0, recipe: $0.1, features: Models.baseline.features, model: Models.baseline.model) }
        var extra: [LadderCell] = []
        for set in sets {
            for model in Models.taking(set.shape) where models?.contains(model.name) ?? true {
                let cell = { (p: LadderProtocol, r: LadderRecipe) in LadderCell(protocolName: p, recipe: r, features: set.name, model: model.name) }
                guard !cell(.random, .standardized).isBaseline else { continue }
                switch self {
                case .off:
                    break
                case .default:
                    if model.inDefaultLadder(set.shape, valuesPerClip: set.valuesPerClip) { extra.append(cell(.speakerIndependent, .standardized)) }
                case .full:
                    for p in LadderProtocol.allCases {
                        extra.append(cell(p, .standardized))
                        if p == .speakerIndependent || p == .speakerWordDisjoint { extra.append(cell(p, .speakerNormalized)) }
                    }
                }
            }
        }
        return base + extra
    }
}

/// Which speakers a speaker protocol tests on; the others train. Two speakers give the two
/// directions "A→B" and "B→A"; more give leave-speakers-out folds: one per speaker up to 10
/// speakers, otherwise 5 folds of speaker groups drawn with the seed.
struct SpeakerFold: Equatable, Sendable {
    var name: String
    var test: Set<String>

    /// Both directions of two speakers, or the folds of more; none for one speaker.
    static func folds(speakers: [String], seed: UInt64) -> [SpeakerFold] {
        let sorted = Array(Set(speakers)).sorted()
        switch sorted.count {
        case ..<2:
            return []
        case 2:
            return [SpeakerFold(name: "\(sorted[0])→\(sorted[1])", test: [sorted[1]]),
                    SpeakerFold(name: "\(sorted[1])→\(sorted[0])", test: [sorted[0]])]
        case 3...10:
            return sorted.enumerated().map { i, s in SpeakerFold(name: "fold \(i + 1)/\(sorted.count) (\(s))", test: [s]) }
        default:
            var rng = MersenneTwister(seed: UInt32(truncatingIfNeeded: seed))
            let order = rng.permutation(sorted.count).map { sorted[$0] }
            return (0..<5).map { k in
                let members = order.enumerated().filter { $0.offset % 5 == k }.map(\.element).sorted()
                let shown = members.prefix(2).joined(separator: ", ") + (members.count > 2 ? ", …" : "")
                return SpeakerFold(name: "fold \(k + 1)/5 (\(shown))", test: Set(members))
            }
        }
    }
}

/// The rows of one ladder run, by protocol and seed. `trainSide` = `train` ∪ `validation`.
struct LadderPlan: Equatable {
    var protocolName: LadderProtocol
    /// "A→B" for the speaker protocols, nil otherwise.
    var direction: String?
    var train: [Int]
    /// The early-stopping and checkpoint slice: 10 % of the training side, never a test
    /// speaker or a test word; whole words for the word-disjoint protocols.
    var validation: [Int]
    var test: [Int]
    /// Labels to train with (permuted within the training side for `label_shuffle`); test
    /// labels are always the true ones.
    var labels: [Int]
    var trainSide: [Int] { train + validation }

    /// Test words of the word-disjoint protocols: ⌊20 %⌋ of the sorted distinct words, the first
    /// of numpy's `RandomState(seed).permutation`.
    static func heldOutWords(_ words: [String], seed: UInt64) -> Set<String> {
        let distinct = Array(Set(words)).sorted()
        let k = Int((0.2 * Double(distinct.count)).rounded(.down))
        var rng = MersenneTwister(seed: UInt32(truncatingIfNeeded: seed))
        return Set(rng.permutation(distinct.count).prefix(k).map { distinct[$0] })
    }

    /// 10 % of `side` for validation, as scikit-learn would draw it (`ceil`), or whole words of
    /// it when `wholeWords`: 10 % of the side's distinct words, rounded up.
    static func validationSlice(of side: [Int], words: [String], wholeWords: Bool, seed: UInt64) -> (train: [Int], validation: [Int]) {
        if !wholeWords {
            let s = Split.shuffled(count: side.count, testSize: 0.1, seed: seed)
            return (s.train.map { side[$0] }, s.test.map { side[$0] })
        }
        let distinct = Array(Set(side.map { words[$0] })).sorted()
        let s = Split.shuffled(count: distinct.count, testSize: 0.1, seed: seed)
        let held = Set(s.test.map { distinct[$0] })
        return (side.filter { !held.contains(words[$0]) }, side.filter { held.contains(words[$0]) })
    }

    /// The plan of `protocolName` on clips with these speakers, words and labels, or why it
    /// cannot run on them. `fold` picks the test speakers of the speaker protocols.
    static func make(_ protocolName: LadderProtocol, speakers: [String], words: [String], labels: [Int],
                     fold: SpeakerFold? = nil, seed: UInt64) -> Result<LadderPlan, LadderSkip> {
        let all = Array(labels.indices)
        func plan(side: [Int], test: [Int], wholeWords: Bool, shuffle: Bool = false) -> Result<LadderPlan, LadderSkip> {
            let (train, validation) = validationSlice(of: side, words: words, wholeWords: wholeWords, seed: seed)
            guard train.count >= 2, !validation.isEmpty, !test.isEmpty else {
                return .failure(LadderSkip(reason: "too few clips (\(train.count) training, \(validation.count) validation, \(test.count) test)"))
            }
            var y = labels
            if shuffle {
                // The labels of the training side, permuted among its own clips; test labels stay.
                var perm = side
                var rng = Xoshiro256(seed: seed, stream: 0x5348_5546)
                rng.shuffle(&perm)
                for (to, from) in zip(side, perm) { y[to] = labels[from] }
            }
            return .success(LadderPlan(protocolName: protocolName,
                                       direction: fold?.name,
                                       train: train, validation: validation, test: test, labels: y))
        }
        switch protocolName {
        case .random, .labelShuffle:
            let s = Split.shuffled(count: all.count, testSize: 0.2, seed: seed)
            return plan(side: s.train, test: s.test, wholeWords: false, shuffle: protocolName == .labelShuffle)
        case .wordDisjoint:
            let held = heldOutWords(words, seed: seed)
            guard !held.isEmpty else { return .failure(LadderSkip(reason: "only \(Set(words).count) words; holding out 20 % needs at least 5")) }
            return plan(side: all.filter { !held.contains(words[$0]) }, test: all.filter { held.contains(words[$0]) }, wholeWords: true)
        case .speakerIndependent:
            guard let f = fold else { return .failure(LadderSkip(reason: "no speaker fold")) }
            return plan(side: all.filter { !f.test.contains(speakers[$0]) }, test: all.filter { f.test.contains(speakers[$0]) },
                        wholeWords: false)
        case .speakerWordDisjoint:
            guard let f = fold else { return .failure(LadderSkip(reason: "no speaker fold")) }
            let held = heldOutWords(words, seed: seed)
            guard !held.isEmpty else { return .failure(LadderSkip(reason: "only \(Set(words).count) words; holding out 20 % needs at least 5")) }
            return plan(side: all.filter { !f.test.contains(speakers[$0]) && !held.contains(words[$0]) },
                        test: all.filter { f.test.contains(speakers[$0]) && held.contains(words[$0]) }, wholeWords: true)
        }
    }
}

/// Why a ladder run was not made.
struct LadderSkip: Error, Equatable {
    var reason: String
}

extension LadderRecipe {
    /// The network's inputs for the plan's rows: (train, validation, test) matrices, row-major.
    /// `standardized` fits on the training rows only; `speaker_normalized` uses each speaker's
    /// statistics over that speaker's clips in the run (training side and test side), no labels.
    /// A sequence set's statistics are per band, over all frames (its rows are read as frames).
    func inputs(_ data: LabelledData, _ plan: LadderPlan, scope: Standardizer.Scope = .perCoefficient) -> (train: [Float], validation: [Float], test: [Float]) {
        let width: Int
        switch data.shape {
        case .vector: width = data.features
        case .sequence(_, let bands): width = bands
        }
        func fit(_ x: [Float], scope: Standardizer.Scope) -> Standardizer {
            Standardizer.fit(x: x, count: x.count / width, features: width, scope: scope)
        }
        switch self {
        case .faithful:
            return (data.rows(plan.train).x, data.rows(plan.validation).x, data.rows(plan.test).x)
        case .standardized:
            let raw = data.rows(plan.train).x
            let s = fit(raw, scope: scope)
            return (s.apply(raw), s.apply(data.rows(plan.validation).x), s.apply(data.rows(plan.test).x))
        case .speakerNormalized:
            let bySpeaker = Dictionary(grouping: plan.trainSide + plan.test) { data.speakers[$0] }
                .mapValues { own in fit(data.rows(own).x, scope: .perCoefficient) }
            func normalised(_ idx: [Int]) -> [Float] {
                idx.flatMap { bySpeaker[data.speakers[$0]]!.apply(data.rows([$0]).x) }
            }
            return (normalised(plan.train), normalised(plan.validation), normalised(plan.test))
        }
    }
}

extension LadderRecipe {
    /// One ladder run: `model` trained on the plan's training side with this recipe's inputs
    /// (early stopping on its validation slice, patience by `TrainingRun.smallCorpusSchedule`),
    /// then its class probabilities for the plan's test rows (row-major, test clip × class).
    /// `options` should say one thread: chapter 7 and a sweep's cells both train this way, so
    /// the same run gives the same bits in either.
    func run(_ model: any StudyModel, on data: LabelledData, _ plan: LadderPlan, scope: Standardizer.Scope, options: StudyOptions,
             seed: UInt64, label: String, progress: StudyProgress) throws -> (trained: TrainedModel, probabilities: [Float]) {
        let x = inputs(data, plan, scope: scope)
        let trained = try model.train(ModelData(xTrain: x.train, yTrain: plan.train.map { plan.labels[$0] },
                                                xValidation: x.validation, yValidation: plan.validation.map { plan.labels[$0] },
                                                shape: data.shape, valuesPerClip: data.features, classes: data.labels.count),
                                      options: TrainingRun.smallCorpusSchedule(options, trainingRows: plan.train.count),
                                      seed: seed, label: label, progress: progress)
        return (trained, trained.probabilities(x.test, plan.test.count))
    }
}
