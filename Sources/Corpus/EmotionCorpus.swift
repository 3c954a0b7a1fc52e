import Base
import Foundation

/// Any emotional-speech folder, recognised by its file names (no flags): TESS, RAVDESS speech,
/// CREMA-D, SAVEE, EmoDB, or any folder with a `manifest.csv`. The walk, the readability check,
/// the hashing and the duplicate counting are TESS's (`TESSCorpus`), shared.
public enum EmotionCorpus {
    public static let manifestName = "manifest.csv"

    /// The manifest format, for people (error messages).
    public static var manifestFormat: String {
        "a CSV file with the header path,label,speaker or path,label,speaker,text and one row per clip, "
            + "paths relative to the folder, labels among \(CommonEmotion.vocabulary.joined(separator: ", ")) "
            + "(or usual spellings such as anger, fearful, ps)."
    }

    /// How a folder is read.
    public enum Detection: Sendable, Equatable {
        case manifest
        case convention(CorpusConvention)
    }

    /// Reads the corpus in `root`: its `manifest.csv` when there is one, otherwise the naming
    /// convention that most file names follow (names that follow no convention, or another one,
    /// go to `skipped` with the reason). A TESS folder gives exactly `TESSCorpus.scan(root:)`.
    /// `limits` caps each clip's size and duration (a bigger or longer one is skipped and listed).
    public static func scan(root: URL, limits: ClipLimits = .default) throws -> CorpusScan {
        let rootURL = try TESSCorpus.checkedRoot(root)
        let (files, unusable) = try TESSCorpus.visibleFiles(under: rootURL, limits: limits)
        switch try detect(root: rootURL, files: files, unusable: unusable) {
        case .manifest: return try scanManifest(root: rootURL, files: files, unusable: unusable, limits: limits)
        case .convention(let c): return try scan(root: rootURL, convention: c, files: files, unusable: unusable)
        }
    }

    /// Reads `root` with convention `convention`, whatever most names follow.
    public static func scan(root: URL, convention: CorpusConvention, limits: ClipLimits = .default) throws -> CorpusScan {
        let rootURL = try TESSCorpus.checkedRoot(root)
        let (files, unusable) = try TESSCorpus.visibleFiles(under: rootURL, limits: limits)
        return try scan(root: rootURL, convention: convention, files: files, unusable: unusable)
    }

    /// How `scan(root:)` would read `root`.
    public static func detect(root: URL) throws -> Detection {
        let rootURL = try TESSCorpus.checkedRoot(root)
        let (files, unusable) = try TESSCorpus.visibleFiles(under: rootURL)
        return try detect(root: rootURL, files: files, unusable: unusable)
    }

    /// Number of names (relative paths) that follow each convention; a name counts for the first
    /// convention (in detection order) that it follows.
    public static func votes(_ paths: [String]) -> [CorpusConvention: Int] {
        var votes: [CorpusConvention: Int] = [:]
        for path in paths {
            if let c = CorpusConvention.detect(path) { votes[c, default: 0] += 1 }
        }
        return votes
    }

    static func detect(root: URL, files: [TESSCorpus.FoundFile], unusable: [SkippedFile]) throws -> Detection {
        if files.contains(where: { $0.path == manifestName }) { return .manifest }
        let ranked = votes(files.map(\.path)).sorted {
            $0.value != $1.value ? $0.value > $1.value
                : CorpusConvention.allCases.firstIndex(of: $0.key)! < CorpusConvention.allCases.firstIndex(of: $1.key)!
        }
        guard let best = ranked.first else {
            let seen = files.map(\.path) + unusable.map(\.path)
            throw CorpusError.noConvention(path: root.path, filesSeen: seen.count,
                                           examples: Array(seen.sorted().prefix(3)).map { SkippedFile(path: $0, reason: "follows no convention") })
        }
        if ranked.count > 1, ranked[1].value == best.value {
            throw CorpusError.ambiguousConvention(path: root.path, first: best.key.name, second: ranked[1].key.name, count: best.value)
        }
        return .convention(best.key)
    }

