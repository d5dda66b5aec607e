/// Country names and aliases -> lower-case ISO 3166-1 alpha-2, for the `country` field.
///
/// One `name|code` per line; the name is written as people type it and folded with
/// `CountryNormalizer.foldKey` when the table is built, so "Côte d'Ivoire", "cote divoire" and
/// "COTE D'IVOIRE" all meet the same key. The first block is ISO 3166-1's English short, common and official
/// names; the second is the project's aliases (abbreviations, endonyms, constituent countries of the UK).
enum CountryNames {
    static let isoNames = """
        Andorra|ad
        Principality of Andorra|ad
        United Arab Emirates|ae
        Afghanistan|af
        Islamic Republic of Afghanistan|af
        Antigua and Barbuda|ag
        Anguilla|ai
        Albania|al
        Republic of Albania|al
        Armenia|am
        Republic of Armenia|am
        Angola|ao
        Republic of Angola|ao
        Antarctica|aq
        Argentina|ar
        Argentine Republic|ar
        American Samoa|as
        Austria|at
        Republic of Austria|at
        Australia|au
        Aruba|aw
        Åland Islands|ax
        Azerbaijan|az
        Republic of Azerbaijan|az
        Bosnia and Herzegovina|ba
        Republic of Bosnia and Herzegovina|ba
        Barbados|bb
        Bangladesh|bd
        People's Republic of Bangladesh|bd
        Belgium|be
        Kingdom of Belgium|be
        Burkina Faso|bf
        Bulgaria|bg
        Republic of Bulgaria|bg
        Bahrain|bh
        Kingdom of Bahrain|bh
        Burundi|bi
        Republic of Burundi|bi
        Benin|bj
        Republic of Benin|bj
        Saint Barthélemy|bl
        Bermuda|bm
        Brunei Darussalam|bn
        Bolivia, Plurinational State of|bo
        Bolivia|bo
        Plurinational State of Bolivia|bo
        Bonaire, Sint Eustatius and Saba|bq
        Brazil|br
        Federative Republic of Brazil|br
        Bahamas|bs
        Commonwealth of the Bahamas|bs
        Bhutan|bt
        Kingdom of Bhutan|bt
        Bouvet Island|bv
        Botswana|bw
        Republic of Botswana|bw
        Belarus|by
        Republic of Belarus|by
        Belize|bz
        Canada|ca
        Cocos (Keeling) Islands|cc
        Congo, The Democratic Republic of the|cd
        Central African Republic|cf
        Congo|cg
        Republic of the Congo|cg
        Switzerland|ch
        Swiss Confederation|ch
        Côte d'Ivoire|ci
        Republic of Côte d'Ivoire|ci
        Cook Islands|ck
        Chile|cl
        Republic of Chile|cl
        Cameroon|cm
        Republic of Cameroon|cm
        China|cn
        People's Republic of China|cn
        Colombia|co
        Republic of Colombia|co
        Costa Rica|cr
        Republic of Costa Rica|cr
        Cuba|cu
        Republic of Cuba|cu
        Cabo Verde|cv
        Republic of Cabo Verde|cv
        Curaçao|cw
        Christmas Island|cx
        Cyprus|cy
        Republic of Cyprus|cy
        Czechia|cz
        Czech Republic|cz
        Germany|de
        Federal Republic of Germany|de
        Djibouti|dj
        Republic of Djibouti|dj
        Denmark|dk
        Kingdom of Denmark|dk
        Dominica|dm
        Commonwealth of Dominica|dm
        Dominican Republic|do
        Algeria|dz
        People's Democratic Republic of Algeria|dz
        Ecuador|ec
        Republic of Ecuador|ec
        Estonia|ee
        Republic of Estonia|ee
        Egypt|eg
        Arab Republic of Egypt|eg
        Western Sahara|eh
        Eritrea|er
        the State of Eritrea|er
        Spain|es
        Kingdom of Spain|es
        Ethiopia|et
        Federal Democratic Republic of Ethiopia|et
        Finland|fi
        Republic of Finland|fi
        Fiji|fj
        Republic of Fiji|fj
        Falkland Islands (Malvinas)|fk
        Micronesia, Federated States of|fm
        Federated States of Micronesia|fm
        Faroe Islands|fo
        France|fr
        French Republic|fr
        Gabon|ga
        Gabonese Republic|ga
        United Kingdom|gb
        United Kingdom of Great Britain and Northern Ireland|gb
        Grenada|gd
        Georgia|ge
        French Guiana|gf
        Guernsey|gg
        Ghana|gh
        Republic of Ghana|gh
        Gibraltar|gi
        Greenland|gl
        Gambia|gm
        Republic of the Gambia|gm
        Guinea|gn
        Republic of Guinea|gn
        Guadeloupe|gp
        Equatorial Guinea|gq
        Republic of Equatorial Guinea|gq
        Greece|gr
        Hellenic Republic|gr
        South Georgia and the South Sandwich Islands|gs
        Guatemala|gt
        Republic of Guatemala|gt
        Guam|gu
        Guinea-Bissau|gw
        Republic of Guinea-Bissau|gw
        Guyana|gy
        Republic of Guyana|gy
        Hong Kong|hk
        Hong Kong Special Administrative Region of China|hk
        Heard Island and McDonald Islands|hm
        Honduras|hn
        Republic of Honduras|hn
        Croatia|hr
        Republic of Croatia|hr
        Haiti|ht
        Republic of Haiti|ht
        Hungary|hu
        Indonesia|id
        Republic of Indonesia|id
        Ireland|ie
        Israel|il
        State of Israel|il
        Isle of Man|im
        India|in
        Republic of India|in
        British Indian Ocean Territory|io
        Iraq|iq
        Republic of Iraq|iq
        Iran, Islamic Republic of|ir
        Iran|ir
        Islamic Republic of Iran|ir
        Iceland|is
        Republic of Iceland|is
        Italy|it
        Italian Republic|it
        Jersey|je
        Jamaica|jm
        Jordan|jo
        Hashemite Kingdom of Jordan|jo
        Japan|jp
        Kenya|ke
        Republic of Kenya|ke
        Kyrgyzstan|kg
        Kyrgyz Republic|kg
        Cambodia|kh
        Kingdom of Cambodia|kh
        Kiribati|ki
        Republic of Kiribati|ki
        Comoros|km
        Union of the Comoros|km
        Saint Kitts and Nevis|kn
        Korea, Democratic People's Republic of|kp
        North Korea|kp
        Democratic People's Republic of Korea|kp
        Korea, Republic of|kr
        South Korea|kr
        Kuwait|kw
        State of Kuwait|kw
        Cayman Islands|ky
        Kazakhstan|kz
        Republic of Kazakhstan|kz
        Lao People's Democratic Republic|la
        Laos|la
        Lebanon|lb
        Lebanese Republic|lb
        Saint Lucia|lc
        Liechtenstein|li
        Principality of Liechtenstein|li
        Sri Lanka|lk
        Democratic Socialist Republic of Sri Lanka|lk
        Liberia|lr
        Republic of Liberia|lr
        Lesotho|ls
        Kingdom of Lesotho|ls
        Lithuania|lt
        Republic of Lithuania|lt
        Luxembourg|lu
        Grand Duchy of Luxembourg|lu
        Latvia|lv
        Republic of Latvia|lv
        Libya|ly
        Morocco|ma
        Kingdom of Morocco|ma
        Monaco|mc
        Principality of Monaco|mc
        Moldova, Republic of|md
        Moldova|md
        Republic of Moldova|md
        Montenegro|me
        Saint Martin (French part)|mf
        Madagascar|mg
        Republic of Madagascar|mg
        Marshall Islands|mh
        Republic of the Marshall Islands|mh
        North Macedonia|mk
        Republic of North Macedonia|mk
        Mali|ml
        Republic of Mali|ml
        Myanmar|mm
        Republic of Myanmar|mm
        Mongolia|mn
        Macao|mo
        Macao Special Administrative Region of China|mo
        Northern Mariana Islands|mp
        Commonwealth of the Northern Mariana Islands|mp
        Martinique|mq
        Mauritania|mr
        Islamic Republic of Mauritania|mr
        Montserrat|ms
        Malta|mt
        Republic of Malta|mt
        Mauritius|mu
        Republic of Mauritius|mu
        Maldives|mv
        Republic of Maldives|mv
        Malawi|mw
        Republic of Malawi|mw
        Mexico|mx
        United Mexican States|mx
        Malaysia|my
        Mozambique|mz
        Republic of Mozambique|mz
        Namibia|na
        Republic of Namibia|na
        New Caledonia|nc
        Niger|ne
        Republic of the Niger|ne
        Norfolk Island|nf
        Nigeria|ng
        Federal Republic of Nigeria|ng
        Nicaragua|ni
        Republic of Nicaragua|ni
        Netherlands|nl
        Kingdom of the Netherlands|nl
        Norway|no
        Kingdom of Norway|no
        Nepal|np
        Federal Democratic Republic of Nepal|np
        Nauru|nr
        Republic of Nauru|nr
        Niue|nu
        New Zealand|nz
        Oman|om
        Sultanate of Oman|om
        Panama|pa
        Republic of Panama|pa
        Peru|pe
        Republic of Peru|pe
        French Polynesia|pf
        Papua New Guinea|pg
        Independent State of Papua New Guinea|pg
        Philippines|ph
        Republic of the Philippines|ph
        Pakistan|pk
        Islamic Republic of Pakistan|pk
        Poland|pl
        Republic of Poland|pl
        Saint Pierre and Miquelon|pm
        Pitcairn|pn
        Puerto Rico|pr
        Palestine, State of|ps
        the State of Palestine|ps
        Portugal|pt
        Portuguese Republic|pt
        Palau|pw
        Republic of Palau|pw
        Paraguay|py
        Republic of Paraguay|py
        Qatar|qa
        State of Qatar|qa
        Réunion|re
        Romania|ro
        Serbia|rs
        Republic of Serbia|rs
        Russian Federation|ru
        Rwanda|rw
        Rwandese Republic|rw
        Saudi Arabia|sa
        Kingdom of Saudi Arabia|sa
        Solomon Islands|sb
        Seychelles|sc
        Republic of Seychelles|sc
        Sudan|sd
        Republic of the Sudan|sd
        Sweden|se
        Kingdom of Sweden|se
        Singapore|sg
        Republic of Singapore|sg
        Saint Helena, Ascension and Tristan da Cunha|sh
        Slovenia|si
        Republic of Slovenia|si
        Svalbard and Jan Mayen|sj
        Slovakia|sk
        Slovak Republic|sk
        Sierra Leone|sl
        Republic of Sierra Leone|sl
        San Marino|sm
        Republic of San Marino|sm
        Senegal|sn
        Republic of Senegal|sn
        Somalia|so
        Federal Republic of Somalia|so
        Suriname|sr
        Republic of Suriname|sr
        South Sudan|ss
        Republic of South Sudan|ss
        Sao Tome and Principe|st
        Democratic Republic of Sao Tome and Principe|st
        El Salvador|sv
        Republic of El Salvador|sv
        Sint Maarten (Dutch part)|sx
        Syrian Arab Republic|sy
        Syria|sy
        Eswatini|sz
        Kingdom of Eswatini|sz
        Turks and Caicos Islands|tc
        Chad|td
        Republic of Chad|td
        French Southern Territories|tf
        Togo|tg
        Togolese Republic|tg
        Thailand|th
        Kingdom of Thailand|th
        Tajikistan|tj
        Republic of Tajikistan|tj
        Tokelau|tk
        Timor-Leste|tl
        Democratic Republic of Timor-Leste|tl
        Turkmenistan|tm
        Tunisia|tn
        Republic of Tunisia|tn
        Tonga|to
        Kingdom of Tonga|to
        Türkiye|tr
        Republic of Türkiye|tr
        Trinidad and Tobago|tt
        Republic of Trinidad and Tobago|tt
        Tuvalu|tv
        Taiwan, Province of China|tw
        Taiwan|tw
        Tanzania, United Republic of|tz
        Tanzania|tz
        United Republic of Tanzania|tz
        Ukraine|ua
        Uganda|ug
        Republic of Uganda|ug
        United States Minor Outlying Islands|um
        United States|us
        United States of America|us
        Uruguay|uy
        Eastern Republic of Uruguay|uy
        Uzbekistan|uz
        Republic of Uzbekistan|uz
        Holy See (Vatican City State)|va
        Saint Vincent and the Grenadines|vc
        Venezuela, Bolivarian Republic of|ve
        Venezuela|ve
        Bolivarian Republic of Venezuela|ve
        Virgin Islands, British|vg
        British Virgin Islands|vg
        Virgin Islands, U.S.|vi
        Virgin Islands of the United States|vi
        Viet Nam|vn
        Vietnam|vn
        Socialist Republic of Viet Nam|vn
        Vanuatu|vu
        Republic of Vanuatu|vu
        Wallis and Futuna|wf
        Samoa|ws
        Independent State of Samoa|ws
        Yemen|ye
        Republic of Yemen|ye
        Mayotte|yt
        South Africa|za
        Republic of South Africa|za
        Zambia|zm
        Republic of Zambia|zm
        Zimbabwe|zw
        Republic of Zimbabwe|zw
        """

