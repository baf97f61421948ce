package commands_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// limiterBuckets counts the buckets discordgo's rate limiter keeps (its map
// is unexported; reflection reads its length only).
func limiterBuckets(s *discordgo.Session) int {
	return reflect.ValueOf(s.Ratelimiter).Elem().FieldByName("buckets").Len()
}

// TestInteractionsLeaveNoState: answering interactions — deferred, edited,
// followed up — leaves nothing behind per interaction: no bucket in
// discordgo's rate limiter (which would keep one per token for ever) and no
// state in REST's own interaction client once each is answered.
func TestInteractionsLeaveNoState(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	rest := restOnly(t, srv)
	s := commands.SessionOf(rest)
	rt := commands.NewRouter(rest, nil)
	rt.Add(&discordgo.ApplicationCommand{Name: "long", Description: "two messages"}, commands.HandlerFunc(
		func(ctx context.Context, r *commands.Request) error {
			if err := r.Respond.Progress(ctx, "working…"); err != nil {
				return err
			}
			return r.Respond.Send(ctx, commands.Message{Content: "one"}, commands.Message{Content: "two"}) // an edit and a follow-up
		}), commands.Defer())
	before := limiterBuckets(s)
	const n = 50
	for range n {
		in, dg := interaction(t, srv, discordtest.InteractionSpec{Command: "long"}, nil)
		rt.HandleInteraction(testContext(t), dg)
		if len(in.Followups()) != 1 || len(in.OriginalEdits()) != 2 {
			t.Fatalf("interaction %s: %d edits, %d follow-ups; want 2 and 1", in.ID, len(in.OriginalEdits()), len(in.Followups()))
		}
	}
	if grew := limiterBuckets(s) - before; grew > 0 {
		t.Errorf("discordgo's rate limiter gained %d buckets over %d interactions; want none", grew, n)
	}
	if open := rest.OpenInteractions(); open != 0 {
		t.Errorf("REST keeps state for %d interactions after answering them all", open)
	}
}
