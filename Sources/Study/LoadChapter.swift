import Base
import Corpus
import Foundation
import Report

extension ChapterID {
    public static let load: ChapterID = "01-load"
}

/// Chapter 1: walk the corpus and label every clip from its file name, as the notebook's
/// `os.walk` loop did, but with the odd files of the real TESS handled and reported.
public enum LoadChapter: Chapter {
    public static let id = ChapterID.load
    public static let title = "Load the data"
    public static let purpose = "walk the corpus, label each clip from its file name (files.csv, skipped.csv)"
    public static var alwaysRuns: Bool { true }

    /// Which corpus the run used.
    public enum Kind: String, Codable, Sendable {
        /// The embedded synthetic TESS-shaped corpus (espeak-ng).
        case synthetic
        /// A folder given with `--data`.
        case folder
    }

    public struct Output: Codable, Sendable {
        public var kind: Kind
        /// The corpus as a value: labels, speakers, words and every usable clip.
        public var corpus: CorpusScan
        /// The other `--data` corpora, in order, for the cross-corpus chapter (scanned on every
        /// run like the first, but not part of this chapter's key: see `CrossCorpusChapter`).
        public var others: [CorpusScan] = []
    }

    public static func keyComponents(_ o: StudyOptions) -> [String] {
        [o.dataDirectory?.standardizedFileURL.path ?? "synthetic:\(o.syntheticWords):\(o.syntheticSeed)"]
    }

    public static func outputKeyComponents(_ output: Output) -> [String] { [output.corpus.fingerprint] }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let o = ctx.options
        let root: URL
        if let data = o.dataDirectory {
            root = data
        } else {
            let label = "synthesizing corpus"
            root = try SyntheticCorpus.ensure(at: o.corpusFolder, words: o.syntheticWords, seed: o.syntheticSeed) { done, total in
                ctx.progress.update(label, done: done, total: total)
            }
        }
        // The folder follows whichever convention its names follow (TESS, RAVDESS, CREMA-D, SAVEE,
        // EmoDB) or its manifest.csv; the synthetic corpus is TESS-named, so it reads as TESS.
        var corpus = try EmotionCorpus.scan(root: root, limits: o.clipLimits)
        if o.dataDirectory == nil { corpus.name = "synthetic TESS-shaped corpus" }
        try corpus.checkTrainable()

        try ctx.write(corpus.csv(), to: "files.csv")
        try ctx.write(CSV.encode(header: ["path", "reason"], rows: corpus.skipped.map { [$0.path, $0.reason] }), to: "skipped.csv")
        try ctx.write(CSV.encode(header: ["kept", "duplicate"], rows: corpus.duplicates.map { [$0.kept, $0.dropped] }),
                      to: "duplicates.csv")
        var others: [CorpusScan] = []
        for (i, folder) in o.otherCorpora.enumerated() {
            ctx.progress.line("\(id): corpus \(i + 2) of \(o.dataDirectories.count): \(folder.path)")
            let other = try EmotionCorpus.scan(root: folder, limits: o.clipLimits)
            try other.checkTrainable()
            let slug = otherSlug(i + 2, other)
            try ctx.write(other.csv(), to: "files_\(slug).csv")
            try ctx.write(CSV.encode(header: ["path", "reason"], rows: other.skipped.map { [$0.path, $0.reason] }), to: "skipped_\(slug).csv")
            others.append(other)
        }
        return Output(kind: o.dataDirectory == nil ? .synthetic : .folder, corpus: corpus, others: others)
    }

    /// File-name part for corpus `n` of the run (`2-ravdess`).
    static func otherSlug(_ n: Int, _ corpus: CorpusScan) -> String {
        "\(n)-" + SafeFileName.part(corpus.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined())
    }

    public struct Section {
        var corpusKind: String
        var synthetic: Bool
        var root: String
        var nFiles: Int
        var nSkipped: Int
        var nDuplicates: Int
        var headTable: String
        var skippedTable: String
        var hasSkipped: Bool
        var formatTable: String
        var fingerprint: String
        var emotionTable: String
        var mappingTable: String
        var tessNamed: Bool
        var convention: String
        var conventionPattern: String
        var hasOthers: Bool
        var othersTable: String
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let corpus = output.corpus
        let head = Markdown.table(["", "speech (path)", "label"],
                                  corpus.clips.prefix(5).enumerated().map { [String($0.offset), Markdown.code($0.element.path), $0.element.label] },
                                  align: ["r", "l", "l"])
        let skippedTable = corpus.skipped.isEmpty ? "" : Markdown.table(["file", "why it was skipped"],
                                                                       corpus.skipped.prefix(30).map { [Markdown.code($0.path), $0.reason] })
        let formats = Dictionary(grouping: corpus.clips, by: { "\($0.format) \($0.sampleRate) Hz" })
            .map { ($0.key, $0.value.count) }.sorted { $0.1 > $1.1 }
        let formatTable = Markdown.table(["format", "clips"], formats.map { [$0.0, String($0.1)] }, align: ["l", "r"])
        return Section(corpusKind: output.kind == .synthetic ? "synthetic" : "\(corpus.name) (real)",
                       synthetic: output.kind == .synthetic, root: corpus.root.lastPathComponent,
                       nFiles: corpus.clips.count, nSkipped: corpus.skipped.count, nDuplicates: corpus.duplicates.count,
                       headTable: head, skippedTable: skippedTable, hasSkipped: !corpus.skipped.isEmpty,
                       formatTable: formatTable, fingerprint: corpus.fingerprint,
                       emotionTable: EmotionTable.markdownTable(),
                       mappingTable: Markdown.table(["label", "name", "common vocabulary (for cross-corpus comparison)"],
                                                    corpus.labelMapping.map { [Markdown.code($0.code), $0.displayName, $0.common.rawValue] }),
                       tessNamed: corpus.convention == .tess || output.kind == .synthetic,
                       convention: corpus.convention?.name ?? "a manifest",
                       conventionPattern: corpus.convention?.pattern ?? "`manifest.csv`: path,label,speaker[,text]",
                       hasOthers: !output.others.isEmpty,
                       othersTable: Markdown.table(["", "corpus", "folder", "clips", "skipped", "speakers", "labels", "files"],
                                                   output.others.enumerated().map { i, c in
                                                       [String(i + 2), c.name, Markdown.code(c.root.lastPathComponent), String(c.clips.count),
                                                        String(c.skipped.count), String(c.speakers.count),
                                                        c.labelCodes.joined(separator: ", "),
                                                        "`01-load/files_\(otherSlug(i + 2, c)).csv`, `skipped_\(otherSlug(i + 2, c)).csv`"]
                                                   }, align: ["r", "l", "l", "r", "r", "r", "l", "l"]))
    }
}
