package index

import (
	"regexp"
	"slices"

	"github.com/bytewatch/bytewatch/knowledge/figure"
)

// amountQuestions are the questions that ask for an amount, and the kinds
// of figure that answer each.
var amountQuestions = []struct {
	re    *regexp.Regexp
	kinds []figure.Kind
}{
	{regexp.MustCompile(`(?i)\bhow\s+much\b|\bwhat\s+(amount|sum|budget)\b|\bhow\s+many\s+(bn|billions?|mn|millions?|dollars|bucks|usd|yuan|rmb)\b`), []figure.Kind{figure.Money, figure.Number, figure.Percent}},
	{regexp.MustCompile(`(?i)\bhow\s+(big|large)\b|\bsize\b`), []figure.Kind{figure.Money, figure.Count, figure.Number, figure.Percent}},
	{regexp.MustCompile(`(?i)\bhow\s+many\b`), []figure.Kind{figure.Count, figure.Number, figure.Duration}},
	{regexp.MustCompile(`(?i)\bhow\s+long\b`), []figure.Kind{figure.Duration}},
	{regexp.MustCompile(`(?i)\bwhat\s+(does|do|did|will|would)\b.{1,40}\b(cost|costs|pay|pays|charge|charges)\b`), []figure.Kind{figure.Money}},
	{regexp.MustCompile(`(?i)\b(what|which|exact)\s+(date|day)\b`), []figure.Kind{figure.Year}},
	// Chinese asks when with 几时 (Cantonese), 什么时候 and 何时.
	{regexp.MustCompile(`几时|幾時|什么时候|什麼時候|何时|何時`), []figure.Kind{figure.Year}},
	// Chinese asks "how much" and "how many" alike, 多少, 几 — a count when a
	// measure word follows: 几个 apps, 多少家 companies.
	{regexp.MustCompile(`(多少|几多|幾多|几|幾)[个個家款只隻]`), []figure.Kind{figure.Count, figure.Number}},
	{regexp.MustCompile(`(多少|几多|幾多|几|幾)([^个個家款只隻]|$)`), []figure.Kind{figure.Money, figure.Count, figure.Number, figure.Percent, figure.Duration}},
	{regexp.MustCompile(`(?i)\b(since|from|by|until|till)\s+when\b|\bwhen\s+(did|does|do|will|is|are|was|were)\b|\bwhat\s+year\b|\bwhich\s+year\b`), []figure.Kind{figure.Year}},
}

// amountKinds is the kinds of figure that answer a question asking for an
// amount ("how much", "how many", "how big", "how long", "since when"); nil
// when it asks for none.
func amountKinds(question string) []figure.Kind {
	var kinds []figure.Kind
	for _, q := range amountQuestions {
		if q.re.MatchString(question) {
			kinds = append(kinds, q.kinds...)
		}
	}
	if slices.Contains(kinds, figure.Money) && moneyAsked.MatchString(question) {
		// "How much did Sorabit pay for its stake?" asks for money, not
		// for the size of the stake.
		return []figure.Kind{figure.Money}
	}
	return kinds
}

// moneyAsked finds a question that asks how much was paid, spent or will
// cost: "what does an H20 cost", "how much are they spending" want money,
// not a percentage.
var moneyAsked = regexp.MustCompile(`(?i)\b(how\s+much|what\s+(does|do|did|will|would))\b.{0,60}\b(pay|paid|pays|paying|cost|costs|costing|charge|charged|price|priced|fee|fees|spend|spends|spending|spent|invest|invests|investing|invested)\b`)

// wantedBoost is how much more a fact stating a figure of the kind a
// question asks for ranks: "how many AI apps does ByteDance have" is
// answered by the fact with the count, before the one about its most
// popular app.
const wantedBoost = 1.5

// focusBoost is how much more a fact ranks when every entity it is about
// is one the question names; in proportion when only some are. Fitted on
// the training questions (0.5 and 1 ranked alike).
const focusBoost = 0.5

// asksOther finds a question asking something other than an
// amount or a description: why, who, where, when, which, how it compares.
// "bytedance ai capex" and "what's bytedance's ai spending" ask for the
// amount of what they name; "why is bytedance spending on ai" does not.
var asksOther = regexp.MustCompile(`(?i)\b(why|who|whom|whose|where|when|which|how|since|purpose|reason|goal|aim)\b|\bwhat\s+(does|do|did|kind|type|sort|for)\b|为什么|為什麼|谁|誰|哪|怎么|怎麼|何时|何時|几时|幾時|为咩|為咩|点解|點解|边个|邊個|边间|邊間|边度|邊度`)

// yesNoQuestion finds a question asking whether something is so: "is
// bytedance taking its apps global or nah". Asked for advice ("is
// bytedance a good investment with all this ai spending"), it is about the
// amounts all the same.
var yesNoQuestion = regexp.MustCompile(`(?i)^\s*(is|are|does|do|did|can|could|will|would|has|have|was|were)\b|\bor\s+(nah|not|no)\b|係唔係|系唔系|係咪|系咪|是不是|是否|有冇|有没有|有沒有|会唔会|會唔會|会不会|會不會`)

// measuresAsked reports whether a fact's figures measure something the
// question asks about besides the names it gives.
func measuresAsked(q Query, measured []bool) bool {
	for i, u := range q.Units {
		if measured[i] && !u.Name {
			return true
		}
	}
	return false
}
