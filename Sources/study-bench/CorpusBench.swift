import Corpus
import Foundation

/// `study-bench corpus [--words N] [--seed S] [--variation V] [--keep]`: synthesises the
/// synthetic corpus into a temporary folder, prints its time and clips per second, then scans
/// it with the TESS loader and prints that time too. `--keep` leaves the folder for listening.
func runCorpusBench(words: Int, seed: UInt64, variation: Double, keep: Bool) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-bench-\(UUID().uuidString)")
    defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
    do {
        let start = Date()
        var lastPrinted = 0
        let clips = try SyntheticCorpus.synthesize(to: folder, words: words, seed: seed, variation: variation) { done, total in
            if done - lastPrinted >= 500 || done == total {
                lastPrinted = done
                print("  synthesized \(done)/\(total)")
            }
        }
        let synthSeconds = Date().timeIntervalSince(start)
        print(String(format: "synthesize: %d clips (%d words) in %.2f s, %.0f clips/s", clips, words, synthSeconds, Double(clips) / synthSeconds))

        let scanStart = Date()
        let scan = try TESSCorpus.scan(root: folder)
        let scanSeconds = Date().timeIntervalSince(scanStart)
        print(String(format: "scan: %d clips, %d skipped, %d duplicates in %.2f s (fingerprint %@)",
                     scan.clips.count, scan.skipped.count, scan.duplicates.count, scanSeconds, scan.fingerprint))
        let durations = scan.clips.map(\.duration).sorted()
        if let first = durations.first, let last = durations.last {
            print(String(format: "durations: min %.2f s, median %.2f s, max %.2f s", first, durations[durations.count / 2], last))
        }
        if keep { print("kept: \(folder.path)") }
    } catch {
        print("corpus bench failed: \(error)")
    }
}
