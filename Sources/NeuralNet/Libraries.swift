/// The versions of the C libraries this module links, for reports.
public enum NeuralNetLibraries {
    /// "openblas": OpenBLAS's build description (`BLASThreads.configuration`, e.g.
    /// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64").
    public static let versions: [String: String] = [
        "openblas": BLASThreads.configuration,
    ]
}
