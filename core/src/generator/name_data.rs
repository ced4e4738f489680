//! Static name material for the synthetic roll: common surnames of France and
//! of the communities found in French communes (roughly in order of
//! frequency, most common first), the stems and endings the long tail is
//! composed from, and given-name pools by sex, birth generation and origin.
//!
//! Common surnames and given names are public facts (civil-status statistics
//! publish them); nothing here comes from any roll. Spellings are as a roll
//! writes them: surnames in upper case, accents where the name carries one
//! (the sampler strips most of them again, as many registers do), given names
//! capitalised.

// ---------------------------------------------------------------------------
// Surnames: heads of each origin, most common first.
// ---------------------------------------------------------------------------

/// The most common surnames of France, most common first.
pub(crate) const FRENCH_HEAD: &[&str] = &[
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT", "MORIN",
    "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON", "MARCHAND", "DUVAL", "DENIS",
    "DUMONT", "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN", "BLANCHARD",
    "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD", "MARTINEZ",
    "GÉRARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL", "CARON", "PICARD",
    "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX", "OLIVIER", "PHILIPPE",
    "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC", "PAYET", "ROLLAND", "LECLERCQ", "GUILLAUME",
    "LECOMTE", "LOPEZ", "JEAN", "DUPUY", "GUILLOT", "HUBERT", "BERGER", "CARPENTIER", "SANCHEZ",
    "DUPUIS", "MOULIN", "LOUIS", "DESCHAMPS", "HUET", "VASSEUR", "PEREZ", "BOUCHER", "FLEURY",
    "ROYER", "KLEIN", "JACQUET", "ADAM", "PARIS", "POIRIER", "MARTY", "AUBRY", "GUYOT", "CARRÉ",
    "CHARLES", "RENAULT", "CHARPENTIER", "MÉNARD", "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVÉ",
    "SCHNEIDER", "FERNANDEZ", "COLLET", "LÉGER", "BOUVIER", "JULIEN", "PRÉVOST", "MILLET", "PERROT",
    "DANIEL", "COUSIN", "GERMAIN", "BRETON", "BESSON", "LANGLOIS", "RÉMY", "PELLETIER", "LÉVÊQUE",
    "PERRIER", "LEBLANC", "BARRÉ", "LEBRUN", "MARCHAL", "WEBER", "MALLET", "HAMON", "BOULANGER",
    "JACOB", "MONNIER", "MICHAUD", "RODRIGUEZ", "GUICHARD", "GILLET", "ÉTIENNE", "GRONDIN",
    "POULAIN", "TESSIER", "CHEVALLIER", "COLLIN", "CHAUVIN", "BOUCHET", "GAY", "LEMAÎTRE", "BÉNARD",
    "MARÉCHAL", "HUMBERT", "REYNAUD", "ANTOINE", "HOARAU", "PERRET", "BARTHÉLEMY", "CORDIER",
    "PICHON", "LEJEUNE", "GILBERT", "LAMY", "DELAUNAY", "PASQUIER", "CARLIER", "LAPORTE", "LEFEVRE",
    "BRIAND", "DELMAS", "LEVY", "COHEN", "BRUNEAU", "HUGUET", "LEBON", "GUILLON", "LEBRETON",
    "BAUDRY", "TANGUY", "RIBEIRO", "MAURIN", "BOUVET", "BARBE", "CHARRIER", "MAURY", "BENOIST",
    "LECOQ", "GAUDIN", "COULON", "GUIBERT", "SAUVAGE", "PINEAU", "DIDIER", "LAVAL", "DUCHÊNE",
    "FERRAND", "BAILLEUL", "JOUBERT", "DESCAMPS", "MARCHETTI", "PONS", "BOUSQUET", "LAGARDE",
    "VALLÉE", "LOISEAU", "BAZIN", "LEBLOND", "TESTARD", "VERDIER", "MAHÉ", "BRUNEL", "COSTE",
    "LEBÈGUE", "GRANGER", "MOUNIER", "BERTHELOT", "JOURDAN", "PAGÈS", "DELATTRE", "CHAPUIS",
    "PARENT", "HÉBERT", "BOUCHARD", "BESNARD", "CHEVREUIL", "LANDRY", "PRUVOST", "RAYMOND", "LEGER",
    "GODARD", "COURTOIS", "DELORME", "TOUSSAINT", "CHARRON", "TEXIER", "LEMONNIER", "GUILLEMIN",
    "BARBIN", "SAMSON", "RIGAUD", "LOUVET", "ROUSSET", "BLONDEL", "FOUCHER", "LEFÈBVRE", "MARQUET",
    "THIBAULT", "DUCROCQ", "BERNIER", "DELAHAYE", "VIAL", "LAFON", "NAVARRO", "LEDUC", "GRENIER",
    "PAUL", "FAIVRE", "CHARBONNIER", "GRAND", "DAUPHIN", "HARDY", "VALENTIN", "DUHAMEL", "TISSIER",
    "BONNEAU", "CHAMPION", "LEMERLE", "MASSE", "LECONTE", "GIMENEZ", "CAMUS", "AUGER", "BOULAY",
    "RIGAL", "BOURDON", "CARDON", "ALLARD", "MICHELET", "FERRY", "MARIN", "BONNIN", "PAPIN",
    "LAINÉ", "TERRIER", "JOLIVET", "BARRE", "CAUSSE", "GRAS", "CORNU", "LEMERCIER", "PAILLARD",
    "DUBOSC", "ROQUES", "COUTURIER",
];

/// `SAINT-` compounds, a small family of their own.
pub(crate) const SAINT_NAMES: &[&str] = &[
    "SAINT-MARTIN", "SAINT-JEAN", "SAINT-PIERRE", "SAINT-GERMAIN", "SAINT-LOUIS", "SAINT-CYR",
    "SAINT-HILAIRE", "SAINT-ANDRÉ", "SAINTE-MARIE", "SAINT-CLAIR", "SAINT-LAURENT", "SAINT-AUBIN",
    "SAINT-AMAND", "SAINT-JUST", "SAINT-PAUL", "SAINT-SIMON", "SAINT-LÉGER", "SAINTE-CROIX",
    "SAINT-MAURICE", "SAINT-ÉTIENNE",
];

/// Old names with `L'`.
pub(crate) const L_APOSTROPHE_NAMES: &[&str] = &[
    "L'HÔTE", "L'HUILLIER", "L'HERMITE", "L'HOSTIS", "L'ANGEVIN", "L'ÉCUYER", "L'HOMME",
    "L'HÉRITIER", "L'ORPHELIN", "L'AMI",
];

pub(crate) const BRETON_HEAD: &[&str] = &[
    "LE GALL", "LE GOFF", "LE ROUX", "TANGUY", "LE BRAS", "MORVAN", "LE BIHAN", "PRIGENT",
    "GUEGUEN", "LE CORRE", "JEZEQUEL", "CADIOU", "LE MEUR", "QUEMENER", "DERRIEN", "LE FLOCH",
    "GUILLOU", "LE GUEN", "MADEC", "KERMARREC", "LE BORGNE", "RIOU", "LE MOAL", "HENAFF", "CORRE",
    "LE BRIS", "GUIVARC'H", "GUIVARCH", "LE CALVEZ", "LE HIR", "LE BERRE", "LE COZ", "LE PAPE",
    "PERON", "LE DANTEC", "KERVELLA", "LE TALLEC", "LE BOT", "LE DREFF", "LE FUR", "LE GAC",
    "L'HOSTIS", "LE LAY", "LE DUFF", "LE SCOUARNEC", "LE MENN",
];

pub(crate) const ALSATIAN_HEAD: &[&str] = &[
    "SCHMITT", "MULLER", "MEYER", "KLEIN", "WEBER", "SCHNEIDER", "FISCHER", "WAGNER", "HOFFMANN",
    "BECKER", "KELLER", "SCHMIDT", "WALTER", "FRITSCH", "ZIMMERMANN", "HUBER", "WEISS", "SCHAEFFER",
    "SCHWARTZ", "ROTH", "KOCH", "BRAUN", "HERRMANN", "LUTZ", "JUNG", "BAUER", "SCHOTT", "ENGEL",
    "KIEFFER", "HAAS", "SCHÖNBERGER", "WINTERHALTER", "ANDRES", "STRAUB", "SCHNELL", "KUHN",
];

pub(crate) const OCCITAN_HEAD: &[&str] = &[
    "FABRE", "VIDAL", "DELMAS", "ROQUES", "BOUSQUET", "FAURE", "CAZENAVE", "LAFFONT", "CASTANIER",
    "POUJOL", "SALLES", "ROUQUETTE", "ESTÈVE", "CAPDEVILLE", "LABORDE", "LACOSTE", "SERRES",
    "COMBES", "ALRIC", "BONNAFOUS", "VIGUIER", "ASTRUC", "CAUSSE", "FALGUIÈRE", "MAZARS",
];

