/// The 200 target words of TESS (the Northwestern University Auditory Test No. 6, NU-6), in
/// the order the issue lists them. Each is spoken in the carrier phrase "Say the word ___".
public enum TESSWords {
    public static let all: [String] = """
    back bar base bath bean beg bite boat bone book bought burn cab calm came cause chain chair \
    chalk chat check cheek chief choice cool dab date dead death deep dime dip ditch dodge dog \
    doll door fail fall far fat fit five food gap gas gaze germ get gin goal good goose gun half \
    hall hash hate have haze hire hit hole home hurl hush jail jar join judge jug juice keen keep \
    keg kick kill king kite knock late laud lean learn lease lid life limb live loaf long lore \
    lose lot love luck make match merge mess met mill mob mode mood moon mop mouse nag name near \
    neat nice note numb pad page pain pass pearl peg perch phone pick pike pole pool puff rag \
    raid rain raise rat reach read red ring ripe road room rose rot rough rush said sail search \
    seize sell shack shall shawl sheep shirt should shout size soap soup sour south sub such sure \
    take talk tape team tell thin third thought thumb time tip tire ton tool tough turn vine \
    voice void vote wag walk wash week wheat when which whip white wife wire witch yearn yes \
    young youth
    """.split(separator: " ").map(String.init)

    /// The phrase a TESS actress says for `word`.
    public static func carrierPhrase(_ word: String) -> String { "Say the word \(word)" }
}
