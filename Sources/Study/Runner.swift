import Base
import Corpus
import Foundation
import Report

/// What chapters see: the options, progress output, and the records of earlier chapters.
public final class StudyContext {
    public let options: StudyOptions
    public let progress: StudyProgress
    var records: [ChapterID: ChapterRecord] = [:]

    init(options: StudyOptions, progress: StudyProgress) {
        self.options = options
        self.progress = progress
    }

    func folder(_ id: ChapterID) -> URL { options.chapterFolder(id) }

    /// The record of an earlier chapter; an error naming its folder if it never ran.
    func record(_ id: ChapterID) throws -> ChapterRecord {
        if let r = records[id] { return r }
        throw StudyError.missingOutput(path: folder(id).appendingPathComponent(ChapterRecord.fileName).path)
    }

    /// A string value from an earlier chapter's summary.
    func summaryValue<T>(_ id: ChapterID, _ key: String, as: T.Type = T.self) throws -> T {
        let r = try record(id)
        guard let v = r.output.summary[key] as? T else {
            throw StudyError.corruptOutput(path: folder(id).appendingPathComponent(ChapterRecord.fileName).path,
                                           reason: "no '\(key)' in its summary")
        }
        return v
    }
}

/// Runs the chapters in order, reusing every chapter whose record is up to date, then
/// assembles `report.md`, `report.html` and `summary.json`.
public final class StudyRunner {
    public let options: StudyOptions
    public let progress: StudyProgress

    public init(options: StudyOptions) {
        self.options = options
        self.progress = StudyProgress(quiet: options.quiet)
    }

    /// Which chapters run regardless of their records.
    func forced(_ id: ChapterID) -> Bool {
        if let only = options.only { return id == only }
        if let from = options.from { return ChapterID.allCases.firstIndex(of: id)! >= ChapterID.allCases.firstIndex(of: from)! }
        return false
    }

    func skipped(_ id: ChapterID) -> Bool {
        if let only = options.only { return id != only }
        return false
    }

    func key(for id: ChapterID, context: StudyContext, loadFingerprint: String? = nil) -> String {
        var parts = [studyCodeVersion, id.rawValue]
        parts += id.upstream.map { context.records[$0]?.key ?? "missing" }
        parts += options.keyComponents(for: id)
        if let loadFingerprint { parts.append(loadFingerprint) }
        var hash = FNV1a64()
        hash.update(parts.joined(separator: "|"))
        return hash.hex
    }

    /// Runs the study; returns the URL of `report.html`.
    @discardableResult
    public func run() throws -> URL {
        let total = Date()
        try ensureWritable(options.outputDirectory)
        let context = StudyContext(options: options, progress: progress)
        for id in ChapterID.allCases {
            context.records[id] = ChapterRecord.read(id, from: options.chapterFolder(id))
        }
        for id in ChapterID.allCases {
            if skipped(id) { continue }
            let previous = context.records[id]
            if id != .load, !forced(id) {
                let k = key(for: id, context: context)
                if let previous, previous.key == k {
                    progress.line("\(id.rawValue): up to date (\(String(format: "%.2f", previous.seconds)) s when it ran)")
                    continue
                }
            }
            progress.line("\(id.rawValue): \(id.title.lowercased())…")
            // Forget the old record first: a run interrupted while this chapter rewrites its
            // files must not leave them under a record that vouches for the previous run.
            try? FileManager.default.removeItem(at: options.chapterFolder(id).appendingPathComponent(ChapterRecord.fileName))
            context.records[id] = nil
            let start = Date()
            let output = try runChapter(id, context)
            let seconds = Date().timeIntervalSince(start)
            let fingerprint = id == .load ? output.summary["fingerprint"] as? String : nil
            let record = ChapterRecord(id: id, key: key(for: id, context: context, loadFingerprint: fingerprint),
                                       seconds: seconds, output: output)
            try record.write(to: options.chapterFolder(id))
            context.records[id] = record
            progress.line("\(id.rawValue): done in \(String(format: "%.2f", seconds)) s")
        }
        let reportStart = Date()
        let html = try assembleReport(context, reportSeconds: { Date().timeIntervalSince(reportStart) },
                                      totalSeconds: { Date().timeIntervalSince(total) })
        progress.line("report: \(html.path) (\(String(format: "%.1f", Date().timeIntervalSince(total))) s in all)")
        return html
    }

    func runChapter(_ id: ChapterID, _ context: StudyContext) throws -> ChapterOutput {
        try FileManager.default.createDirectory(at: context.folder(id), withIntermediateDirectories: true)
        switch id {
        case .load: return try LoadChapter.run(context)
        case .eda: return try EDAChapter.run(context)
        case .targets: return try TargetChapter.run(context)
        case .features: return try FeaturesChapter.run(context)
        case .training: return try TrainingChapter.run(context)
        case .evaluation: return try EvaluationChapter.run(context)
        case .beyond: return try BeyondChapter.run(context)
        }
    }

    /// Fails early, before any work, when the output folder cannot be written.
    func ensureWritable(_ dir: URL) throws {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let probe = dir.appendingPathComponent(".write-probe-\(ProcessInfo.processInfo.processIdentifier)")
            guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
                throw StudyError.outputNotWritable(path: dir.path, reason: String(cString: strerror(errno)))
            }
            try? FileManager.default.removeItem(at: probe)
        } catch let e as StudyError {
            throw e
        } catch {
            throw StudyError.outputNotWritable(path: dir.path, reason: error.localizedDescription)
        }
    }
}