pub(crate) const CORSICAN_HEAD: &[&str] = &[
    "SANTONI", "ALBERTINI", "PIETRI", "ANTONIETTI", "LUCCHINI", "COLONNA", "SUSINI", "MARIANI",
    "BARTOLI", "CASANOVA", "PAOLI", "GIACOMETTI", "FILIPPI", "NICOLAI", "ORSINI", "RAFFALLI",
    "TOMASI", "VINCENTI", "CECCALDI", "FRANCESCHI",
];

pub(crate) const BASQUE_HEAD: &[&str] = &[
    "ETCHEVERRY", "ETCHEBARNE", "ETCHEGARAY", "IRIBARNE", "ELISSALDE", "HARRIAGUE", "GOYHENETCHE",
    "LARRALDE", "ETCHEBEST", "ITURRALDE", "MENDIBURU", "OLHAGARAY", "BIDEGAIN", "ARRAMBIDE",
    "ZUBIETA",
];

pub(crate) const FLEMISH_HEAD: &[&str] = &[
    "DECLERCQ", "VERHAEGHE", "DESMET", "VANDENBERGHE", "DEVOS", "VERMEERSCH", "DEBRUYNE",
    "VANDAMME", "VAN DAMME", "MAES", "PEETERS", "DEWAELE", "VERSTRAETE", "DEBACKER", "VANDEWALLE",
    "VANHEE", "DECOCK", "DHONDT", "VERHULST", "VAN DER MEULEN", "VANDERMEULEN", "DEPOORTER",
    "VAN DE VELDE", "VANDEPUTTE", "DEBAECKER",
];

pub(crate) const DUTCH_HEAD: &[&str] = &[
    "DE JONG", "JANSEN", "DE VRIES", "VAN DEN BERG", "VAN DIJK", "BAKKER", "JANSSEN", "VISSER",
    "SMIT", "MEIJER", "DE BOER", "MULDER", "DE GROOT", "BOS", "VOS", "PETERS", "HENDRIKS",
    "VAN LEEUWEN", "DEKKER", "BROUWER", "DE WIT", "DIJKSTRA", "SMITS", "DE GRAAF", "VAN DER MEER",
    "VAN DER LINDEN", "KOK", "JACOBS", "DE HAAN", "VERMEULEN", "VAN DEN HEUVEL", "VAN DER VEEN",
    "VAN DEN BROEK", "DE BRUIJN", "VAN DER MEULEN", "VAN DER HEIJDEN", "SCHOUTEN", "VAN BEEK",
    "WILLEMS", "VAN VLIET", "HOEKSTRA", "MAAS", "VERHOEVEN", "KOSTER", "VAN DAM", "PRINS",
];

pub(crate) const PORTUGUESE_HEAD: &[&str] = &[
    "DA SILVA", "DOS SANTOS", "PEREIRA", "FERREIRA", "RODRIGUES", "MARTINS", "FERNANDES",
    "DE OLIVEIRA", "GONCALVES", "DA COSTA", "GOMES", "LOPES", "ALVES", "DE SOUSA", "MARQUES",
    "RIBEIRO", "TEIXEIRA", "CARVALHO", "PINTO", "MOREIRA", "DE JESUS", "CORREIA", "MENDES", "NUNES",
    "SOARES", "VIEIRA", "MONTEIRO", "CARDOSO", "ROCHA", "D'ALMEIDA", "DE ALMEIDA", "NEVES",
    "COELHO", "DA CRUZ", "CUNHA", "PIRES", "RAMOS", "DOS REIS", "SIMOES", "ANTUNES", "MATOS",
    "DA FONSECA", "MACHADO", "ARAUJO", "BARBOSA", "TAVARES", "LOURENCO", "FIGUEIREDO", "AZEVEDO",
    "FREITAS", "SILVA", "SANTOS", "OLIVEIRA", "SOUSA", "COSTA", "ALMEIDA", "DAS NEVES", "DA ROCHA",
    "DE CARVALHO", "DO NASCIMENTO", "BRANCO", "FARIA", "CALDEIRA", "BAPTISTA", "ESTEVES", "GASPAR",
    "DE MATOS", "SERRANO", "PACHECO", "MIRANDA",
];

pub(crate) const SPANISH_HEAD: &[&str] = &[
    "GARCIA", "MARTINEZ", "LOPEZ", "SANCHEZ", "FERNANDEZ", "GONZALEZ", "RODRIGUEZ", "PEREZ",
    "GOMEZ", "RUIZ", "DIAZ", "HERNANDEZ", "MORENO", "MUÑOZ", "ALVAREZ", "JIMENEZ", "ROMERO",
    "NAVARRO", "TORRES", "DOMINGUEZ", "VAZQUEZ", "RAMIREZ", "SERRANO", "BLANCO", "MOLINA", "ORTEGA",
    "DELGADO", "CASTILLO", "ORTIZ", "RUBIO", "MARIN", "SANZ", "NUÑEZ", "NUNEZ", "IGLESIAS",
    "MEDINA", "GARRIDO", "CORTES", "CASTRO", "GUERRERO", "LOZANO", "CANO", "PRIETO", "MENDEZ",
    "CALVO", "GALLEGO", "VIDAL", "LEON", "MARQUEZ", "HERRERA", "PEÑA", "FLORES", "CABRERA",
    "CAMPOS", "VEGA", "FUENTES", "CARRASCO", "DIEZ", "DE LA FUENTE", "DEL RIO", "DE LA CRUZ",
    "MUNOZ", "GIMENEZ", "SOLER", "PUIG", "FERRER",
];

pub(crate) const ITALIAN_HEAD: &[&str] = &[
    "ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO", "RICCI", "MARINO",
    "GRECO", "BRUNO", "GALLO", "CONTI", "DE LUCA", "MANCINI", "COSTA", "GIORDANO", "RIZZO",
    "LOMBARDI", "MORETTI", "BARBIERI", "FONTANA", "SANTORO", "MARIANI", "RINALDI", "CARUSO",
    "FERRARA", "GALLI", "MARTINI", "LEONE", "LONGO", "GENTILE", "MARTINELLI", "VITALE", "LOMBARDO",
    "SERRA", "COPPOLA", "DE SANTIS", "D'ANGELO", "MARCHETTI", "PARISI", "VILLA", "CONTE", "FERRO",
    "FABBRI", "BIANCO", "MARINI", "GRASSO", "VALENTINI", "MESSINA", "SALA", "DE ANGELIS", "GATTI",
    "PELLEGRINI", "PALUMBO", "SANNA", "FARINA", "RIZZI", "MONTI", "CATTANEO", "MORELLI", "AMATO",
    "SILVESTRI", "MAZZA", "TESTA", "GRASSI", "PELLEGRINO", "CARBONE", "GIULIANI", "BENEDETTI",
    "BARONE", "ROSSETTI", "CAPUTO", "DI MARTINO", "D'AMICO", "DI STEFANO", "LA ROSA", "LO PRESTI",
];

pub(crate) const MAGHREBI_HEAD: &[&str] = &[
    "BENALI", "HADDAD", "MANSOURI", "AMRANI", "SAIDI", "BENSAID", "BOUAZIZ", "BRAHIMI", "CHERIF",
    "MEZIANE", "BELKACEM", "BENAISSA", "HAMIDI", "KACI", "BOUZID", "ZIANI", "AMARA", "TOUATI",
    "BELHADJ", "HAMDI", "BENHAMOU", "SLIMANI", "RAHMANI", "OUALI", "MEBARKI", "NASRI", "BELAID",
    "AZOULAY", "ATTIA", "BENYAHIA", "LAHMAR", "CHAOUI", "BOUDJEMAA", "HAMMOUDI", "AIT AHMED",
    "EL IDRISSI", "BEN ALI", "BOUKHARI", "DJEBBAR", "MESSAOUDI", "BENAMAR", "GHARBI", "TRABELSI",
    "JEBALI", "BOUSSAID", "KHELIFI", "MAAROUF", "EL AMRANI", "BENZAKRI", "MOUSSAOUI",
];

pub(crate) const WEST_AFRICAN_HEAD: &[&str] = &[
    "DIALLO", "TRAORE", "DIARRA", "COULIBALY", "KONATE", "CAMARA", "SISSOKO", "KEITA", "DIOP",
    "N'DIAYE", "NDIAYE", "FALL", "SOW", "BA", "SY", "DIOUF", "SARR", "GUEYE", "FAYE", "NIANG",
    "SYLLA", "TOURE", "CISSE", "KANTE", "DOUMBIA", "DIAKITE", "KONE", "SANOGO", "DEMBELE", "DIABY",
    "SACKO", "BATHILY", "SOUMARE", "TANDIA", "DIAWARA", "SIDIBE", "FOFANA", "BAMBA", "OUATTARA",
    "KOUAME", "KOUASSI", "N'GUESSAN", "N'DRI", "YAO", "KONAN", "TRAORÉ", "CISSÉ", "N'DOUR", "N'GOM",
    "MBAYE", "THIAM", "SECK",
];

pub(crate) const VIETNAMESE_HEAD: &[&str] = &[
    "NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "HUYNH", "PHAN", "VU", "VO", "DANG", "BUI", "DO", "HO",
    "NGO", "DUONG", "LY", "TRAN VAN", "NGUYEN VAN", "NGUYEN THI", "LE VAN", "PHAM VAN", "TRUONG",
    "LAM", "DINH", "MAI", "TRINH", "CAO", "LUONG", "TA", "VUONG",
];

