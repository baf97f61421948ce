package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Bounds on REST calls. discordgo retries a 429 for ever, sleeping whatever
// Discord asks; REST turns that off per call and waits itself, within the
// call's deadline.
const (
	// DefaultCallTimeout bounds one REST call, rate-limit waits included.
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
// out rate limits within ctx. secret, when not empty, is scrubbed from the
// error.
func (c *REST) call(ctx context.Context, what, secret string, fn func(opts ...discordgo.RequestOption) error) error {
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, c.timeout)
		err := fn(discordgo.WithContext(cctx), discordgo.WithRetryOnRatelimit(false))
		cancel()
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) {
			if err != nil {
				return scrub(fmt.Errorf("discord: %s: %w", what, err), secret)
			}
			return nil
		}
		wait := rl.RetryAfter
		if attempt >= maxRateLimitRetries || wait > maxRateLimitWait {
			return fmt.Errorf("discord: %s: %w: retry after %v", what, ErrRateLimited, wait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return fmt.Errorf("discord: %s: %w: retry after %v is past the deadline", what, ErrRateLimited, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("discord: %s: waiting out a rate limit: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

// Respond answers an interaction (the callback). Message data gets NoMentions.
func (c *REST) Respond(ctx context.Context, in *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	if resp.Data != nil {
		resp.Data.AllowedMentions = NoMentions()
	}
	return c.call(ctx, "interaction callback", in.Token, func(opts ...discordgo.RequestOption) error {
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
	return c.call(ctx, "edit of the interaction response", in.Token, func(opts ...discordgo.RequestOption) error {
		_, err := c.s.RequestWithBucketID("PATCH", uri, edit, uri, opts...)
		return err
	})
}

// Followup sends a follow-up message to an interaction.
func (c *REST) Followup(ctx context.Context, in *discordgo.Interaction, params *discordgo.WebhookParams) error {
	params.AllowedMentions = NoMentions()
	return c.call(ctx, "interaction follow-up", in.Token, func(opts ...discordgo.RequestOption) error {
		_, err := c.s.FollowupMessageCreate(in, true, params, opts...)
		return err
	})
}

// Send posts a message in a channel.
func (c *REST) Send(ctx context.Context, channelID string, msg *discordgo.MessageSend) (*discordgo.Message, error) {
	msg.AllowedMentions = NoMentions()
	var sent *discordgo.Message
	err := c.call(ctx, "send message", "", func(opts ...discordgo.RequestOption) error {
		var err error
		sent, err = c.s.ChannelMessageSendComplex(channelID, msg, opts...)
		return err
	})
	return sent, err
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
	var out []*discordgo.ApplicationCommand
	err := c.call(ctx, "register commands", "", func(opts ...discordgo.RequestOption) error {
		var err error
		out, err = c.s.ApplicationCommandBulkOverwrite(appID, guildID, cmds, opts...)
		return err
	})
	return out, err
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
