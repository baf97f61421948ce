package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Bounds on REST calls. discordgo retries a 429 for ever, sleeping whatever
// Discord asks; REST turns that off per call and waits itself, within the
// call's deadline.
const (
	// DefaultCallTimeout bounds one REST call, rate-limit waits and
	// discordgo's own bucket sleeps included.
	DefaultCallTimeout = 10 * time.Second
	// maxRateLimitWait is the longest single 429 wait REST accepts; a
	// longer one fails the call at once rather than holding a question.
	maxRateLimitWait = 5 * time.Second
	// maxRateLimitRetries bounds how many 429s one call waits out.
	maxRateLimitRetries = 3
)

// ErrRateLimited is returned (wrapped) when Discord rate-limits a call for
// longer than REST is willing to wait.
var ErrRateLimited = errors.New("discord rate limit")

// NoMentions is the allowed_mentions of every message bytewatch sends: parse
// nothing, ping nobody — not @everyone, @here, roles, users, nor the author
// of the message replied to. Answers quote questions and sources, and none
// of that may ever notify anyone.
func NoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, RepliedUser: false}
}

// REST is the part of Discord's REST API bytewatch uses, made safe: each
// call has a deadline, rate limits are waited out within it, every message
// carries NoMentions, and interaction tokens are kept out of errors (they
// are credentials for 15 minutes and would otherwise reach the logs inside
// URLs). It is safe for concurrent use.
type REST struct {
	s       *discordgo.Session
	ix      *interactionClient // callbacks, edits and follow-ups of interactions
	timeout time.Duration
}

// NewREST returns a REST using s, with DefaultCallTimeout per call.
// Interaction callbacks, edits and follow-ups go over s.Client but not
// through discordgo's rate limiter (see interactionClient); the rest does.
func NewREST(s *discordgo.Session) *REST {
	return &REST{s: s, ix: newInteractionClient(s, DefaultMaxOpenInteractions), timeout: DefaultCallTimeout}
}

// call runs fn, passing it the request options every call gets, and waits
// out rate limits; secret, when not empty, is scrubbed from the error.
func (c *REST) call(ctx context.Context, what, secret string, fn func(opts ...discordgo.RequestOption) error) error {
	_, err := callValue(c, ctx, what, secret, func(_ context.Context, opts ...discordgo.RequestOption) (struct{}, error) {
		return struct{}{}, fn(opts...)
	})
	return err
}

