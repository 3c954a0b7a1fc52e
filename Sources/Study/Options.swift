import Base
import Corpus
import Features
import Foundation
import Inference
import NeuralNet

/// Everything a study run depends on. Defaults reproduce the notebook on the embedded
/// synthetic corpus: the notebook's feature recipe, seed 42, up to 50 epochs, raw MFCC means.
public struct StudyOptions: Sendable {
    /// The corpora given with `--data`, in order: chapters 1–7 run on the first; the cross-corpus
    /// chapter (8) trains on each and tests on every other when there are two or more. Empty uses
    /// the synthetic TESS-shaped corpus.
    public var dataDirectories: [URL] = []
    /// The corpus chapters 1–7 study: the first `--data` folder (any recognised corpus, or a
    /// folder with a manifest); nil for the synthetic TESS-shaped corpus.
    public var dataDirectory: URL? {
        get { dataDirectories.first }
        set {
            if let newValue { dataDirectories = [newValue] + dataDirectories.dropFirst() } else { dataDirectories = [] }
        }
    }
    /// The corpora after the first: the cross-corpus chapter's other corpora.
    public var otherCorpora: [URL] { Array(dataDirectories.dropFirst()) }
    public var outputDirectory: URL = URL(fileURLWithPath: "output")
    /// Where the synthetic corpus is cached; default `<output>/corpus-synthetic`.
    public var corpusCache: URL?
    /// Words per speaker and emotion in the synthetic corpus (TESS has 200).
    public var syntheticWords: Int = 200
    public var syntheticSeed: UInt64 = 42
    /// How a clip becomes the network's input: preset, MFCCs, analysis window and rate, and
    /// standardisation. Written into the model file, which `predict` and the demo read back.
    public var recipe: FeatureRecipe = .notebook
    /// Seed of the split, the initialisation and the batch order: 0…2³²−1, the range numpy's
    /// `RandomState` (and so the notebook's split) accepts.
    public var seed: UInt64 = 42
    public var epochs: Int = 50
    public var batchSize: Int = 64
    public var patience: Int = 5
    /// Chapter 7 repeats every ladder run over seeds seed+1 … seed+repeats (0 = none).
    public var repeats: Int = 0
    /// Which leakage-ladder runs chapter 7 makes.
    public var ladder: LadderLevel = .default
    /// `--features`: the feature sets chapter 4 computes besides the MFCC means (which chapters
    /// 4–6 always use) and chapter 7 compares. Default: every vector set of the registry.
    public var featureSets: [String] = FeatureSets.vectors.map(\.name)
    /// `--models`: the models chapter 7 crosses with the feature sets (the notebook's `cnn1d` on
    /// `mfcc-means`, the ladder itself, always runs). Default: every model of the registry.
    public var models: [String] = Models.list.map(\.name)
    /// `--from`: chapters from this one on run even when up to date.
    public var from: ChapterID?
    /// `--only`: this chapter runs, and the chapters it reads from only when they are stale.
    public var only: ChapterID?
    public var quiet: Bool = false
    /// Threads for feature extraction and training. Not part of any chapter's key: the results
    /// are the same bits with any thread count (chapter 5 sums every gradient over the batch's rows in one order, whoever computed them).
    public var threads: Int = min(64, max(1, ProcessInfo.processInfo.activeProcessorCount))
    /// Caps on each corpus clip (`--max-clip-mb`, `--max-clip-seconds`): a bigger or longer
    /// clip is skipped and listed in 01-load/skipped.csv.
    public var clipLimits: ClipLimits = .default
    /// The arithmetic (`--kernels`): the study's own deterministic kernels, or the libraries'
    /// choice for this CPU. Part of every key that reaches a number; the runner sets
    /// `Arithmetic.current` from it.
    public var kernels: Arithmetic = .deterministic
    /// How the network's Conv1D layers compute (`--conv`): Winograd where NeuralNet's path table
    /// says so, or im2col everywhere. Part of the training chapters' keys: it changes the bits.
    public var conv: ConvAlgorithm = .winograd

    public init() {}

    /// The feature preset's name (`notebook` or `librosa`).
    public var preset: String {
        get { recipe.preset }
        set { recipe.preset = newValue }
    }

    /// What `--standardize` and the ladder's `standardized` recipe mean (chosen by measurement;
    /// see the README's accuracy table).
    public static let defaultStandardization: FeatureRecipe.Standardization = .global

    /// Standardise the features with statistics of the training split (`recipe.standardization`).
    public var standardize: Bool {
        get { recipe.standardization != .none }
        set { recipe.standardization = newValue ? Self.defaultStandardization : .none }
    }

    /// The scope of the ladder's `standardized` recipe: the run's own when it standardises,
    /// the default otherwise.
    var ladderScope: Standardizer.Scope {
        recipe.standardization.scope ?? Self.defaultStandardization.scope!
    }

    /// The sets chapter 4 computes besides `mfcc-means`, in `--features` order: the named ones,
    /// and with `--ladder full` every set of the registry (the sequence sets too).
    public var computedFeatureSets: [any FeatureSet] {
        var names = featureSets
        if ladder == .full { names += FeatureSets.all.map(\.name).filter { !names.contains($0) } }
        return names.filter { $0 != "mfcc-means" }.compactMap(FeatureSets.named)
    }

    public var corpusFolder: URL {
        corpusCache ?? outputDirectory.appendingPathComponent("corpus-synthetic")
    }

    public func chapterFolder(_ id: ChapterID) -> URL {
        outputDirectory.appendingPathComponent(id.rawValue, isDirectory: true)
    }

    /// The training options shared by every chapter that trains, for cache keys.
    var trainingKey: [String] {
        ["seed=\(seed)", "epochs=\(epochs)", "batch=\(batchSize)", "patience=\(patience)",
         "standardization=\(recipe.standardization.rawValue)", "kernels=\(kernels.rawValue)", "conv=\(conv.rawValue)"]
    }
}

/// Bumped when a chapter's computation or its record's shape changes: a record written by
/// another version of the code is stale. 9: records list the files their run wrote, and chapters
/// 6-8 keep their test probabilities (the reproducibility digest). 10: feature sets and models
/// as axes (chapter 4's sets, chapter 7's feature set × model runs, chapter 5's fallback model).
let studyCodeVersion = "10"
