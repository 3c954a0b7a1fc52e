#include <fftw3.h>

/// `fftwf_version` is declared as a char array of unknown size, which Swift cannot import;
/// this returns it as a plain pointer (e.g. "fftw-3.3.10-sse2-avx").
static inline const char *tess_fftwf_version(void) { return fftwf_version; }