// callOwn is call for requests the interaction client sends: fn gets the
// call's context (deadline included) instead of discordgo's options.
func (c *REST) callOwn(ctx context.Context, what, secret string, fn func(ctx context.Context) error) error {
	_, err := callValue(c, ctx, what, secret, func(ctx context.Context, _ ...discordgo.RequestOption) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// callValue is call for requests that return something. One deadline
// bounds the whole call, rate-limit waits included. discordgo may sleep on
// a rate-limit bucket, or queue behind another request on it, without
// looking at any context; so each attempt runs on its own goroutine, and
// the call gives up at the deadline while that goroutine finishes by
// itself.
func callValue[T any](c *REST, ctx context.Context, what, secret string, fn func(ctx context.Context, opts ...discordgo.RequestOption) (T, error)) (T, error) {
	var zero T
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	for attempt := 0; ; attempt++ {
		done := make(chan result, 1)
		go func() {
			v, err := fn(ctx, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
			done <- result{v, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-ctx.Done():
			return zero, fmt.Errorf("discord: %s: %w", what, ctx.Err())
		}
		var rl *discordgo.RateLimitError
		if !errors.As(r.err, &rl) {
			if r.err != nil {
				return zero, scrub(fmt.Errorf("discord: %s: %w", what, r.err), secret)
			}
			return r.v, nil
		}
		wait := rl.RetryAfter
		if attempt >= maxRateLimitRetries || wait > maxRateLimitWait {
			return zero, fmt.Errorf("discord: %s: %w: retry after %v", what, ErrRateLimited, wait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return zero, fmt.Errorf("discord: %s: %w: retry after %v is past the deadline", what, ErrRateLimited, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, fmt.Errorf("discord: %s: waiting out a rate limit: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

// Respond answers an interaction (the callback). Message data gets
// NoMentions; a modal (a form) has no mentions to allow.
func (c *REST) Respond(ctx context.Context, in *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	var files []*discordgo.File
	if resp.Data != nil && resp.Type != discordgo.InteractionResponseModal { // a form is no message
		resp.Data.AllowedMentions = NoMentions()
		files = resp.Data.Files
	}
	uri := discordgo.EndpointInteractionResponse(in.ID, in.Token)
	return c.callOwn(ctx, "interaction callback", in.Token, func(ctx context.Context) error {
		_, err := c.ix.do(ctx, http.MethodPost, uri, in.Token, resp, files)
		return err
	})
}

// EditOriginal edits the interaction's first response. Discord limits
// these per interaction token, and so does the interaction client: one
// interaction's 429 holds up no other answer.
func (c *REST) EditOriginal(ctx context.Context, in *discordgo.Interaction, edit *discordgo.WebhookEdit) error {
	edit.AllowedMentions = NoMentions()
	uri := discordgo.EndpointWebhookMessage(in.AppID, in.Token, "@original")
	return c.callOwn(ctx, "edit of the interaction response", in.Token, func(ctx context.Context) error {
		_, err := c.ix.do(ctx, http.MethodPatch, uri, in.Token, edit, edit.Files)
		return err
	})
}

// Followup sends a follow-up message to an interaction.
func (c *REST) Followup(ctx context.Context, in *discordgo.Interaction, params *discordgo.WebhookParams) error {
	params.AllowedMentions = NoMentions()
	uri := discordgo.EndpointWebhookToken(in.AppID, in.Token) + "?wait=true"
	return c.callOwn(ctx, "interaction follow-up", in.Token, func(ctx context.Context) error {
		_, err := c.ix.do(ctx, http.MethodPost, uri, in.Token, params, params.Files)
		return err
	})
}

// Done frees what REST keeps for the interaction (its rate-limit state):
// its answer has been delivered. A later call about it still works, with
// no state kept.
func (c *REST) Done(in *discordgo.Interaction) { c.ix.forget(in.Token) }

// OpenInteractions is how many interactions REST keeps state for now.
func (c *REST) OpenInteractions() int { return c.ix.openCount() }

// Send posts a message in a channel.
func (c *REST) Send(ctx context.Context, channelID string, msg *discordgo.MessageSend) (*discordgo.Message, error) {
	msg.AllowedMentions = NoMentions()
	return callValue(c, ctx, "send message", "", func(_ context.Context, opts ...discordgo.RequestOption) (*discordgo.Message, error) {
		rewind(msg.Files)
		return c.s.ChannelMessageSendComplex(channelID, msg, opts...)
	})
}

// Typing shows the typing indicator in a channel for about ten seconds.
func (c *REST) Typing(ctx context.Context, channelID string) error {
	return c.call(ctx, "typing", "", func(opts ...discordgo.RequestOption) error {
		return c.s.ChannelTyping(channelID, opts...)
	})
}

// React adds the bot's reaction to a message.
func (c *REST) React(ctx context.Context, channelID, messageID, emoji string) error {
	return c.call(ctx, "reaction", "", func(opts ...discordgo.RequestOption) error {
		return c.s.MessageReactionAdd(channelID, messageID, emoji, opts...)
	})
}

// RegisterCommands replaces the application's commands in guildID, or the
// global ones when guildID is empty, with cmds (a bulk overwrite).
func (c *REST) RegisterCommands(ctx context.Context, appID, guildID string, cmds []*discordgo.ApplicationCommand) ([]*discordgo.ApplicationCommand, error) {
	return callValue(c, ctx, "register commands", "", func(_ context.Context, opts ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
		return c.s.ApplicationCommandBulkOverwrite(appID, guildID, cmds, opts...)
	})
}

// rewind sets files that can seek back to their start, so that a call
// retried after a rate limit uploads them whole again.
func rewind(files []*discordgo.File) {
	for _, f := range files {
		if s, ok := f.Reader.(io.Seeker); ok {
			s.Seek(0, io.SeekStart)
		}
	}
}

// scrub hides secret in err's message while keeping err for errors.Is/As.
func scrub(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &scrubbedError{err: err, secret: secret}
}

type scrubbedError struct {
	err    error
	secret string
}

func (e *scrubbedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, "[interaction-token]")
}

func (e *scrubbedError) Unwrap() error { return e.err }
