import CSndfile
import Foundation

/// What a clip's header says, without decoding its samples.
public struct AudioInfo: Equatable, Sendable {
    /// Container name as libsndfile reports it, e.g. "WAV", "AIFF", "FLAC".
    public var format: String
    /// Sample encoding, e.g. "PCM_16", "FLOAT".
    public var encoding: String
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int
    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }
}

/// Decoded audio: interleaved-free mono (or per-channel) Float32 samples and their rate.
public struct Signal: Sendable {
    public var samples: [Float]
    public var sampleRate: Int
    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }
    public var duration: Double { sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0 }
}

/// Reading and writing audio files through libsndfile: WAV, AIFF (also when named `.wav`, as
/// two TESS clips are), FLAC and everything else libsndfile knows, whatever the extension says.
public enum AudioFile {
    /// The sample rates a readable clip may have. Below 1 kHz nothing of speech is left; above
    /// 384 kHz no recorder goes. A header outside the range is damaged, and resampling from it
    /// would blow a few bytes up into gigabytes.
    public static let sampleRateRange = 1000...384_000

    /// What a readable clip is, checked before any sample is decoded. `study run` (a clip that
    /// fails goes to `skipped.csv` with the reason), `study predict` and the demo all read
    /// audio through here, so all three accept exactly the same files:
    ///
    /// - a regular file (symbolic links followed), not a folder, FIFO, socket or device;
    /// - not empty;
    /// - complete: a WAV or AIFF file's chunks fit in the file (`ContainerCheck`);
    /// - libsndfile can open it, and its header declares ≥ 1 channel and a rate in
    ///   `sampleRateRange`.
    ///
    /// Throws the `AudioError` that names the file and the first failed condition.
    static func withOpenFile<T>(_ url: URL, _ body: (OpaquePointer, SF_INFO) throws -> T) throws -> T {
        let path = url.path
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw AudioError.fileNotFound(path: path) }
            throw AudioError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw AudioError.notAFile(path: path, kind: "a folder")
        case S_IFIFO: throw AudioError.notAFile(path: path, kind: "a FIFO (named pipe)")
        case S_IFSOCK: throw AudioError.notAFile(path: path, kind: "a socket")
        default: throw AudioError.notAFile(path: path, kind: "a device")
        }
        if st.st_size == 0 { throw AudioError.emptyFile(path: path) }
        if let problem = try ContainerCheck.incompleteness(ofFileAt: path) {
            throw AudioError.truncated(path: path, reason: problem)
        }
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            let reason = String(cString: sf_strerror(nil))
            throw AudioError.unreadable(path: path, reason: reason)
        }
        defer { sf_close(handle) }
        guard info.channels > 0, info.samplerate > 0 else {
            throw AudioError.noAudio(path: path, reason: "the header declares \(info.channels) channels at \(info.samplerate) Hz")
        }
        guard sampleRateRange.contains(Int(info.samplerate)) else {
            throw AudioError.unsupportedSampleRate(path: path, rate: Int(info.samplerate))
        }
        return try body(handle, info)
    }

    /// Checks `url` against the definition of a readable clip (see `withOpenFile`) without
    /// decoding it; returns its header.
    public static func checkReadable(_ url: URL) throws -> AudioInfo { try info(url) }

    /// The header of `url`: container, encoding, rate, channels and frame count.
    public static func info(_ url: URL) throws -> AudioInfo {
        try withOpenFile(url) { _, info in
            AudioInfo(format: formatName(info.format & Int32(SF_FORMAT_TYPEMASK)),
                      encoding: encodingName(info.format & Int32(SF_FORMAT_SUBMASK)),
                      sampleRate: Int(info.samplerate), channels: Int(info.channels), frames: Int(info.frames))
        }
    }

    /// Decodes frames `[startFrame, startFrame + frameCount)` of `url` (fewer when the file is
    /// shorter; `frameCount` nil reads to the end) and mixes the channels down to mono by
    /// averaging them, as `librosa.to_mono` does. Integer formats are scaled to [-1, 1) the way
    /// soundfile does (libsndfile's float conversion without normalisation tricks).
    public static func readMono(_ url: URL, startFrame: Int = 0, frameCount: Int? = nil) throws -> Signal {
        try readMono(url) { _ in (startFrame, frameCount) }.signal
    }

    /// `readMono` with the frame range chosen from the header (`range(info)` returns the start
    /// frame and the frame count, nil for all), opening the file once. Also returns the header.
    static func readMono(_ url: URL, range: (AudioInfo) throws -> (start: Int, count: Int?)) throws -> (signal: Signal, info: AudioInfo) {
        try withOpenFile(url) { handle, info in
            let header = AudioInfo(format: formatName(info.format & Int32(SF_FORMAT_TYPEMASK)),
                                   encoding: encodingName(info.format & Int32(SF_FORMAT_SUBMASK)),
                                   sampleRate: Int(info.samplerate), channels: Int(info.channels), frames: Int(info.frames))
            let (startFrame, frameCount) = try range(header)
            let channels = Int(info.channels)
            let total = Int(info.frames)
            let start = min(max(startFrame, 0), total)
            let wanted = max(0, min(frameCount ?? total, total - start))
            // Float samples outside [-1, 1] are kept as they are (soundfile does the same).
            sf_command(handle, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_TRUE))
            if start > 0 {
                guard sf_seek(handle, sf_count_t(start), SEEK_SET) >= 0 else {
                    throw AudioError.unreadable(path: url.path, reason: "cannot seek to frame \(start)")
                }
            }
            var interleaved = [Float](repeating: 0, count: wanted * channels)
            var got = 0
            if wanted > 0 {
                got = interleaved.withUnsafeMutableBufferPointer { buf in
                    Int(sf_readf_float(handle, buf.baseAddress, sf_count_t(wanted)))
                }
            }
            if got < wanted && got == 0 && wanted > 0 {
                let reason = String(cString: sf_strerror(handle))
                throw AudioError.unreadable(path: url.path, reason: "no samples could be decoded (\(reason)); the file may be truncated")
            }
            var mono = [Float](repeating: 0, count: got)
            if channels == 1 {
                mono.withUnsafeMutableBufferPointer { dst in
                    interleaved.withUnsafeBufferPointer { src in
                        dst.baseAddress!.update(from: src.baseAddress!, count: got)
                    }
                }
            } else {
                // numpy's `mean(axis=0)`: float32 sum over channels in order, then a true
                // division by the count (not a multiplication by its reciprocal, which rounds
                // differently for 3, 5, 6… channels).
                let count = Float(channels)
                for i in 0..<got {
                    var sum: Float = 0
                    for c in 0..<channels { sum += interleaved[i * channels + c] }
                    mono[i] = sum / count
                }
            }
            for (i, v) in mono.enumerated() where !v.isFinite {
                throw AudioError.invalidSamples(path: url.path, reason: "sample \(start + i) is \(v); the file holds NaN or infinite values")
            }
            return (Signal(samples: mono, sampleRate: Int(info.samplerate)), header)
        }
    }

    /// Writes mono `samples` as a 16-bit PCM WAV file, atomically (a temporary file in the same
    /// folder, then a rename), so that an interrupted run never leaves a half-written clip.
    /// Samples are clipped to [-1, 1]; libsndfile rounds to the nearest integer.
    public static func writeWAV16(_ samples: [Float], sampleRate: Int, to url: URL) throws {
        try write(samples, sampleRate: sampleRate, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), to: url)
    }

    /// Writes mono `samples` in libsndfile's `format` (e.g. `SF_FORMAT_WAV | SF_FORMAT_FLOAT`), atomically.
    public static func write(_ samples: [Float], sampleRate: Int, format: Int32, channels: Int = 1, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = format
        guard let handle = sf_open(tmp.path, Int32(SFM_WRITE), &info) else {
            throw AudioError.writeFailed(path: url.path, reason: String(cString: sf_strerror(nil)))
        }
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        let frames = samples.count / max(channels, 1)
        let written = samples.withUnsafeBufferPointer { Int(sf_writef_float(handle, $0.baseAddress, sf_count_t(frames))) }
        sf_close(handle)
        guard written == frames else {
            try? FileManager.default.removeItem(at: tmp)
            throw AudioError.writeFailed(path: url.path, reason: "wrote \(written) of \(frames) frames")
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw AudioError.writeFailed(path: url.path, reason: reason)
        }
    }

    static func formatName(_ major: Int32) -> String {
        var fmt = SF_FORMAT_INFO()
        fmt.format = major
        if sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &fmt, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
           let ext = fmt.extension {
            return String(cString: ext).uppercased()
        }
        return String(format: "0x%06X", major)
    }

    static func encodingName(_ sub: Int32) -> String {
        switch sub {
        case Int32(SF_FORMAT_PCM_S8): return "PCM_S8"
        case Int32(SF_FORMAT_PCM_U8): return "PCM_U8"
        case Int32(SF_FORMAT_PCM_16): return "PCM_16"
        case Int32(SF_FORMAT_PCM_24): return "PCM_24"
        case Int32(SF_FORMAT_PCM_32): return "PCM_32"
        case Int32(SF_FORMAT_FLOAT): return "FLOAT"
        case Int32(SF_FORMAT_DOUBLE): return "DOUBLE"
        case Int32(SF_FORMAT_ULAW): return "ULAW"
        case Int32(SF_FORMAT_ALAW): return "ALAW"
        default: return String(format: "0x%04X", sub)
        }
    }
}
