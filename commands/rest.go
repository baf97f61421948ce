package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	timeout time.Duration
}

// NewREST returns a REST using s, with DefaultCallTimeout per call.
func NewREST(s *discordgo.Session) *REST {
	return &REST{s: s, timeout: DefaultCallTimeout}
}

// call runs fn, passing it the request options every call gets, and waits
// out rate limits; secret, when not empty, is scrubbed from the error.
func (c *REST) call(ctx context.Context, what, secret string, fn func(opts ...discordgo.RequestOption) error) error {
	_, err := callValue(c, ctx, what, secret, func(opts ...discordgo.RequestOption) (struct{}, error) {
		return struct{}{}, fn(opts...)
	})
	return err
}

// callValue is call for requests that return something. One deadline
// bounds the whole call, rate-limit waits included. discordgo may sleep on
// a rate-limit bucket, or queue behind another request on it, without
// looking at any context; so each attempt runs on its own goroutine, and
// the call gives up at the deadline while that goroutine finishes by
// itself.
func callValue[T any](c *REST, ctx context.Context, what, secret string, fn func(opts ...discordgo.RequestOption) (T, error)) (T, error) {
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
			v, err := fn(discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
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
	if resp.Data != nil && resp.Type != discordgo.InteractionResponseModal { // a form is no message
		resp.Data.AllowedMentions = NoMentions()
	}
	return c.call(ctx, "interaction callback", in.Token, func(opts ...discordgo.RequestOption) error {
		if resp.Data != nil {
			rewind(resp.Data.Files)
		}
		return c.s.InteractionRespond(in, resp, opts...)
	})
}

// EditOriginal edits the interaction's first response.
func (c *REST) EditOriginal(ctx context.Context, in *discordgo.Interaction, edit *discordgo.WebhookEdit) error {
	edit.AllowedMentions = NoMentions()
	// discordgo files every webhook edit, whatever its token, under one
	// rate-limit bucket, so one interaction's 429 would hold up every
	// answer; Discord limits them per token, and so do we.
	uri := discordgo.EndpointWebhookMessage(in.AppID, in.Token, "@original")
	if len(edit.Files) > 0 {
		// Files go as Discord expects them: multipart, the message as payload_json.
		contentType, body, err := discordgo.MultipartBodyWithJSON(edit, edit.Files)
		if err != nil {
			return fmt.Errorf("discord: edit of the interaction response: %w", err)
		}
		return c.call(ctx, "edit of the interaction response", in.Token, func(opts ...discordgo.RequestOption) error {
			_, err := c.s.RequestRaw("PATCH", uri, contentType, body, uri, 0, opts...)
			return err
		})
	}
	return c.call(ctx, "edit of the interaction response", in.Token, func(opts ...discordgo.RequestOption) error {
		_, err := c.s.RequestWithBucketID("PATCH", uri, edit, uri, opts...)
		return err
	})
}

// Followup sends a follow-up message to an interaction.
func (c *REST) Followup(ctx context.Context, in *discordgo.Interaction, params *discordgo.WebhookParams) error {
	params.AllowedMentions = NoMentions()
	return c.call(ctx, "interaction follow-up", in.Token, func(opts ...discordgo.RequestOption) error {
		rewind(params.Files)
		_, err := c.s.FollowupMessageCreate(in, true, params, opts...)
		return err
	})
}

// Send posts a message in a channel.
func (c *REST) Send(ctx context.Context, channelID string, msg *discordgo.MessageSend) (*discordgo.Message, error) {
	msg.AllowedMentions = NoMentions()
	return callValue(c, ctx, "send message", "", func(opts ...discordgo.RequestOption) (*discordgo.Message, error) {
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
	return callValue(c, ctx, "register commands", "", func(opts ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
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
