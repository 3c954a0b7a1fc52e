import Base
import Foundation
import Plot

/// What a running chapter sees: the options, progress output, its own folder, and the typed
/// outputs of the chapters it declared as upstream.
public final class ChapterContext {
    public let options: StudyOptions
    public let progress: StudyProgress
    public let id: ChapterID
    /// `<output>/<id>/`: everything the chapter writes goes here.
    public let folder: URL
    private let outputs: [ChapterID: any Sendable]
    /// Names handed out by `url(_:)` (every file a chapter writes goes through it), so that the
    /// record can tell this run's files from leftovers of an earlier run with other options
    /// (a `--repeats 2` figure stays in the folder after a run without repeats). Locked: a
    /// chapter may write from several threads.
    private var handedOut: Set<String> = []
    private let lock = NSLock()

    init(id: ChapterID, options: StudyOptions, progress: StudyProgress, outputs: [ChapterID: any Sendable]) {
        self.id = id
        self.options = options
        self.progress = progress
        self.folder = options.chapterFolder(id)
        self.outputs = outputs
    }

    /// The output of an earlier chapter, which the runner has checked to be up to date.
    public func output<C: Chapter>(of type: C.Type) throws -> C.Output {
        guard let any = outputs[C.id], let output = any as? C.Output else {
            throw StudyError.missingOutput(path: options.chapterFolder(C.id).appendingPathComponent(RecordStore.fileName).path)
        }
        return output
    }

    /// `name` inside this chapter's folder; the chapter is taken to write it this run. `name` is
    /// a relative path of safe parts (`SafeFileName`: data-derived names go through it first);
    /// anything else, or a path that a symbolic link would take out of the folder, is refused
    /// before anything is written.
    public func url(_ name: String) throws -> URL {
        try OutputPath.check(name, inside: folder)
        lock.lock()
        handedOut.insert(name)
        lock.unlock()
        return folder.appendingPathComponent(name)
    }

    /// The files this run of the chapter wrote: names given to `url(_:)` that exist, relative to
    /// the chapter folder, sorted.
    var writtenFiles: [String] {
        lock.lock()
        let names = handedOut
        lock.unlock()
        return names.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }.sorted()
    }

    /// `name` as the report links it: relative to the output folder (`05-training/x.png`).
    public func link(_ name: String) -> String { "\(id.rawValue)/\(name)" }

    /// Writes a file for people (CSV, text) atomically; returns its report link.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        try writeAtomically(text, to: try url(name))
        return link(name)
    }

    @discardableResult
    public func write(_ data: Data, to name: String) throws -> String {
        try writeAtomically(data, to: try url(name))
        return link(name)
    }

    /// Renders a figure to PNG atomically; returns its report link.
    @discardableResult
    public func write(_ figure: Figure, to name: String) throws -> String {
        try writeAtomically(figure.pngData(), to: try url(name))
        return link(name)
    }
}

/// What a chapter's report section may use besides its own output: the options and the
/// outputs of the other up-to-date chapters.
public struct ReportContext {
    public let options: StudyOptions
    let outputs: [ChapterID: any Sendable]

    /// An up-to-date chapter's output, or nil when it is missing or stale.
    public func output<C: Chapter>(of type: C.Type) -> C.Output? { outputs[C.id] as? C.Output }
}

/// The rule for every file a chapter writes: inside its folder, whatever the name.
enum OutputPath {
    /// Throws `StudyError.unsafeOutputPath` unless `name` is a relative path whose every part is
    /// a safe file name (`SafeFileName.isSafe`, any length up to 255 bytes) and whose existing
    /// folders, symbolic links resolved, stay inside `folder`.
    static func check(_ name: String, inside folder: URL) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            guard SafeFileName.isSafe(part, maxLength: 255) else {
                throw StudyError.unsafeOutputPath(name: name, folder: folder.path,
                                                  reason: part.isEmpty ? "an empty part" : "the part '\(part)' is not a safe file name")
            }
        }
        // A folder of the path that exists must resolve inside the chapter folder (a symbolic
        // link planted in an output folder would otherwise lead the write elsewhere).
        let root = folder.resolvingSymlinksInPath().path
        var at = folder
        for part in parts.dropLast() {
            at.appendPathComponent(part)
            guard FileManager.default.fileExists(atPath: at.path) else { break }
            let resolved = at.resolvingSymlinksInPath().path
            guard resolved == root || resolved.hasPrefix(root + "/") else {
                throw StudyError.unsafeOutputPath(name: name, folder: folder.path,
                                                  reason: "\(at.path) leads to \(resolved), outside the chapter folder")
            }
        }
    }
}
