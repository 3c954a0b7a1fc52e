import Audio
import Base
import Foundation

/// Fuzz of the WAV reader (`AudioFile.checkReadable`, `AudioFile.readMono`, `Audio.load` with
/// resampling): short valid WAV files of several encodings with mutated bytes (header fields set
/// to extremes, chunks cut, repeated or lengthened). Every case ends in samples or an error
/// naming the file; a case may not take more than 2 s (a header that declares 2³¹ frames must
/// not be believed).
enum WAVFuzz {
    /// A RIFF/WAVE file of `frames` frames: PCM 16 or 24 bit, or IEEE float 32.
    static func wav(frames: Int, channels: Int, rate: Int, bits: Int, float: Bool, _ rng: inout Xoshiro256) -> [UInt8] {
        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let bytesPerSample = bits / 8
        var data: [UInt8] = []
        for _ in 0..<(frames * channels) {
            let x = rng.uniform(-1, 1)
            if float {
                data += le(Int(x.bitPattern), 4)
            } else {
                data += le(Int(x * Float((1 << (bits - 1)) - 1)), bytesPerSample)
            }
        }
        let fmt = le(float ? 3 : 1, 2) + le(channels, 2) + le(rate, 4) + le(rate * channels * bytesPerSample, 4)
            + le(channels * bytesPerSample, 2) + le(bits, 2)
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + le(fmt.count, 4) + fmt + Array("data".utf8) + le(data.count, 4) + data
        return Array("RIFF".utf8) + le(body.count, 4) + body
    }

    static let target = FuzzTarget(name: "wav") { rng, cases, scratch, report in
        let url = scratch.appendingPathComponent("clip.wav")
        for i in 0..<cases where report.more() {
            let float = rng.next() % 3 == 0
            let valid = wav(frames: 64 + Int(rng.next() % 400), channels: 1 + Int(rng.next() % 2),
                            rate: Mutate.pick([8000, 16000, 22050, 24414, 44100], &rng), bits: float ? 32 : Mutate.pick([16, 24], &rng),
                            float: float, &rng)
            let bytes = i % 10 == 0 ? valid : Mutate.bytes(valid, &rng)
            do { try Data(bytes).write(to: url) } catch {
                report.fail("case \(i): cannot write the case's file: \(error)")
                continue
            }
            let label = "case \(i)"
            do {
                try report.timed(label) {
                    _ = try AudioFile.checkReadable(url)
                    let signal = try AudioFile.readMono(url)
                    if i % 4 == 0 { _ = try Audio.load(url, sampleRate: 22050, resampler: .soxrHQ) }
                    if signal.samples.count > 1 << 22 { report.fail("\(label): \(signal.samples.count) samples from \(bytes.count) bytes") }
                }
                report.accept()
            } catch {
                report.refuse(error, mustName: url.lastPathComponent, case: label)
            }
        }
    }
}
