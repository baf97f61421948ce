package figure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func num(text string, amount float64) Value { return Value{Text: text, Kind: Number, Amount: amount} }
func money(text string, amount float64, currency string) Value {
	return Value{Text: text, Kind: Money, Amount: amount, Currency: currency}
}
func pct(text string, amount float64) Value { return Value{Text: text, Kind: Percent, Amount: amount} }
func year(text string, y float64) Value {
	return Value{Text: text, Kind: Year, Amount: y, Month: monthNamed(text)}
}
func dur(text string, amount float64, unit string) Value {
	return Value{Text: text, Kind: Duration, Amount: amount, Unit: unit}
}
func count(text string, amount float64, unit string) Value {
	return Value{Text: text, Kind: Count, Amount: amount, Unit: unit}
}

// describe renders values without offsets, for comparing and for failure
// messages.
func describe(vals []Value) string {
	var b strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&b, "\n\t%s %q amount=%v currency=%q unit=%q", v.Kind, v.Text, v.Amount, v.Currency, v.Unit)
	}
	if b.Len() == 0 {
		return "\n\t(none)"
	}
	return b.String()
}

var parseCases = []struct {
	in   string
	want []Value
}{
	// The sentences the knowledge base and answers are made of.
	{"ByteDance plans to invest more than $10 billion in AI infrastructure", []Value{money("$10 billion", 10e9, "USD")}},
	{"the Financial Times reported $12 billion", []Value{money("$12 billion", 12e9, "USD")}},
	{"Nvidia chips worth up to $7 billion", []Value{money("$7 billion", 7e9, "USD")}},
	{"Doubao has 75 million monthly active users", []Value{count("75 million", 75e6, "user")}},
	{"more than 15 standalone AI applications", []Value{count("15", 15, "application")}},
	{"Microsoft's outlay reached $55.7 billion over its fiscal year to June 30, 2024",
		[]Value{money("$55.7 billion", 55.7e9, "USD"), year("June 30, 2024", 2024)}},
	{"a 75-day extension", []Value{dur("75-day", 75, "day")}},
	{"Nvidia's H20 chips", nil},
	{"since 2024", []Value{year("2024", 2024)}},

	// One amount, many spellings.
	{"$12 billion", []Value{money("$12 billion", 12e9, "USD")}},
	{"$12B", []Value{money("$12B", 12e9, "USD")}},
	{"12bn", []Value{num("12bn", 12e9)}},
	{"12 bn", []Value{num("12 bn", 12e9)}},
	{"US$12 billion", []Value{money("US$12 billion", 12e9, "USD")}},
	{"US $12 billion", []Value{money("US $12 billion", 12e9, "USD")}},
	{"12,000 million dollars", []Value{money("12,000 million dollars", 12e9, "USD")}},
	{"12 billion US dollars", []Value{money("12 billion US dollars", 12e9, "USD")}},
	{"12 billion U.S. dollars", []Value{money("12 billion U.S. dollars", 12e9, "USD")}},
	{"$12 billion USD", []Value{money("$12 billion USD", 12e9, "USD")}},
	{"USD 12bn", []Value{money("USD 12bn", 12e9, "USD")}},
	{"a 12-billion-dollar plan", []Value{money("12-billion-dollar", 12e9, "USD")}},
	{"$10B", []Value{money("$10B", 10e9, "USD")}},
	{"$1.5tn", []Value{money("$1.5tn", 1.5e12, "USD")}},
	{"$5MM", []Value{money("$5MM", 5e6, "USD")}},
	{"$4K", []Value{money("$4K", 4000, "USD")}},
	{"12mln and 3 mn", []Value{num("12mln", 12e6), num("3 mn", 3e6)}},
	{"3bln, 5 thousand and $1T", []Value{num("3bln", 3e9), num("5 thousand", 5000), money("$1T", 1e12, "USD")}},
	{"4K", []Value{num("4K", 4000)}}, // K is a scale; "4K video" is a known false reading
	{"55.7", []Value{num("55.7", 55.7)}},
	{"1,234,567.89", []Value{num("1,234,567.89", 1234567.89)}},
	{"5 hundred", []Value{num("5 hundred", 500)}},
	{"grew 10x", []Value{num("10x", 10)}},
	{"grew 3.5x year-over-year", []Value{num("3.5x", 3.5)}},
	{"15+ apps and 1bn+ users", []Value{count("15", 15, "app"), count("1bn", 1e9, "user")}},
	{"$12\u00a0billion", []Value{money("$12\u00a0billion", 12e9, "USD")}},

	// Currencies.
	{"RMB 5bn", []Value{money("RMB 5bn", 5e9, "CNY")}},
	{"RMB5bn", []Value{money("RMB5bn", 5e9, "CNY")}},
	{"5bn yuan", []Value{money("5bn yuan", 5e9, "CNY")}},
	{"CNY 5 billion", []Value{money("CNY 5 billion", 5e9, "CNY")}},
	{"¥5 billion", []Value{money("¥5 billion", 5e9, "CNY")}},
	{"5 billion renminbi", []Value{money("5 billion renminbi", 5e9, "CNY")}},
	{"€3bn", []Value{money("€3bn", 3e9, "EUR")}},
	{"EUR 3 billion", []Value{money("EUR 3 billion", 3e9, "EUR")}},
	{"3 billion euros", []Value{money("3 billion euros", 3e9, "EUR")}},
	{"£2bn", []Value{money("£2bn", 2e9, "GBP")}},
	{"GBP 2bn", []Value{money("GBP 2bn", 2e9, "GBP")}},
	{"2 billion pounds", []Value{money("2 billion pounds", 2e9, "GBP")}},
	{"HK$8 billion", []Value{money("HK$8 billion", 8e9, "HKD")}},
	{"100 billion yen", []Value{money("100 billion yen", 100e9, "JPY")}},

	// Ranges: the scale and currency apply to both ends.
	{"$10-12 billion", []Value{money("$10", 10e9, "USD"), money("12 billion", 12e9, "USD")}},
	{"$10 to $12 billion", []Value{money("$10", 10e9, "USD"), money("$12 billion", 12e9, "USD")}},
	{"10–12 billion", []Value{num("10", 10e9), num("12 billion", 12e9)}},
	{"between $10 and $12 billion", []Value{money("$10", 10e9, "USD"), money("$12 billion", 12e9, "USD")}},
	{"$10bn-$12bn", []Value{money("$10bn", 10e9, "USD"), money("$12bn", 12e9, "USD")}},
	{"10-15%", []Value{pct("10", 10), pct("15%", 15)}},
	{"from 10 to 15 percent", []Value{pct("10", 10), pct("15 percent", 15)}},
	{"10-15 apps", []Value{count("10", 10, "app"), count("15", 15, "app")}},
	{"five to ten billion yuan", []Value{money("five", 5e9, "CNY"), money("ten billion yuan", 10e9, "CNY")}},
	{"from 2023 to 2024", []Value{year("2023", 2023), year("2024", 2024)}},
	{"2023-2024", []Value{year("2023", 2023), year("2024", 2024)}},
	{"in 2023 to 15%", []Value{year("2023", 2023), pct("15%", 15)}},
	{"10 and 12 billion", []Value{num("10", 10), num("12 billion", 12e9)}},
	{"rose 25 per cent to US$ 43bn", []Value{pct("25 per cent", 25), money("US$ 43bn", 43e9, "USD")}},
	{"rose 25% to 43bn", []Value{pct("25%", 25), num("43bn", 43e9)}},
	{"from 12 days to 3 months", []Value{dur("12 days", 12, "day"), dur("3 months", 3, "month")}},

	// Percentages.
	{"15%", []Value{pct("15%", 15)}},
	{"15 percent", []Value{pct("15 percent", 15)}},
	{"15 per cent", []Value{pct("15 per cent", 15)}},
	{"a 15-percent stake", []Value{pct("15-percent", 15)}},
	{"up 2.5 percentage points", []Value{pct("2.5 percentage points", 2.5)}},

	// Years and dates: one Year, the day no figure.
	{"June 30, 2024", []Value{year("June 30, 2024", 2024)}},
	{"June 30 2024", []Value{year("June 30 2024", 2024)}},
	{"30 June 2024", []Value{year("30 June 2024", 2024)}},
	{"30th June, 2024", []Value{year("30th June, 2024", 2024)}},
	{"June 30th, 2024", []Value{year("June 30th, 2024", 2024)}},
	{"December 2024", []Value{year("December 2024", 2024)}},
	{"Dec. 2024", []Value{year("Dec. 2024", 2024)}},
	{"the year to march 2026", []Value{year("march 2026", 2026)}},
	{"dec 2024 numbers", []Value{year("dec 2024", 2024)}},
	{"we may see 2026", []Value{year("2026", 2026)}},
	{"2024-06-30", []Value{year("2024-06-30", 2024)}},
	{"2024/06/30", []Value{year("2024/06/30", 2024)}},
	{"2024-06", []Value{year("2024-06", 2024)}},
	{"06/30/2024", []Value{year("06/30/2024", 2024)}},
	{"fiscal 2024", []Value{year("fiscal 2024", 2024)}},
	{"fiscal year 2024", []Value{year("fiscal year 2024", 2024)}},
	{"FY2024", []Value{year("FY2024", 2024)}},
	{"FY24", []Value{year("FY24", 2024)}},
	{"FY 2024", []Value{year("FY 2024", 2024)}},
	{"FY'24", []Value{year("FY'24", 2024)}},
	{"Q3 2024", []Value{year("Q3 2024", 2024)}},
	{"H1 2025", []Value{year("H1 2025", 2025)}},
	{"Q3 FY24", []Value{year("Q3 FY24", 2024)}},
	{"Q1’25 and Q2'25", []Value{year("Q1’25", 2025), year("Q2'25", 2025)}},
	{"3Q24, 1H24 and 2H 2024", []Value{year("3Q24", 2024), year("1H24", 2024), year("2H 2024", 2024)}},
	{"3Q", nil},
	{"2025-04-05T00:00:00Z", []Value{year("2025-04-05", 2025)}},
	{"in '24", []Value{year("'24", 2024)}},
	{"mid-2024", []Value{year("2024", 2024)}},
	{"2024/25", []Value{year("2024", 2024), year("25", 2025)}},
	{"FY2024-25", []Value{year("FY2024", 2024), year("25", 2025)}},
	{"2024/2025", []Value{year("2024", 2024), year("2025", 2025)}},
	{"2023–24", []Value{year("2023", 2023), year("24", 2024)}},
	{"FY2024—25", []Value{year("FY2024", 2024), year("25", 2025)}},
	{"2011-12-01", []Value{year("2011-12-01", 2011)}},
	{"2024-30", []Value{year("2024", 2024), num("30", 30)}},
	{"on June 30 it said", nil},
	{"on 30 June it said", nil},
	{"the 2024 budget", []Value{year("2024", 2024)}},
	{"2024's results", []Value{year("2024", 2024)}},
	{"in 1899 and 2101", []Value{num("1899", 1899), num("2101", 2101)}},
	{"March 15 percent", []Value{pct("15 percent", 15)}},

	// Durations.
	{"75 days", []Value{dur("75 days", 75, "day")}},
	{"three months", []Value{dur("three months", 3, "month")}},
	{"a 2-year deal", []Value{dur("2-year", 2, "year")}},
	{"a two-year deal", []Value{dur("two-year", 2, "year")}},
	{"12-month", []Value{dur("12-month", 12, "month")}},
	{"6 weeks", []Value{dur("6 weeks", 6, "week")}},
	{"a 2-year-old firm", []Value{dur("2-year", 2, "year")}},
	{"by 2025 year-end", []Value{year("2025", 2025)}},
	{"up 15 year-over-year", []Value{num("15", 15)}},

	// Counts and bare numbers.
	{"100,000 GPUs", []Value{count("100,000", 100000, "gpu")}},
	{"3 data centers", []Value{count("3", 3, "center")}},
	{"50 companies", []Value{count("50", 50, "company")}},
	{"10,000 people", []Value{count("10,000", 10000, "person")}},
	{"a 10-person team", []Value{count("10", 10, "person")}},
	{"a 200B-parameter model", []Value{count("200B", 200e9, "parameter")}},
	{"Doubao's 75M users", []Value{count("75M", 75e6, "user")}},
	{"ranked 3 in China", []Value{num("3", 3)}},
	{"only 15.", []Value{num("15", 15)}},

	// Numbers in words only with a scale, currency or unit.
	{"seventy-five million", []Value{num("seventy-five million", 75e6)}},
	{"seventy five million users", []Value{count("seventy five million", 75e6, "user")}},
	{"twelve billion dollars", []Value{money("twelve billion dollars", 12e9, "USD")}},
	{"fifteen percent", []Value{pct("fifteen percent", 15)}},
	{"Twelve billion dollars went", []Value{money("Twelve billion dollars", 12e9, "USD")}},
	{"two hundred and fifty thousand dollars", []Value{money("two hundred and fifty thousand dollars", 250000, "USD")}},
	{"a million users", []Value{count("a million", 1e6, "user")}},
	{"half a billion dollars", []Value{money("half a billion dollars", 0.5e9, "USD")}},
	{"a half-billion dollars", []Value{money("a half-billion dollars", 0.5e9, "USD")}},
	{"a half billion dollars", []Value{money("a half billion dollars", 0.5e9, "USD")}},
	{"half-billion dollars", []Value{money("half-billion dollars", 0.5e9, "USD")}},
	{"two and a half billion dollars", []Value{money("two and a half billion dollars", 2.5e9, "USD")}},
	{"seventy-two and a half million users", []Value{count("seventy-two and a half million", 72.5e6, "user")}},
	{"two and a half days", nil},
	{"a half of it", nil},
	{"fifteen standalone apps", []Value{count("fifteen", 15, "app")}},
	{"one of the largest", nil},
	{"the two companies", nil},
	{"one or two", nil},
	{"a year ago", nil},

	// Not figures.
	{"1st 2nd 3rd 30th", nil},
	{"the 2nd-largest", nil},
	{"H20 GPT-4 GPT-4o Qwen2.5 Qwen2.5-Max B200 A100 Llama-3 Llama-3.1-405B COVID-19", nil},
	{"Doubao-1.5-pro-32k", nil},
	{"a 10-K filing and 3-D chips", nil},
	{"5G, 7nm, the 2020s", nil},
	{"ByteDance said [1]. Doubao leads [1][2]. Kimi too [1, 3] [2-4] [^5]", nil},
	{"1. First\n2. Second\n  3) Third", nil},
	{"at 10:30, open 24/7", nil},
	{"No. 1 and no.2 and #1 and (2)", nil},
	{"Doubao 1.5 Pro and Seedream 3.0", nil},
	{"the iPhone 15 and Windows 11", nil},
	{"the 15th Five-Year Plan", nil},
	{"Doubao 1.5 Pro is ByteDance's model", nil},
	{"version 1.2.3 and 10.0.0.1", nil},
	{"12345678901234567890123", nil},

	// Qualifiers and articles around an amount.
	{"a $7 billion deal", []Value{money("$7 billion", 7e9, "USD")}},
	{"up to $7 billion", []Value{money("$7 billion", 7e9, "USD")}},
	{"About 15 apps", []Value{count("15", 15, "app")}},
	{"Top 10 apps", []Value{count("10", 10, "app")}},
	{"ByteDance's 15 apps", []Value{count("15", 15, "app")}},

	// Text in other scripts does not glue to digits.
	{"投资120亿", []Value{num("120", 120)}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		got := Parse(tc.in)
		for _, v := range got {
			if v.Start < 0 || v.End > len(tc.in) || v.Start > v.End || tc.in[v.Start:v.End] != v.Text {
				t.Errorf("Parse(%q): %q at [%d,%d] is not the text there", tc.in, v.Text, v.Start, v.End)
			}
		}
		if describe(got) != describe(tc.want) {
			t.Errorf("Parse(%q):%s\nwant:%s", tc.in, describe(got), describe(tc.want))
		}
	}
}

