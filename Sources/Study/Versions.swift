import Base
import CPNG
import CSndfile
import CSoxr
import Corpus
import Foundation
import NeuralNet

/// The versions of the C libraries a run used, for the report and summary.json: a number
/// that differs from a colleague's is the first thing to check when results differ.
enum LibraryVersions {
    static func all() -> [String: String] {
        var v: [String: String] = [:]
        v["libsndfile"] = String(cString: sf_version_string())
        v["libsoxr"] = soxr_version().map { String(cString: $0) } ?? "unknown"
        // `fftwf_version` is a C array of unknown size, which Swift cannot import: look it up.
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fftwf_version") {
            v["fftw"] = String(cString: symbol.assumingMemoryBound(to: CChar.self))
        }
        v["openblas"] = BLASThreads.configuration
        v["libpng"] = png_get_libpng_ver(nil).map { String(cString: $0) } ?? "unknown"
        v["espeak-ng"] = SyntheticCorpus.espeakVersion
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