pub(crate) const CHINESE_HEAD: &[&str] = &[
    "CHEN", "WANG", "LI", "ZHANG", "LIU", "LIN", "HUANG", "ZHOU", "WU", "YANG", "XU", "ZHU", "HU",
    "GUO", "HE", "MA", "LUO", "ZHENG", "LAM", "WONG", "CHAN", "TANG", "CHANG", "YE", "JIN", "PAN",
    "YU", "LU", "WEN", "CAI", "JI", "XIE",
];

pub(crate) const TURKISH_HEAD: &[&str] = &[
    "YILMAZ", "KAYA", "DEMIR", "ŞAHIN", "ÇELIK", "YILDIZ", "YILDIRIM", "ÖZTÜRK", "AYDIN",
    "ÖZDEMIR", "ARSLAN", "DOĞAN", "KILIÇ", "ASLAN", "ÇETIN", "KARA", "KOÇ", "KURT", "ÖZKAN",
    "ŞIMŞEK", "POLAT", "ÖZER", "ERDOĞAN", "AKTAŞ", "GÜNEŞ", "TEKIN", "KAPLAN", "BULUT", "ACAR",
    "AVCI",
];

pub(crate) const POLISH_HEAD: &[&str] = &[
    "NOWAK", "KOWALSKI", "WIŚNIEWSKI", "WÓJCIK", "KOWALCZYK", "KAMIŃSKI", "LEWANDOWSKI",
    "ZIELIŃSKI", "SZYMAŃSKI", "WOŹNIAK", "DĄBROWSKI", "KOZŁOWSKI", "JANKOWSKI", "MAZUR",
    "KWIATKOWSKI", "WOJCIECHOWSKI", "KRAWCZYK", "KACZMAREK", "PIOTROWSKI", "GRABOWSKI", "ZAJĄC",
    "PAWŁOWSKI", "MICHALSKI", "KRÓL", "WIECZOREK", "JABŁOŃSKI", "WRÓBEL", "NOWAKOWSKI", "MAJEWSKI",
    "OLSZEWSKI",
];

pub(crate) const ARMENIAN_HEAD: &[&str] = &[
    "KHATCHADOURIAN", "MANOUKIAN", "PAPAZIAN", "KASPARIAN", "TOROSSIAN", "SARKISSIAN", "BEDROSSIAN",
    "KEVORKIAN", "MARDIROSSIAN", "DER SARKISSIAN", "DERDERIAN", "HAKOBYAN", "PETROSYAN",
    "GRIGORYAN", "AZNAVOURIAN", "MINASSIAN", "BOGHOSSIAN", "ARAKELIAN", "DER KALOUSTIAN",
    "GARABEDIAN",
];

pub(crate) const IRISH_HEAD: &[&str] = &[
    "O'SULLIVAN", "MURPHY", "KELLY", "O'BRIEN", "WALSH", "O'CONNOR", "BYRNE", "RYAN", "O'NEILL",
    "O'REILLY", "DOYLE", "MC CARTHY", "GALLAGHER", "O'DONNELL", "DOHERTY", "KENNEDY", "LYNCH",
    "MURRAY", "QUINN", "MCCARTHY", "O'CONNELL", "FITZGERALD", "DALY", "MC LOUGHLIN",
];

pub(crate) const ROMANIAN_HEAD: &[&str] = &[
    "POPESCU", "POPA", "POP", "RADU", "IONESCU", "DUMITRU", "STOICA", "STAN", "GHEORGHE", "MATEI",
    "CONSTANTIN", "RUSU", "MUNTEANU", "NISTOR", "FLOREA", "DOBRE", "BARBU", "ENACHE", "TUDOR",
    "MOLDOVAN",
];

pub(crate) const GERMAN_HEAD: &[&str] = &[
    "MÜLLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER", "SCHULZ",
    "HOFFMANN", "SCHÄFER", "KOCH", "BAUER", "RICHTER", "KLEIN", "WOLF", "SCHRÖDER", "NEUMANN",
    "SCHWARZ", "ZIMMERMANN", "BRAUN", "KRÜGER", "HOFMANN", "HARTMANN", "LANGE", "SCHMITT", "WERNER",
    "SCHMITZ", "KRAUSE", "MEIER",
];

// ---------------------------------------------------------------------------
// Material for the composed long tail.
// ---------------------------------------------------------------------------

/// French stems ending in a consonant, to which an ending is glued.
pub(crate) const FRENCH_STEMS: &[&str] = &[
    "BAR", "BARB", "BASS", "BAUD", "BEL", "BERN", "BERTH", "BESS", "BLANCH", "BOISS", "BON",
    "BORD", "BOUCH", "BOUL", "BOURD", "BOURG", "BRET", "BRIS", "BROCH", "BRUN", "BUISS", "CAILL",
    "CAMP", "CHAB", "CHAMB", "CHAP", "CHARL", "CHARR", "CHAST", "CHAUV", "CHEN", "CHEV", "CLAV",
    "COCH", "COL", "COMB", "COQU", "CORN", "COUD", "COURT", "CROS", "DAV", "DEN", "DROU", "DUC",
    "FAB", "FAV", "FER", "FLOR", "FOL", "FONT", "FORG", "FOUC", "FOUR", "FROM", "GAB", "GAILL",
    "GALL", "GARN", "GAUD", "GAUTH", "GERB", "GERM", "GIL", "GIR", "GOD", "GOUP", "GRAND", "GRAS",
    "GREN", "GROS", "GUER", "GUIB", "GUICH", "GUILL", "GUIT", "HAM", "HUG", "JACQU", "JAN", "JOL",
    "JOUB", "JOUR", "LAB", "LAMB", "LAND", "LANG", "LAUR", "LOUV", "MAILL", "MAL", "MANS", "MARC",
    "MART", "MASS", "MATH", "MAUR", "MERC", "MESN", "MICH", "MIGN", "MOND", "MONN", "MOR", "MOUL",
    "MOUR", "NAUD", "NICOL", "PAG", "PAIN", "PASC", "PAST", "PEL", "PERR", "PETR", "PIC", "PIN",
    "PLAN", "POMM", "PONS", "POTT", "POUL", "PRUN", "RAB", "RAG", "RAMB", "RAV", "REN", "RICH",
    "RIV", "ROB", "ROCH", "ROLL", "ROUSS", "ROY", "SAB", "SALL", "SAUV", "SEGU", "SIM", "TAILL",
    "TARD", "TESS", "THIB", "THOM", "TOUR", "TRAV", "VALL", "VASS", "VERD", "VIGN", "VILL", "VINC",
    "VIV", "VOIS", "BIL", "BOUT", "CHAIGN", "CHARP", "COUR", "DUR", "FOUQU", "GARR", "GODEF",
    "GRIM", "HERB", "LEM", "LOUB", "MERL", "MOIN", "NOIR", "PERCH", "POIR", "RAY", "RIGOL", "SOUL",
    "TRIB", "VAUCH", "BRAND", "CHAR", "CLOT", "DROUILL", "GAST", "GUEN", "HOUD", "LAC", "MARCH",
    "MOTT", "PARM", "QUIN", "ROND", "TROUV",
];

/// Endings that begin with a vowel, with a rough frequency weight.
pub(crate) const FRENCH_ENDINGS: &[(&str, f64)] = &[
    ("ET", 14.0), ("IN", 12.0), ("EAU", 9.0), ("IER", 9.0), ("ON", 8.0), ("OT", 7.0), ("ARD", 6.0),
    ("AUD", 6.0), ("AULT", 3.0), ("EL", 3.0), ("AT", 3.0), ("ERON", 2.0), ("ELIN", 2.0),
    ("ICHON", 1.0), ("ENET", 1.5), ("ILLON", 1.5), ("OUX", 1.5), ("AS", 1.0), ("ERT", 1.5),
    ("OIS", 1.0), ("ANT", 1.0), ("ARDIN", 1.0), ("ELET", 1.0), ("EREAU", 1.0), ("ON", 1.0),
    ("Y", 2.0), ("É", 1.5), ("E", 2.0), ("IOT", 1.0), ("AIS", 1.0), ("OUD", 0.5),
];

/// Middle pieces for three-part names (`PERR` + `ON` + `NET`).
pub(crate) const FRENCH_MIDDLES: &[&str] = &["ER", "EL", "ON", "IN", "ET", "OT", "AN", "IL"];

/// Endings that may follow a middle piece.
pub(crate) const FRENCH_SECOND_ENDINGS: &[&str] =
    &["ET", "IN", "EAU", "OT", "ON", "AUD", "IER", "AT", "EL", "Y"];

/// Leading syllables for longer composed names (`DU` + `BOURG` + `EAU`).
pub(crate) const FRENCH_SYLLABLES: &[&str] = &[
    "BA", "BE", "BO", "CHA", "DE", "DU", "GA", "LA", "LE", "MA", "MO", "PE", "RO", "SA", "TRI",
    "VA", "BOU", "MOU", "LOU", "GRO", "BRI", "CLA", "FRA", "GUI", "MAR", "VER", "BER", "TOU",
    "CHE", "RE", "MA", "PI", "JOU", "CO", "LU", "DO", "FOU", "GAR",
];

