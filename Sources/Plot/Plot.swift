// Plot module.
import CPNG
import CFreeType