func TestParseOffsets(t *testing.T) {
	in := "Revenue hit $12 billion in 2024, up 15%."
	got := Parse(in)
	want := []struct{ start, end int }{{12, 23}, {27, 31}, {36, 39}}
	if len(got) != len(want) {
		t.Fatalf("Parse(%q):%s", in, describe(got))
	}
	for i, w := range want {
		if got[i].Start != w.start || got[i].End != w.end {
			t.Errorf("value %d %q at [%d,%d], want [%d,%d]", i, got[i].Text, got[i].Start, got[i].End, w.start, w.end)
		}
	}
}

func TestSpellingsOfOneAmountMatch(t *testing.T) {
	spellings := []string{"$12 billion", "$12B", "12bn", "US$12 billion", "12,000 million dollars", "12 bn", "USD 12bn", "twelve billion dollars"}
	var vals []Value
	for _, s := range spellings {
		got := Parse(s)
		if len(got) != 1 {
			t.Fatalf("Parse(%q):%s\nwant one value", s, describe(got))
		}
		vals = append(vals, got[0])
	}
	for i, a := range vals {
		for j, b := range vals {
			if !a.Matches(b) {
				t.Errorf("%q does not match %q", spellings[i], spellings[j])
			}
			if !shareToken(a, b) {
				t.Errorf("%q and %q share no token: %v %v", spellings[i], spellings[j], a.Tokens(), b.Tokens())
			}
		}
	}
}

