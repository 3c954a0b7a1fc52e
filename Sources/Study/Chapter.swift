import Foundation

/// A chapter's name on disk and on the command line: `05-training` is both its folder under the
/// output directory and its template `study/chapters/05-training.md`. Each chapter declares its
/// own constant next to its code (`extension ChapterID { static let training = … }`).
public struct ChapterID: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    /// The chapter's number ("05") and name ("training").
    var number: String { String(rawValue.prefix { $0 != "-" }) }
    var name: String { String(rawValue.drop { $0 != "-" }.dropFirst()) }

    /// Accepts "05-training", "05", "5" or "training"; nil when no chapter of the study has it.
    public init?(argument: String) {
        let a = argument.lowercased()
        for type in Chapters.all {
            let c = type.id
            if a == c.rawValue || a == c.number || a == String(Int(c.number) ?? -1) || a == c.name {
                self = c
                return
            }
        }
        return nil
    }

    public var title: String { Chapters.chapter(self)?.title ?? rawValue }
    public var purpose: String { Chapters.chapter(self)?.purpose ?? "" }
}

/// One chapter of the study: a computation from the options and earlier chapters' outputs to a
/// typed, Codable output, plus the report section rendered from that output.
///
/// The runner stores `Output` as JSON in `<chapter>/chapter.json` with its cache key and the
/// size and hash of every file the chapter wrote, and hands it to later chapters as a value
/// (`ctx.output(of: FeaturesChapter.self)`). Files a chapter writes for people (CSV, PNG, WAV)
/// are never read back by another chapter.
///
/// Adding a chapter: one Swift file conforming to `Chapter`, one template
/// `study/chapters/<id>.md` whose keys are the stored properties of `Section`, and one line in
/// `Chapters.all`.
public protocol Chapter: SendableMetatype {
    associatedtype Output: Codable & Sendable
    associatedtype Section

    static var id: ChapterID { get }
    static var title: String { get }
    /// One line for `study chapters`.
    static var purpose: String { get }
    /// The chapters whose outputs this one reads: their keys are part of its key, and
    /// `--only` runs them first when they are stale.
    static var upstream: [any Chapter.Type] { get }
    /// The options that change this chapter's result, as text for its cache key.
    static func keyComponents(_ options: StudyOptions) -> [String]
    /// Parts of the key known only from the output itself (chapter 1's corpus fingerprint).
    static func outputKeyComponents(_ output: Output) -> [String]
    /// Parts of the key read from upstream outputs beyond their keys (chapter 8: the other
    /// corpora's fingerprints, which chapter 1 scans on every run but leaves out of its own key,
    /// so that adding a second corpus does not re-run chapters 2–7).
    static func upstreamKeyComponents(_ upstream: ReportContext) -> [String]
    /// Why the chapter does not apply to a run with these options (chapter 8 needs two corpora),
    /// nil when it does. A chapter that does not apply is neither run nor shown as stale.
    static func notApplicable(_ options: StudyOptions) -> String?
    /// Whether the chapter runs on every run (chapter 1 re-scans the corpus: cheap, and the only
    /// way to notice a changed clip).
    static var alwaysRuns: Bool { get }

    static func run(_ ctx: ChapterContext) throws -> Output
    /// The floats this chapter contributes to the reproducibility digest (`Reproducibility`):
    /// chapter 4's features, the test-set class probabilities of chapters 6, 7 and 8; nil for
    /// the others. Read from the output as its record holds it, so that `study verify`
    /// recomputes from the files exactly what the run hashed.
    static func digestFloats(_ output: Output) -> (part: DigestPart, values: [Float])?
    /// The template's values, from the chapter's output (and earlier chapters' outputs).
    static func section(_ output: Output, _ report: ReportContext) throws -> Section
}

extension Chapter {
    public static var upstream: [any Chapter.Type] { [] }
    public static func keyComponents(_ options: StudyOptions) -> [String] { [] }
    public static func outputKeyComponents(_ output: Output) -> [String] { [] }
    public static func upstreamKeyComponents(_ upstream: ReportContext) -> [String] { [] }
    public static func notApplicable(_ options: StudyOptions) -> String? { nil }
    public static var alwaysRuns: Bool { false }
    public static func digestFloats(_ output: Output) -> (part: DigestPart, values: [Float])? { nil }
}

/// The table of contents: the study's chapters in the order they run.
public enum Chapters {
    public static let all: [any Chapter.Type] = [
        LoadChapter.self,
        EDAChapter.self,
        TargetChapter.self,
        FeaturesChapter.self,
        TrainingChapter.self,
        EvaluationChapter.self,
        BeyondChapter.self,
        CrossCorpusChapter.self,
    ]

    public static func chapter(_ id: ChapterID) -> (any Chapter.Type)? { all.first { $0.id == id } }

    static func index(_ id: ChapterID) -> Int { all.firstIndex { $0.id == id } ?? all.count }

    /// `id` and every chapter it reads from, directly or not, in running order.
    static func closure(of id: ChapterID) -> Set<ChapterID> {
        var seen: Set<ChapterID> = []
        var stack = [id]
        while let c = stack.popLast() {
            guard seen.insert(c).inserted, let type = chapter(c) else { continue }
            for u in type.upstream { stack.append(u.id) }
        }
        return seen
    }
}
