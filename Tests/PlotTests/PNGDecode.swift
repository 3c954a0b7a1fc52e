import CPNG
import Foundation

/// Decodes a PNG through libpng's simplified read API into 8-bit RGBA, independently of the
/// writer under test.
func decodePNG(_ data: Data) -> (width: Int, height: Int, rgba: [UInt8])? {
    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    let ok = data.withUnsafeBytes { buf in
        png_image_begin_read_from_memory(&image, buf.baseAddress, buf.count)
    }
    guard ok != 0 else { return nil }
    image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
    var out = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * 4)
    let done = out.withUnsafeMutableBytes { buf in
        png_image_finish_read(&image, nil, buf.baseAddress, 0, nil)
    }
    guard done != 0 else { png_image_free(&image); return nil }
    return (Int(image.width), Int(image.height), out)
}
