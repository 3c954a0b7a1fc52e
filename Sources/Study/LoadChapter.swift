import Base
import Corpus
import Foundation
import Report

/// Chapter 1: walk the corpus and label every clip from its file name, as the notebook's
/// `os.walk` loop did, but with the odd files of the real TESS handled and reported.
enum LoadChapter {
    /// The columns of `CorpusScan.csv()`, which writes `files.csv`.
    static let csvHeader = ["path", "speaker", "word", "label", "format", "sample_rate", "channels", "frames", "duration"]

    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let o = ctx.options
        let folder = ctx.folder(.load)
        let root: URL
        let kind: String
        if let data = o.dataDirectory {
            root = data
            kind = "TESS (real)"
        } else {
            kind = "synthetic"
            let label = "synthesizing corpus"
            root = try SyntheticCorpus.ensure(at: o.corpusFolder, words: o.syntheticWords, seed: o.syntheticSeed) { done, total in
                ctx.progress.update(label, done: done, total: total)
            }
        }
        let scan = try TESSCorpus.scan(root: root)

        try writeAtomically(scan.csv(), to: folder.appendingPathComponent("files.csv"))
        try writeAtomically(CSV.encode(header: ["path", "reason"], rows: scan.skipped.map { [$0.path, $0.reason] }),
                            to: folder.appendingPathComponent("skipped.csv"))
        try writeAtomically(CSV.encode(header: ["kept", "duplicate"], rows: scan.duplicates.map { [$0.kept, $0.dropped] }),
                            to: folder.appendingPathComponent("duplicates.csv"))

        let labelCounts = Dictionary(uniqueKeysWithValues: scan.countsByLabel.map { ($0.label, $0.count) })
        let head = Markdown.table(["", "speech (path)", "label"],
                                  scan.clips.prefix(5).enumerated().map { [String($0.offset), Markdown.code($0.element.path), $0.element.label] },
                                  align: ["r", "l", "l"])
        let skippedTable = scan.skipped.isEmpty ? "" : Markdown.table(["file", "why it was skipped"],
                                                                     scan.skipped.prefix(30).map { [Markdown.code($0.path), $0.reason] })
        let formats = Dictionary(grouping: scan.clips, by: { "\($0.format) \($0.sampleRate) Hz" })
            .map { ($0.key, $0.value.count) }.sorted { $0.1 > $1.1 }
        let formatTable = Markdown.table(["format", "clips"], formats.map { [$0.0, String($0.1)] }, align: ["l", "r"])

        return ChapterOutput(
            context: [
                "corpus_kind": kind,
                "synthetic": o.dataDirectory == nil,
                "root": root.lastPathComponent,
                "n_files": scan.clips.count,
                "n_skipped": scan.skipped.count,
                "n_duplicates": scan.duplicates.count,
                "head_table": head,
                "skipped_table": skippedTable,
                "has_skipped": !scan.skipped.isEmpty,
                "format_table": formatTable,
                "fingerprint": scan.fingerprint,
                "emotion_table": EmotionTable.markdownTable(),
            ],
            summary: [
                "kind": o.dataDirectory == nil ? "synthetic" : "tess",
                "root": root.standardizedFileURL.path,
                "n_files": scan.clips.count,
                "n_skipped": scan.skipped.count,
                "n_duplicates": scan.duplicates.count,
                "label_counts": labelCounts,
                "fingerprint": scan.fingerprint,
            ])
    }
}

/// One row of `01-load/files.csv`, as later chapters read it back.
struct ClipRow {
    var path: String
    var speaker: String
    var word: String
    var label: String
    var sampleRate: Int
    var duration: Double

    /// Reads `files.csv` of chapter 1 and resolves paths against the corpus root it recorded.
    static func readAll(_ ctx: StudyContext) throws -> (root: URL, rows: [ClipRow]) {
        let root = URL(fileURLWithPath: try ctx.summaryValue(.load, "root", as: String.self))
        let url = ctx.folder(.load).appendingPathComponent("files.csv")
        let (header, rows) = try CSV.read(url)
        guard header == LoadChapter.csvHeader else {
            throw StudyError.corruptOutput(path: url.path, reason: "unexpected columns \(header.joined(separator: ","))")
        }
        return (root, try rows.map { r in
            guard let sr = Int(r[5]), let d = Double(r[8]) else {
                throw StudyError.corruptOutput(path: url.path, reason: "bad numbers in row for \(r[0])")
            }
            return ClipRow(path: r[0], speaker: r[1], word: r[2], label: r[3], sampleRate: sr, duration: d)
        })
    }
}
