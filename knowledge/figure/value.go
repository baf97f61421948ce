package figure

import (
	"math"
	"strconv"
	"strings"
)

// Tolerance is the relative difference up to which two amounts are the same
// figure: rounding in a restatement ("55.70" for "55.7") matches, a different
// figure ("56" for "55.7") does not.
const Tolerance = 0.001

// String names the kind: "number", "money", "percent", "year", "duration",
// "count".
func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case Money:
		return "money"
	case Percent:
		return "percent"
	case Year:
		return "year"
	case Duration:
		return "duration"
	case Count:
		return "count"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Matches reports whether v and o state the same quantity. Amounts must agree
// within Tolerance, years exactly (0.1% of 2024 is two years). Kinds must be
// compatible: a Number matches a Number, Money or Count; Money matches Money
// in the same currency, or when either currency is unknown; a Count matches
// a Count whatever it counts; a Duration matches a Duration in the same unit;
// a Percent or Year only its own kind.
func (v Value) Matches(o Value) bool {
	if !compatible(v, o) {
		return false
	}
	if v.Kind == Year {
		// "January 2025" is not "February 2025"; "2025" is either.
		return math.Round(v.Amount) == math.Round(o.Amount) && (v.Month == 0 || o.Month == 0 || v.Month == o.Month)
	}
	return amountsMatch(v.Amount, o.Amount)
}

// compatible reports whether the kinds, currencies and units of a and b
// allow them to match.
func compatible(a, b Value) bool {
	if a.Kind > b.Kind {
		a, b = b, a
	}
	switch a.Kind {
	case Number:
		return b.Kind == Number || b.Kind == Money || b.Kind == Count
	case Money:
		return b.Kind == Money && (a.Currency == "" || b.Currency == "" || strings.EqualFold(a.Currency, b.Currency))
	case Percent, Year, Count:
		return b.Kind == a.Kind
	case Duration:
		return b.Kind == Duration && a.Unit == b.Unit
	}
	return false
}

// amountsMatch reports whether a and b differ by at most Tolerance of the
// larger.
func amountsMatch(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= Tolerance*math.Max(math.Abs(a), math.Abs(b))
}

// Contains reports whether any of vals matches v.
func Contains(vals []Value, v Value) bool {
	for _, o := range vals {
		if o.Matches(v) {
			return true
		}
	}
	return false
}

// Tokens returns keyword tokens for indexing v, so a search for one spelling
// of a figure finds the others. Two values that Match share a token; a year
// shares none with a number, count or percentage of the same amount.
//
// The scheme: a kind prefix, then the amount rounded to three significant
// digits and written out in full ("12000000000", "55700000000", "0.25").
//   - Number: "n<amount>"
//   - Count:  "n<amount>", "c<amount>"
//   - Money:  "n<amount>", and "<currency><amount>" when the currency is known ("usd12000000000")
//   - Percent: "p<amount>" ("p15"); Year: "y<year>" ("y2024"); Duration: "d<amount><unit>" ("d75day")
//
// Numbers, counts and money share the "n" token because a Number matches
// either. An amount off-centre and within Tolerance of the boundary between
// two roundings gets both ("55.73 billion" gives n55700000000 and
// n55800000000), which is what makes matching values share a token; an
// amount with three significant digits or fewer, the usual case, gets one.
// Rounding to three digits means 2,024 and 2,020 share a token: the index
// then offers a near figure, and Matches decides.
func (v Value) Tokens() []string {
	if v.Kind == Year {
		if math.IsNaN(v.Amount) || math.IsInf(v.Amount, 0) {
			return nil
		}
		return []string{"y" + strconv.FormatFloat(math.Round(v.Amount), 'f', -1, 64)}
	}
	a, b := amountKeys(v.Amount)
	if a == "" {
		return nil
	}
	var prefixes []string
	switch v.Kind {
	case Number:
		prefixes = []string{"n"}
	case Count:
		prefixes = []string{"n", "c"}
	case Money:
		prefixes = []string{"n"}
		if v.Currency != "" {
			prefixes = append(prefixes, strings.ToLower(v.Currency))
		}
	case Percent:
		prefixes = []string{"p"}
	case Duration:
		prefixes = []string{"d"}
	default:
		return nil
	}
	suffix := ""
	if v.Kind == Duration {
		suffix = v.Unit
	}
	tokens := make([]string, 0, 2*len(prefixes))
	for _, p := range prefixes {
		tokens = append(tokens, p+a+suffix)
		if b != "" {
			tokens = append(tokens, p+b+suffix)
		}
	}
	return tokens
}

// keyDigits is how many significant digits a token keeps. Tolerance must
// stay below 10^(1-keyDigits) for neighbouring roundings to cover it.
const keyDigits = 3

// amountKeys writes x rounded to keyDigits significant digits, and the
// neighbouring rounding when x lies off-centre within Tolerance (with a
// margin for float error) of the boundary on its nearer side; b is "" when
// there is none.
// Rounding happens on integers, so the spelling has no float noise.
func amountKeys(x float64) (a, b string) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "", ""
	}
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	if x == 0 {
		return "0", ""
	}
	// e is the exponent of the rounding step: x/10^e has keyDigits digits.
	e := int(math.Floor(math.Log10(x))) - (keyDigits - 1)
	r := scaled(x, -e)
	// Log10 can miss by one at exact powers of ten.
	if r >= math.Pow10(keyDigits) {
		e++
		r = scaled(x, -e)
	} else if r < math.Pow10(keyDigits-1) {
		e--
		r = scaled(x, -e)
	}
	k := math.Round(r)
	a = sign + keyString(int64(k), e)
	// Of two matching amounts on either side of a rounding boundary, at
	// least one lies within Tolerance of it on its own nearer side, and
	// brings the other's rounding along. An amount exactly on a rounding
	// needs no neighbour: the other amount always reaches it.
	margin := 1.1 * Tolerance * x
	frac := r - k // in [-0.5, 0.5] steps
	edgeDistance := (0.5 - math.Abs(frac)) * math.Pow10(e)
	if math.Abs(frac) > 1e-9 && edgeDistance <= margin {
		n := k + 1
		if frac < 0 {
			n = k - 1
		}
		b = sign + keyString(int64(n), e)
	}
	return a, b
}

