import Base
import Corpus
import Features
import Foundation
import Plot
import Report

/// Chapter 4: the notebook's `extract_mfcc` — 40 MFCC means per clip — on both cores, with
/// the per-emotion profile the notebook never showed.
enum FeaturesChapter {
    static let nMFCC = 40
    static var csvHeader: [String] { ["path", "speaker", "label"] + (1...nMFCC).map { "mfcc_\($0)" } }

    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let (root, clips) = try ClipRow.readAll(ctx)
        let folder = ctx.folder(.features)
        guard let preset = FeaturePreset.named(ctx.options.preset) else {
            throw StudyError.invalidOption("unknown feature preset '\(ctx.options.preset)'; use notebook or librosa")
        }
        let urls = clips.map { root.appendingPathComponent($0.path) }
        let start = Date()
        ctx.progress.start("extracting MFCCs", total: urls.count)
        let results = extractFeatures(urls: urls, preset: preset, nMFCC: nMFCC, threads: ctx.options.threads) { done, total in
            ctx.progress.update("extracting MFCCs", done: done, total: total)
        }
        let seconds = Date().timeIntervalSince(start)

        var rows: [[String]] = []
        var failures: [[String]] = []
        var vectors: [(ClipRow, [Float])] = []
        for (clip, result) in zip(clips, results) {
            switch result {
            case .success(let v):
                rows.append([clip.path, clip.speaker, clip.label] + v.map { String($0) })
                vectors.append((clip, v))
            case .failure(let e):
                failures.append([clip.path, "\(e)"])
            }
        }
        guard !vectors.isEmpty else {
            throw StudyError.featureFailures(count: failures.count, first: failures.first?[1] ?? "?")
        }
        try writeAtomically(CSV.encode(header: csvHeader, rows: rows), to: folder.appendingPathComponent("features.csv"))
        try writeAtomically(CSV.encode(header: ["path", "error"], rows: failures), to: folder.appendingPathComponent("failures.csv"))

        // Per-emotion mean vector (7 × 40) and distributions of a few coefficients.
        let labels = TESSCorpus.labels
        var means: [[Float]] = []
        for l in labels {
            let group = vectors.filter { $0.0.label == l }.map(\.1)
            var m = [Float](repeating: 0, count: nMFCC)
            for v in group { for j in 0..<nMFCC { m[j] += v[j] } }
            means.append(m.map { group.isEmpty ? 0 : $0 / Float(group.count) })
        }
        // The first coefficient is ~10× the others: z-score each coefficient across the emotions
        // so that every column shows which emotions lie above or below its average.
        var z = means
        for j in 0..<nMFCC {
            let column = means.map { Double($0[j]) }
            let mu = column.reduce(0, +) / Double(column.count)
            let sd = (column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(column.count)).squareRoot()
            for i in z.indices { z[i][j] = sd > 0 ? Float((column[i] - mu) / sd) : 0 }
        }
        let heat = Charts.heatmap(matrix: z, rowLabels: labels, colLabels: (1...nMFCC).map { String($0) },
                                  title: "Mean MFCC per emotion (z-scored per coefficient)", colormap: .rdBu,
                                  colorbarLabel: "z-score", xLabel: "MFCC coefficient", vmin: -2.5, vmax: 2.5)
        try heat.write(to: folder.appendingPathComponent("mfcc_mean_heatmap.png"))
        var boxFigures: [[String: Any]] = []
        for coefficient in [1, 2, 4] {
            let values = labels.map { l in vectors.filter { $0.0.label == l }.map { $0.1[coefficient - 1] } }
            let fig = Charts.boxPlot(groups: labels, values: values, title: "MFCC \(coefficient) by emotion",
                                     yLabel: "mfcc_\(coefficient)")
            let name = "mfcc_\(coefficient)_box.png"
            try fig.write(to: folder.appendingPathComponent(name))
            boxFigures.append(["coefficient": coefficient, "figure": "\(ChapterID.features.rawValue)/\(name)"])
        }

        let example = vectors[0]
        let exampleText = formatVector(example.1)
        let meanTable = Markdown.table(["label"] + (1...8).map { "mfcc_\($0)" },
                                       zip(labels, means).map { [$0.0] + $0.1.prefix(8).map { Markdown.fixed(Double($0), 2) } },
                                       align: ["l"] + Array(repeating: "r", count: 8))
        let failureTable = failures.isEmpty ? "" : Markdown.table(["clip", "error"], failures.prefix(20).map { [Markdown.code($0[0]), $0[1]] })
        let allValues = vectors.flatMap(\.1)
        return ChapterOutput(
            context: [
                "preset": preset.name,
                "preset_description": preset.summary,
                "n_clips": vectors.count,
                "n_failures": failures.count,
                "has_failures": !failures.isEmpty,
                "failure_table": failureTable,
                "seconds": Markdown.fixed(seconds, 2),
                "clips_per_second": Markdown.fixed(Double(urls.count) / max(seconds, 1e-9), 0),
                "threads": ctx.options.threads,
                "example_path": example.0.path,
                "example_vector": exampleText,
                "heatmap": "\(ChapterID.features.rawValue)/mfcc_mean_heatmap.png",
                "boxes": boxFigures,
                "mean_table": meanTable,
                "min_value": Markdown.fixed(Double(allValues.min() ?? 0), 1),
                "max_value": Markdown.fixed(Double(allValues.max() ?? 0), 1),
            ],
            summary: ["n": vectors.count, "n_failures": failures.count, "seconds": seconds, "preset": preset.name])
    }

    /// The vector as numpy prints a float32 array, 5 per line.
    static func formatVector(_ v: [Float]) -> String {
        var lines: [String] = []
        for start in stride(from: 0, to: v.count, by: 5) {
            lines.append(v[start..<min(start + 5, v.count)].map { String(format: "%12.6f", $0) }.joined(separator: " "))
        }
        return "[" + lines.joined(separator: "\n ") + "]"
    }

    /// Reads `features.csv` back: rows in file order with their 40 values.
    static func read(_ ctx: StudyContext) throws -> [(path: String, speaker: String, label: String, x: [Float])] {
        let url = ctx.folder(.features).appendingPathComponent("features.csv")
        let (header, rows) = try CSV.read(url)
        guard header == csvHeader else { throw StudyError.corruptOutput(path: url.path, reason: "unexpected columns") }
        return try rows.map { r in
            let x = r[3...].map { Float($0) }
            guard x.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                throw StudyError.corruptOutput(path: url.path, reason: "non-numeric feature for \(r[0])")
            }
            return (r[0], r[1], r[2], x.map { $0! })
        }
    }
}