/// First halves of place-like compounds (`BEAU` + `MONT`).
pub(crate) const PLACE_FIRSTS: &[&str] = &[
    "BEAU", "BEL", "BELLE", "BON", "GRAND", "HAUT", "CLAIR", "FRANC", "MONT", "VAL", "ROCHE",
    "CHAMP", "BOIS", "LONG", "MAL", "VIEUX", "DU", "LA", "DES", "FONT", "VILLE", "ROUGE", "BLANC",
];

/// Second halves of place-like compounds.
pub(crate) const PLACE_SECONDS: &[&str] = &[
    "MONT", "VAL", "CHAMP", "BOIS", "FONT", "COURT", "VILLE", "FORT", "PRÉ", "LIEU", "PIERRE",
    "ROCHE", "FOSSE", "MESNIL", "MARAIS", "CHAMPS", "PERTHUIS", "MOULIN", "PORTE", "CROIX", "FAYE",
    "CHÊNE", "BREUIL", "GRANGE", "MAISON", "PONT", "RIVE", "SART", "HAYE", "VERGER",
];

/// Feminine place words after `DE LA`.
pub(crate) const DE_LA_WORDS: &[&str] = &[
    "ROCHE", "FONTAINE", "MOTTE", "TOUR", "SALLE", "HAYE", "PORTE", "CROIX", "GRANGE", "COUR",
    "FOREST", "VILLE", "MARE", "RIVIÈRE", "BROSSE", "TOUCHE", "VALLÉE", "BORDE", "COMBE",
    "BRETESCHE", "GARDE", "ROCHEFOUCAULD", "MORINIÈRE", "PERRIÈRE", "SABLIÈRE",
];

/// Masculine place words after `DU`.
pub(crate) const DU_WORDS: &[&str] = &[
    "PONT", "BOIS", "MOULIN", "CHESNE", "PLESSIS", "MESNIL", "BREUIL", "VAL", "CHAMP", "PRÉ",
    "PERRON", "BOUCHET", "BOURG", "FAY", "PUY", "ROCHER", "TERTRE", "VERGIER", "CLOS", "PIN",
];

/// Plural place words after `DES`.
pub(crate) const DES_WORDS: &[&str] = &[
    "ROCHES", "ESSARTS", "GRANGES", "CHAMPS", "BOIS", "PRÉS", "MOULINS", "FONTAINES", "NOYERS",
    "VIGNES", "ORMEAUX", "MAZIS", "PLANTES", "HAYES",
];

/// Vowel-initial words after `D'`.
pub(crate) const D_APOSTROPHE_WORDS: &[&str] = &[
    "ARCY", "AUBIGNY", "HARCOURT", "ORNANO", "ESTIENNE", "ALEMBERT", "ARTOIS", "ANJOU", "ORGEVAL",
    "ESPINAY", "HAUTEVILLE", "AUBERT", "ANDRÉ", "ABOVILLE", "AUVERGNE", "ESPAGNE", "ORLÉANS",
    "AMBOISE", "ALLAINES", "ENNERY", "HÉROUVILLE", "OLLIVIER",
];

pub(crate) const BRETON_STEMS: &[&str] = &[
    "GALL", "GOFF", "BRAS", "ROUX", "BIHAN", "MEUR", "GUEN", "CORRE", "BORGNE", "FLOCH", "GAL",
    "MOAL", "HIR", "BRIS", "COZ", "CALVEZ", "GUERN", "LAY", "BERRE", "BOT", "DANTEC", "DREFF",
    "FUR", "GAC", "HENAFF", "MENN", "NOUY", "PAPE", "QUERE", "SAUX", "TALLEC", "BARS", "BEC",
    "DUFF", "GOUIC", "GUILLOU", "LOUARN", "MAO", "MENTEC", "PEN", "POUL", "SCOUARNEC", "TOUX",
    "VOT", "BOURHIS", "CAM", "COAT", "CUFF", "DEUFF", "GARREC", "GLEAU", "GUILLOUX", "HELLOCO",
    "BRAZ", "GUENNEC", "DIOURON", "QUILLIEC", "MOIGNE", "GOASDUFF", "ROLLAND",
];

pub(crate) const BRETON_SUFFIX_STEMS: &[&str] = &[
    "GUEG", "QUEM", "MAD", "CAD", "DERR", "PRIG", "KERV", "GUIV", "JEZEQU", "TREG", "QUILL", "COR",
    "BOD", "CARAD", "GOUR", "GUER", "LOZ", "MENG", "PERS", "RIV", "SAL", "TANG", "MORV", "CORN",
    "GLEM", "HAML", "MOR", "BREL", "TREB", "COLL", "GOUL", "STEPH",
];

pub(crate) const BRETON_ENDINGS: &[&str] = &[
    "EC", "OU", "AN", "ER", "IC", "EN", "OC", "IOU", "UEN", "ARC'H",
];

pub(crate) const BRETON_PREFIXES: &[&str] = &["KER", "PEN", "TRE", "LAN", "PLOU", "LOC", "GOAS"];

pub(crate) const BRETON_PREFIX_TAILS: &[&str] = &[
    "GOAT", "MARREC", "VELLA", "BRAT", "GUELEN", "HERVE", "DREN", "ROUX", "NEC", "JEAN", "BOUL",
    "ANGUEN", "BIRIOU", "DRAON", "GALL", "MORVAN", "RIOU", "SAUDY", "VAREC", "LOC'H", "DUFF",
    "NOHAT", "VERN", "BRAT", "GUIDOU", "LEAU", "ROUAT", "SCAO",
];

/// First elements of Alsatian and German compounds; `Ö`, `Ä`, `Ü` are
/// rendered with the umlaut, as `OE`/`AE`/`UE`, or dropped, as registers do.
pub(crate) const GERMANIC_FIRSTS: &[&str] = &[
    "SCHÖN", "KLEIN", "GROSS", "WEISS", "SCHWARTZ", "ROTH", "BRAUN", "HOFF", "STEIN", "BERG",
    "BAUM", "ROSEN", "LICHTEN", "FREUND", "HERR", "KIRCH", "HEIL", "LANG", "KURTZ", "WALD", "FELD",
    "SCHNEE", "SOMMER", "WINTER", "FRÜH", "BACH", "EBER", "ENGEL", "FINK", "FUCHS", "GOLD", "HART",
    "HEIM", "KOHL", "LINDEN", "MOSS", "NEU", "OBER", "SAUER", "SCHUL", "SPITZ", "STRASS", "ZIMMER",
    "ACKER", "HAMM", "BÄR", "MÜHL", "KÖHL", "GRÜN", "HÖF", "DORN", "EICH", "FRANK", "HAGEN",
    "KRAUS", "MARK", "REICH", "SCHEID", "STOLL", "WEIL",
];

pub(crate) const GERMANIC_SECONDS: &[(&str, f64)] = &[
    ("ER", 10.0), ("MANN", 8.0), ("BERGER", 4.0), ("INGER", 3.0), ("LER", 3.0), ("HARDT", 2.0),
    ("BACH", 2.0), ("HEIM", 1.5), ("HOLTZ", 1.5), ("STETTER", 1.0), ("WALD", 1.0), ("STEIN", 2.0),
    ("LE", 1.5), ("LIN", 1.0), ("MEYER", 1.0), ("THALER", 1.0), ("WILLER", 1.0), ("WEILER", 0.5),
    ("EL", 1.0), ("ERT", 1.0), ("HAUSER", 1.0), ("BURGER", 1.0),
];

pub(crate) const OCCITAN_STEMS: &[&str] = &[
    "CAST", "ROUM", "PUJ", "ARN", "BARR", "SAL", "CAZ", "FONT", "GARR", "LAV", "MAZ", "POUJ",
    "RIV", "SERR", "TOUR", "VIG", "BOSC", "CAB", "ESP", "MONT", "LAG", "ROQU", "PRAD", "MAS",
    "CAMB", "FARG", "GOUZ", "MIRAB", "SOUL", "BERT", "CASS", "FENOUILL", "LAFF", "MOURG", "PLAN",
];

pub(crate) const OCCITAN_ENDINGS: &[&str] = &[
    "AC", "AT", "ES", "OU", "OUX", "ADE", "ÈRE", "IÉ", "OL", "ENC", "ARGUES", "AGNE", "EL", "ET",
    "OUL", "ISSE", "AN", "IÈS",
];

pub(crate) const CORSICAN_STEMS: &[&str] = &[
    "SANT", "ALBERT", "PIETR", "ANTON", "BARTOL", "CASAN", "COLONN", "FILIPP", "GIAC", "LUCCH",
    "MARCH", "MATTE", "NICOL", "ORS", "PAOL", "POGG", "RAFF", "ROCC", "TOMAS", "BIANC", "CECC",
    "FRANCESCH", "GRAZ", "LECC", "MARIAN", "PERETT", "PIER", "RAMAC", "SUS", "VESPERIN",
];

