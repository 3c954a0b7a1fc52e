import Base
import Corpus
import Features
import Foundation
import Inference
import Plot
import Report

extension ChapterID {
    public static let features: ChapterID = "04-features"
}

/// Chapter 4: the notebook's `extract_mfcc` — 40 MFCC means per clip — on both cores, with
/// the per-emotion profile the notebook never showed.
public enum FeaturesChapter: Chapter {
    public static let id = ChapterID.features
    public static let title = "MFCC features"
    public static let purpose = "40 MFCC means per clip (features.csv), per-emotion profiles"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self] }

    /// What the features depend on: the recipe less its standardisation (a training choice).
    public static func keyComponents(_ o: StudyOptions) -> [String] {
        let r = o.recipe
        return ["preset=\(r.preset)", "n_mfcc=\(r.nMFCC)", "offset=\(r.offset)", "duration=\(r.duration)", "sr=\(r.sampleRate)", "kernels=\(o.kernels.rawValue)"]
    }

    /// One clip's features.
    public struct Row: Codable, Sendable {
        public var path: String
        public var speaker: String
        public var word: String
        public var label: String
        public var values: [Float]
    }

    public struct Failure: Codable, Sendable {
        public var path: String
        public var error: String
    }

    public struct Box: Codable, Sendable {
        public var coefficient: Int
        public var figure: String
    }

    public struct Output: Codable, Sendable {
        public var recipe: FeatureRecipe
        /// The corpus's labels in class order: the design matrix's classes.
        public var labels: [CorpusLabel]
        /// The labels as figures show them (`CorpusScan.figureLabels`).
        public var figureLabels: [String]
        /// Clips whose features were computed, in the corpus's (path) order.
        public var rows: [Row]
        public var failures: [Failure]
        public var seconds: Double
        public var threads: Int
        /// Mean feature vector per label, in `labels` order (zeros for a label with no clip).
        public var meansByLabel: [[Float]]
        public var heatmap: String
        public var boxes: [Box]
        public var nMFCC: Int { recipe.nMFCC }
    }

    /// The features digest: every row's values, in row (clip path) order, as the record holds them.
    public static func digestFloats(_ output: Output) -> (part: DigestPart, values: [Float])? {
        (.features, output.rows.flatMap(\.values))
    }

    /// The recipe's features of every clip of `corpus`, in its order, and the clips that failed.
    /// Chapter 8 extracts its other corpora with the same function.
    static func extract(_ corpus: CorpusScan, recipe: FeatureRecipe, preset: FeaturePreset, threads: Int,
                        progress: StudyProgress, label: String = "extracting MFCCs") -> (rows: [Row], failures: [Failure], seconds: Double) {
        let clips = corpus.clips
        let start = Date()
        progress.start(label, total: clips.count)
        let results = extractFeatures(urls: clips.map(\.url), preset: preset, offset: recipe.offset, duration: recipe.duration,
                                      nMFCC: recipe.nMFCC, sampleRate: recipe.sampleRate, threads: threads) { done, total in
            progress.update(label, done: done, total: total)
        }
        var rows: [Row] = []
        var failures: [Failure] = []
        for (clip, result) in zip(clips, results) {
            switch result {
            case .success(let v): rows.append(Row(path: clip.path, speaker: clip.speaker, word: clip.word, label: clip.label, values: v))
            case .failure(let e): failures.append(Failure(path: clip.path, error: "\(e)"))
            }
        }
        return (rows, failures, Date().timeIntervalSince(start))
    }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let corpus = try ctx.output(of: LoadChapter.self).corpus
        let recipe = ctx.options.recipe
        guard let preset = recipe.featurePreset else {
            throw StudyError.invalidOption("unknown feature preset '\(recipe.preset)'; use notebook or librosa")
        }
        let (rows, failures, seconds) = extract(corpus, recipe: recipe, preset: preset, threads: ctx.options.threads,
                                                    progress: ctx.progress)
        guard !rows.isEmpty else {
            throw StudyError.featureFailures(count: failures.count, first: failures.first?.error ?? "?")
        }
        let n = recipe.nMFCC
        try ctx.write(CSV.encode(header: ["path", "speaker", "label"] + (1...n).map { "mfcc_\($0)" },
                                 rows: rows.map { [$0.path, $0.speaker, $0.label] + $0.values.map { String($0) } }),
                      to: "features.csv")
        try ctx.write(CSV.encode(header: ["path", "error"], rows: failures.map { [$0.path, $0.error] }), to: "failures.csv")

        // Per-emotion mean vector (labels × n) and distributions of a few coefficients.
        let labels = corpus.labelCodes
        var means: [[Float]] = []
        for l in labels {
            let group = rows.filter { $0.label == l }.map(\.values)
            var m = [Float](repeating: 0, count: n)
            for v in group { for j in 0..<n { m[j] += v[j] } }
            means.append(m.map { group.isEmpty ? 0 : $0 / Float(group.count) })
        }
        // The first coefficient is ~10× the others: z-score each coefficient across the emotions
        // so that every column shows which emotions lie above or below its average.
        var z = means
        for j in 0..<n {
            let column = means.map { Double($0[j]) }
            let mu = column.reduce(0, +) / Double(column.count)
            let sd = (column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(column.count)).squareRoot()
            for i in z.indices { z[i][j] = sd > 0 ? Float((column[i] - mu) / sd) : 0 }
        }
        let heatmap = try ctx.write(Charts.heatmap(matrix: z, rowLabels: corpus.figureLabels, colLabels: (1...n).map { String($0) },
                                                   title: "Mean MFCC per emotion (z-scored per coefficient)", colormap: .rdBu,
                                                   colorbarLabel: "z-score", xLabel: "MFCC coefficient", vmin: -2.5, vmax: 2.5),
                                    to: "mfcc_mean_heatmap.png")
        var boxes: [Box] = []
        for coefficient in [1, 2, 4] where coefficient <= n {
            let values = labels.map { l in rows.filter { $0.label == l }.map { $0.values[coefficient - 1] } }
            let figure = try ctx.write(Charts.boxPlot(groups: corpus.figureLabels, values: values, title: "MFCC \(coefficient) by emotion",
                                                      yLabel: "mfcc_\(coefficient)"),
                                       to: "mfcc_\(coefficient)_box.png")
            boxes.append(Box(coefficient: coefficient, figure: figure))
        }
        return Output(recipe: recipe, labels: corpus.labels, figureLabels: corpus.figureLabels, rows: rows, failures: failures, seconds: seconds,
                      threads: ctx.options.threads, meansByLabel: means, heatmap: heatmap, boxes: boxes)
    }

    public struct Section {
        var preset: String
        var presetDescription: String
        var nClips: Int
        var nFailures: Int
        var hasFailures: Bool
        var failureTable: String
        var seconds: String
        var clipsPerSecond: String
        var threads: Int
        var examplePath: String
        var exampleVector: String
        var heatmap: String
        var boxes: [Box]
        var meanTable: String
        var minValue: String
        var maxValue: String
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let shown = min(8, output.nMFCC)
        let meanTable = Markdown.table(["label"] + (1...shown).map { "mfcc_\($0)" },
                                       zip(output.labels, output.meansByLabel).map { [$0.0.code] + $0.1.prefix(shown).map { Markdown.fixed(Double($0), 2) } },
                                       align: ["l"] + Array(repeating: "r", count: shown))
        let failureTable = output.failures.isEmpty ? "" : Markdown.table(["clip", "error"],
                                                                        output.failures.prefix(20).map { [Markdown.code($0.path), $0.error] })
        let all = output.rows.flatMap(\.values)
        let attempted = output.rows.count + output.failures.count
        return Section(preset: output.recipe.preset, presetDescription: output.recipe.featurePreset?.summary ?? "",
                       nClips: output.rows.count, nFailures: output.failures.count, hasFailures: !output.failures.isEmpty,
                       failureTable: failureTable, seconds: Markdown.fixed(output.seconds, 2),
                       clipsPerSecond: Markdown.fixed(Double(attempted) / max(output.seconds, 1e-9), 0), threads: output.threads,
                       examplePath: output.rows[0].path, exampleVector: formatVector(output.rows[0].values),
                       heatmap: output.heatmap, boxes: output.boxes, meanTable: meanTable,
                       minValue: Markdown.fixed(Double(all.min() ?? 0), 1), maxValue: Markdown.fixed(Double(all.max() ?? 0), 1))
    }

    /// The vector as numpy prints a float32 array, 5 per line.
    static func formatVector(_ v: [Float]) -> String {
        var lines: [String] = []
        for start in stride(from: 0, to: v.count, by: 5) {
            lines.append(v[start..<min(start + 5, v.count)].map { String(format: "%12.6f", $0) }.joined(separator: " "))
        }
        return "[" + lines.joined(separator: "\n ") + "]"
    }
}
