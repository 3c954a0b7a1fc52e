// Corpus module.
import CEspeakNG
