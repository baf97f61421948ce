package bot_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// lossyCallback loses the first interaction callback: its response (the
// emulator took the callback), or the request itself (it never arrived).
type lossyCallback struct {
	next         http.RoundTripper
	loseResponse bool
	lost         atomic.Bool
}

var errLost = errors.New("net/http: timeout awaiting response headers")

func (l *lossyCallback) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/callback") || !l.lost.CompareAndSwap(false, true) {
		return l.next.RoundTrip(r)
	}
	if !l.loseResponse {
		return nil, errLost
	}
	resp, err := l.next.RoundTrip(r)
	if err == nil {
		resp.Body.Close()
	}
	return nil, errLost
}

// TestLostAcknowledgement: when the deferred acknowledgement gets no answer,
// the answer is still delivered — as the callback if Discord never saw the
// acknowledgement, and as the edit of "thinking…" if it did (the callback
// then meets 40060 "already acknowledged"). Nobody is left looking at
// "thinking…".
func TestLostAcknowledgement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		loseResponse bool
		wantCodes    []int // the callbacks' Discord error codes, in order (0: accepted)
	}{
		{"the response is lost (Discord took it)", true, []int{0, discordtest.CodeAlreadyAcknowledged}},
		{"the request is lost", false, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startBot(t, setup{options: func(o *bot.Options) {
				o.Transport = &lossyCallback{next: o.Transport, loseResponse: tc.loseResponse}
			}})
			in := f.ask(userID(301), coveredQuestion, false)
			var got discordtest.Message
			if tc.loseResponse {
				got = finalEdit(t, in)
			} else {
				cb := callback(t, in)
				if cb.Type != discordgo.InteractionResponseChannelMessageWithSource {
					t.Fatalf("callback type %d; want the answer itself", cb.Type)
				}
				got = cb.Data
			}
			if len(got.Embeds) == 0 {
				t.Fatalf("no answer embed: %+v", got)
			}
			checkAnswerEmbed(t, got.Embeds[0], f.ix)
			f.logs.Wait(t, map[string]string{"msg": "command", "interaction_id": in.ID, "outcome": "answered"})
			var codes []int
			for _, r := range in.Requests() {
				if strings.HasSuffix(r.Route, "/callback") {
					codes = append(codes, r.Code)
				}
			}
			if len(codes) != len(tc.wantCodes) || codes[len(codes)-1] != tc.wantCodes[len(tc.wantCodes)-1] {
				t.Errorf("callback error codes %v; want %v", codes, tc.wantCodes)
			}
		})
	}
}
