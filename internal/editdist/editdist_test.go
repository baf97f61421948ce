package editdist

import "testing"

func TestOSA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b        string
		bound, want int
	}{
		{"mcuh", "much", -1, 1}, // a swap
		{"bytdance", "bytedance", -1, 1},
		{"kitten", "sitting", -1, 3},
		{"", "abc", -1, 3},
		{"same", "same", -1, 0},
		{"豆包", "豆苞", -1, 1},
		{"kitten", "sitting", 1, 2}, // more than the bound: bound+1
		{"a", "abcdef", 2, 3},
		{"abcdef", "abcdfe", 1, 1},
	}
	for _, tt := range tests {
		if got := OSA([]rune(tt.a), []rune(tt.b), tt.bound); got != tt.want {
			t.Errorf("OSA(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.bound, got, tt.want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{{"kitten", "sitting", 3}, {"mcuh", "much", 2}, {"", "ab", 2}, {"dollars", "dollars", 0}, {"年度", "年", 1}} {
		if got := Levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