func TestMatches(t *testing.T) {
	cases := []struct {
		a, b Value
		want bool
	}{
		{money("", 55.7e9, "USD"), money("", 55.70e9, "USD"), true},
		{money("", 55.7e9, "USD"), money("", 55.75e9, "USD"), true},
		{money("", 56e9, "USD"), money("", 55.7e9, "USD"), false},
		{money("", 12e9, "USD"), money("", 12e9, "CNY"), false},
		{money("", 12e9, "USD"), money("", 12e9, ""), true},
		{num("", 12e9), money("", 12e9, "USD"), true},
		{num("", 75e6), count("", 75e6, "user"), true},
		{count("", 15, "app"), count("", 15, "application"), true},
		{count("", 15, "app"), money("", 15, "USD"), false},
		{num("", 15), num("", 15), true},
		{num("", 15), num("", 16), false},
		{num("", 0), num("", 0), true},
		{num("", 0), num("", 0.0001), false},
		{pct("", 15), pct("", 15), true},
		{pct("", 15), num("", 15), false},
		{pct("", 15), count("", 15, "app"), false},
		{year("", 2024), year("", 2024), true},
		{year("", 2024), year("", 2025), false}, // within 0.1%, yet another year
		{year("", 2024), num("", 2024), false},
		{year("", 2024), count("", 2024, "employee"), false},
		{year("", 2024), money("", 2024, "USD"), false},
		{dur("", 75, "day"), dur("", 75, "day"), true},
		{dur("", 75, "day"), dur("", 75, "week"), false},
		{dur("", 75, "day"), num("", 75), false},
		{dur("", 12, "month"), dur("", 1, "year"), false},
	}
	for _, tc := range cases {
		if got := tc.a.Matches(tc.b); got != tc.want {
			t.Errorf("%v (%s) Matches %v (%s) = %v, want %v", tc.a.Amount, tc.a.Kind, tc.b.Amount, tc.b.Kind, got, tc.want)
		}
		if got := tc.b.Matches(tc.a); got != tc.want {
			t.Errorf("Matches is not symmetric for %v (%s) and %v (%s)", tc.a.Amount, tc.a.Kind, tc.b.Amount, tc.b.Kind)
		}
		if tc.want && !shareToken(tc.a, tc.b) {
			t.Errorf("%v (%s) and %v (%s) match but share no token: %v %v", tc.a.Amount, tc.a.Kind, tc.b.Amount, tc.b.Kind, tc.a.Tokens(), tc.b.Tokens())
		}
	}
}

