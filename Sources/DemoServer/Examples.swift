import Foundation

/// The example clips offered on the page: the `.wav` files directly inside one folder, listed
/// once at start-up. A request may only name one of these files, and the file is read from
/// the listed URL, never from a path built out of the request, so nothing else on disk can be
/// reached through the examples endpoint (no `..`, no absolute paths, no symlinked folders).
public struct ExampleCatalog: Sendable {
    public struct Example: Codable, Sendable, Equatable {
        public var name: String
        /// The emotion the study's file name gives (`<label>_<speaker>.wav`), if any.
        public var label: String?
        public var speaker: String?
        public var url: String
    }

    public let examples: [Example]
    private let files: [String: URL]

    /// Lists `directory`; a missing folder (no study run yet) gives an empty catalog.
    public init(directory: URL?) {
        let names = directory.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []
        var files: [String: URL] = [:]
        var examples: [Example] = []
        for name in names.sorted() where name.lowercased().hasSuffix(".wav") && !name.hasPrefix(".") {
            guard let url = directory?.appendingPathComponent(name), Self.isRegularFile(url) else { continue }
            files[name] = url
            examples.append(Self.describe(name))
        }
        self.files = files
        self.examples = examples
    }

    /// The file of the example called exactly `name`, or nil for any other name.
    public func file(named name: String) -> URL? { files[name] }

    private static func describe(_ name: String) -> Example {
        let stem = String(name.dropLast(4))
        let parts = stem.split(separator: "_", maxSplits: 1).map(String.init)
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? name
        return Example(name: name, label: parts.count == 2 ? parts[0] : nil, speaker: parts.count == 2 ? parts[1] : nil,
                       url: "/api/examples/\(encoded)")
    }

    private static func isRegularFile(_ url: URL) -> Bool {
        (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
    }
}
