import Audio
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