pub(crate) const CORSICAN_ENDINGS: &[&str] = &[
    "I", "ONI", "ELLI", "INI", "ACCI", "ETTI", "UCCI", "AGGI", "IANI", "OLI",
];

pub(crate) const BASQUE_FIRSTS: &[&str] = &[
    "ETCHE", "ECHE", "IRI", "ARRA", "GOYHEN", "HARRI", "ITUR", "LARR", "MENDI", "OLHA", "UHAL",
    "BIDE", "ZUBI", "ELIZ", "GARAT", "ARRE", "INDA", "ERRE",
];

pub(crate) const BASQUE_SECONDS: &[&str] = &[
    "VERRY", "BARNE", "GARAY", "GOYEN", "PARE", "BEST", "BERRI", "ALDE", "ARTE", "AGUE", "ONDO",
    "ETCHE", "BIDE", "ZABAL", "BURU", "GAIN", "ENEA", "GORRY", "MENDY", "SARRY",
];

/// Flemish and Dutch stems after `VAN`, `VAN DER`, `VER`, `DE`...
pub(crate) const LOW_COUNTRIES_STEMS: &[&str] = &[
    "BERGHE", "VELDE", "DAMME", "HOVE", "ACKER", "BROECK", "KERCKHOVE", "HECKE", "WALLE", "MEULEN",
    "POEL", "PUTTE", "EECKE", "CASTEELE", "LANDE", "BOSSCHE", "STRAETE", "HAEGHE", "MEERSCH",
    "SCHUERE", "BRUGGHE", "DRIESSCHE", "HULST", "LINDEN", "BERG", "AVERMAETE", "MOORTEL", "GHELUWE",
    "HOUTTE", "MEER", "VEEN", "WAL", "HEUVEL", "BROEK", "DIJK", "LEEUWEN", "BEEK", "VLIET", "STEEN",
    "WEGHE",
];

pub(crate) const LOW_COUNTRIES_PARTICLES: &[(&str, f64)] = &[
    ("VAN ", 5.0), ("VAN DER ", 3.0), ("VAN DEN ", 3.0), ("VAN DE ", 2.0), ("VANDE", 2.0),
    ("VANDEN", 2.0), ("VANDER", 2.0), ("VER", 2.0), ("DE ", 1.0), ("DE", 1.0),
];

/// Portuguese names that take part in double surnames (`PEREIRA DOS SANTOS`).
pub(crate) const PORTUGUESE_PARTS: &[&str] = &[
    "SILVA", "SANTOS", "FERREIRA", "PEREIRA", "OLIVEIRA", "COSTA", "RODRIGUES", "MARTINS", "JESUS",
    "SOUSA", "FERNANDES", "GONCALVES", "GOMES", "LOPES", "MARQUES", "ALVES", "ALMEIDA", "RIBEIRO",
    "PINTO", "CARVALHO", "TEIXEIRA", "MOREIRA", "CORREIA", "MENDES", "NUNES", "SOARES", "VIEIRA",
    "MONTEIRO", "CARDOSO", "ROCHA", "NEVES", "COELHO", "CRUZ", "CUNHA", "PIRES", "RAMOS", "REIS",
    "SIMOES", "ANTUNES", "MATOS", "FONSECA", "MACHADO", "ARAUJO", "BARBOSA", "TAVARES", "LOURENCO",
    "CASTRO", "FIGUEIREDO", "AZEVEDO", "FREITAS", "BRANCO", "FARIA", "CALDEIRA", "BAPTISTA",
    "ESTEVES", "GASPAR", "PACHECO", "MIRANDA", "AMARAL", "BORGES", "CAMPOS", "FRANCO", "GUERREIRO",
    "LEITE", "MAGALHAES", "MOTA", "PAIVA", "QUEIROS", "SEQUEIRA", "VALENTE",
];

/// The particle a Portuguese name takes when it takes one (`DOS SANTOS`,
/// `DE OLIVEIRA`); most names take none.
pub(crate) fn portuguese_particle(name: &str) -> Option<&'static str> {
    Some(match name {
        "SANTOS" | "REIS" | "ANJOS" => "DOS ",
        "NEVES" | "DORES" | "CHAGAS" => "DAS ",
        "SILVA" | "COSTA" | "CRUZ" | "ROCHA" | "FONSECA" | "CUNHA" | "MOTA" | "SILVEIRA" => "DA ",
        "NASCIMENTO" | "AMARAL" | "CARMO" | "VALE" => "DO ",
        "OLIVEIRA" | "SOUSA" | "JESUS" | "ALMEIDA" | "CARVALHO" | "MATOS" | "FIGUEIREDO"
        | "AZEVEDO" | "CASTRO" | "FREITAS" | "ARAUJO" | "MAGALHAES" | "MIRANDA" | "QUEIROS"
        | "SEQUEIRA" | "PAIVA" | "FARIA" | "CAMPOS" => "DE ",
        _ => return None,
    })
}

pub(crate) const SPANISH_PARTS: &[&str] = &[
    "GARCIA", "MARTINEZ", "LOPEZ", "SANCHEZ", "FERNANDEZ", "GONZALEZ", "RODRIGUEZ", "PEREZ",
    "GOMEZ", "RUIZ", "DIAZ", "HERNANDEZ", "MORENO", "ALVAREZ", "JIMENEZ", "ROMERO", "NAVARRO",
    "TORRES", "DOMINGUEZ", "VAZQUEZ", "RAMIREZ", "SERRANO", "BLANCO", "MOLINA", "ORTEGA", "DELGADO",
    "CASTILLO", "ORTIZ", "RUBIO", "MARIN", "SANZ", "IGLESIAS", "MEDINA", "GARRIDO", "CORTES",
    "CASTRO", "GUERRERO", "LOZANO", "CANO", "PRIETO", "MENDEZ", "CALVO", "GALLEGO", "HERRERA",
    "FLORES", "CABRERA", "CAMPOS", "VEGA", "FUENTES", "CARRASCO", "AGUILAR", "PASCUAL", "SANTANA",
    "HIDALGO", "ESTEBAN", "MONTERO", "BRAVO", "REYES", "MORALES", "SUAREZ",
];

pub(crate) const ITALIAN_STEMS: &[&str] = &[
    "ROSS", "BIANC", "FERR", "ROMAN", "COLOMB", "RICC", "MARIN", "GREC", "GALL", "CONT", "MANC",
    "GIORDAN", "RIZZ", "LOMBARD", "MORETT", "BARBIER", "FONTAN", "SANTOR", "MARIAN", "RINALD",
    "CARUS", "MARTIN", "LEON", "LONG", "GENTIL", "VITAL", "SERR", "COPPOL", "MARCH", "PARIS",
    "FABBR", "GRASS", "VALENT", "MESSIN", "GATT", "PELLEGR", "PALUMB", "FARIN", "MONT", "CATTAN",
    "MOREL", "AMAT", "SILVESTR", "MAZZ", "TEST", "CARBON", "GIULIAN", "BENEDETT", "BARON", "CAPUT",
    "GUERR", "PALMIER", "BERNARD", "FIOR", "FERRANT", "BRUN", "ORLAND", "SALV", "BATTIST", "CAPP",
];

pub(crate) const ITALIAN_ENDINGS: &[(&str, f64)] = &[
    ("I", 10.0), ("O", 8.0), ("INI", 4.0), ("ELLI", 4.0), ("ETTI", 3.0), ("ONI", 2.0),
    ("UCCI", 1.5), ("ATO", 1.0), ("ANO", 1.0), ("ESE", 1.0), ("IERI", 0.5), ("ELLO", 1.5),
    ("A", 1.5), ("ACCIO", 0.5), ("IELLO", 0.5),
];

pub(crate) const ITALIAN_D_APOSTROPHE: &[&str] = &[
    "ANGELO", "AMICO", "ALESSANDRO", "AGOSTINO", "ANDREA", "ORAZIO", "ONOFRIO", "URSO", "ALOISIO",
    "ANNA", "AMATO", "ERRICO", "ELIA", "ADDARIO", "ALOIA",
];

pub(crate) const MAGHREBI_ROOTS: &[&str] = &[
    "ALI", "SAID", "AZIZ", "KACEM", "AISSA", "YAHIA", "HADJ", "AMAR", "MOHAMED", "MESSAOUD",
    "AHMED", "SALAH", "SLIMANE", "YOUCEF", "ABDALLAH", "DJEMAA", "ZID", "KHALFA", "MANSOUR",
    "TAHAR", "AOUDIA", "HAMOU", "LAHCEN", "BRAHIM", "OMAR", "RABAH", "MOKHTAR", "CHERIF", "ZIANE",
    "HAMED", "LARBI", "NACER", "KADDOUR", "MILOUD", "BACHIR", "ABBES", "HOCINE", "MEDJAHED",
    "TAYEB", "RAHAL", "SAADA", "HAMZA", "AMRAN", "ISMAIL", "NOUR", "SALEM", "BELKHIR", "CHAABANE",
];

