package advice

import "testing"

// TestMayRecommendNeverHidesAMatch: the cheap test in front of the pattern
// lets through every text the pattern matches.
func TestMayRecommendNeverHidesAMatch(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"You should buy ByteDance shares now.", "Investors must sell before the IPO.", "People should invest now.",
		"You had better pile in.", "Readers need to get out.", "You should consider shorting it.", "Bet now: one should bet.",
		"Buy today!", "sell the dip", "a strong buy rating", "the price target is high", "it looks undervalued",
		"we strongly suggest", "recommended holding", "don't miss out", "guaranteed returns", "is a compelling opportunity",
		"is an excellent investment", "TikTok stock is overvalued", "Dump your TikTok shares",
	} {
		if recommendation.MatchString(s) && !mayRecommend(s) {
			t.Errorf("mayRecommend(%q) = false, but the pattern matches it", s)
		}
		if !recommendation.MatchString(s) {
			t.Errorf("the pattern does not match %q; the list is meant to exercise it", s)
		}
	}
}
