import CEspeakNG
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One utterance for espeak-ng, with its voice and prosody parameters (espeak's units).
struct SpeechRequest: Sendable {
    /// Voice name with an optional variant, e.g. `en+f4`.
    var voice: String
    var text: String
    /// Words per minute (espeak clamps to 80...450).
    var rate: Int32
    /// Base pitch and pitch range, 0...100 (50 is the voice's normal).
    var pitch: Int32
    var range: Int32
    /// Amplitude, 0...200 (100 is normal).
    var volume: Int32
}

/// Runs libespeak-ng in a forked child process and streams its 16-bit samples back.
///
/// Why a child process: libespeak-ng keeps global state that is not reset between utterances
/// (the pitch-flutter phase, for one), so the samples of an utterance depend on everything the
/// process synthesised before. A fresh child per batch always starts from the same state, which
/// makes the output byte-identical run after run; it also keeps espeak's non-thread-safe globals
/// out of our process and lets synthesis overlap with post-processing on the other core.
enum EspeakProcess {
    /// libespeak-ng's version string, e.g. "1.51" (read without initialising the library).
    static var version: String { espeak_Info(nil).map { String(cString: $0) } ?? "unknown" }

    /// Synthesises `requests` in order and calls `onClip(index, samples, sampleRate)` on the
    /// calling thread as each utterance completes.
    static func synthesize(_ requests: [SpeechRequest],
                           onClip: (_ index: Int, _ samples: [Int16], _ sampleRate: Int) throws -> Void) throws {
        // Everything the child touches is prepared before fork, as plain C memory.
        let voices = requests.map { strdup($0.voice)! }
        let texts = requests.map { strdup($0.text)! }
        defer {
            voices.forEach { free($0) }
            texts.forEach { free($0) }
        }
        let params = requests.map { [$0.rate, $0.pitch, $0.range, $0.volume] }

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw CorpusError.speechUnavailable(reason: "cannot create a pipe (\(String(cString: strerror(errno))))")
        }
        let pid = fork()
        if pid < 0 {
            close(fds[0]); close(fds[1])
            throw CorpusError.speechUnavailable(reason: "cannot start a child process (\(String(cString: strerror(errno))))")
        }
        if pid == 0 {
            close(fds[0])
            runChild(fd: fds[1], voices: voices, texts: texts, params: params)
        }
        close(fds[1])
        var finished = false
        defer {
            close(fds[0])
            if !finished { kill(pid, SIGKILL) }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        let reader = PipeReader(fd: fds[0])
        let sampleRate = Int(try reader.int32())
        guard sampleRate > 0 else {
            throw CorpusError.speechUnavailable(reason: "espeak_Initialize could not load its data (returned \(sampleRate)); espeak-ng-data may be missing or ESPEAK_DATA_PATH wrong")
        }
        for index in requests.indices {
            var samples: [Int16] = []
            while true {
                let count = try reader.int32()
                if count == ChildMarker.endOfUtterance { break }
                if count == ChildMarker.voiceFailed {
                    throw CorpusError.speechUnavailable(reason: "espeak-ng cannot load the voice '\(requests[index].voice)' (is espeak-ng-data installed, or ESPEAK_DATA_PATH wrong?)")
                }
                guard count >= 0 else {
                    throw CorpusError.synthesisFailed(reason: "espeak_Synth failed on \"\(requests[index].text)\"")
                }
                samples.append(contentsOf: try reader.int16s(Int(count)))
            }
            try onClip(index, samples, sampleRate)
        }
        finished = true
    }

    enum ChildMarker {
        static let endOfUtterance: Int32 = -1
        static let synthFailed: Int32 = -2
        static let voiceFailed: Int32 = -3
    }

    /// The child's whole life: only C calls on memory prepared before fork, then `_exit`.
    static func runChild(fd: Int32, voices: [UnsafeMutablePointer<CChar>], texts: [UnsafeMutablePointer<CChar>],
                         params: [[Int32]]) -> Never {
        // DONT_EXIT: on missing data espeak would otherwise call exit(), which in a forked
        // child runs the parent's atexit handlers; a missing voice is reported below instead.
        // espeak-ng draws the noise of breathy voices (SYF's `en-us+f2` has `breath`) from libc's
        // rand(), whose state a forked child inherits from the parent: whatever the parent's
        // threads did before the fork would change the clips (seen once in ~20 runs: every SYF
        // clip differed by up to -49 dB). Seeded here, the child's sequence is glibc's default
        // (srand(1)), whatever the parent did.
        srand(1)
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nil, Int32(espeakINITIALIZE_DONT_EXIT))
        var header = rate
        childWriteAll(fd, &header, 4)
        if rate <= 0 { _exit(2) }
        espeak_SetSynthCallback { wav, count, events in
            guard let wav, count > 0, let userData = events?.pointee.user_data else { return 0 }
            let fd = Int32(Int(bitPattern: userData) - 1)
            var n = count
            childWriteAll(fd, &n, 4)
            childWriteAll(fd, wav, Int(count) * 2)
            return 0
        }
        let userData = UnsafeMutableRawPointer(bitPattern: Int(fd) + 1)
        var currentVoice: UnsafeMutablePointer<CChar>?
        for i in 0..<texts.count {
            if currentVoice == nil || strcmp(currentVoice!, voices[i]) != 0 {
                if espeak_SetVoiceByName(voices[i]) != EE_OK {
                    var marker = ChildMarker.voiceFailed
                    childWriteAll(fd, &marker, 4)
                    _exit(3)
                }
                currentVoice = voices[i]
            }
            espeak_SetParameter(espeakRATE, params[i][0], 0)
            espeak_SetParameter(espeakPITCH, params[i][1], 0)
            espeak_SetParameter(espeakRANGE, params[i][2], 0)
            espeak_SetParameter(espeakVOLUME, params[i][3], 0)
            let status = espeak_Synth(texts[i], strlen(texts[i]) + 1, 0, POS_CHARACTER, 0,
                                      UInt32(espeakCHARS_AUTO), nil, userData)
            var marker = status == EE_OK ? ChildMarker.endOfUtterance : ChildMarker.synthFailed
            childWriteAll(fd, &marker, 4)
            if status != EE_OK { _exit(4) }
        }
        _exit(0)
    }

}

/// `write` until all `count` bytes are out; exits the child if the parent has gone away.
/// A free function so that espeak's C callback can call it without capturing context.
private func childWriteAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) {
    var offset = 0
    while offset < count {
        let n = write(fd, bytes + offset, count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { _exit(5) }
        offset += n
    }
}

/// Reads exact-size records from the child's pipe; an early end means the child died.
final class PipeReader {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }

    func readExactly(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws {
        var offset = 0
        while offset < count {
            let n = read(fd, buffer + offset, count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw CorpusError.synthesisFailed(reason: "the espeak-ng child process ended early (crashed or killed)")
            }
            offset += n
        }
    }

    func int32() throws -> Int32 {
        var value: Int32 = 0
        try readExactly(&value, 4)
        return value
    }

    func int16s(_ count: Int) throws -> [Int16] {
        var values = [Int16](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { try readExactly($0.baseAddress!, $0.count) }
        return values
    }
}

/// The versions of the C libraries this module links, for reports.
public enum CorpusLibraries {
    /// "espeak-ng": libespeak-ng's version (`SyntheticCorpus.espeakVersion`, e.g. "1.51").
    public static let versions: [String: String] = [
        "espeak-ng": EspeakProcess.version,
    ]
}