pub(crate) const MAGHREBI_PREFIXES: &[(&str, f64)] = &[
    ("BEN", 5.0), ("BEL", 2.0), ("BOU", 3.0), ("AIT ", 1.5), ("EL ", 1.5), ("BEN ", 1.0),
    ("OULD ", 0.3), ("ABDEL", 0.7), ("HADJ ", 0.3),
];

pub(crate) const MAGHREBI_SUFFIXES: &[&str] = &["I", "IA", "OUI", "ANI", "AOUI", "OU", "ANE"];

pub(crate) const TURKISH_FIRSTS: &[&str] = &[
    "KARA", "AK", "ÖZ", "YIL", "ER", "GÜL", "TEK", "ALTIN", "DEMIR", "KAR", "BAY", "ÇAK", "SARI",
    "AY", "GÜN", "KIZIL", "TUN", "UZUN", "KÜÇÜK", "YÜCE", "BOZ", "TOP", "KOCA", "ŞEN", "AL",
];

pub(crate) const TURKISH_SECONDS: &[&str] = &[
    "TAŞ", "KAYA", "SOY", "OĞLU", "DAĞ", "ÇAY", "TÜRK", "KAN", "ER", "MAN", "DEMIR", "KURT",
    "YILDIZ", "TEKIN", "ASLAN", "BAŞ", "DOĞAN", "CAN", "GÜL", "TAN", "GÖZ", "KOÇ",
];

pub(crate) const POLISH_STEMS: &[&str] = &[
    "KOWAL", "NOW", "WIŚNI", "WÓJC", "KAMI", "LEWAND", "ZIELI", "SZYMA", "WOŹNI", "DĄBR", "KOZŁ",
    "JANK", "KWIATK", "WOJCIECH", "KRAWC", "KACZMAR", "PIOTR", "GRAB", "PAWŁ", "MICHAL", "JABŁO",
    "MAJ", "OLSZ", "STAN", "SOB", "GÓR", "WRÓB", "KUR", "BIEL", "CZAR", "ZAL", "MAL", "SIKOR",
    "BARAN", "DUD", "KRUK", "LIS", "PAWLAK", "SADOW", "TOMASZ",
];

pub(crate) const POLISH_ENDINGS: &[(&str, f64)] = &[
    ("SKI", 8.0), ("EWSKI", 4.0), ("OWSKI", 5.0), ("CZYK", 3.0), ("IAK", 3.0), ("EK", 2.0),
    ("UK", 1.0), ("AK", 2.0), ("OWICZ", 1.5), ("EWICZ", 1.5), ("IŃSKI", 1.0), ("CZAK", 1.0),
];

pub(crate) const ARMENIAN_ROOTS: &[&str] = &[
    "KHATCHADOUR", "MANOUK", "PAPAZ", "KASPAR", "TOROSS", "SARKISS", "BEDROSS", "KEVORK",
    "MARDIROSS", "HAGOP", "KARAPET", "ARAM", "VARTAN", "GARABED", "MIKAEL", "ARTIN", "MOURAD",
    "ZAKAR", "HOVHANNESS", "DIKRAN", "MINASS", "BOGHOSS", "ARAKEL", "KALOUST", "OHANESS", "SIMON",
    "GEVORG", "MELKON", "NERSESS", "PETROSS", "GRIGOR", "ASLAN", "DAVID", "ABRAHAM",
];

pub(crate) const IRISH_MC_TAILS: &[&str] = &[
    "CARTHY", "LOUGHLIN", "NAMARA", "GRATH", "DONALD", "KENNA", "MAHON", "CABE", "CANN", "DERMOTT",
    "GOVERN", "KEOWN", "NALLY", "SWEENEY", "GUIRE", "ENTEE",
];

pub(crate) const IRISH_O_TAILS: &[&str] = &[
    "SULLIVAN", "BRIEN", "CONNOR", "NEILL", "REILLY", "DONNELL", "CONNELL", "KEEFFE", "MAHONY",
    "SHEA", "LEARY", "ROURKE", "DWYER", "HARA", "CALLAGHAN", "DRISCOLL", "FLAHERTY", "GORMAN",
    "HALLORAN", "DONOVAN",
];

pub(crate) const ROMANIAN_ROOTS: &[&str] = &[
    "POP", "ION", "PETR", "VASIL", "GEORG", "DUMITR", "CONSTANTIN", "STAN", "RAD", "MIH", "NICOL",
    "MARIN", "STOIC", "TUDOR", "DRAG", "MUNT", "BOGD", "FLOR", "ANDRON", "ENACH", "LUP", "COST",
    "IORD", "OPR", "PAV", "MANOL", "DINC", "SERB",
];

pub(crate) const ROMANIAN_ENDINGS: &[&str] = &["ESCU", "EANU", "ARU", "AN", "UȚ", "ESCU", "OIU"];

// ---------------------------------------------------------------------------
// Given names.
// ---------------------------------------------------------------------------

/// French given names by birth generation: born before 1940, 1940–54,
/// 1955–69, 1970–84, 1985–99, 2000 and later. Men first, then women.
pub(crate) const FRENCH_MALE_BY_ERA: [&[&str]; 6] = [
    &[
        "Jean", "Pierre", "André", "Louis", "René", "Marcel", "Roger", "Georges", "Henri", "Paul",
        "Robert", "Maurice", "Raymond", "Joseph", "Lucien", "Jacques", "Marius", "Albert",
        "Fernand", "Émile", "Roland", "Gaston", "Léon", "Charles", "Eugène", "Camille", "Francis",
        "Gilbert", "Guy", "Raoul", "Édouard", "Auguste", "Clément", "Victor", "Alfred", "Armand",
        "Félix", "Gérard", "Claude", "Michel", "Bernard", "Antoine", "François", "Alphonse",
        "Ernest", "Julien", "Marc", "Jean-Baptiste",
    ],
    &[
        "Jean", "Michel", "Alain", "Bernard", "Gérard", "Daniel", "Jacques", "Pierre", "Claude",
        "Christian", "Jean-Pierre", "Jean-Claude", "Patrick", "Gilles", "Serge", "André",
        "Philippe", "Jean-Paul", "Jean-Louis", "Guy", "Yves", "Dominique", "Jean-Marie",
        "Jean-Michel", "Jean-Jacques", "François", "Georges", "Roger", "René", "Marcel", "Robert",
        "Henri", "Joël", "Francis", "Gilbert", "Jean-François", "Denis", "Didier", "Hubert",
        "Roland", "Louis", "Raymond", "Maurice", "Noël", "Paul", "Marc",
    ],
    &[
        "Philippe", "Patrick", "Pascal", "Thierry", "Éric", "Didier", "Dominique", "Christophe",
        "Bruno", "Jean-Luc", "Laurent", "Jean-Marc", "Frédéric", "Olivier", "Hervé", "Joël",
        "Francis", "Marc", "Jean-Pierre", "Jean-François", "Alain", "Michel", "Daniel", "Christian",
        "Bernard", "Denis", "Gilles", "Serge", "Franck", "Jean-Philippe", "Jean-Claude", "Stéphane",
        "Lionel", "Jean-Yves", "Yves", "Gérard", "Jacques", "Fabrice", "Régis", "Vincent", "Benoît",
        "Thierry", "Jean-Noël", "Bertrand",
    ],
    &[
        "Sébastien", "Nicolas", "Christophe", "Stéphane", "David", "Frédéric", "Julien", "Laurent",
        "Olivier", "Cédric", "Jérôme", "Vincent", "Fabrice", "Franck", "Grégory", "Arnaud",
        "Mickaël", "Yannick", "Guillaume", "Emmanuel", "Anthony", "Jean-Christophe", "Ludovic",
        "Benoît", "Damien", "Samuel", "Thomas", "Alexandre", "Mathieu", "Romain", "Sylvain",
        "Pascal", "Thierry", "Éric", "Xavier", "Jean-François", "Fabien", "Johann", "Loïc", "Yann",
        "Hervé", "Gaël",
    ],
    &[
        "Kévin", "Thomas", "Nicolas", "Julien", "Alexandre", "Anthony", "Maxime", "Quentin",
        "Romain", "Jérémy", "Florian", "Guillaume", "Mathieu", "Benjamin", "Jonathan", "Antoine",
        "Clément", "Hugo", "Lucas", "Pierre", "Valentin", "Adrien", "Alexis", "Vincent", "Dylan",
        "Théo", "Corentin", "Baptiste", "Jordan", "Loïc", "Kevin", "Sébastien", "Mickaël", "Damien",
        "Simon", "Louis", "Paul", "Arthur", "Victor", "Bastien", "Rémi", "Aurélien", "Cyril",
        "Tristan", "Jean-Baptiste",
    ],
    &[
        "Lucas", "Théo", "Hugo", "Thomas", "Enzo", "Mathis", "Nathan", "Louis", "Maxime", "Clément",
        "Tom", "Alexandre", "Quentin", "Antoine", "Baptiste", "Noah", "Gabriel", "Raphaël",
        "Arthur", "Jules", "Paul", "Axel", "Yanis", "Ethan", "Mathéo", "Evan", "Léo", "Kylian",
        "Valentin", "Alexis", "Romain", "Dylan", "Tristan", "Victor", "Matteo", "Adam", "Timothée",
        "Sacha", "Nolan", "Maël", "Esteban", "Noé",
    ],
];

