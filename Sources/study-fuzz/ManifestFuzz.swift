import Base
import Corpus
import Foundation

/// Fuzz of the manifest parser (`CorpusManifest.parse`): valid manifests with mutated bytes and
/// with hostile fields (path escapes, markup, control characters, very long values). Every case
/// ends in entries or an `invalidManifest` error naming the file and line; an accepted entry's
/// path is never absolute and never climbs out with `..` (the scan joins it to the corpus root).
enum ManifestFuzz {
    static let hostile = [
        "../x.wav", "/etc/passwd", "a/../../b.wav", "./a.wav", "a//b.wav", "C:\\x.wav", "\\\\server\\x.wav",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "| a | b |",
        "a\u{0}b", "a\tb", "a\u{1b}[31mb", "\u{202e}vaw.exe", String(repeating: "x", count: 5000), "", " ", "\"", "\"\"",
        "😀", "é\u{301}", "%2e%2e%2f", "..", ".", "-rf",
    ]
    static let labels = ["angry", "sad", "happy", "neutral", "fear", "disgust", "ps", "surprised", "anger", "xyz"]

    static let target = FuzzTarget(name: "manifest") { rng, cases, scratch, report in
        let source = scratch.appendingPathComponent("manifest.csv").path
        for i in 0..<cases where report.more() {
            var text: String
            if i % 2 == 0 {
                // Rows of chosen fields, some hostile, some quoted.
                var rows = [Mutate.pick(["path,label,speaker,text", "path,label,speaker", "PATH,Label,speaker,text", "path,label"], &rng)]
                for r in 0..<(1 + Int(rng.next() % 6)) {
                    func field(_ normal: String) -> String {
                        let v = rng.next() % 3 == 0 ? Mutate.pick(hostile, &rng) : normal
                        return rng.next() % 2 == 0 ? CSV.field(v) : v
                    }
                    rows.append([field("clips/c\(r).wav"), field(Mutate.pick(labels, &rng)), field("spk\(r % 2)"), field("word")]
                        .prefix(Int(2 + rng.next() % 4)).joined(separator: ","))
                }
                text = rows.joined(separator: Mutate.pick(["\n", "\r\n", "\r"], &rng))
            } else {
                let valid = "path,label,speaker,text\nclips/a.wav,angry,OAF,back\nclips/b.wav,sad,YAF,\"bar, baz\"\n"
                text = String(decoding: Mutate.bytes(Array(valid.utf8), &rng), as: UTF8.self)
            }
            let label = "case \(i)"
            do {
                let entries = try report.timed(label) { try CorpusManifest.parse(text, source: source) }
                for e in entries {
                    let parts = e.path.split(separator: "/", omittingEmptySubsequences: false)
                    if e.path.hasPrefix("/") || parts.contains("..") || parts.contains("") || e.path.contains("\u{0}") {
                        report.fail("\(label): accepted the path \(e.path.debugDescription)")
                    }
                }
                report.accept()
            } catch {
                report.refuse(error, mustName: source, case: label)
            }
        }
    }
}
