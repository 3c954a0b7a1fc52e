import CSndfile
import CSoxr

/// The versions of the C libraries this module links, for reports: a number that differs from
/// a colleague's is the first thing to check when results differ.
public enum AudioLibraries {
    /// "libsndfile": `sf_version_string()` (e.g. "libsndfile-1.2.0"); "libsoxr": `soxr_version()`
    /// (e.g. "libsoxr-0.1.3").
    public static let versions: [String: String] = [
        "libsndfile": String(cString: sf_version_string()),
        "libsoxr": soxr_version().map { String(cString: $0) } ?? "unknown",
    ]
}
