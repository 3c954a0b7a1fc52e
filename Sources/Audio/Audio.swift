import CSndfile
import CSoxr
// Audio module: decoding (libsndfile), mixdown, resampling, librosa.load semantics.
public let libsndfileVersion: String = String(cString: sf_version_string())
