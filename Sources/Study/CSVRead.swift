import Base
import Foundation

// Transitional: chapters still read their predecessors' CSV files until they pass typed values.
extension CSV {
    static func read(_ url: URL) throws -> (header: [String], rows: [[String]]) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw StudyError.missingOutput(path: url.path)
        }
        return try decode(text, source: url.path)
    }
}
