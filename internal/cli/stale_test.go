package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAskSaysHowOldItsSourcesAre: with the default STALE_AFTER (180 days)
// an answer from the built-in base, as of January 2025, says how old its
// newest source is; STALE_AFTER=0 turns that off.
func TestAskSaysHowOldItsSourcesAre(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env   map[string]string
		stale bool
	}{
		{nil, true},
		{map[string]string{"STALE_AFTER": "0"}, false},
	} {
		code, stdout, stderr := run(t, tt.env, "ask", "--json", "Who owns TikTok?")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var got struct {
			Stale string `json:"stale"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		if tt.stale != strings.Contains(got.Stale, "The newest source of this answer is from January 2025") {
			t.Errorf("env %v: stale %q", tt.env, got.Stale)
		}
	}
}