// scaled returns x × 10^e.
func scaled(x float64, e int) float64 {
	if e >= 0 {
		return x * math.Pow10(e)
	}
	return x / math.Pow10(-e)
}

// keyString writes k × 10^e in full without trailing zeros after a point,
// so the same number always has the same spelling: keyString(100, 8) and
// keyString(1000, 7) are both "10000000000".
func keyString(k int64, e int) string {
	for k != 0 && k%10 == 0 {
		k /= 10
		e++
	}
	digits := strconv.FormatInt(k, 10)
	if e >= 0 {
		return digits + strings.Repeat("0", e)
	}
	point := len(digits) + e
	if point > 0 {
		return digits[:point] + "." + digits[point:]
	}
	return "0." + strings.Repeat("0", -point) + digits
}

// String renders v for a reader: "$12 billion", "RMB 5 billion", "75
// million", "15%", "2024", "75 days", "15 apps".
func (v Value) String() string {
	switch v.Kind {
	case Year:
		return strconv.FormatFloat(math.Round(v.Amount), 'f', -1, 64)
	case Percent:
		return plainAmount(v.Amount) + "%"
	case Duration:
		return plainAmount(v.Amount) + " " + plural(v.Unit, v.Amount)
	case Money:
		return CurrencySymbol(v.Currency) + readableAmount(v.Amount)
	case Count:
		if v.Unit == "" {
			return readableAmount(v.Amount)
		}
		return readableAmount(v.Amount) + " " + plural(v.Unit, v.Amount)
	}
	return readableAmount(v.Amount)
}

// CurrencySymbol is what String writes before an amount in currency
// code: "$", "€", "RMB ", or the code and a space.
func CurrencySymbol(code string) string {
	switch code {
	case "":
		return ""
	case "USD":
		return "$"
	case "EUR":
		return "€"
	case "GBP":
		return "£"
	case "HKD":
		return "HK$"
	case "CNY": // "¥" would read back as yuan or yen alike
		return "RMB "
	}
	return code + " "
}

// readableAmount writes large amounts with a scale word: "12 billion",
// "1.5 trillion", "12,000".
func readableAmount(x float64) string {
	scales := []struct {
		size float64
		name string
	}{{1e12, " trillion"}, {1e9, " billion"}, {1e6, " million"}}
	for _, s := range scales {
		if math.Abs(x) >= s.size {
			return plainAmount(x/s.size) + s.name
		}
	}
	return plainAmount(x)
}

// plainAmount writes x with up to six decimals and thousands separators.
func plainAmount(x float64) string {
	s := strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	sign := ""
	if strings.HasPrefix(intPart, "-") {
		sign, intPart = "-", intPart[1:]
	}
	if len(intPart) > 4 {
		var b strings.Builder
		for i, c := range intPart {
			if i > 0 && (len(intPart)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		intPart = b.String()
	}
	if frac != "" {
		return sign + intPart + "." + frac
	}
	return sign + intPart
}

// plural writes a unit for an amount: "1 day", "75 days", "3 companies".
func plural(unit string, amount float64) string {
	if amount == 1 || unit == "" {
		return unit
	}
	for p, s := range irregularPlurals {
		if s == unit {
			return p
		}
	}
	switch {
	case strings.HasSuffix(unit, "y") && len(unit) > 1 && !strings.ContainsRune("aeiou", rune(unit[len(unit)-2])):
		return unit[:len(unit)-1] + "ies"
	case strings.HasSuffix(unit, "s"), strings.HasSuffix(unit, "x"), strings.HasSuffix(unit, "ch"), strings.HasSuffix(unit, "sh"):
		return unit + "es"
	}
	return unit + "s"
}

// FromUnit builds a Value from an amount and a unit as a hand-written fact
// states them (knowledge.Figure): a currency code ("USD", "CNY", "RMB") is
// Money; "%" or "percent" a Percent; "year" with an amount from 1900 to 2100
// a Year; "day(s)", "week(s)", "month(s)", "years" (and "year" with any other
// amount) a Duration; "" a Number; anything else a Count of that noun
// ("users" → "user").
func FromUnit(amount float64, unit string) Value {
	u := strings.TrimSpace(unit)
	v := Value{Amount: amount}
	low := strings.ToLower(u)
	info, known := lookupWord(low)
	switch {
	case u == "":
		v.Kind = Number
	case known && info.class&(classCode|classCurrency) != 0:
		v.Kind, v.Currency = Money, info.currency
	case u == "$":
		v.Kind, v.Currency = Money, "USD"
	case low == "%" || low == "percent" || low == "per cent" || low == "pct":
		v.Kind = Percent
	case low == "year" && amount == math.Trunc(amount) && amount >= 1900 && amount <= 2100:
		v.Kind = Year
	case known && info.class&classDuration != 0:
		v.Kind, v.Unit = Duration, info.unit
	default:
		v.Kind, v.Unit = Count, countUnit(u)
	}
	return v
}
