import Base
import Foundation

/// Runs the chapters in order, make-style: a chapter runs when its record is missing, stale or
/// damaged, or when `--from`/`--only` asks for it; otherwise its stored output is reused. Then
/// assembles `report.md`, `report.html` and `summary.json`.
///
/// Integrity: a chapter runs only on upstream outputs whose keys match the current options; a
/// record written by another code version, or whose files changed, is stale; the output folder
/// is locked for the whole run; every file is written atomically, and a chapter's record is
/// removed before it re-runs, so an interrupted run leaves the previous report intact and the
/// interrupted chapter is re-run next time.
public final class StudyRunner {
    public let options: StudyOptions
    public let progress: StudyProgress

    public init(options: StudyOptions) {
        self.options = options
        self.progress = StudyProgress(quiet: options.quiet)
    }

    /// What a run did with each chapter, in running order (for tests and the report).
    public enum Outcome: Equatable, Sendable {
        case upToDate
        case ran(reason: String)
        case skipped
        /// The chapter does not apply to this run (the reason: chapter 8 with one corpus).
        case notApplicable(String)
    }

    public private(set) var outcomes: [(id: ChapterID, outcome: Outcome)] = []

    /// Each chapter's progress lines of this run, for its notebook cell.
    public private(set) var chapterLogs: [ChapterID: [String]] = [:]

    /// The reproducibility digest of the last run (set with its summary).
    public internal(set) var digest: ReproducibilityDigest?

    /// Up-to-date outputs and keys of this run, by chapter.
    private var outputs: [ChapterID: any Sendable] = [:]
    private var keys: [ChapterID: String] = [:]
    private var seconds: [ChapterID: Double] = [:]

    /// The cache key of `C` given its upstream keys; nil when an upstream chapter is not up to date.
    func key<C: Chapter>(_ type: C.Type, output: C.Output? = nil) -> String? {
        var parts = [studyCodeVersion, C.id.rawValue]
        for u in C.upstream {
            guard let k = keys[u.id] else { return nil }
            parts.append(k)
        }
        parts += C.keyComponents(options)
        parts += C.upstreamKeyComponents(reportContext)
        if let output { parts += C.outputKeyComponents(output) }
        var hash = FNV1a64()
        hash.update(parts.joined(separator: "|"))
        return hash.hex
    }

    /// Runs the study; returns the URL of `report.html`.
    @discardableResult
    public func run() throws -> URL {
        let total = Date()
        Arithmetic.current = options.kernels
        try ensureWritable(options.outputDirectory)
        let lock = try FileLock(folder: options.outputDirectory, what: "output folder")
        defer { withExtendedLifetime(lock) {} }
        outcomes = []
        outputs = [:]
        keys = [:]
        chapterLogs = [:]
        let selection = options.only.map(Chapters.closure(of:))
        for type in Chapters.all {
            progress.startRecording()
            let stepped = Result { try step(type, selected: selection?.contains(type.id) ?? true) }
            chapterLogs[type.id] = progress.stopRecording()
            try stepped.get()
        }
        let reportStart = Date()
        let html = try assembleReport(reportSeconds: { Date().timeIntervalSince(reportStart) },
                                      totalSeconds: { Date().timeIntervalSince(total) })
        progress.line("report: \(html.path) (\(String(format: "%.1f", Date().timeIntervalSince(total))) s in all)")
        if let digest { progress.line(digest.line) }
        return html
    }

    private func forced(_ id: ChapterID) -> Bool {
        if let only = options.only { return id == only }
        if let from = options.from { return Chapters.index(id) >= Chapters.index(from) }
        return false
    }

    private func step<C: Chapter>(_ type: C.Type, selected: Bool) throws {
        if let why = C.notApplicable(options) {
            outcomes.append((C.id, .notApplicable(why)))
            return
        }
        let folder = options.chapterFolder(C.id)
        let stored = RecordStore.read(C.self, from: folder)
        let expected = key(C.self)
        // A chapter outside `--only`'s closure keeps its record; it counts as up to date for the
        // report only when its key still matches.
        guard selected else {
            if case .success(let r) = stored, let expected, r.key == expected { accept(r) }
            outcomes.append((C.id, .skipped))
            return
        }
        var reason: String
        switch stored {
        case .success(let r) where !forced(C.id) && !C.alwaysRuns:
            if let expected, r.key == expected {
                accept(r)
                outcomes.append((C.id, .upToDate))
                progress.line("\(C.id): up to date (\(String(format: "%.2f", r.seconds)) s when it ran)")
                return
            }
            reason = Stale.keyChanged.description
        case .success:
            reason = C.alwaysRuns && !forced(C.id) ? "runs every time" : "asked for"
        case .failure(let why):
            reason = why.description
        }
        if let only = options.only, only != C.id { reason += "; \(only) needs it, so it runs first" }
        guard let firstMissing = C.upstream.first(where: { keys[$0.id] == nil }) else {
            try execute(C.self, reason: reason)
            return
        }
        // Cannot happen in running order; a clear error rather than a run on stale inputs.
        throw StudyError.missingOutput(path: options.chapterFolder(firstMissing.id).appendingPathComponent(RecordStore.fileName).path)
    }