/// See [`FRENCH_MALE_BY_ERA`].
pub(crate) const FRENCH_FEMALE_BY_ERA: [&[&str]; 6] = [
    &[
        "Marie", "Jeanne", "Simone", "Yvonne", "Denise", "Madeleine", "Suzanne", "Marguerite",
        "Germaine", "Louise", "Paulette", "Odette", "Hélène", "Marcelle", "Lucienne", "Renée",
        "Andrée", "Jacqueline", "Raymonde", "Georgette", "Colette", "Yvette", "Geneviève",
        "Juliette", "Berthe", "Henriette", "Gilberte", "Huguette", "Ginette", "Marthe", "Thérèse",
        "Anne", "Alice", "Lucie", "Micheline", "Solange", "Antoinette", "Fernande", "Émilienne",
        "Blanche", "Irène", "Cécile", "Marie-Louise", "Marie-Thérèse",
    ],
    &[
        "Monique", "Françoise", "Jacqueline", "Nicole", "Danielle", "Michèle", "Josiane",
        "Christiane", "Annie", "Martine", "Sylvie", "Chantal", "Catherine", "Brigitte",
        "Marie-Claude", "Colette", "Marie-Thérèse", "Bernadette", "Ginette", "Évelyne", "Liliane",
        "Odette", "Yvette", "Huguette", "Janine", "Claudine", "Marie-France", "Anne-Marie",
        "Marie-Christine", "Dominique", "Mireille", "Arlette", "Gisèle", "Jeannine", "Marie-Josée",
        "Claude", "Élisabeth", "Geneviève", "Denise", "Marie-Paule", "Régine", "Nadine", "Paulette",
        "Éliane", "Michelle",
    ],
    &[
        "Nathalie", "Isabelle", "Sylvie", "Catherine", "Martine", "Christine", "Véronique",
        "Brigitte", "Valérie", "Patricia", "Pascale", "Sandrine", "Dominique", "Corinne", "Anne",
        "Marie-Christine", "Laurence", "Françoise", "Chantal", "Muriel", "Hélène", "Béatrice",
        "Marie-Claire", "Florence", "Évelyne", "Joëlle", "Fabienne", "Agnès", "Claire", "Carole",
        "Sophie", "Nadine", "Annick", "Marie-Hélène", "Marie-Pierre", "Ghislaine", "Maryse",
        "Régine", "Marylène", "Frédérique", "Odile", "Marie-Noëlle",
    ],
    &[
        "Stéphanie", "Sandrine", "Céline", "Nathalie", "Valérie", "Isabelle", "Émilie", "Karine",
        "Aurélie", "Virginie", "Sophie", "Christelle", "Séverine", "Laetitia", "Caroline",
        "Delphine", "Julie", "Élodie", "Audrey", "Carole", "Hélène", "Cécile", "Anne-Sophie",
        "Marie-Laure", "Vanessa", "Mélanie", "Magali", "Sabrina", "Nadège", "Emmanuelle", "Gaëlle",
        "Claire", "Alexandra", "Anne-Laure", "Angélique", "Marion", "Elsa", "Laure", "Amandine",
        "Myriam", "Sylvie", "Corinne", "Anne-Claire", "Lætitia",
    ],
    &[
        "Julie", "Marie", "Laura", "Camille", "Sarah", "Pauline", "Manon", "Émilie", "Marine",
        "Mélanie", "Anaïs", "Élodie", "Amandine", "Audrey", "Justine", "Charlotte", "Marion", "Léa",
        "Claire", "Chloé", "Océane", "Lucie", "Morgane", "Clémence", "Alice", "Mathilde", "Margaux",
        "Emma", "Jessica", "Aurélie", "Anne-Sophie", "Coralie", "Laurie", "Élise", "Jennifer",
        "Caroline", "Céline", "Ophélie", "Inès", "Jade", "Maéva", "Noémie", "Cindy",
    ],
    &[
        "Emma", "Léa", "Manon", "Chloé", "Camille", "Inès", "Sarah", "Océane", "Jade", "Clara",
        "Lola", "Zoé", "Lucie", "Juliette", "Louise", "Lisa", "Maëlys", "Anaïs", "Mathilde", "Eva",
        "Romane", "Pauline", "Marie", "Alice", "Lou", "Julia", "Louna", "Charlotte", "Lina",
        "Maëlle", "Margaux", "Elisa", "Justine", "Noémie", "Clémence", "Nina", "Léna", "Rose",
        "Ambre", "Élise", "Anna",
    ],
];

/// Second and later given names, often a grandparent's or a saint's.
pub(crate) const FRENCH_MALE_MIDDLES: &[&str] = &[
    "Marie", "Louis", "Joseph", "Jean", "Pierre", "Paul", "André", "Michel", "Henri", "Jacques",
    "François", "Marcel", "René", "Georges", "Charles", "Antoine", "Émile", "Albert", "Gabriel",
    "Philippe", "Claude", "Xavier", "Bernard", "Robert", "Roger", "Lucien", "Marius", "Raymond",
    "Alexandre", "Étienne", "Daniel", "Maurice",
];

/// See [`FRENCH_MALE_MIDDLES`].
pub(crate) const FRENCH_FEMALE_MIDDLES: &[&str] = &[
    "Marie", "Louise", "Jeanne", "Anne", "Françoise", "Madeleine", "Thérèse", "Marguerite",
    "Germaine", "Hélène", "Suzanne", "Simone", "Josette", "Yvonne", "Andrée", "Renée", "Jacqueline",
    "Christiane", "Paulette", "Claire", "Élisabeth", "Geneviève", "Odette", "Rose", "Lucie",
    "Catherine", "Monique", "Josèphe", "Victoire", "Joséphine",
];

pub(crate) const BRETON_MALE: &[&str] = &[
    "Yann", "Erwan", "Loïc", "Ronan", "Gwénaël", "Yannick", "Tanguy", "Maël", "Gurvan", "Malo",
    "Killian", "Brieuc", "Corentin", "Tugdual", "Goulven", "Hervé", "Alan", "Youenn",
];

pub(crate) const BRETON_FEMALE: &[&str] = &[
    "Nolwenn", "Gwenaëlle", "Maïwenn", "Enora", "Soazig", "Anaïg", "Rozenn", "Morgane", "Gaëlle",
    "Annaïg", "Katell", "Azilis", "Awen", "Klervi", "Maëlle", "Armelle",
];

/// Given names of one origin: men, women.
pub(crate) struct GivenPool {
    pub(crate) male: &'static [&'static str],
    pub(crate) female: &'static [&'static str],
}

pub(crate) const PORTUGUESE_GIVEN: GivenPool = GivenPool {
    male: &[
        "José", "Manuel", "António", "João", "Joaquim", "Francisco", "Carlos", "Fernando", "Luís",
        "Paulo", "Jorge", "Mário", "Rui", "Nuno", "Armando", "Alberto", "Domingos", "Agostinho",
        "Abílio", "Adelino", "Custódio", "Américo", "Artur", "Miguel", "Pedro", "Ricardo", "Tiago",
        "Diogo", "Bruno", "Hugo",
    ],
    female: &[
        "Maria", "Ana", "Fernanda", "Rosa", "Isabel", "Manuela", "Conceição", "Fátima", "Paula",
        "Teresa", "Lurdes", "Graça", "Helena", "Cristina", "Sandra", "Sónia", "Marta", "Joana",
        "Carla", "Cátia", "Filomena", "Aurora", "Albertina", "Deolinda", "Glória", "Rosário",
    ],
};

pub(crate) const SPANISH_GIVEN: GivenPool = GivenPool {
    male: &[
        "José", "Antonio", "Manuel", "Francisco", "Juan", "Jesús", "Miguel", "Pedro", "Ángel",
        "Rafael", "Carlos", "Luis", "Javier", "Fernando", "Alejandro", "Pablo", "Sergio", "Diego",
        "Andrés", "Ramón", "Vicente", "Joaquín", "Enrique", "Juan-Carlos", "José-Luis",
    ],
    female: &[
        "María", "Carmen", "Josefa", "Isabel", "Dolores", "Pilar", "Teresa", "Ana", "Rosa",
        "Francisca", "Antonia", "Mercedes", "Concepción", "Lucía", "Laura", "Cristina", "Marta",
        "Elena", "Raquel", "Paula", "Encarnación", "Montserrat", "Rosario", "María-José",
    ],
};

pub(crate) const ITALIAN_GIVEN: GivenPool = GivenPool {
    male: &[
        "Giuseppe", "Giovanni", "Antonio", "Mario", "Francesco", "Luigi", "Angelo", "Vincenzo",
        "Pietro", "Salvatore", "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele",
        "Giorgio", "Aldo", "Sergio", "Luciano", "Marco", "Andrea", "Luca", "Alessandro", "Matteo",
        "Lorenzo", "Stefano", "Roberto",
    ],
    female: &[
        "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Carmela",
        "Caterina", "Francesca", "Antonietta", "Carla", "Elena", "Rita", "Paola", "Giulia",
        "Chiara", "Sara", "Martina", "Federica", "Silvia", "Valentina", "Laura", "Alessandra",
    ],
};

