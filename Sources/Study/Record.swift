import Base
import Foundation

/// A file a chapter wrote, as its record vouches for it: path relative to the chapter folder,
/// size and FNV-1a of the bytes. A record whose files no longer match is stale.
struct Artifact: Codable, Sendable, Equatable {
    var path: String
    var size: Int
    var fnv1a64: String
}

/// A finished chapter as stored in `<chapter>/chapter.json`: the code version and cache key it
/// ran under, its timing, the files it wrote and its typed output.
struct ChapterRecord<Output: Codable & Sendable>: Codable, Sendable {
    var chapter: ChapterID
    var codeVersion: String
    var key: String
    var seconds: Double
    var artifacts: [Artifact]
    /// The files this run of the chapter wrote (relative paths, sorted): `artifacts` may also
    /// hold leftovers of an earlier run with other options. Absent in records of earlier code.
    var written: [String]?
    var output: Output

    static var fileName: String { "chapter.json" }
}

/// A record read back, with its output type erased so that the runner can hold every
/// chapter's in one table.
struct StoredRecord: Sendable {
    var id: ChapterID
    var key: String
    var seconds: Double
    var output: any Sendable
}

/// The part of a record read before its output: which code version wrote it.
private struct RecordHeader: Decodable { var codeVersion: String? }

enum RecordStore {
    static let fileName = "chapter.json"

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A diverged run has NaN losses: JSON has no NaN, so they are written as strings.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Reads chapter `C`'s record from `folder`: the record, or why it cannot be used (missing,
    /// unreadable, written by another version of the code, or a file it vouches for changed).
    static func read<C: Chapter>(_ type: C.Type, from folder: URL) -> Result<StoredRecord, Stale> {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return .failure(.missing) }
        // The version first, so that an older record is called older rather than unreadable.
        guard let header = try? decoder().decode(RecordHeader.self, from: data) else { return .failure(.unreadable("not JSON")) }
        guard header.codeVersion == studyCodeVersion else { return .failure(.olderCode(header.codeVersion ?? "1 or 2")) }
        let record: ChapterRecord<C.Output>
        do { record = try decoder().decode(ChapterRecord<C.Output>.self, from: data) } catch {
            return .failure(.unreadable("\(error)"))
        }
        guard record.chapter == C.id else { return .failure(.unreadable("it is the record of \(record.chapter)")) }
        for a in record.artifacts {
            let file = folder.appendingPathComponent(a.path)
            guard let (hash, size) = try? FNV1a64.hash(fileAt: file) else { return .failure(.damaged(a.path, "missing")) }
            guard size == a.size, FNV1a64.hex(hash) == a.fnv1a64 else {
                return .failure(.damaged(a.path, size == a.size ? "its content changed" : "\(size) bytes, the record says \(a.size)"))
            }
        }
        return .success(StoredRecord(id: C.id, key: record.key, seconds: record.seconds, output: record.output))
    }

    /// Writes chapter `C`'s record and returns the output as read back from it, so that later
    /// chapters see exactly what a cached run would give them.
    static func write<C: Chapter>(_ type: C.Type, output: C.Output, key: String, seconds: Double, written: [String]? = nil,
                                  to folder: URL) throws -> StoredRecord {
        let artifacts = try listArtifacts(in: folder)
        let record = ChapterRecord(chapter: C.id, codeVersion: studyCodeVersion, key: key, seconds: seconds,
                                   artifacts: artifacts, written: written, output: output)
        let data = try encoder().encode(record)
        try writeAtomically(data, to: folder.appendingPathComponent(fileName))
        let back = try decoder().decode(ChapterRecord<C.Output>.self, from: data)
        return StoredRecord(id: C.id, key: key, seconds: seconds, output: back.output)
    }

    /// Every visible file under `folder` but the record itself, sorted, with size and hash.
    static func listArtifacts(in folder: URL) throws -> [Artifact] {
        let root = folder.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        for case let path as String in walker {
            let name = (path as NSString).lastPathComponent
            guard !name.hasPrefix("."), path != fileName else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue else { continue }
            paths.append(path)
        }
        return try paths.sorted().map { path in
            let (hash, size) = try FNV1a64.hash(fileAt: URL(fileURLWithPath: root + "/" + path))
            return Artifact(path: path, size: size, fnv1a64: FNV1a64.hex(hash))
        }
    }
}

/// Why a stored record cannot be used, as the runner says it.
enum Stale: Error, CustomStringConvertible, Equatable {
    case missing
    case unreadable(String)
    case olderCode(String)
    case damaged(String, String)
    case keyChanged
    case upstreamStale(ChapterID)

    var description: String {
        switch self {
        case .missing: return "never ran here"
        case .unreadable(let why): return "its record is unreadable (\(why))"
        case .olderCode(let v): return "its record was written by another version of the study (record version \(v), this one \(studyCodeVersion))"
        case .damaged(let path, let why): return "its file \(path) is damaged (\(why))"
        case .keyChanged: return "options or earlier chapters changed"
        case .upstreamStale(let id): return "\(id) is not up to date"
        }
    }
}
