/// US state, DC, territory and Canadian province/territory names -> their two-letter postal code, for `st`.
///
/// One `name|code` per line, folded like country names when the table is built (accents, case, spaces and
/// punctuation do not matter: "Québec", "quebec" and "QUEBEC" meet). Only the US and Canada: a region name
/// from elsewhere ("Bavaria", "Île-de-France") has no entry and is omitted, never truncated to two letters.
enum StateNames {
    static let table = """
        Alaska|ak
        Alabama|al
        Arkansas|ar
        American Samoa|as
        Arizona|az
        California|ca
        Colorado|co
        Connecticut|ct
        District of Columbia|dc
        Delaware|de
        Florida|fl
        Georgia|ga
        Guam|gu
        Hawaii|hi
        Iowa|ia
        Idaho|id
        Illinois|il
        Indiana|in
        Kansas|ks
        Kentucky|ky
        Louisiana|la
        Massachusetts|ma
        Maryland|md
        Maine|me
        Michigan|mi
        Minnesota|mn
        Missouri|mo
        Northern Mariana Islands|mp
        Mississippi|ms
        Montana|mt
        North Carolina|nc
        North Dakota|nd
        Nebraska|ne
        New Hampshire|nh
        New Jersey|nj
        New Mexico|nm
        Nevada|nv
        New York|ny
        Ohio|oh
        Oklahoma|ok
        Oregon|or
        Pennsylvania|pa
        Puerto Rico|pr
        Rhode Island|ri
        South Carolina|sc
        South Dakota|sd
        Tennessee|tn
        Texas|tx
        United States Minor Outlying Islands|um
        Utah|ut
        Virginia|va
        Virgin Islands, U.S.|vi
        Vermont|vt
        Washington|wa
        Wisconsin|wi
        West Virginia|wv
        Wyoming|wy
        Alberta|ab
        British Columbia|bc
        Manitoba|mb
        New Brunswick|nb
        Newfoundland and Labrador|nl
        Nova Scotia|ns
        Northwest Territories|nt
        Nunavut|nu
        Ontario|on
        Prince Edward Island|pe
        Quebec|qc
        Saskatchewan|sk
        Yukon|yt
        Virgin Islands|vi
        US Virgin Islands|vi
        U.S. Virgin Islands|vi
        Washington DC|dc
        Washington D.C.|dc
        Washington District of Columbia|dc
        Newfoundland|nl
        Labrador|nl
        PEI|pe
        P.E.I.|pe
        Québec|qc
        Yukon Territory|yt
        Colombie-Britannique|bc
        Nouveau-Brunswick|nb
        Terre-Neuve-et-Labrador|nl
        Terre-Neuve|nl
        Nouvelle-Écosse|ns
        Île-du-Prince-Édouard|pe
        Territoires du Nord-Ouest|nt
        """
}
