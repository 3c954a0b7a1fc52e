import Base
import Foundation

/// One usable TESS clip: where it is, who says which word with which emotion, and what its
/// header says. `path` is relative to the scanned root (with `/`), so that tables and cache keys
/// do not depend on where the corpus was unpacked.
public struct Clip: Codable, Sendable, Equatable {
    public var path: String
    public var url: URL
    /// Speaker code, upper case: `OAF`, `YAF` (real TESS) or `SOF`, `SYF` (synthetic).
    public var speaker: String
    public var word: String
    /// The code of one of the corpus's labels (`CorpusScan.labels`), e.g. `angry` or `ps`.
    public var label: String
    /// Container as libsndfile reports it ("WAV", "AIFF", ...), whatever the extension says.
    public var format: String
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int
    public var duration: Double
    /// File size in bytes and 64-bit FNV-1a of the bytes (see `FNV1a64`).
    public var byteCount: Int
    public var contentHash: UInt64
}

/// A file the loader looked at and did not use, and why.
public struct SkippedFile: Codable, Sendable, Equatable {
    public var path: String
    public var reason: String
}

/// A byte-identical copy of a clip that was counted once: `kept` is in `clips`, `dropped` is not.
public struct DuplicateClip: Codable, Sendable, Equatable {
    public var kept: String
    public var dropped: String
}

/// One emotion label of a corpus: the code its file names use and the name people read.
public struct CorpusLabel: Codable, Sendable, Hashable {
    /// As in the file names, e.g. `ps`; also the class name in the model file.
    public var code: String
    /// For tables and figures, e.g. `pleasant surprise`.
    public var displayName: String

    public init(code: String, displayName: String) {
        self.code = code
        self.displayName = displayName
    }
}

/// A corpus as a value: where it is, its labels (in class order), and every usable clip with
/// its speaker, word (or text) and label. Nothing downstream knows which corpus it is: labels,
/// display names, speakers and words all come from here. `TESSCorpus.scan(root:)` makes one for
/// TESS, `EmotionCorpus.scan(root:)` for any corpus it recognises.
public struct CorpusScan: Codable, Sendable {
    /// The corpus's name for people ("TESS").
    public var name: String
    /// The labels in class order (the notebook's one-hot column order: sorted codes).
    public var labels: [CorpusLabel]
    public var root: URL
    /// Usable clips, sorted by relative path (a stable order, so that splits are reproducible).
    public var clips: [Clip]
    /// Visible files that were not used, sorted by path. Hidden files (names starting with a
    /// dot: `.DS_Store`, macOS `._*` resource forks, our own manifest) are not looked at.
    public var skipped: [SkippedFile]
    /// Copies dropped because their bytes equal those of a kept clip, sorted by dropped path.
    public var duplicates: [DuplicateClip]
    /// 16 hex digits over every kept clip's relative path, size and content hash: changes when
    /// any clip is added, removed, renamed or altered; use it as a cache key.
    public var fingerprint: String

    /// Number of clips per label, in `labels` order (labels with no clip give 0).
    public var countsByLabel: [(label: String, count: Int)] {
        labels.map { label in (label.code, clips.filter { $0.label == label.code }.count) }
    }

    /// The label codes in class order.
    public var labelCodes: [String] { labels.map(\.code) }

    /// The labels as figures show them, in class order: TESS's codes (the notebook's figures
    /// show `ps`, and a manifest's labels are words already), other conventions' display names
    /// (RAVDESS `05` → angry, EmoDB `W` → anger (Wut)). CSVs and tables keep the codes.
    public var figureLabels: [String] {
        convention == nil || convention == .tess ? labelCodes : labels.map(\.displayName)
    }

    /// What a clip's `word` is, for prose: "word" for TESS (and a manifest), "text" for the
    /// conventions whose clips say sentences or statements (RAVDESS, CREMA-D, SAVEE, EmoDB).
    public var textNoun: String { convention == nil || convention == .tess ? "word" : "text" }