    static func scan(root: URL, convention: CorpusConvention, files: [TESSCorpus.FoundFile], unusable: [SkippedFile]) throws -> CorpusScan {
        // TESS keeps its own code path, reasons and all.
        if convention == .tess { return try TESSCorpus.scan(root: root, files: files, unusable: unusable) }
        let results = TESSCorpus.examineAll(files, using: { file in
            switch convention.match(file.path) {
            case .clip(let n):
                return TESSCorpus.readClip(file, speaker: n.speaker, word: n.text, label: n.label, named: "\(convention.name)-named")
            case .excluded(let reason):
                return .failure(TESSCorpus.SkipReason(message: reason))
            case .mismatch(let reason):
                var message = "does not follow the \(convention.name) naming (\(convention.pattern)): \(reason)"
                if let other = CorpusConvention.detect(file.path) {
                    message += "; it follows the \(other.name) naming, but most names in this folder are \(convention.name)"
                }
                return .failure(TESSCorpus.SkipReason(message: message))
            }
        })
        let (clips, skipped, duplicates) = TESSCorpus.collect(files, results, unusable: unusable)
        guard !clips.isEmpty else {
            throw CorpusError.noCorpusClips(corpus: convention.name, path: root.path, filesSeen: files.count + unusable.count,
                                            examples: Array(skipped.prefix(3)))
        }
        return CorpusScan(name: convention.name, labels: convention.labels, root: root, clips: clips, skipped: skipped,
                          duplicates: duplicates, fingerprint: TESSCorpus.fingerprint(of: clips))
    }

    static func scanManifest(root: URL, files: [TESSCorpus.FoundFile], unusable: [SkippedFile],
                             limits: ClipLimits = .default) throws -> CorpusScan {
        let manifestURL = root.appendingPathComponent(manifestName)
        let entries = try CorpusManifest.read(manifestURL)
        var listed: [TESSCorpus.FoundFile] = []
        // A listed path that is missing, not a regular file (never opened: a FIFO would block),
        // too big, or reached through a symbolic link to a folder is skipped and listed, as
        // the walk does for files it finds.
        var unusableListed: [SkippedFile] = []
        for entry in entries {
            if let problem = TESSCorpus.listedFileProblem(entry.path, root: root, limits: limits) {
                unusableListed.append(SkippedFile(path: entry.path, reason: "listed in \(manifestName) (line \(entry.line)) but \(problem)"))
                continue
            }
            listed.append(TESSCorpus.FoundFile(path: entry.path, url: root.appendingPathComponent(entry.path), limits: limits))
        }
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        let order = listed.indices.sorted { listed[$0].path < listed[$1].path }
        let sortedFiles = order.map { listed[$0] }
        let results = TESSCorpus.examineAll(sortedFiles, using: { file in
            let e = byPath[file.path]!
            return TESSCorpus.readClip(file, speaker: e.speaker, word: e.text, label: e.label, named: "listed in \(manifestName)")
        })
        let unlisted = files.filter { $0.path != manifestName && byPath[$0.path] == nil }
            .map { SkippedFile(path: $0.path, reason: "not listed in \(manifestName)") }
        // The walk's own entries for listed paths are replaced by the manifest's reasons.
        let listedProblems = Set(unusableListed.map(\.path))
        let (clips, skipped, duplicates) = TESSCorpus.collect(sortedFiles, results,
                                                              unusable: unusable.filter { !listedProblems.contains($0.path) } + unusableListed + unlisted)
        guard !clips.isEmpty else {
            throw CorpusError.noCorpusClips(corpus: "manifest", path: root.path, filesSeen: files.count + unusable.count,
                                            examples: Array(skipped.prefix(3)))
        }
        let labels = Set(clips.map(\.label)).sorted().map { CorpusLabel(code: $0, displayName: $0) }
        return CorpusScan(name: "manifest", labels: labels, root: root, clips: clips, skipped: skipped, duplicates: duplicates,
                          fingerprint: TESSCorpus.fingerprint(of: clips))
    }
}

extension CorpusScan {
    /// The convention this scan's corpus follows (by `name`), nil for a manifest or a renamed scan.
    public var convention: CorpusConvention? { CorpusConvention.allCases.first { $0.name == name } }

    /// The common emotion of label `code`: the convention's mapping, or for a manifest (or a
    /// scan renamed, like the synthetic TESS-shaped corpus) the word's own meaning.
    public func commonLabel(_ code: String) -> CommonEmotion? {
        if let convention { return convention.commonLabel(code) }
        return CommonEmotion(word: code)
    }

    /// Each label (in class order) with its display name and common emotion: the table a
    /// report shows. Labels without a common emotion are left out.
    public var labelMapping: [LabelMapping] {
        labels.compactMap { label in
            commonLabel(label.code).map { LabelMapping(code: label.code, displayName: label.displayName, common: $0) }
        }
    }
}