pub(crate) const MAGHREBI_GIVEN: GivenPool = GivenPool {
    male: &[
        "Mohamed", "Ahmed", "Ali", "Karim", "Rachid", "Mustapha", "Abdelkader", "Saïd", "Brahim",
        "Mohammed", "Youssef", "Omar", "Hassan", "Khaled", "Samir", "Nordine", "Farid", "Mourad",
        "Djamel", "Kamel", "Nabil", "Mehdi", "Sofiane", "Bilal", "Yassine", "Amine", "Rayan",
        "Ilyes", "Walid", "Hamid", "Abdelaziz", "Larbi", "Slimane", "Redouane", "Yanis", "Adam",
    ],
    female: &[
        "Fatima", "Khadija", "Aïcha", "Malika", "Samira", "Nadia", "Karima", "Leïla", "Saïda",
        "Zohra", "Fatiha", "Yamina", "Rachida", "Naïma", "Houria", "Sonia", "Myriam", "Sabrina",
        "Nora", "Yasmina", "Amina", "Inès", "Sarah", "Yasmine", "Lina", "Meriem", "Salma",
        "Hanane", "Imane", "Assia", "Kenza", "Soumaya", "Zineb", "Nour", "Dounia", "Djamila",
    ],
};

pub(crate) const WEST_AFRICAN_GIVEN: GivenPool = GivenPool {
    male: &[
        "Mamadou", "Moussa", "Ibrahima", "Abdoulaye", "Amadou", "Ousmane", "Boubacar", "Seydou",
        "Souleymane", "Aliou", "Modibo", "Cheikh", "Samba", "Demba", "Lamine", "Sékou", "Bakary",
        "Issa", "Adama", "Oumar", "Kofi", "Kouassi", "Yao", "Koffi", "Serge", "Jean-Baptiste",
    ],
    female: &[
        "Aminata", "Fatoumata", "Mariam", "Awa", "Kadiatou", "Aïssatou", "Oumou", "Hawa", "Fanta",
        "Coumba", "Binta", "Mariama", "Ndeye", "Khady", "Astou", "Adjoua", "Akissi", "Aya",
        "Assetou", "Djeneba", "Nafissatou", "Ramatoulaye", "Sokhna", "Marie-Claire",
    ],
};

pub(crate) const VIETNAMESE_GIVEN: GivenPool = GivenPool {
    male: &[
        "Minh", "Duc", "Hung", "Thanh", "Tuan", "Long", "Quang", "Hai", "Nam", "Son", "Dung",
        "Phuong", "Huy", "Khanh", "Tien", "Bao", "Hoang", "Trung", "Van Minh", "Van Thanh",
        "Van Hung",
    ],
    female: &[
        "Thi Lan", "Thi Hoa", "Thi Mai", "Thi Hanh", "Thi Huong", "Thi Thu", "Linh", "Ngoc",
        "Trang", "Thuy", "Hang", "Lien", "Nga", "Phuong", "Yen", "Anh", "Thi Ngoc", "Thi Kim",
    ],
};

pub(crate) const CHINESE_GIVEN: GivenPool = GivenPool {
    male: &[
        "Wei", "Jun", "Hao", "Jian", "Ming", "Lei", "Yong", "Tao", "Bin", "Qiang", "Jie", "Chao",
        "Peng", "Xiang", "Zhiwei", "Jianhua", "Xiaoming",
    ],
    female: &[
        "Li", "Mei", "Ying", "Xiaoyan", "Hong", "Yan", "Jing", "Fang", "Lili", "Na", "Hui", "Ling",
        "Xiu", "Yun", "Qing",
    ],
};

pub(crate) const TURKISH_GIVEN: GivenPool = GivenPool {
    male: &[
        "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "Ibrahim", "Ismail", "Osman",
        "Yusuf", "Murat", "Ömer", "Ramazan", "Halil", "Süleyman", "Abdullah", "Mahmut", "Recep",
        "Kemal", "Emre", "Burak", "Serkan", "Volkan", "Yasin", "Enes", "Furkan",
    ],
    female: &[
        "Fatma", "Ayşe", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Şerife", "Zehra",
        "Sultan", "Hanife", "Merve", "Özlem", "Esra", "Büşra", "Derya", "Gül", "Songül", "Sevgi",
        "Aysel", "Melek", "Yasemin",
    ],
};

pub(crate) const POLISH_GIVEN: GivenPool = GivenPool {
    male: &[
        "Jan", "Stanisław", "Józef", "Tadeusz", "Kazimierz", "Zbigniew", "Andrzej", "Krzysztof",
        "Piotr", "Tomasz", "Paweł", "Marek", "Michał", "Łukasz", "Jakub", "Wojciech", "Marcin",
        "Grzegorz", "Stanislas", "Casimir", "Ladislas",
    ],
    female: &[
        "Maria", "Anna", "Zofia", "Janina", "Krystyna", "Barbara", "Elżbieta", "Agnieszka",
        "Katarzyna", "Małgorzata", "Magdalena", "Joanna", "Ewa", "Stanisława", "Halina", "Irena",
        "Danuta", "Monika", "Sophie", "Stéphanie",
    ],
};

pub(crate) const ARMENIAN_GIVEN: GivenPool = GivenPool {
    male: &[
        "Hagop", "Garabed", "Kevork", "Vartan", "Aram", "Ara", "Haïk", "Krikor", "Levon", "Sarkis",
        "Arman", "Artur", "Tigran", "Gevorg", "Hovhannès", "Armen", "Mihran", "Nubar",
    ],
    female: &[
        "Anahide", "Araxie", "Siranouche", "Nvart", "Anouch", "Lusine", "Armine", "Mariam",
        "Gayané", "Taline", "Nairi", "Hasmik", "Tamar", "Lilit", "Astrik",
    ],
};

pub(crate) const IRISH_GIVEN: GivenPool = GivenPool {
    male: &[
        "Sean", "Patrick", "Michael", "John", "Brendan", "Conor", "Ciarán", "Declan", "Liam",
        "Eoin", "Niall", "Cormac", "Seamus", "Kevin", "Aidan", "Brian",
    ],
    female: &[
        "Siobhán", "Niamh", "Aoife", "Mary", "Máire", "Bridget", "Caoimhe", "Orla", "Róisín",
        "Sinéad", "Aisling", "Ciara", "Emer", "Gráinne", "Clodagh", "Deirdre",
    ],
};

pub(crate) const ROMANIAN_GIVEN: GivenPool = GivenPool {
    male: &[
        "Ion", "Gheorghe", "Vasile", "Constantin", "Mihai", "Nicolae", "Alexandru", "Andrei",
        "Ionuț", "Florin", "Adrian", "Cristian", "Marius", "Bogdan", "Dragoș", "Ștefan", "Daniel",
    ],
    female: &[
        "Maria", "Elena", "Ioana", "Ana", "Mihaela", "Andreea", "Alexandra", "Cristina",
        "Florentina", "Gabriela", "Daniela", "Georgiana", "Simona", "Roxana", "Adriana",
    ],
};

pub(crate) const GERMAN_GIVEN: GivenPool = GivenPool {
    male: &[
        "Hans", "Peter", "Wolfgang", "Klaus", "Jürgen", "Dieter", "Günter", "Stefan", "Michael",
        "Thomas", "Andreas", "Markus", "Frank", "Jörg", "Uwe", "Matthias", "Tobias", "Florian",
        "Jan", "Lukas",
    ],
    female: &[
        "Ursula", "Monika", "Petra", "Sabine", "Renate", "Helga", "Karin", "Brigitte", "Ingrid",
        "Gabriele", "Claudia", "Susanne", "Andrea", "Stefanie", "Katrin", "Julia", "Anja",
        "Birgit", "Heike", "Jutta",
    ],
};

pub(crate) const DUTCH_GIVEN: GivenPool = GivenPool {
    male: &[
        "Jan", "Pieter", "Hendrik", "Willem", "Cornelis", "Johannes", "Gerrit", "Dirk", "Bram",
        "Joost", "Sander", "Bas", "Ruud", "Maarten", "Thijs", "Koen", "Stijn", "Wouter",
    ],
    female: &[
        "Maria", "Johanna", "Anna", "Cornelia", "Wilhelmina", "Elisabeth", "Anneke", "Ingrid",
        "Marieke", "Sanne", "Femke", "Lotte", "Inge", "Ellen", "Hanneke", "Eva", "Fleur",
    ],
};

/// Portuguese and Spanish women's second names that carry a particle
/// (`Maria De Fátima`), written as the roll writes them.
pub(crate) const IBERIAN_MARIAN_NAMES: &[&str] = &[
    "Da Conceição", "De Fátima", "Do Rosário", "Da Graça", "De Lurdes", "Dos Anjos", "Do Carmo",
    "Del Carmen", "De Los Ángeles", "Del Pilar",
];
