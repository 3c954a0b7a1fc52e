import Base
import Foundation

/// One row of a `manifest.csv`: a clip's path (relative to the manifest's folder), its label,
/// speaker and text, and the line it is on (for messages).
public struct ManifestEntry: Sendable, Equatable {
    public var path: String
    public var label: String
    public var speaker: String
    public var text: String
    public var line: Int

    public init(path: String, label: String, speaker: String, text: String, line: Int) {
        self.path = path
        self.label = label
        self.speaker = speaker
        self.text = text
        self.line = line
    }
}

/// A folder's own list of clips: `manifest.csv` at the root, header `path,label,speaker` or
/// `path,label,speaker,text`, RFC 4180 quoting, one clip per line. Labels are kept as written
/// (they are the corpus's codes) and must name one of the common emotions (`CommonEmotion`).
public enum CorpusManifest {
    public static let headers = [["path", "label", "speaker"], ["path", "label", "speaker", "text"]]

    /// Reads and checks the manifest at `url` (format only: files are checked by the scan).
    public static func read(_ url: URL) throws -> [ManifestEntry] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CorpusError.unreadableFile(path: url.path, reason: "cannot read the manifest (\(SystemErrorText.describe(error)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CorpusError.invalidManifest(path: url.path, line: 1, reason: "the file is not UTF-8 text")
        }
        return try parse(text, source: url.path)
    }

    /// Parses manifest text; `source` names the file in errors, which give the line.
    public static func parse(_ text: String, source: String) throws -> [ManifestEntry] {
        func fail(_ line: Int, _ reason: String) -> CorpusError { .invalidManifest(path: source, line: line, reason: reason) }
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        // One record per line (a path with a line break is not supported), each read with Base's CSV reader.
        // ("\r\n" is one Character, a newline.)
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        func fields(_ line: Substring, _ number: Int) throws -> [String] {
            do {
                return try CSV.decode(String(line), source: source).header.map { $0.trimmingCharacters(in: .whitespaces) }
            } catch {
                throw fail(number, "not a CSV line")
            }
        }
        guard let first = lines.first, !first.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw fail(1, "the file is empty; the first line must be the header path,label,speaker[,text]")
        }
        let header = try fields(first, 1).map { $0.lowercased() }
        guard headers.contains(header) else {
            throw fail(1, "the header is '\(first)', not path,label,speaker or path,label,speaker,text")
        }
        var entries: [ManifestEntry] = []
        var firstLine: [String: Int] = [:]
        for (index, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let number = index + 1
            let row = try fields(line, number)
            guard row.count == header.count else {
                throw fail(number, "\(row.count) field\(row.count == 1 ? "" : "s"), but the header has \(header.count) (\(header.joined(separator: ",")))")
            }
            for (name, value) in zip(header, row) where value.isEmpty && name != "text" {
                throw fail(number, "the \(name) column is empty")
            }
            for (name, value) in zip(header, row) where name != "path" && value.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw fail(number, "the \(name) column holds a NUL character")
            }
            let path = try normalized(row[0], line: number, fail: fail)
            guard CommonEmotion(word: row[1]) != nil else {
                throw fail(number, "label '\(row[1])' is not one of \(CommonEmotion.vocabulary.joined(separator: ", ")) "
                           + "(or a usual spelling: anger, fearful, happiness, sadness, surprised, ps)")
            }
            if let previous = firstLine[path] { throw fail(number, "\(path) is listed again (first on line \(previous))") }
            firstLine[path] = number
            entries.append(ManifestEntry(path: path, label: row[1], speaker: row[2], text: row.count > 3 ? row[3] : "", line: number))
        }
        guard !entries.isEmpty else { throw fail(1, "the manifest lists no clip") }
        return entries
    }

    /// `path` as a clean relative path (`./` and empty components dropped); absolute paths and
    /// `..` are refused: clips are inside the folder.
    static func normalized(_ path: String, line: Int, fail: (Int, String) -> CorpusError) throws -> String {
        // A NUL would end the path for every system call (the file checked would not be the
        // file named); other control characters are no part of a clip's name either.
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw fail(line, "path \(path.debugDescription) holds a control character (NUL, tab, escape…); rename the file")
        }
        guard !path.hasPrefix("/") else { throw fail(line, "path \(path) is absolute; paths are relative to the manifest's folder") }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else { throw fail(line, "path \(path) leaves the manifest's folder (..)") }
        guard !parts.isEmpty else { throw fail(line, "path '\(path)' names no file") }
        return parts.joined(separator: "/")
    }
}
