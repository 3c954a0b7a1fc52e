import Audio
import Base
import Corpus
import Features
import Foundation
import NeuralNet
import Plot

/// The versions of the C libraries a run used, for the report and summary.json: a number that
/// differs from a colleague's is the first thing to check when results differ. Each module
/// reports its own libraries; Study imports no C module.
enum LibraryVersions {
    static func all() -> [String: String] {
        var v: [String: String] = [:]
        for versions in [AudioLibraries.versions, FeaturesLibraries.versions, NeuralNetLibraries.versions,
                         PlotLibraries.versions, CorpusLibraries.versions] {
            v.merge(versions) { first, _ in first }
        }
        #if swift(>=6.3)
        v["swift"] = "6.3 or later"
        #elseif swift(>=6.0)
        v["swift"] = "6.x"
        #endif
        return v
    }

    static func line() -> String {
        all().sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
    }
}

extension LibraryVersions {
    /// What shapes the bytes of a run, for the reproducibility digest: the C libraries (libsndfile,
    /// libsoxr, FFTW, OpenBLAS, libpng, zlib, FreeType, espeak-ng), glibc (its libm's `expf` and
    /// `logf`), the fonts the figures are drawn with (name and SHA-256 of each file) and Swift
    /// (its float printing writes the CSVs). Computed once per process: the fonts are read.
    static func reproducibility() -> [String: String] { reproducibilityOnce }

    private static let reproducibilityOnce: [String: String] = {
        var v = all()
        v["zlib"] = versionFunction("zlibVersion") ?? "not loaded (libpng loads it)"
        v["glibc"] = versionFunction("gnu_get_libc_version") ?? "unknown"

        let fonts = FontSet.dejaVu
        for (key, path) in [("font", fonts.regular), ("font_bold", fonts.bold)] {
            v[key] = (path as NSString).lastPathComponent
            v[key + "_sha256"] = (try? SHA256.hex(ofFileAt: URL(fileURLWithPath: path))) ?? "unreadable: \(path)"
        }
        return v
    }()

    /// The string a C library's version function returns, looked up in the running process:
    /// zlib's `zlibVersion` (it compresses every PNG; no target links zlib itself, libpng loads
    /// it, so linking it would need a module for zlib's headers) and glibc's
    /// `gnu_get_libc_version` (Swift's Glibc module does not export it). Nil when the process
    /// has no such function.
    static func versionFunction(_ name: String) -> String? {
        typealias Version = @convention(c) () -> UnsafePointer<CChar>?
        guard let process = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, name) else { return nil }
        return unsafeBitCast(symbol, to: Version.self)().map { String(cString: $0) }
    }
}
