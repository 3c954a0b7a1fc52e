import Base
import Corpus
import Features
import Foundation
import Inference
import NeuralNet
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
    public static let purpose = "40 MFCC means per clip (features.csv), per-emotion profiles, and every --features set (sets/)"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self] }

    /// What the features depend on: the recipe less its standardisation (a training choice),
    /// and the feature sets the run computes besides the MFCC means.
    public static func keyComponents(_ o: StudyOptions) -> [String] {
        let r = o.recipe
        return ["preset=\(r.preset)", "n_mfcc=\(r.nMFCC)", "offset=\(r.offset)", "duration=\(r.duration)", "sr=\(r.sampleRate)", "kernels=\(o.kernels.rawValue)",
                "sets=\(o.computedFeatureSets.map { "\($0.name)@\($0.version)" }.joined(separator: ","))"]
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

    /// One feature set of the run besides `mfcc-means` (whose values are the rows'): what it is
    /// and where its values are. The values, one row per chapter-4 row in the same order, are in
    /// `file` (a safetensors file in this chapter's folder, tensor `values` of shape (rows, D)
    /// or (rows, frames, bands)); `sha256` is checked when it is read back.
    public struct SetFeatures: Codable, Sendable {
        public var name: String
        public var version: Int
        public var summary: String
        /// `key=value` pairs, as the set lists them.
        public var parameters: [[String]]
        public var columns: [String]
        public var shape: FeatureShape
        public var file: String
        /// `setKey`: what the file's values depend on.
        public var key: String
        public var sha256: String
        public var seconds: Double
        /// The file of an earlier run with the same key was reused (nothing was computed).
        public var reused: Bool
        /// Rows (chapter 4's) the set could not be computed for: their values are zeros, and
        /// chapter 7 leaves them out of every comparison.
        public var missing: [Int]
        public var valuesPerClip: Int { shape.valuesPerClip(columns: columns.count) }
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
        /// The run's other feature sets (`--features`), in the order asked.
        public var sets: [SetFeatures]
        public var nMFCC: Int { recipe.nMFCC }
        /// Every set the run has, `mfcc-means` first.
        public var setNames: [String] { ["mfcc-means"] + sets.map(\.name) }
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
        var (rows, failures, seconds) = extract(corpus, recipe: recipe, preset: preset, threads: ctx.options.threads,
                                                progress: ctx.progress)
        guard !rows.isEmpty else {
            throw StudyError.featureFailures(count: failures.count, first: failures.first?.error ?? "?")
        }
        // The other sets, on the clips the means could be computed for. A clip a set fails on is
        // listed and marked missing in that set only: chapters 4–6 keep every clip the means
        // have (the notebook's reproduction does not depend on --features); chapter 7 compares
        // sets on the clips they all have.
        var sets: [SetFeatures] = []
        for set in ctx.options.computedFeatureSets {
            let r = try computeSet(set, rows: rows, corpus: corpus, ctx: ctx, preset: preset)
            for (i, error) in r.failures { failures.append(Failure(path: rows[i].path, error: "\(set.name): \(error)")) }
            sets.append(try storeSet(r.set, values: r.values, rows: rows.count, ctx: ctx))
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
                      threads: ctx.options.threads, meansByLabel: means, heatmap: heatmap, boxes: boxes, sets: sets)
    }

    /// The key a set's file is stored under: the study's code version, the preset, the set (name,
    /// version, parameters), the analysis window, the kernels, and every row's clip path and
    /// content hash, in row order.
    static func setKey(_ set: any FeatureSet, rows: [Row], corpus: CorpusScan, options o: StudyOptions) -> String {
        let r = o.recipe
        let hashes: [String: String] = Dictionary(corpus.clips.map { ($0.path, "\($0.byteCount):\($0.contentHash)") },
                                                  uniquingKeysWith: { a, _ in a })
        var key = FNV1a64()
        key.update("\(studyCodeVersion)|\(r.preset)|\(set.name)|\(set.version)|\(set.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ","))|\(r.offset)|\(r.duration)|\(r.sampleRate)|\(o.kernels.rawValue)")
        for row in rows { key.update("|\(row.path)|\(hashes[row.path] ?? "")") }
        return key.hex
    }

    /// `set`'s values for `rows` (row-major, `valuesPerClip` each; a failed row's are zeros) and
    /// the rows it failed on. Reuses `sets/<name>.safetensors` when an earlier run left it with
    /// the same key (`setKey`), so that asking for one more set computes only that one.
    static func computeSet(_ base: any FeatureSet, rows: [Row], corpus: CorpusScan, ctx: ChapterContext,
                           preset: FeaturePreset) throws -> (set: SetFeatures, values: [Float], failures: [(Int, String)]) {
        let r = ctx.options.recipe
        let set = base.configured(preset: preset).configured(window: .init(offset: r.offset, duration: r.duration, sampleRate: r.sampleRate))
        let file = "sets/\(SafeFileName.part(set.name)).safetensors"
        var meta = SetFeatures(name: set.name, version: set.version, summary: set.summary,
                               parameters: set.parameters.map { [$0.0, $0.1] }, columns: set.columns, shape: set.shape,
                               file: file, key: setKey(set, rows: rows, corpus: corpus, options: ctx.options),
                               sha256: "", seconds: 0, reused: false, missing: [])
        let d = meta.valuesPerClip
        let url = try ctx.url(file)
        // Reused only when its key matches and its values are the bytes it was written with.
        if let cached = try? SafeTensors.read(url, maxDataBytes: Int.max), cached.metadata["key"] == meta.key,
           let t = cached.tensors["values"], t.count == rows.count * d,
           cached.metadata["values_sha256"] == Reproducibility.sha256(floats: t.data),
           let missing = cached.metadata["missing"].map({ $0.split(separator: ",").compactMap { Int($0) } }) {
            ctx.progress.line("\(set.name): reusing \(ctx.link(file)) (same clips, parameters and code)")
            meta.reused = true
            meta.missing = missing
            return (meta, t.data, [])
        }
        let start = Date()
        let label = "computing \(set.name)"
        ctx.progress.start(label, total: rows.count)
        let urls = Dictionary(corpus.clips.map { ($0.path, $0.url) }, uniquingKeysWith: { a, _ in a })
        let results = FeatureSets.extractAll(set, urls: rows.map { urls[$0.path]! }, preset: preset,
                                             window: .init(offset: r.offset, duration: r.duration, sampleRate: r.sampleRate),
                                             threads: ctx.options.threads) { done, total in
            ctx.progress.update(label, done: done, total: total)
        }
        var values = [Float](repeating: 0, count: rows.count * d)
        var failures: [(Int, String)] = []
        for (i, result) in results.enumerated() {
            switch result {
            case .success(let v) where v.count == d: values.replaceSubrange((i * d)..<((i + 1) * d), with: v)
            case .success(let v): failures.append((i, "\(v.count) values, \(d) expected"))
            case .failure(let e): failures.append((i, "\(e)"))
            }
        }
        meta.seconds = Date().timeIntervalSince(start)
        meta.missing = failures.map(\.0)
        return (meta, values, failures)
    }


    /// Writes `values` (rows × `valuesPerClip`) to the set's file under its key, with the
    /// values' digest and the missing rows (unless it was reused as it is), and returns the set
    /// with the file's hash.
    static func storeSet(_ set: SetFeatures, values: [Float], rows: Int, ctx: ChapterContext) throws -> SetFeatures {
        var set = set
        let url = try ctx.url(set.file)
        let shape = set.shape.tensorShape(rows: rows, columns: set.columns.count)
        if !set.reused {
            try makeFolders(url.deletingLastPathComponent())
            try SafeTensors.write([("values", Tensor(shape: shape, data: values))],
                                  metadata: ["set": set.name, "version": String(set.version), "key": set.key,
                                             "values_sha256": Reproducibility.sha256(floats: values),
                                             "missing": set.missing.map(String.init).joined(separator: ",")], to: url)
        }
        set.sha256 = try SHA256.hex(ofFileAt: url)
        return set
    }

    /// `set`'s values for the output's rows, read back from its file (its hash checked), or the
    /// rows' own values for `mfcc-means`. Throws when the file is missing or changed.
    public static func values(of name: String, in output: Output, folder: URL) throws -> (values: [Float], shape: FeatureShape, columns: [String]) {
        if name == "mfcc-means" {
            return (output.rows.flatMap(\.values), .vector, (1...output.nMFCC).map { "mfcc_\($0)" })
        }
        guard let set = output.sets.first(where: { $0.name == name }) else {
            throw StudyError.invalidOption("feature set '\(name)' was not computed by chapter 4; add it to --features (it has \(output.setNames.joined(separator: ", ")))")
        }
        let url = folder.appendingPathComponent(set.file)
        let hash = try? SHA256.hex(ofFileAt: url)
        guard hash == set.sha256 else {
            throw StudyError.corruptOutput(path: url.path, reason: hash == nil ? "it is missing" : "it changed after chapter 4 wrote it")
        }
        let read = try SafeTensors.read(url, maxDataBytes: Int.max)
        guard let t = read.tensors["values"], t.count == output.rows.count * set.valuesPerClip else {
            throw StudyError.corruptOutput(path: url.path, reason: "its 'values' tensor does not hold \(output.rows.count) rows of \(set.valuesPerClip) values")
        }
        return (t.data, set.shape, set.columns)
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
