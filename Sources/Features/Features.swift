import CFFTW
import COpenBLAS
// Features module: STFT, mel filterbank, power->dB, DCT, MFCC.