    private func accept(_ r: StoredRecord) {
        outputs[r.id] = r.output
        keys[r.id] = r.key
        seconds[r.id] = r.seconds
    }

    private func execute<C: Chapter>(_ type: C.Type, reason: String) throws {
        let folder = options.chapterFolder(C.id)
        progress.line("\(C.id): \(C.title.lowercased())… (\(reason))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Forget the old record first: a run interrupted while this chapter rewrites its files
        // must not leave them under a record that vouches for the previous run.
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(RecordStore.fileName))
        let start = Date()
        let ctx = ChapterContext(id: C.id, options: options, progress: progress, outputs: Self.declared(C.self, from: outputs))
        let output = try C.run(ctx)
        let elapsed = Date().timeIntervalSince(start)
        guard let k = key(C.self, output: output) else {
            throw StudyError.missingOutput(path: folder.path)
        }
        let written = ctx.writtenFiles
        let record = try RecordStore.write(C.self, output: output, key: k, seconds: elapsed, written: written, to: folder)
        // The runner owns the chapter folder: what this run did not write (a figure of a speaker
        // of the previous corpus, a file of a run with other options) goes.
        Self.removeLeftovers(in: folder, keeping: Set(written + [RecordStore.fileName]))
        accept(record)
        outcomes.append((C.id, .ran(reason: reason)))
        progress.line("\(C.id): done in \(String(format: "%.2f", elapsed)) s")
    }

    /// The outputs a running chapter may read: those of the chapters it declares as upstream,
    /// and no other (their keys are in its key; another chapter's output could change without
    /// making it stale).
    static func declared<C: Chapter>(_ type: C.Type, from outputs: [ChapterID: any Sendable]) -> [ChapterID: any Sendable] {
        var visible: [ChapterID: any Sendable] = [:]
        for u in C.upstream { visible[u.id] = outputs[u.id] }
        return visible
    }

    /// Removes every file under `folder` whose relative path is not in `keeping`, then the
    /// folders left empty. Symbolic links are removed as links, never followed. Temporary files
    /// of atomic writes in progress do not exist here: the chapter has finished.
    static func removeLeftovers(in folder: URL, keeping: Set<String>) {
        let fm = FileManager.default
        guard let walk = fm.enumerator(atPath: folder.path) else { return }
        var folders: [String] = []
        while let rel = walk.nextObject() as? String {
            let path = folder.appendingPathComponent(rel).path
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK { walk.skipDescendants() }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                folders.append(path)
            } else if !keeping.contains(rel) {
                try? fm.removeItem(atPath: path)
            }
        }
        for path in folders.sorted(by: >) {   // deepest first
            if (try? fm.contentsOfDirectory(atPath: path))?.isEmpty == true { try? fm.removeItem(atPath: path) }
        }
    }

    /// Up-to-date outputs, for the report.
    var reportContext: ReportContext { ReportContext(options: options, outputs: outputs) }
    func recordSeconds(_ id: ChapterID) -> Double? { seconds[id] }

    /// Fails early, before any work, when the output folder cannot be written.
    func ensureWritable(_ dir: URL) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), !isDir.boolValue {
            throw StudyError.outputNotWritable(path: dir.path, reason: "it is a file, not a folder")
        }
        do { try makeFolders(dir) } catch let e as WriteError {
            throw StudyError.outputNotWritable(path: dir.path, reason: e.reason)
        }
        // A probe written through the one atomic write, so that a full disk says so (ENOSPC)
        // rather than "not writable".
        let probe = dir.appendingPathComponent(".write-probe-\(ProcessInfo.processInfo.processIdentifier)")
        do { try writeAtomically(Data("probe\n".utf8), to: probe, createFolders: false) } catch let e as WriteError {
            throw StudyError.outputNotWritable(path: dir.path, reason: e.isDiskFull ? "\(e.reason): the disk or your quota is full" : e.reason)
        }
        try? FileManager.default.removeItem(at: probe)
    }
}