    static let aliases = """
        usa|us
        u.s.a.|us
        u.s.|us
        united states of america|us
        america|us
        estados unidos|us
        états-unis|us
        vereinigte staaten|us
        stati uniti|us
        uk|gb
        u.k.|gb
        great britain|gb
        britain|gb
        england|gb
        scotland|gb
        wales|gb
        northern ireland|gb
        großbritannien|gb
        vereinigtes königreich|gb
        royaume-uni|gb
        reino unido|gb
        regno unito|gb
        verenigd koninkrijk|gb
        deutschland|de
        allemagne|de
        alemania|de
        germania|de
        duitsland|de
        niemcy|de
        turkey|tr
        türkei|tr
        turquie|tr
        turquía|tr
        österreich|at
        autriche|at
        schweiz|ch
        suisse|ch
        svizzera|ch
        svizra|ch
        helvetia|ch
        frankreich|fr
        francia|fr
        españa|es
        espagne|es
        spanien|es
        spagna|es
        italia|it
        italien|it
        italie|it
        nederland|nl
        holland|nl
        niederlande|nl
        pays-bas|nl
        países bajos|nl
        belgië|be
        belgique|be
        belgien|be
        brasil|br
        brasilien|br
        méxico|mx
        mexiko|mx
        nippon|jp
        nihon|jp
        japan|jp
        prc|cn
        korea|kr
        republic of korea|kr
        dprk|kp
        russia|ru
        uae|ae
        u.a.e.|ae
        emirates|ae
        éire|ie
        republic of ireland|ie
        sverige|se
        schweden|se
        norge|no
        noreg|no
        norwegen|no
        danmark|dk
        dänemark|dk
        suomi|fi
        finnland|fi
        polska|pl
        polen|pl
        czech republic|cz
        česko|cz
        česká republika|cz
        tschechien|cz
        hellas|gr
        ellada|gr
        griechenland|gr
        magyarország|hu
        ungarn|hu
        hrvatska|hr
        kroatien|hr
        bharat|in
        ivory coast|ci
        cape verde|cv
        swaziland|sz
        macedonia|mk
        burma|mm
        dr congo|cd
        drc|cd
        democratic republic of the congo|cd
        congo-kinshasa|cd
        republic of the congo|cg
        congo-brazzaville|cg
        vatican|va
        vatican city|va
        holy see|va
        east timor|tl
        laos|la
        vietnam|vn
        syria|sy
        iran|ir
        persia|ir
        bolivia|bo
        venezuela|ve
        tanzania|tz
        moldova|md
        taiwan|tw
        palestine|ps
        micronesia|fm
        brunei|bn
        macau|mo
        falkland islands|fk
        falklands|fk
        british virgin islands|vg
        us virgin islands|vi
        u.s. virgin islands|vi
        sint maarten|sx
        saint martin|mf
        st. barts|bl
        st. barths|bl
        saint helena|sh
        bosnia|ba
        bosnia-herzegovina|ba
        trinidad|tt
        antigua|ag
        são tomé and príncipe|st
        aotearoa|nz
        rsa|za
        ksa|sa
        slovensko|sk
        slowakei|sk
        slovenija|si
        slowenien|si
        srbija|rs
        ukraina|ua
        lëtzebuerg|lu
        luxemburg|lu
        ísland|is
        eesti|ee
        latvija|lv
        lietuva|lt
        românia|ro
        rumänien|ro
        bulgarien|bg
        gambia|gm
        bahamas|bs
        pilipinas|ph
        argentinien|ar
        chile|cl
        perú|pe
        polynésie française|pf
        nouvelle-calédonie|nc
        la réunion|re
        guyane|gf
        al-maghrib|ma
        misr|eg
        ägypten|eg
        südafrika|za
        kanada|ca
        australien|au
        neuseeland|nz
        irland|ie
        indien|in
        china|cn
        zhongguo|cn
        hong kong sar|hk
        new zealand|nz
        russland|ru
        rossiya|ru
        rossiia|ru
        ukraine|ua
        belarus|by
        byelorussia|by
        kyrgyzstan|kg
        kirghizia|kg
        """
}
