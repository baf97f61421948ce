package figure

// wordClass says what part a word can play around a figure. A word may have
// several ("may" is a month and a modal verb).
type wordClass uint32

const (
	classNumber     wordClass = 1 << iota // "one" … "ninety"; wordInfo.value
	classScale                            // "hundred", "million", "bn": times 10^wordInfo.exp
	classCurrency                         // written after an amount: "dollars", "yuan", "USD"
	classCode                             // an ISO code, also written before an amount: "USD 5bn"
	classPercent                          // "percent", "pct" ("per cent" and "percentage points" are read specially)
	classDuration                         // "day", "months": wordInfo.unit
	classMonth                            // "June", "Sept": a date around a year
	classStop                             // ends the noun phrase naming what a count counts
	classQualifier                        // "About", "Top": capitalised before a bare number without naming a product
	classTimePrefix                       // "mid", "late": "mid-2024" is a year, not a product name like "GPT-4"
	classFiscal                           // "fiscal 2024"
	classFY                               // "FY2024", "FY 24"
	classArticle                          // "a million"
	classHalf                             // "half a billion"
)

// wordInfo is what the keyword table knows about a lower-case word.
type wordInfo struct {
	class    wordClass
	value    uint64 // classNumber
	exp      int    // classScale
	currency string // classCurrency, classCode
	unit     string // classDuration
}

// longestKeyword bounds the lower-casing buffer in lookupWord.
const longestKeyword = 16

// lookupWord finds w in the keyword table, ignoring ASCII case, without
// allocating.
func lookupWord(w string) (wordInfo, bool) {
	if len(w) == 0 || len(w) > longestKeyword {
		return wordInfo{}, false
	}
	var buf [longestKeyword]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c >= 0x80:
			return wordInfo{}, false
		}
		buf[i] = c
	}
	info, ok := keywords[string(buf[:len(w)])]
	return info, ok
}

// keywords is read-only after initialisation.
var keywords = buildKeywords()

// starterClasses are the classes of words that can begin a figure; the
// scanner looks up only words that may have one of them.
const starterClasses = classCode | classNumber | classArticle | classHalf | classMonth | classFY | classFiscal | classTimePrefix

// starterLengths has bit n set in entry c when some starter keyword begins
// with letter 'a'+c and is n bytes long: a cheap test that rules out most
// words of running text before the map lookup. Read-only.
var starterLengths = buildStarterLengths()

// buildStarterLengths fills starterLengths from keywords.
func buildStarterLengths() (lengths [26]uint32) {
	for w, info := range keywords {
		if info.class&starterClasses != 0 {
			lengths[w[0]-'a'] |= 1 << len(w)
		}
	}
	return lengths
}

// mayStartFigure reports whether w may be a keyword that begins a figure.
func mayStartFigure(w string) bool {
	if len(w) == 0 || len(w) >= 32 {
		return false
	}
	c := w[0] | 0x20 // ASCII lower case
	return 'a' <= c && c <= 'z' && starterLengths[c-'a']&(1<<len(w)) != 0
}