func shareToken(a, b Value) bool {
	bt := b.Tokens()
	for _, t := range a.Tokens() {
		if slices.Contains(bt, t) {
			return true
		}
	}
	return false
}

func TestTokens(t *testing.T) {
	cases := []struct {
		v    Value
		want []string
	}{
		{money("", 12e9, "USD"), []string{"n12000000000", "usd12000000000"}},
		{money("", 12e9, ""), []string{"n12000000000"}},
		{num("", 12e9), []string{"n12000000000"}},
		{count("", 15, "app"), []string{"n15", "c15"}},
		{year("", 2024), []string{"y2024"}},
		{pct("", 15), []string{"p15"}},
		{pct("", 0.25), []string{"p0.25"}},
		{dur("", 75, "day"), []string{"d75day"}},
		{money("", 55.73e9, "USD"), []string{"n55700000000", "n55800000000", "usd55700000000", "usd55800000000"}},
		{money("", 7e9, "USD"), []string{"n7000000000", "usd7000000000"}},
		{num("", 2024), []string{"n2020", "n2030"}},
		{num("", 0), []string{"n0"}},
		{num("", math.NaN()), nil},
	}
	for _, tc := range cases {
		if got := tc.v.Tokens(); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens of %v (%s) = %q, want %q", tc.v.Amount, tc.v.Kind, got, tc.want)
		}
	}
}

