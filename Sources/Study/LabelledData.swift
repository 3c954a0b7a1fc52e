import Features
import Foundation
import NeuralNet

/// One feature set of chapter 4 as a design matrix with class indices in the corpus's label
/// order (the notebook's OneHotEncoder sorts categories, which gives TESS's order). A sequence
/// set's rows are its frames × bands, frame-major.
struct LabelledData {
    var paths: [String]
    var speakers: [String]
    var words: [String]
    var x: [Float]          // (N, F) row-major
    var y: [Int]            // (N,) class index into `labels`
    var labels: [String]
    /// The labels as figures show them.
    var figureLabels: [String]
    /// Values per clip (D, or frames × bands).
    var features: Int
    /// The feature set's name and what it gives per clip.
    var setName: String
    var shape: FeatureShape
    var count: Int { y.count }

    /// Chapter 4's `mfcc-means` (the notebook's features).
    init(_ f: FeaturesChapter.Output) {
        self.init(f, set: "mfcc-means", values: f.rows.flatMap(\.values), shape: .vector, features: f.recipe.nMFCC)
    }

    /// Chapter 4's set `name`, read from its file in `folder` (chapter 4's).
    init(_ f: FeaturesChapter.Output, set name: String, folder: URL) throws {
        let v = try FeaturesChapter.values(of: name, in: f, folder: folder)
        self.init(f, set: name, values: v.values, shape: v.shape, features: v.values.count / max(f.rows.count, 1))
    }

    private init(_ f: FeaturesChapter.Output, set: String, values: [Float], shape: FeatureShape, features: Int) {
        labels = f.labels.map(\.code)
        figureLabels = f.figureLabels
        self.features = features
        self.setName = set
        self.shape = shape
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        paths = f.rows.map(\.path)
        speakers = f.rows.map(\.speaker)
        words = f.rows.map(\.word)
        // Every row's label is one of the corpus's: chapter 1 only keeps clips it could label.
        y = f.rows.map { index[$0.label]! }
        x = values
    }

    /// Chapter 4's sets `names` (any of `f.setNames`, read from chapter 4's `folder`), each on
    /// the clips that every set of the run could describe (a set that failed on a clip leaves it
    /// out of every comparison; with no failures, chapter 4's rows as they are). Also returns
    /// how many clips were left out. Chapter 7 and a sweep's cells read their sets through it.
    static func common(_ f: FeaturesChapter.Output, sets names: [String], folder: URL) throws -> (sets: [String: LabelledData], leftOut: Int) {
        let missing = Set(f.sets.flatMap(\.missing))
        let kept = f.rows.indices.filter { !missing.contains($0) }
        var out: [String: LabelledData] = [:]
        for name in names {
            let d = name == "mfcc-means" ? LabelledData(f) : try LabelledData(f, set: name, folder: folder)
            out[name] = missing.isEmpty ? d : d.subset(kept)
        }
        return (out, missing.count)
    }

    /// Only rows `idx`, in that order (chapter 7 keeps the clips every set has).
    func subset(_ idx: [Int]) -> LabelledData {
        var d = self
        d.paths = idx.map { paths[$0] }
        d.speakers = idx.map { speakers[$0] }
        d.words = idx.map { words[$0] }
        d.y = idx.map { y[$0] }
        d.x = rows(idx).x
        return d
    }

    /// The inputs and labels of rows `idx`, standardised when the model was trained so.
    func rows(_ idx: [Int], standardizer: Standardizer? = nil) -> (x: [Float], y: [Int]) {
        var x = [Float](); x.reserveCapacity(idx.count * features)
        for i in idx { x += self.x[(i * features)..<((i + 1) * features)] }
        return (standardizer?.apply(x) ?? x, idx.map { y[$0] })
    }
}
