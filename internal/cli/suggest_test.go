package cli_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// TestRunSuggestsAnsweredQuestions: `bytewatch run` with its records
// suggests, as another person types in /ask, a question someone in the
// server asked and got answered — never one that was not answered, and
// none at all with STORE_QUESTIONS=false.
func TestRunSuggestsAnsweredQuestions(t *testing.T) {
	t.Parallel()
	const (
		answered  = "Tell me about ByteDance's AI infrastructure spending plans"
		uncovered = "Tell me about ByteDance's plans for a Mars colony"
	)
	for _, tt := range []struct {
		name, storeQuestions string
		want                 bool // the answered question is suggested
	}{
		{"questions kept", "true", true},
		{"STORE_QUESTIONS=false", "false", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			r := launch(t, map[string]string{
				"DISCORD_TOKEN":        srv.Token(),
				"DISCORD_API_BASE_URL": srv.URL,
				"DISCORD_GUILD_ID":     srv.GuildID(),
				"LOG_FORMAT":           "json",
				"STORE_QUESTIONS":      tt.storeQuestions,
			})
			r.waitOnline(t, srv)
			// Alice asks both; the log line of each comes after its record.
			for q, outcome := range map[string]string{answered: "answered", uncovered: "not_covered"} {
				in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", UserID: "300000000000000001",
					Options: []discordtest.CommandOption{{Name: "question", Value: q}}})
				r.stderr.Wait(t, map[string]string{"msg": "command", "interaction_id": in.ID, "outcome": outcome})
			}
			// Bob types.
			for _, typed := range []string{"tell me about", "bytedance infrastr", "spending AI", "mars colony"} {
				in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask", Autocomplete: true, UserID: "300000000000000002",
					Options: []discordtest.CommandOption{{Name: "question", Value: typed, Focused: true}}})
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				cb, err := in.WaitCallback(ctx)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if cb.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
					t.Fatalf("%q: callback type %d, want an autocomplete result", typed, cb.Type)
				}
				var names []string
				for _, c := range cb.Choices {
					names = append(names, c.Name)
				}
				if slices.Contains(names, uncovered) {
					t.Errorf("%q: suggestions %q include the question that was not answered", typed, names)
				}
				if want := tt.want && typed != "mars colony"; slices.Contains(names, answered) != want {
					t.Errorf("%q: suggestions %q; want %q among them: %v", typed, names, answered, want)
				}
			}
		})
	}
}
