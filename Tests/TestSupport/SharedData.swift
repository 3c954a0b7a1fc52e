import Foundation
import XCTest

/// Locates the read-only `../shared` folder that sits beside the repository (reference
/// fixtures from librosa and Keras, and the 19 real TESS clips). It is absent on a bare clone:
/// tests that need it call `try SharedData.require(...)`, which skips with a visible message.
public enum SharedData {
    /// The repository root (the folder holding Package.swift), found from this file's path.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `../shared` relative to the repository root, or `$TESS_SHARED` when set.
    public static var root: URL {
        if let env = ProcessInfo.processInfo.environment["TESS_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The URL of `relative` inside the shared folder; throws XCTSkip (printed by XCTest as a
    /// skipped test with this message) when it does not exist.
    public static func require(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("SKIPPED: \(relative) not found in \(root.path) (the ../shared folder is absent on this machine)",
                          file: file, line: line)
        }
        return url
    }

    /// A fresh temporary directory, removed by the caller (or left to the OS).
    public static func temporaryDirectory(_ prefix: String = "tess-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
