import Base
import Audio
import Foundation

/// Speaker, word and emotion label read from a TESS file name.
public struct TESSName: Sendable, Equatable {
    public var speaker: String
    public var word: String
    public var label: String
}

/// The Toronto Emotional Speech Set as it comes: any copy (Kaggle's with its nested duplicate
/// folder, Dataverse's, a flat folder), read through one code path.
public enum TESSCorpus {
    /// The seven labels in the study's order (the notebook's one-hot column order).
    public static let labels = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]

    /// Human names for the labels, for tables and figures.
    public static let displayNames: [String: String] = [
        "angry": "angry", "disgust": "disgust", "fear": "fear", "happy": "happy",
        "neutral": "neutral", "ps": "pleasant surprise", "sad": "sad",
    ]

    public static func displayName(_ label: String) -> String { displayNames[label] ?? label }

    /// The labels with their display names, in class order, as a corpus value carries them.
    public static var corpusLabels: [CorpusLabel] { labels.map { CorpusLabel(code: $0, displayName: displayName($0)) } }

    /// Spellings of pleasant surprise accepted at the end of a file name. Real TESS file names
    /// use `ps`; the long forms appear only in folder names, but a hand-renamed copy may carry
    /// them in file names too.
    static let pleasantSurpriseSpellings = ["pleasant_surprise", "pleasant_surprised", "pleasantsurprise", "pleasant-surprise"]

    /// Speaker prefixes that are shortened forms of a real speaker code (`OA_bite_neutral.wav`).
    static let speakerAliases = ["OA": "OAF", "YA": "YAF"]

    /// Reads `<speaker>_<word>_<emotion>.<ext>` (the extension is optional and ignored: the
    /// format comes from the file's bytes). Throws a reason when the name does not fit.
    public static func parseFileName(_ fileName: String) throws -> TESSName {
        var stem = fileName
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        var lower = stem.lowercased()
        var label: String?
        for spelling in pleasantSurpriseSpellings where lower.hasSuffix("_" + spelling) {
            label = "ps"
            lower = String(lower.dropLast(spelling.count + 1))
            stem = String(stem.dropLast(spelling.count + 1))
            break
        }
        var fields = stem.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        if label == nil {
            guard fields.count >= 3 else {
                throw CorpusError.invalidArgument("name is not <speaker>_<word>_<emotion>.<ext>")
            }
            label = fields.removeLast().lowercased()
        } else {
            guard fields.count >= 2 else {
                throw CorpusError.invalidArgument("name is not <speaker>_<word>_<emotion>.<ext>")
            }
        }
        guard let label, labels.contains(label) else {
            throw CorpusError.invalidArgument("emotion '\(label ?? "")' is not one of \(labels.joined(separator: ", "))")
        }
        let rawSpeaker = fields.removeFirst().uppercased()
        let word = fields.joined(separator: "_").lowercased()
        guard !rawSpeaker.isEmpty, rawSpeaker.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw CorpusError.invalidArgument("speaker prefix '\(rawSpeaker)' is not a letter/digit code like OAF")
        }
        guard !word.isEmpty, word.allSatisfy({ $0.isLetter || $0 == "'" || $0 == "-" }) else {
            throw CorpusError.invalidArgument("word '\(word)' is not a word")
        }
        return TESSName(speaker: speakerAliases[rawSpeaker] ?? rawSpeaker, word: word, label: label)
    }

    /// Walks `root` recursively and returns every TESS-named audio file, duplicates counted once.
    ///
    /// A file is audio when libsndfile can open it (two real TESS clips are AIFF named `.wav`),
    /// whatever its extension. Hidden files and folders are not visited. Headers and content
    /// hashes are read on all cores.
    public static func scan(root: URL, limits: ClipLimits = .default) throws -> CorpusScan {
        let rootURL = try checkedRoot(root)
        let (files, unusable) = try visibleFiles(under: rootURL, limits: limits)
        return try scan(root: rootURL, files: files, unusable: unusable)
    }

    /// `scan(root:)` after the walk (`EmotionCorpus` walks once, then comes here for TESS).
    static func scan(root rootURL: URL, files: [FoundFile], unusable: [SkippedFile]) throws -> CorpusScan {
        let results = examineAll(files)
        let (clips, skipped, duplicates) = collect(files, results, unusable: unusable)
        guard !clips.isEmpty else {
            throw CorpusError.noClips(path: rootURL.path, filesSeen: files.count + unusable.count, examples: Array(skipped.prefix(3)))
        }
        return CorpusScan(name: "TESS", labels: corpusLabels, root: rootURL, clips: clips, skipped: skipped, duplicates: duplicates,
                          fingerprint: fingerprint(of: clips))
    }

    /// `root`, standardized, when it is an existing folder.
    static func checkedRoot(_ root: URL) throws -> URL {
        let rootURL = root.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rootURL.path, isDirectory: &isDirectory) else {
            throw CorpusError.folderNotFound(path: rootURL.path)
        }
        guard isDirectory.boolValue else { throw CorpusError.notAFolder(path: rootURL.path) }
        return rootURL
    }

    /// Splits examined files into clips (byte-identical copies dropped) and skipped files
    /// (with the walk's `unusable` entries, sorted by path).
    static func collect(_ files: [FoundFile], _ results: [Result<Clip, SkipReason>], unusable: [SkippedFile])
        -> (clips: [Clip], skipped: [SkippedFile], duplicates: [DuplicateClip]) {
        var candidates: [Clip] = []
        var skipped: [SkippedFile] = unusable
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let clip): candidates.append(clip)
            case .failure(let reason): skipped.append(SkippedFile(path: file.path, reason: reason.message))
            }
        }
        skipped.sort { $0.path < $1.path }
        let (clips, duplicates) = removingDuplicates(candidates)
        return (clips, skipped, duplicates)
    }

    struct FoundFile {
        var path: String
        var url: URL
        /// The caps it is examined under (duration; the size was checked by the walk).
        var limits: ClipLimits = .default
    }

    struct SkipReason: Error {
        var message: String
    }

    /// Regular, non-hidden files under `root`, sorted by relative path, and the visible entries
    /// that cannot be clips, with the reason (a FIFO or device, a broken symbolic link, a name
    /// that is not UTF-8, a file above `limits.maxBytes`). Symbolic links to files are followed
    /// (users link clips); symbolic links to folders never are: one that leads out of the corpus
    /// would take the walk over the whole disk, one that leads back into it is walked where it
    /// is. Each is listed as skipped, with where it leads.
    static func visibleFiles(under root: URL, limits: ClipLimits = .default) throws -> (files: [FoundFile], skipped: [SkippedFile]) {
        var files: [FoundFile] = []
        var skipped: [SkippedFile] = []
        let realRoot = root.resolvingSymlinksInPath().path
        func walk(_ dir: String, relative: String) throws {
            guard let handle = opendir(dir) else {
                let reason = String(cString: strerror(errno))
                if relative.isEmpty {
                    throw CorpusError.unreadableFile(path: dir, reason: "cannot list this folder (\(reason)); check its permissions")
                }
                skipped.append(SkippedFile(path: relative, reason: "folder cannot be listed (\(reason))"))
                return
            }
            defer { closedir(handle) }
            var names: [[UInt8]] = []
            while let entry = readdir(handle) {
                let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
                guard let first = bytes.first, first != UInt8(ascii: ".") else { continue }  // hidden, . and ..
                names.append(bytes)
            }
            for bytes in names {
                let display = String(decoding: bytes, as: UTF8.self)
                let rel = relative.isEmpty ? display : relative + "/" + display
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    skipped.append(SkippedFile(path: rel, reason: "the file name is not valid UTF-8; rename it (e.g. with `convmv`) to include it"))
                    continue
                }
                let path = dir + "/" + name
                var lst = stat()
                guard lstat(path, &lst) == 0 else {
                    skipped.append(SkippedFile(path: rel, reason: "cannot be read (\(String(cString: strerror(errno))))"))
                    continue
                }
                let isLink = (lst.st_mode & S_IFMT) == S_IFLNK
                var st = stat()
                guard stat(path, &st) == 0 else {
                    skipped.append(SkippedFile(path: rel, reason: isLink ? "a symbolic link to nothing" : "cannot be read (\(String(cString: strerror(errno))))"))
                    continue
                }
                switch st.st_mode & S_IFMT {
                case S_IFDIR where isLink:
                    let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                    let inside = target == realRoot || target.hasPrefix(realRoot + "/")
                    skipped.append(SkippedFile(path: rel, reason: inside
                        ? "a symbolic link to a folder inside the corpus (\(target.dropFirst(min(target.count, realRoot.count + 1)))): not followed, the folder is walked where it is"
                        : "a symbolic link to a folder outside the corpus (\(target)): not followed; copy or link the clips themselves"))
                case S_IFDIR:
                    try walk(path, relative: rel)
                case S_IFREG:
                    if let problem = limits.sizeProblem(bytes: Int64(st.st_size)) {
                        skipped.append(SkippedFile(path: rel, reason: problem))
                        continue
                    }
                    files.append(FoundFile(path: rel, url: URL(fileURLWithPath: path), limits: limits))
                default:
                    skipped.append(SkippedFile(path: rel, reason: "not a regular file (a FIFO, socket or device)"))
                }
            }
        }
        try walk(root.path, relative: "")
        return (files.sorted { $0.path < $1.path }, skipped)
    }

    /// The manifest's rule for one listed path (relative to `root`, already free of `..` and
    /// absolute paths): every folder on the way is a real folder (not a symbolic link, which
    /// could lead out of the corpus), and the file itself, links followed, is a regular file
    /// within `limits.maxBytes`. Returns the reason it is skipped, or nil. Never opens the file
    /// (a FIFO would block).
    static func listedFileProblem(_ relative: String, root: URL, limits: ClipLimits) -> String? {
        let parts = relative.split(separator: "/").map(String.init)
        var at = root.path
        for (i, part) in parts.enumerated() {
            at += "/" + part
            var lst = stat()
            guard lstat(at, &lst) == 0 else {
                return i == parts.count - 1 ? "no such file in the corpus folder" : "no folder \(parts[...i].joined(separator: "/")) in the corpus folder"
            }
            if i < parts.count - 1, (lst.st_mode & S_IFMT) != S_IFDIR {
                return (lst.st_mode & S_IFMT) == S_IFLNK
                    ? "its folder \(parts[...i].joined(separator: "/")) is a symbolic link: not followed (it could lead out of the corpus)"
                    : "\(parts[...i].joined(separator: "/")) is not a folder"
            }
        }
        var st = stat()
        guard stat(at, &st) == 0 else { return "a symbolic link to nothing" }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return (st.st_mode & S_IFMT) == S_IFDIR ? "a folder, not a clip" : "not a regular file (a FIFO, socket or device)"
        }
        return limits.sizeProblem(bytes: Int64(st.st_size))
    }

    /// Name, header and content hash of every file, in parallel; results in `files` order.
    static func examineAll(_ files: [FoundFile]) -> [Result<Clip, SkipReason>] {
        examineAll(files, using: { examine($0) })
    }

    /// `examine` of every file, in parallel; results in `files` order.
    static func examineAll(_ files: [FoundFile], using examine: (FoundFile) -> Result<Clip, SkipReason>) -> [Result<Clip, SkipReason>] {
        var results = [Result<Clip, SkipReason>](repeating: .failure(SkipReason(message: "not examined")), count: files.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            // Each iteration writes only its own slot.
            ConcurrentLoop.perform(iterations: files.count) { i in
                out[i] = examine(files[i])
            }
        }
        return results
    }

    static func examine(_ file: FoundFile) -> Result<Clip, SkipReason> {
        let name: TESSName
        do { name = try parseFileName(file.url.lastPathComponent) } catch {
            return .failure(SkipReason(message: "\(error)"))
        }
        return readClip(file, speaker: name.speaker, word: name.word, label: name.label, named: "TESS-named")
    }

    /// Header and content hash of a file whose name gave `speaker`, `word` and `label`;
    /// `named` says where they came from ("TESS-named") in the reason when the file is not a readable clip.
    static func readClip(_ file: FoundFile, speaker: String, word: String, label: String, named: String) -> Result<Clip, SkipReason> {
        let info: AudioInfo
        // Audio's one definition of a readable clip (also what `predict` and the demo apply).
        do { info = try AudioFile.checkReadable(file.url) } catch let e as AudioError {
            return .failure(SkipReason(message: "\(named) but not a readable clip: \(e.reason)"))
        } catch {
            return .failure(SkipReason(message: "\(named) but not a readable clip: \(error)"))
        }
        guard info.frames > 0 else {
            return .failure(SkipReason(message: "audio header declares 0 frames (empty clip)"))
        }
        guard info.duration <= file.limits.maxSeconds else {
            return .failure(SkipReason(message: String(format: "%.0f s long, above the %.0f s a clip may last (--max-clip-seconds)",
                                                       info.duration, file.limits.maxSeconds)))
        }
        let hash: (hash: UInt64, size: Int)
        do { hash = try FNV1a64.hash(fileAt: file.url) } catch {
            return .failure(SkipReason(message: "\(error)"))
        }
        return .success(Clip(path: file.path, url: file.url, speaker: speaker, word: word, label: label,
                             format: info.format, sampleRate: info.sampleRate, channels: info.channels,
                             frames: info.frames, duration: info.duration,
                             byteCount: hash.size, contentHash: hash.hash))
    }

    /// Keeps the first clip (by path) of each group of byte-identical files. Equal hashes and
    /// sizes are confirmed by comparing the bytes, so a hash collision never drops a clip.
    static func removingDuplicates(_ clips: [Clip]) -> (kept: [Clip], duplicates: [DuplicateClip]) {
        var kept: [Clip] = []
        var duplicates: [DuplicateClip] = []
        var byKey: [UInt64: [Int]] = [:]
        for clip in clips {
            let twins = byKey[clip.contentHash, default: []]
            if let twin = twins.first(where: { kept[$0].byteCount == clip.byteCount && sameBytes(kept[$0].url, clip.url) }) {
                duplicates.append(DuplicateClip(kept: kept[twin].path, dropped: clip.path))
            } else {
                byKey[clip.contentHash, default: []].append(kept.count)
                kept.append(clip)
            }
        }
        return (kept, duplicates.sorted { $0.dropped < $1.dropped })
    }

    static func sameBytes(_ a: URL, _ b: URL) -> Bool {
        guard let x = try? Data(contentsOf: a, options: .mappedIfSafe),
              let y = try? Data(contentsOf: b, options: .mappedIfSafe) else { return false }
        return x == y
    }

    /// Over every clip's path, size, content and what the study learns from it (label, speaker,
    /// word): a manifest can relabel a clip without changing a byte of audio.
    static func fingerprint(of clips: [Clip]) -> String {
        var hasher = FNV1a64()
        for clip in clips {
            hasher.update("\(clip.path)\t\(clip.byteCount)\t\(FNV1a64.hex(clip.contentHash))\t\(clip.label)\t\(clip.speaker)\t\(clip.word)\n")
        }
        return hasher.hex
    }
}
