import Base
import CPNG
import Foundation

/// What went wrong while drawing or writing a figure; the message names the file and the remedy.
public enum PlotError: Error, CustomStringConvertible, Equatable {
    case fontNotFound(path: String)
    case fontUnreadable(path: String, reason: String)
    case pngEncodingFailed(reason: String)
    case cannotWrite(path: String, reason: String)
    case invalidData(String)

    public var description: String {
        switch self {
        case .fontNotFound(let path):
            return "font file \(path) not found: install the DejaVu fonts (Debian: apt-get install fonts-dejavu-core) "
                + "or point PLOT_FONT_DIR at a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf"
        case .fontUnreadable(let path, let reason):
            return "font file \(path) could not be loaded by FreeType (\(reason)): replace it with a valid TrueType font"
        case .pngEncodingFailed(let reason):
            return "libpng could not encode the image: \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason); check that the folder exists and is writable"
        case .invalidData(let what):
            return "invalid plot data: \(what)"
        }
    }
}

extension PlotError: LocalizedError {
    public var errorDescription: String? { description }
}

/// PNG encoding through libpng's "simplified" API, which catches libpng's longjmp-based errors
/// in C and reports them as a return value (Swift cannot survive a longjmp across its frames).
public enum PNG {
    /// zlib effort. `.fast` is libpng's PNG_IMAGE_FLAG_FAST (zlib level 3, no row filters): for
    /// figures, mostly flat colour, files grow by a few per cent and encoding is several times faster.
    public enum Compression: Sendable {
        case fast, best
    }

    /// Encodes 8-bit RGB or RGBA bytes (top row first) as a PNG stream. Deterministic: no time
    /// stamp or other varying chunk is written.
    public static func encode(_ bytes: [UInt8], width: Int, height: Int, alpha: Bool,
                              compression: Compression = .fast) throws -> Data {
        let channels = alpha ? 4 : 3
        guard width > 0, height > 0, bytes.count == width * height * channels else {
            throw PlotError.invalidData("PNG.encode: \(bytes.count) bytes for a \(width)×\(height)×\(channels) image")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = png_uint_32(alpha ? PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA : PNG_FORMAT_FLAG_COLOR)
        image.flags = compression == .fast ? png_uint_32(PNG_IMAGE_FLAG_FAST) : 0
        // A buffer larger than any possible output (stored zlib blocks plus chunk overhead), so one
        // pass suffices; libpng reports the needed size if it were ever too small.
        let raw = height * (width * channels + 1)
        var capacity = raw + raw / 64 + 4096
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: capacity)
            var size = png_alloc_size_t(capacity)
            let ok = out.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    png_image_write_to_memory(&image, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
                }
            }
            if ok != 0 {
                return Data(out[0..<Int(size)])
            }
            if Int(size) > capacity {
                capacity = Int(size)
                image.warning_or_error = 0
                continue
            }
            let message = withUnsafeBytes(of: image.message) { buf in
                String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
            }
            png_image_free(&image)
            throw PlotError.pngEncodingFailed(reason: message.isEmpty ? "unknown error" : message)
        }
        throw PlotError.pngEncodingFailed(reason: "output buffer too small")
    }

    /// Writes `data` to `url` atomically (Base's `writeAtomically`), so that a reader never
    /// sees a half-written PNG. The folder must exist.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        do { try Base.writeAtomically(data, to: url, createFolders: false) } catch let e as WriteError {
            throw PlotError.cannotWrite(path: url.path, reason: e.reason)
        }
    }
}

extension Canvas {
    /// The canvas as a PNG stream (RGB when opaque, else RGBA).
    public func pngData(compression: PNG.Compression = .fast) throws -> Data {
        let opaque = isOpaque
        return try PNG.encode(bytes(alpha: !opaque), width: width, height: height, alpha: !opaque,
                              compression: compression)
    }

    /// Writes the canvas as a PNG file, atomically.
    public func write(to url: URL, compression: PNG.Compression = .fast) throws {
        try PNG.writeAtomically(pngData(compression: compression), to: url)
    }
}
