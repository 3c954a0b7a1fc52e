import Foundation

/// The synthetic clips of `tools/make_feature_fixtures.py`, rebuilt from the same integer
/// formulas (keep the two in step). Integer samples only, so that the Python writer
/// (soundfile) and ours produce the same decoded values; sines go through the C library's
/// `sin`, which Python's `math.sin` also calls, and are rounded with floor(x + 0.5).
enum SyntheticSignals {
    enum Encoding: String { case pcm16 = "PCM_16", pcmU8 = "PCM_U8", float = "FLOAT" }

    struct Clip {
        let name: String
        let sampleRate: Int
        let encoding: Encoding
        /// frames[i][channel], integers (16-bit scale; 8-bit scale for PCM_U8).
        let frames: [[Int]]
    }

    /// Numerical Recipes' 32-bit LCG; noise values in [-8192, 8191].
    struct LCG {
        var state: UInt32
        mutating func next() -> Int {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Int((state >> 16) & 0x3FFF) - 8192
        }
    }

    static func rint(_ x: Double) -> Int { Int((x + 0.5).rounded(.down)) }

    static func tone(_ amplitude: Double, _ f0: Double, _ sweep: Double, _ n: Int, _ sr: Int) -> Int {
        let t = Double(n) / Double(sr)
        return rint(amplitude * sin(2 * Double.pi * (f0 * t + sweep * t * t)))
    }

    static func all() -> [Clip] {
        var clips: [Clip] = []
        var g = LCG(state: 7)
        clips.append(Clip(name: "chirp_24414_pcm16", sampleRate: 24414, encoding: .pcm16,
                          frames: (0..<36621).map { [tone(12000, 150, 600, $0, 24414) + (g.next() >> 4)] }))
        g = LCG(state: 1)
        clips.append(Clip(name: "noise_22050_pcm16", sampleRate: 22050, encoding: .pcm16,
                          frames: (0..<22050).map { _ in [g.next()] }))
        clips.append(Clip(name: "silence_24414_pcm16", sampleRate: 24414, encoding: .pcm16,
                          frames: [[Int]](repeating: [0], count: 24414)))
        g = LCG(state: 2)
        clips.append(Clip(name: "stereo_44100_pcm16", sampleRate: 44100, encoding: .pcm16,
                          frames: (0..<44100).map { [tone(10000, 440, 0, $0, 44100), g.next()] }))
        clips.append(Clip(name: "tone_96000_pcm16", sampleRate: 96000, encoding: .pcm16,
                          frames: (0..<96000).map { [tone(8000, 1000, 0, $0, 96000) + tone(4000, 300, 2000, $0, 96000)] }))
        clips.append(Clip(name: "tone_16000_pcm_u8", sampleRate: 16000, encoding: .pcmU8,
                          frames: (0..<16000).map { [tone(100, 330, 0, $0, 16000)] }))
        clips.append(Clip(name: "chirp_24414_float", sampleRate: 24414, encoding: .float,
                          frames: (0..<24414).map { [tone(20000, 200, 900, $0, 24414)] }))
        return clips
    }

    /// A canonical RIFF/WAVE file of `clip`: PCM 16-bit, unsigned 8-bit (v + 128) or IEEE
    /// float 32-bit (v / 32768), interleaved.
    static func wavData(_ clip: Clip) -> Data {
        let channels = clip.frames.first?.count ?? 1
        let bytesPerSample = clip.encoding == .pcm16 ? 2 : (clip.encoding == .pcmU8 ? 1 : 4)
        var body = Data()
        body.reserveCapacity(clip.frames.count * channels * bytesPerSample)
        for frame in clip.frames {
            for v in frame {
                switch clip.encoding {
                case .pcm16: appendLE(&body, UInt16(bitPattern: Int16(v)))
                case .pcmU8: body.append(UInt8(v + 128))
                case .float: appendLE(&body, (Float(v) / 32768).bitPattern)
                }
            }
        }
        return wavData(body: body, sampleRate: clip.sampleRate, channels: channels, bitsPerSample: bytesPerSample * 8,
                       formatTag: clip.encoding == .float ? 3 : 1)
    }

    static func wavData(body: Data, sampleRate: Int, channels: Int, bitsPerSample: Int, formatTag: UInt16) -> Data {
        var d = Data("RIFF".utf8)
        appendLE(&d, UInt32(36 + body.count))
        d.append(contentsOf: Array("WAVEfmt ".utf8))
        appendLE(&d, UInt32(16))
        appendLE(&d, formatTag)
        appendLE(&d, UInt16(channels))
        appendLE(&d, UInt32(sampleRate))
        appendLE(&d, UInt32(sampleRate * channels * bitsPerSample / 8))
        appendLE(&d, UInt16(channels * bitsPerSample / 8))
        appendLE(&d, UInt16(bitsPerSample))
        d.append(contentsOf: Array("data".utf8))
        appendLE(&d, UInt32(body.count))
        d.append(body)
        return d
    }

    static func appendLE<T: FixedWidthInteger>(_ d: inout Data, _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
    }
}
