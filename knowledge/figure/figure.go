// Package figure finds the numbers in a piece of text — money, counts,
// percentages, years and durations — and normalises them, so that "$12
// billion", "$12B", "US$12bn" and "12,000 million dollars" compare equal.
// The index uses it to make figures searchable, the knowledge loader to check
// that a structured figure appears in its statement, and the answer verifier
// to check that every figure an answer shows is one its cited facts contain.
package figure

// Kind is what sort of quantity a figure is.
type Kind int

const (
	// Number is a bare amount with no unit: "12bn", "75 million".
	Number Kind = iota
	// Money carries a currency: "$12 billion", "RMB 5bn".
	Money
	// Percent: "15%", "15 percent".
	Percent
	// Year: "2024", "December 2024", "fiscal 2024", "June 30, 2024".
	Year
	// Duration: "75-day", "three months". Amount is in Unit (days, weeks, months, years).
	Duration
	// Count: an amount of things named right after it: "15 apps", "75 million monthly active users".
	Count
)

// Value is one figure found in text, normalised.
type Value struct {
	Text       string  // the text it was read from, e.g. "$12 billion"
	Start, End int     // byte offsets of Text in the input
	Kind       Kind    //
	Amount     float64 // in plain units: 12e9 for "$12 billion", 2024 for a year, 75 for "75-day"
	Currency   string  // ISO code for Money: "USD", "CNY", "EUR", "GBP", "JPY"
	Unit       string  // Duration: "day", "week", "month", "year"; Count: the noun after it, lower-case and singular ("app", "user"), may be ""
	Month      int     // Year: 1–12 when the date names its month ("February 2025"), else 0
}
