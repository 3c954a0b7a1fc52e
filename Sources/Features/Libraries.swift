import CFFTW

/// The versions of the C libraries this module links, for reports.
public enum FeaturesLibraries {
    /// "fftw": FFTW's single-precision `fftwf_version` (e.g. "fftw-3.3.10-sse2-avx").
    public static let versions: [String: String] = [
        "fftw": String(cString: tess_fftwf_version()),
    ]
}
