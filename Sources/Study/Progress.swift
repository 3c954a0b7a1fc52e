import Base
import Foundation

/// Progress of long work (corpus synthesis, feature extraction, training epochs) on stderr:
/// a redrawn bar on a terminal, plain lines (at most one per 10 %) when stderr is a file or a
/// pipe, nothing with `--quiet`.
// @unchecked Sendable: feature extraction reports from its worker threads; every mutable field
// (the last decile and draw time, the recorded lines) is read and written only while `lock` is held.
public final class StudyProgress: @unchecked Sendable {
    public let quiet: Bool
    let isTerminal: Bool
    private let lock = NSLock()
    private var lastDecile = -1
    private var lastDraw = Date.distantPast
    /// The lines of the chapter running now, for the notebook (`startRecording`): what stderr
    /// shows when it is not a terminal, recorded even with `--quiet`.
    private var recorded: [String]?

    public init(quiet: Bool) {
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) != 0
    }

    /// A one-off line, e.g. "training: epoch 3/50 loss 0.41".
    public func line(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        recorded?.append(text)
        guard !quiet else { return }
        StudyProgress.write(text + "\n")
    }

    /// Starts recording the lines (one chapter's, for its notebook cell); `stopRecording`
    /// returns them.
    func startRecording() {
        lock.lock(); recorded = []; lock.unlock()
    }

    func stopRecording() -> [String] {
        lock.lock(); defer { lock.unlock() }
        let lines = recorded ?? []
        recorded = nil
        return lines
    }

    /// Starts a counted task; call `update` then `finish`.
    public func start(_ label: String, total: Int) {
        lock.lock(); lastDecile = -1; lastDraw = .distantPast; lock.unlock()
        update(label, done: 0, total: total)
    }

    public func update(_ label: String, done: Int, total: Int) {
        guard total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let fraction = Double(done) / Double(total)
        let decile = Int(fraction * 10)
        let nextDecile = decile > lastDecile
        if nextDecile {
            lastDecile = decile
            recorded?.append("\(label): \(done)/\(total) (\(decile * 10) %)")
        }
        guard !quiet else { return }
        if isTerminal {
            let now = Date()
            guard done == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            StudyProgress.write("\r\(label) [\(bar)] \(done)/\(total)" + (done == total ? "\n" : ""))
        } else if nextDecile {
            StudyProgress.write("\(label): \(done)/\(total) (\(decile * 10) %)\n")
        }
    }

    static func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
