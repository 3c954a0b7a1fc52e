import Foundation

/// The package's executables as the tests run them: found beside the test bundle (where
/// `swift build --build-tests` puts them), else in `.build/debug`.
public enum BuiltProduct {
    /// The built executable `name` (e.g. "study", "study-demo").
    public static func url(_ name: String) -> URL {
        let bundles = [Bundle.main.bundleURL] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in bundles {
            let url = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return SharedData.repositoryRoot.appendingPathComponent(".build/debug/\(name)")
    }

    /// Runs `executable` with `arguments` to its end and returns its exit status and what it
    /// wrote. Standard error goes to a temporary file rather than a second pipe, so a chatty
    /// stderr can never block the child while stdout is being read. `standardOutput` replaces
    /// the stdout pipe (e.g. a handle on /dev/full); `out` is then empty.
    public static func run(_ executable: URL, _ arguments: [String],
                           standardOutput: FileHandle? = nil) throws -> (status: Int32, out: String, err: String) {
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let err = try FileHandle(forWritingTo: errFile)
        defer { try? err.close() }
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = standardOutput ?? out
        p.standardError = err
        try p.run()
        let outData = standardOutput == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self),
                String(decoding: try Data(contentsOf: errFile), as: UTF8.self))
    }
}