// buildKeywords builds the keyword table.
func buildKeywords() map[string]wordInfo {
	m := make(map[string]wordInfo, 256)
	add := func(class wordClass, info wordInfo, words ...string) {
		for _, w := range words {
			cur := m[w]
			cur.class |= class
			if class&classNumber != 0 {
				cur.value = info.value
			}
			if class&classScale != 0 {
				cur.exp = info.exp
			}
			if class&(classCurrency|classCode) != 0 {
				cur.currency = info.currency
			}
			if class&classDuration != 0 {
				cur.unit = info.unit
			}
			m[w] = cur
		}
	}
	numbers := []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	for i, w := range numbers {
		add(classNumber, wordInfo{value: uint64(i + 1)}, w)
	}
	tens := []string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	for i, w := range tens {
		add(classNumber, wordInfo{value: uint64(20 + 10*i)}, w)
	}

	add(classScale, wordInfo{exp: 2}, "hundred", "hundreds")
	add(classScale, wordInfo{exp: 3}, "thousand", "thousands")
	add(classScale, wordInfo{exp: 6}, "million", "millions", "mn", "mln")
	add(classScale, wordInfo{exp: 9}, "billion", "billions", "bn", "bln")
	add(classScale, wordInfo{exp: 12}, "trillion", "trillions", "tn", "trn")

	for code, words := range map[string][]string{
		"USD": {"dollar", "dollars"},
		"CNY": {"yuan", "renminbi", "rmb"},
		"EUR": {"euro", "euros"},
		"GBP": {"pound", "pounds", "sterling"},
		"JPY": {"yen"},
		"BRL": {"reais"},
	} {
		add(classCurrency, wordInfo{currency: code}, words...)
	}
	add(classCode|classCurrency, wordInfo{currency: "CNY"}, "rmb")
	for _, code := range []string{"usd", "cny", "eur", "gbp", "jpy", "hkd", "aud", "cad", "chf", "inr", "krw", "sgd", "twd", "brl"} {
		add(classCode|classCurrency, wordInfo{currency: upperASCII(code)}, code)
	}

	add(classPercent, wordInfo{}, "percent", "pct")
	add(classDuration, wordInfo{unit: "day"}, "day", "days")
	add(classDuration, wordInfo{unit: "week"}, "week", "weeks")
	add(classDuration, wordInfo{unit: "month"}, "month", "months")
	add(classDuration, wordInfo{unit: "year"}, "year", "years")

	add(classMonth, wordInfo{}, "january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")

	add(classStop, wordInfo{}, "the", "a", "an", "and", "or", "but", "nor", "of", "in", "on", "at",
		"to", "for", "by", "with", "from", "as", "than", "into", "onto", "over", "under", "about",
		"after", "before", "since", "until", "during", "through", "between", "among", "per", "via",
		"versus", "vs", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
		"do", "does", "did", "will", "would", "could", "should", "can", "may", "might", "must",
		"shall", "that", "which", "who", "whom", "whose", "this", "these", "those", "it", "its",
		"their", "his", "her", "our", "your", "my", "they", "we", "he", "she", "you", "i", "there",
		"here", "when", "where", "while", "if", "so", "not", "no", "yet", "also", "only", "just",
		"then", "each", "every", "all", "both", "more", "less", "fewer", "most", "according",
		"compared", "including", "respectively", "up", "down", "out", "off", "against", "within",
		"without", "across", "around", "toward", "towards", "beyond", "plus", "minus", "ago",
		"earlier", "later", "apiece", "alone", "combined", "annually", "now", "already", "last",
		"next", "or", "because", "whereas", "although", "though", "unlike", "like", "such")
	add(classQualifier, wordInfo{}, "about", "around", "approximately", "roughly", "nearly",
		"almost", "over", "under", "some", "only", "just", "top", "total", "another", "additional",
		"extra", "further", "past", "next", "last", "first", "least", "most", "more", "less",
		"fewer", "reportedly", "estimated", "circa", "exactly", "precisely", "up", "down",
		"since", "until", "through", "within", "including", "excluding", "all", "both", "each",
		"every", "than", "at", "by", "in", "on", "of", "to", "for", "from", "with", "and", "or",
		"the", "a", "an", "another", "between", "after", "before", "during", "per", "plus")
	add(classTimePrefix, wordInfo{}, "mid", "early", "late", "pre", "post", "end", "start", "full", "calendar")
	add(classFiscal, wordInfo{}, "fiscal")
	add(classFY, wordInfo{}, "fy")
	add(classArticle, wordInfo{}, "a")
	add(classHalf, wordInfo{}, "half")
	return m
}

// upperASCII upper-cases an ASCII code.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// irregularPlurals maps the plural count nouns that do not end in "s".
var irregularPlurals = map[string]string{
	"people":   "person",
	"children": "child",
	"men":      "man",
	"women":    "woman",
}

// uncountable ends in "s" without being a plural.
var uncountable = map[string]bool{
	"series": true, "species": true, "news": true, "headquarters": true, "means": true,
}
