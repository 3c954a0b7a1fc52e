// Report module.
import Ink
import Mustache