// TestTokensAreCanonical: one amount has one spelling whatever the input.
func TestTokensAreCanonical(t *testing.T) {
	for _, in := range []string{"$55.7 billion", "$55.70bn", "US$55,700 million", "$55.7B"} {
		got := Parse(in)
		if len(got) != 1 {
			t.Fatalf("Parse(%q):%s", in, describe(got))
		}
		if toks := got[0].Tokens(); !slices.Contains(toks, "usd55700000000") {
			t.Errorf("Tokens of %q = %q, want usd55700000000 among them", in, toks)
		}
	}
}

// TestMatchingValuesShareATokenProperty checks, over many random pairs of
// amounts near each other and across powers of ten, that values that Match
// share a token.
func TestMatchingValuesShareATokenProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []Value{num("", 0), money("", 0, "USD"), count("", 0, "app"), pct("", 0), dur("", 0, "day")}
	matched := 0
	for range 200000 {
		exp := rng.IntN(16) - 3
		x := (1 + 9*rng.Float64()) * math.Pow10(exp)
		switch rng.IntN(4) {
		case 0: // straddle a power of ten
			x = math.Pow10(exp) * (1 + (rng.Float64()-0.5)*0.004)
		case 1: // a round amount, as figures usually are: 7, 55.7, 123
			x = float64(100+rng.IntN(900)) * math.Pow10(exp-2)
		}
		y := x * (1 + (rng.Float64()*2-1)*1.2*Tolerance)
		a, b := kinds[rng.IntN(len(kinds))], kinds[rng.IntN(len(kinds))]
		a.Amount, b.Amount = x, y
		if !a.Matches(b) {
			continue
		}
		matched++
		if !shareToken(a, b) {
			t.Fatalf("%v (%s) and %v (%s) match but share no token: %q %q", x, a.Kind, y, b.Kind, a.Tokens(), b.Tokens())
		}
	}
	if matched < 10000 {
		t.Fatalf("only %d matching pairs tried", matched)
	}
}

