package commands

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
)

// RateLimitedReaction is the reaction on a message the bot will not answer
// because its author is asking too fast.
const RateLimitedReaction = "⏳"

// typingEvery renews the typing indicator, which Discord shows for ten
// seconds; typingTimeout bounds one indicator request.
const (
	typingEvery   = 8 * time.Second
	typingTimeout = 2 * time.Second
)

// NewMessageResponder returns a Responder that answers the message m as
// replies in its channel (the first one a reply to m, pinging nobody).
// quiet is for messages that did not address the bot (answer channels):
// Fail then says only what the asker must know — a question that cannot be
// asked, or one cut off by a shutdown or its deadline.
func NewMessageResponder(rest *REST, m *discordgo.Message, quiet bool) *Responder {
	return &Responder{rest: rest, msg: m, quiet: quiet}
}

// mustTell reports the errors a quiet message still hears about.
func mustTell(err error) bool {
	return errors.Is(err, answer.ErrEmptyQuestion) || errors.Is(err, answer.ErrQuestionTooLong) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrShuttingDown)
}

// sendMessagesLocked replies to the message with msgs. The send gets its
// own deadline: an answer that used up its question's time (a slow LLM,
// then the fallback) is still delivered rather than dropped.
func (p *Responder) sendMessagesLocked(ctx context.Context, msgs []Message) error {
	p.stopTypingLocked()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultCallTimeout)
	defer cancel()
	m := p.msg
	for i, msg := range msgs {
		send := &discordgo.MessageSend{Content: msg.Content, Embeds: msg.Embeds, Files: msg.Files, Components: msg.Components}
		if i == 0 {
			fail := false
			send.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &fail}
		}
		if _, err := p.rest.Send(ctx, m.ChannelID, send); err != nil {
			return err
		}
		if i == 0 {
			p.state = replied
			if p.acked.IsZero() {
				p.acked = time.Now()
			}
		}
	}
	return nil
}

// limited tells the asker they are over their allowance: privately for an
// interaction, with RateLimitedReaction on a message.
func (p *Responder) limited(ctx context.Context, notice string) error {
	if p.msg == nil {
		p.makePrivate()
		return p.SendText(ctx, notice)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Replied either way: a user over their allowance gets no text reply,
	// not even one saying the reaction failed.
	p.state = replied
	if err := p.rest.React(ctx, p.msg.ChannelID, p.msg.ID, RateLimitedReaction); err != nil {
		return err
	}
	p.acked = time.Now()
	return nil
}

// stopTyping stops the typing indicator, if one is shown, and waits for its
// last request.
func (p *Responder) stopTyping() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopTypingLocked()
}

func (p *Responder) stopTypingLocked() {
	if p.typing != nil {
		p.typing()
		p.typing = nil
	}
}

// Close ends what the Responder still runs (a typing indicator). A message
// question's runner calls it when the question is done.
func (p *Responder) Close() { p.stopTyping() }

// startTyping shows the typing indicator in channelID, renewing it, until
// the returned func is called. The first indicator is sent alongside the
// work and stop waits for it rather than cancelling it, so that it never
// lands after the reply (Discord would then show "typing…" under the
// answer).
func startTyping(ctx context.Context, rest *REST, channelID string) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(typingEvery)
		defer t.Stop()
		for {
			// Cosmetic, so briefly bounded: a rate-limited indicator must
			// not hold back the answer that stop waits to send.
			tctx, cancel := context.WithTimeout(ctx, typingTimeout)
			_ = rest.Typing(tctx, channelID)
			cancel()
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit) })
		<-done
	}
}
