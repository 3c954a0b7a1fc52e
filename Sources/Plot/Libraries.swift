import CFreeType
import CPNG

/// The versions of the C libraries this module links, for reports.
public enum PlotLibraries {
    /// "libpng": `png_get_libpng_ver` (e.g. "1.6.39"); "freetype": the run-time library's
    /// `FT_Library_Version` (e.g. "2.12.1").
    public static let versions: [String: String] = [
        "libpng": png_get_libpng_ver(nil).map { String(cString: $0) } ?? "unknown",
        "freetype": freeTypeVersion(),
    ]

    private static func freeTypeVersion() -> String {
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else { return "unknown" }
        defer { FT_Done_FreeType(library) }
        var major: FT_Int = 0, minor: FT_Int = 0, patch: FT_Int = 0
        FT_Library_Version(library, &major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