// TestNonMatchingKindsShareNoToken: a year must not be found by a count of
// the same amount, nor a percentage by a number.
func TestNonMatchingKindsShareNoToken(t *testing.T) {
	pairs := [][2]Value{
		{year("", 2024), count("", 2024, "employee")},
		{year("", 2024), num("", 2024)},
		{year("", 2024), money("", 2024, "USD")},
		{pct("", 15), num("", 15)},
		{pct("", 15), count("", 15, "app")},
		{dur("", 75, "day"), num("", 75)},
		{dur("", 75, "day"), dur("", 75, "week")},
		{year("", 2024), year("", 2025)},
		{num("", 12e9), num("", 15e9)},
	}
	for _, p := range pairs {
		if p[0].Matches(p[1]) {
			t.Errorf("%v (%s) matches %v (%s)", p[0].Amount, p[0].Kind, p[1].Amount, p[1].Kind)
		}
		if shareToken(p[0], p[1]) {
			t.Errorf("%v (%s) and %v (%s) share a token: %q %q", p[0].Amount, p[0].Kind, p[1].Amount, p[1].Kind, p[0].Tokens(), p[1].Tokens())
		}
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		v    Value
		want string
	}{
		{money("", 12e9, "USD"), "$12 billion"},
		{money("", 55.7e9, "USD"), "$55.7 billion"},
		{money("", 5e9, "CNY"), "RMB 5 billion"},
		{money("", 1.5e12, "EUR"), "€1.5 trillion"},
		{money("", 12000, "GBP"), "£12,000"},
		{money("", 2500, ""), "2500"},
		{num("", 75e6), "75 million"},
		{pct("", 15), "15%"},
		{year("", 2024), "2024"},
		{dur("", 75, "day"), "75 days"},
		{dur("", 1, "year"), "1 year"},
		{count("", 15, "app"), "15 apps"},
		{count("", 3, "company"), "3 companies"},
		{count("", 10000, "person"), "10,000 people"},
		{count("", 7, ""), "7"},
	}
	for _, tc := range cases {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("String of %v (%s) = %q, want %q", tc.v.Amount, tc.v.Kind, got, tc.want)
		}
	}
}

