/// ISO 3166-1: every officially assigned alpha-2 code with its alpha-3 code (249 countries).
///
/// Kept as one packed string literal ("alpha-2 alpha-3" pairs, space separated) rather than an array literal:
/// it compiles instantly and is parsed once, on first use, into the lookup tables below.
enum ISO3166 {
    /// Lower-case alpha-2 codes.
    static let alpha2: Set<String> = Set(pairs.lazy.map(\.alpha2))

    /// Whether two lower-case ASCII letters are an alpha-2 code: one bit per pair, no `String` or hash.
    static func isAlpha2(_ a: UInt8, _ b: UInt8) -> Bool {
        let first = Int(a) - 0x61, second = Int(b) - 0x61
        guard (0..<26).contains(first), (0..<26).contains(second) else { return false }
        let index = first * 26 + second
        return alpha2Bits[index >> 6] & (1 << (index & 63)) != 0
    }

    /// `alpha2` as bits, by `26 * first + second` letter.
    private static let alpha2Bits: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: (26 * 26 + 63) / 64)
        for code in alpha2 {
            let letters = Array(code.utf8)
            let index = (Int(letters[0]) - 0x61) * 26 + Int(letters[1]) - 0x61
            bits[index >> 6] |= 1 << (index & 63)
        }
        return bits
    }()

    /// Lower-case alpha-3 code -> lower-case alpha-2 code.
    static let alpha3ToAlpha2: [String: String] = Dictionary(uniqueKeysWithValues: pairs.lazy.map { ($0.alpha3, $0.alpha2) })

    private static var pairs: [(alpha2: String, alpha3: String)] {
        let words = packed.split(whereSeparator: { $0 == " " || $0 == "\n" })
        return stride(from: 0, to: words.count, by: 2).map { (String(words[$0]), String(words[$0 + 1])) }
    }

    private static let packed = """
        ad and ae are af afg ag atg ai aia al alb am arm ao ago
        aq ata ar arg as asm at aut au aus aw abw ax ala az aze
        ba bih bb brb bd bgd be bel bf bfa bg bgr bh bhr bi bdi
        bj ben bl blm bm bmu bn brn bo bol bq bes br bra bs bhs
        bt btn bv bvt bw bwa by blr bz blz ca can cc cck cd cod
        cf caf cg cog ch che ci civ ck cok cl chl cm cmr cn chn
        co col cr cri cu cub cv cpv cw cuw cx cxr cy cyp cz cze
        de deu dj dji dk dnk dm dma do dom dz dza ec ecu ee est
        eg egy eh esh er eri es esp et eth fi fin fj fji fk flk
        fm fsm fo fro fr fra ga gab gb gbr gd grd ge geo gf guf
        gg ggy gh gha gi gib gl grl gm gmb gn gin gp glp gq gnq
        gr grc gs sgs gt gtm gu gum gw gnb gy guy hk hkg hm hmd
        hn hnd hr hrv ht hti hu hun id idn ie irl il isr im imn
        in ind io iot iq irq ir irn is isl it ita je jey jm jam
        jo jor jp jpn ke ken kg kgz kh khm ki kir km com kn kna
        kp prk kr kor kw kwt ky cym kz kaz la lao lb lbn lc lca
        li lie lk lka lr lbr ls lso lt ltu lu lux lv lva ly lby
        ma mar mc mco md mda me mne mf maf mg mdg mh mhl mk mkd
        ml mli mm mmr mn mng mo mac mp mnp mq mtq mr mrt ms msr
        mt mlt mu mus mv mdv mw mwi mx mex my mys mz moz na nam
        nc ncl ne ner nf nfk ng nga ni nic nl nld no nor np npl
        nr nru nu niu nz nzl om omn pa pan pe per pf pyf pg png
        ph phl pk pak pl pol pm spm pn pcn pr pri ps pse pt prt
        pw plw py pry qa qat re reu ro rou rs srb ru rus rw rwa
        sa sau sb slb sc syc sd sdn se swe sg sgp sh shn si svn
        sj sjm sk svk sl sle sm smr sn sen so som sr sur ss ssd
        st stp sv slv sx sxm sy syr sz swz tc tca td tcd tf atf
        tg tgo th tha tj tjk tk tkl tl tls tm tkm tn tun to ton
        tr tur tt tto tv tuv tw twn tz tza ua ukr ug uga um umi
        us usa uy ury uz uzb va vat vc vct ve ven vg vgb vi vir
        vn vnm vu vut wf wlf ws wsm ye yem yt myt za zaf zm zmb
        zw zwe
        """
}