    /// The display name of label `code` (the code itself when the corpus has no such label).
    public func displayName(_ code: String) -> String {
        labels.first { $0.code == code }?.displayName ?? code
    }

    /// The speakers, sorted.
    public var speakers: [String] { Array(Set(clips.map(\.speaker))).sorted() }

    /// The words (TESS) or texts spoken, sorted.
    public var words: [String] { Array(Set(clips.map(\.word))).sorted() }

    /// Number of clips per speaker, sorted by speaker code.
    public var countsBySpeaker: [(speaker: String, count: Int)] {
        Dictionary(grouping: clips, by: \.speaker).map { ($0.key, $0.value.count) }.sorted { $0.speaker < $1.speaker }
    }

    /// The table as CSV (RFC 4180 quoting), one row per clip in `clips` order.
    public func csv() -> String {
        var lines = ["path,speaker,word,label,format,sample_rate,channels,frames,duration"]
        for clip in clips {
            let fields = [clip.path, clip.speaker, clip.word, clip.label, clip.format,
                          String(clip.sampleRate), String(clip.channels), String(clip.frames),
                          String(format: "%.6f", clip.duration)]
            lines.append(fields.map(CSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `csv()` to `url` atomically.
    public func writeCSV(to url: URL) throws {
        do { try writeAtomically(csv(), to: url) } catch let e as WriteError {
            throw CorpusError.writeFailed(path: url.path, reason: e.reason)
        }
    }
}

/// Why a corpus could not be read or built. Messages name the folder or file and say what the
/// user can do.
public enum CorpusError: Error, CustomStringConvertible, Equatable {
    case folderNotFound(path: String)
    case notAFolder(path: String)
    case noClips(path: String, filesSeen: Int, examples: [SkippedFile])
    case unreadableFile(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case speechUnavailable(reason: String)
    case synthesisFailed(reason: String)
    case invalidArgument(String)
    /// `EmotionCorpus.scan`: no file name follows a known convention and there is no manifest.
    case noConvention(path: String, filesSeen: Int, examples: [SkippedFile])
    /// `EmotionCorpus.scan`: as many file names follow `first` as follow `second`.
    case ambiguousConvention(path: String, first: String, second: String, count: Int)
    /// `EmotionCorpus.scan`: the folder follows `corpus`'s naming but no such file is a readable clip.
    case noCorpusClips(corpus: String, path: String, filesSeen: Int, examples: [SkippedFile])
    /// A `manifest.csv` that cannot be used: `path` is the manifest, `line` its 1-based line.
    case invalidManifest(path: String, line: Int, reason: String)
    /// `CorpusScan.checkTrainable`: fewer than two labels, or a label with fewer than two clips.
    case tooFewLabels(path: String, counts: [String: Int])

    public var description: String {
        switch self {
        case .folderNotFound(let path):
            return "\(path): no such folder; pass the folder that holds the TESS clips (e.g. the unzipped Kaggle or Dataverse download)"
        case .notAFolder(let path):
            return "\(path): is a file, not a folder; pass the folder that holds the TESS clips"
        case .noClips(let path, let filesSeen, let examples):
            var text = "\(path): no usable TESS clip found (\(filesSeen) visible files looked at, in all subfolders). "
                + "Expected audio files (WAV, AIFF, FLAC...) named <speaker>_<word>_<emotion>.<ext>, e.g. "
                + "OAF_back_angry.wav or YAF_chain_ps.wav, with <emotion> one of "
                + TESSCorpus.labels.joined(separator: ", ")
                + ". Point the study at the folder of the TESS download (Kaggle: 'TESS Toronto emotional speech set data'), or omit --data to use the synthetic corpus."
            if !examples.isEmpty {
                text += " Skipped, for example: " + examples.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
            }
            return text
        case .unreadableFile(let path, let reason):
            return "\(path): \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write (\(reason)); check that the folder is writable and the disk is not full"
        case .speechUnavailable(let reason):
            return "espeak-ng is not usable: \(reason); install it with `apt-get install libespeak-ng1 espeak-ng-data` (scripts/install-deps.sh does)"
        case .synthesisFailed(let reason):
            return "speech synthesis failed: \(reason)"
        case .invalidArgument(let message):
            return message
        case .noConvention(let path, let filesSeen, let examples):
            let manifest = EmotionCorpus.manifestName
            let conventions: String = CorpusConvention.allCases.map { "\($0.name) (\($0.pattern))" }.joined(separator: "; ")
            var text = "\(path): no file name follows a known corpus convention and there is no \(manifest) "
            text += "(\(filesSeen) visible files looked at, in all subfolders). Known conventions: \(conventions). "
            text += "For any other folder, put a \(manifest) at its root: \(EmotionCorpus.manifestFormat)"
            if !examples.isEmpty {
                text += " Files seen, for example: " + examples.map(\.path).joined(separator: ", ")
            }
            return text
        case .ambiguousConvention(let path, let first, let second, let count):
            return "\(path): as many file names follow the \(first) convention as the \(second) convention (\(count) each), "
                + "so the corpus is ambiguous; move one corpus to its own folder, or list the clips in a \(EmotionCorpus.manifestName)"
        case .noCorpusClips(let corpus, let path, let filesSeen, let examples):
            var text = "\(path): the file names follow the \(corpus) convention but no usable clip was found "
                + "(\(filesSeen) visible files looked at, in all subfolders)."
            if !examples.isEmpty {
                text += " Skipped, for example: " + examples.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
            }
            return text
        case .invalidManifest(let path, let line, let reason):
            return "\(path), line \(line): \(reason). Expected \(EmotionCorpus.manifestFormat)"
        case .tooFewLabels(let path, let counts):
            let list = counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            return "\(path): too few labels to train on: a classifier needs at least two labels with at least two usable clips each; "
                + "this corpus has \(counts.count == 1 ? "one label" : "\(counts.count) labels") (\(list)), "
                + "\(counts.values.filter { $0 >= 2 }.count) of them with two clips or more. "
                + "Add clips of other emotions, or check the label column or the file names (see 01-load/skipped.csv)"
        }
    }
}

extension CorpusScan {
    /// Throws `CorpusError.tooFewLabels` unless at least two labels have at least two clips
    /// each (a corpus of one label trains to nothing, and `predict` refuses its model). A label
    /// with a single clip beside them is kept (EmoDB's sample has one).
    public func checkTrainable() throws {
        var counts: [String: Int] = [:]
        for c in clips { counts[c.label, default: 0] += 1 }
        guard counts.values.filter({ $0 >= 2 }).count >= 2 else {
            throw CorpusError.tooFewLabels(path: root.path, counts: counts)
        }
    }
}

/// What a corpus clip may be at most: a bigger file or a longer clip is skipped and listed
/// (a 4 GB WAV or a 10-hour recording would otherwise be read whole). `study run
/// --max-clip-mb/--max-clip-seconds` change them.
public struct ClipLimits: Sendable, Equatable, Codable {
    /// Bytes on disk (default 64 MB: 6 minutes of 48 kHz 24-bit stereo).
    public var maxBytes: Int
    /// Seconds by the header (default 600: ten minutes).
    public var maxSeconds: Double

    public init(maxBytes: Int = 64 << 20, maxSeconds: Double = 600) {
        self.maxBytes = maxBytes
        self.maxSeconds = maxSeconds
    }

    public static let `default` = ClipLimits()

    /// Why a file of `bytes` bytes is skipped, or nil when it is within `maxBytes`.
    func sizeProblem(bytes: Int64) -> String? {
        guard bytes > Int64(maxBytes) else { return nil }
        return "\(Self.megabytes(Int(bytes))) MB, above the \(Self.megabytes(maxBytes)) MB a clip may have (--max-clip-mb)"
    }

    /// Bytes as megabytes (2^20) for messages, one decimal when below 10.
    static func megabytes(_ bytes: Int) -> String {
        let mb = Double(bytes) / Double(1 << 20)
        return mb < 10 ? String(format: "%.1f", mb) : String(format: "%.0f", mb)
    }
}