// TestStringParsesBack: what String writes, Parse reads as a matching value.
func TestStringParsesBack(t *testing.T) {
	for _, tc := range parseCases {
		for _, v := range Parse(tc.in) {
			s := v.String()
			back := Parse(s)
			if len(back) != 1 || !back[0].Matches(v) {
				t.Errorf("%q from %q parses back as:%s", s, tc.in, describe(back))
			}
		}
	}
}

func TestFromUnit(t *testing.T) {
	cases := []struct {
		amount float64
		unit   string
		want   Value
	}{
		{12e9, "USD", money("", 12e9, "USD")},
		{5e9, "RMB", money("", 5e9, "CNY")},
		{5e9, "cny", money("", 5e9, "CNY")},
		{15, "%", pct("", 15)},
		{15, "percent", pct("", 15)},
		{2024, "year", year("", 2024)},
		{2, "years", dur("", 2, "year")},
		{2, "year", dur("", 2, "year")},
		{75, "days", dur("", 75, "day")},
		{75e6, "users", count("", 75e6, "user")},
		{15, "companies", count("", 15, "company")},
		{75e6, "DAU", count("", 75e6, "dau")},
		{7, "", num("", 7)},
	}
	for _, tc := range cases {
		if got := FromUnit(tc.amount, tc.unit); got != tc.want {
			t.Errorf("FromUnit(%v, %q) = %+v, want %+v", tc.amount, tc.unit, got, tc.want)
		}
	}
}

