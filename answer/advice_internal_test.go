package answer

import "testing"

// TestIsAdviceRequest: the ways people ask what to do with their money are
// recognised, and questions about what the sources say are not.
func TestIsAdviceRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q      string
		advice bool
	}{
		{"should i buy nvda", true},
		{"is msft a buy if bytedance is their top cloud customer", true},
		{"long msft bc bytedance is their biggest asia client? thoughts", true},
		{"should i dump anything tied to tiktok before the deadline", true},
		{"is their ai spending worth betting on", true},
		{"worth getting exposure to bytedance somehow?", true},
		{"is that a reason to stay away", true},
		{"which one would you put money in", true},
		{"thinking about getting bytedance pre-ipo shares", true},
		{"should I overweight msft given bd is its biggest asia customer", true},
		{"bd vs goog/msft on ai capex — which is the better bet?", true},
		{"good time to add to my bd position", true},
		{"would you buy into bytedance on the ai spend alone?", true},
		{"loading up tencent calls before earnings lol", true},
		{"baba a buy here or nah", true},
		{"risky hold imo, thoughts", true},
		{"worth aping into china tech on this", true},
		{"should we be worried about the export rules", true},
		{"which one should i hold long term", true},
		{"how much is bytedance investing in ai", false},
		{"bytedance is a buyer of h20 chips right", false},
		{"is bytedance still buying nvidia chips", false},
		{"腾讯值唔值得加仓", true},
		{"字节跳动有多少个ai应用", false},
		{"how do i buy shares of a private company", false},
		{"can u even buy tencent stock from the us", false},
		{"who is the biggest buyer of h20 chips", false},
		{"is doubao a chatbot", false},
		{"how long was the tiktok ban extension", false},
		{"what is bytedance worth", false},
	}
	for _, tt := range tests {
		if got := isAdviceRequest(tt.q); got != tt.advice {
			t.Errorf("isAdviceRequest(%q) = %v, want %v", tt.q, got, tt.advice)
		}
	}
}