// TestStructuredFigureAppearsInStatement is how the knowledge loader uses
// the package.
func TestStructuredFigureAppearsInStatement(t *testing.T) {
	statement := "Doubao had 75 million monthly active users by December 2024, after a 75-day push costing RMB 5bn."
	vals := Parse(statement)
	for _, f := range []struct {
		amount float64
		unit   string
	}{{75e6, "users"}, {2024, "year"}, {75, "days"}, {5e9, "CNY"}} {
		if !Contains(vals, FromUnit(f.amount, f.unit)) {
			t.Errorf("%v %s not found in%s", f.amount, f.unit, describe(vals))
		}
	}
	for _, f := range []Value{FromUnit(76e6, "users"), FromUnit(2025, "year"), FromUnit(75, "weeks"), FromUnit(5e9, "USD")} {
		if Contains(vals, f) {
			t.Errorf("%v (%s %s) found in%s", f.Amount, f.Kind, f.Currency+f.Unit, describe(vals))
		}
	}
}

func TestParseDeterministic(t *testing.T) {
	in := benchParagraph
	first := Parse(in)
	for range 3 {
		if again := Parse(in); !slices.Equal(first, again) {
			t.Fatalf("Parse differs between calls:%s\nthen:%s", describe(first), describe(again))
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Add(benchParagraph)
	f.Add("$")
	f.Add("FY")
	f.Add("Q3")
	f.Add("June 31")
	f.Add("[1")
	f.Add("99999999999999999999.9999999999999999999999 billion billion")
	f.Fuzz(func(t *testing.T, text string) {
		vals := Parse(text)
		end := 0
		for _, v := range vals {
			if v.Start < end || v.End < v.Start || v.End > len(text) {
				t.Fatalf("bad offsets [%d,%d] after %d in %q", v.Start, v.End, end, text)
			}
			if text[v.Start:v.End] != v.Text {
				t.Fatalf("Text %q is not text[%d:%d] = %q", v.Text, v.Start, v.End, text[v.Start:v.End])
			}
			if math.IsNaN(v.Amount) || math.IsInf(v.Amount, 0) || v.Amount < 0 {
				t.Fatalf("amount %v from %q", v.Amount, v.Text)
			}
			if v.Kind < Number || v.Kind > Count {
				t.Fatalf("kind %d from %q", v.Kind, v.Text)
			}
			if !v.Matches(v) || len(v.Tokens()) == 0 {
				t.Fatalf("%q does not match itself or has no tokens", v.Text)
			}
			_ = v.String()
			end = v.End
		}
		if again := Parse(text); !slices.Equal(vals, again) {
			t.Fatalf("Parse(%q) not deterministic", text)
		}
	})
}

// benchParagraph is a typical LLM answer paragraph (about 300 bytes).
const benchParagraph = "ByteDance plans to invest more than $10 billion in AI infrastructure in 2025 [1], " +
	"while the Financial Times reported $12 billion [2]. Doubao has 75 million monthly active users, " +
	"and the company runs more than 15 standalone AI applications [3]. Nvidia's H20 chips worth up to " +
	"$7 billion were ordered after a 75-day extension, about 15% more than in FY2024 [1][2]."

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(benchParagraph)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(benchParagraph)
	}
}

// TestDateMonths: a date that names its month keeps it, and two dates of
// the same year match unless both name different months.
func TestDateMonths(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]int{"February 2025": 2, "the year to march 2026": 3, "Sept. 2024": 9, "30 June 2024": 6, "2024": 0, "fiscal 2024": 0} {
		vs := Parse(text)
		if len(vs) != 1 || vs[0].Kind != Year || vs[0].Month != want {
			t.Errorf("Parse(%q) = %+v, want one year with month %d", text, vs, want)
		}
	}
	tests := []struct {
		a, b  string
		match bool
	}{
		{"January 2025", "February 2025", false},
		{"January 2025", "2025", true},
		{"Feb 2025", "February 2025", true},
		{"January 2025", "January 2024", false},
	}
	for _, tt := range tests {
		a, b := Parse(tt.a), Parse(tt.b)
		if len(a) != 1 || len(b) != 1 {
			t.Fatalf("%q, %q: want one figure each, got %v %v", tt.a, tt.b, a, b)
		}
		if got := a[0].Matches(b[0]); got != tt.match {
			t.Errorf("%q matches %q = %v, want %v", tt.a, tt.b, got, tt.match)
		}
	}
}
