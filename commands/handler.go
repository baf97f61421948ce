package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
)

// Handler answers one slash command. It replies through r.Respond; an error
// it returns is shown to the user (see UserMessage) unless it has already
// replied.
type Handler interface {
	Handle(ctx context.Context, r *Request) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, r *Request) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, r *Request) error { return f(ctx, r) }

// Middleware wraps a Handler with a cross-cutting concern.
type Middleware func(Handler) Handler

// Chain wraps h in mw, the first outermost: Chain(h, a, b) runs a, then b,
// then h.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Request is one invocation of a command, or one message question: the
// same middleware serves both (see QuestionSteps).
type Request struct {
	// Interaction is the command's interaction; nil for a message.
	Interaction *discordgo.Interaction
	// Message is the message asked in; nil for an interaction.
	Message *discordgo.Message
	// Trigger says why a message is answered ("mention", "reply", "dm",
	// "answer_channel"); empty for interactions.
	Trigger string
	// Question is the question asked — a message's without its mentions
	// — which Decide reads and Recording records.
	Question string
	// Quiet means the asker did not address the bot (an answer channel): a
	// question its sources don't cover gets no reply, and it is decided
	// before any allowance is used or typing shown.
	Quiet bool
	// Instant means the reply needs no work (a hint for a bare mention): no
	// typing indicator or deferral before it.
	Instant bool
	Command string // the command's name
	// Private makes every reply ephemeral: only the user sees it. It comes
	// from the command's "private" option, or is forced by the route.
	Private  bool
	Received time.Time
	Respond  *Responder

	// Entry marks the command as a question and says where it came from
	// (ops.EntrySlash): its log line and metrics are then a question's.
	// AsQuestion sets it.
	Entry string

	// Set by handlers for the log line.
	Outcome      string
	Reason       string // the detail of Outcome, e.g. "panic"; may be empty
	IndexVersion string
	// Answer is the answer the command showed, for the log line and metrics.
	Answer *answer.Answer
	// RecordID is the id of the question's record (see Question), which
	// the answer's buttons carry.
	RecordID string
	attrs    []slog.Attr
}

// Annotate adds attributes to the request's log line.
func (r *Request) Annotate(attrs ...slog.Attr) { r.attrs = append(r.attrs, attrs...) }

// UserID is the invoking user's id, in a guild or a DM; a message's author.
func (r *Request) UserID() string {
	switch {
	case r.Message != nil:
		if r.Message.Author != nil {
			return r.Message.Author.ID
		}
		return ""
	case r.Interaction.Member != nil && r.Interaction.Member.User != nil:
		return r.Interaction.Member.User.ID
	case r.Interaction.User != nil:
		return r.Interaction.User.ID
	}
	return ""
}

// ID is the interaction's or the message's id.
func (r *Request) ID() string {
	if r.Message != nil {
		return r.Message.ID
	}
	return r.Interaction.ID
}

// GuildID is where the request came from; "" for a DM.
func (r *Request) GuildID() string {
	if r.Message != nil {
		return r.Message.GuildID
	}
	return r.Interaction.GuildID
}

// ChannelID is the channel the request came from.
func (r *Request) ChannelID() string {
	if r.Message != nil {
		return r.Message.ChannelID
	}
	return r.Interaction.ChannelID
}

// option finds a top-level option of the command by name.
func (r *Request) option(name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range r.Interaction.ApplicationCommandData().Options {
		if o != nil && o.Name == name {
			return o
		}
	}
	return nil
}

// String returns a string option, or "" when it was not given. An option of
// another type panics (discordgo's StringValue); Recover answers that.
func (r *Request) String(name string) string {
	if o := r.option(name); o != nil {
		return o.StringValue()
	}
	return ""
}

// Errors handlers return, turned into replies by UserMessage.
var (
	// ErrPanic wraps a recovered panic.
	ErrPanic = errors.New("handler panicked")
	// ErrNoReply means a handler returned without replying.
	ErrNoReply = errors.New("handler did not reply")
	// ErrShuttingDown means the bot is stopping and takes no new questions.
	ErrShuttingDown = errors.New("shutting down")
)

// replyState is how far an interaction's reply has got.
type replyState int

const (
	notAcknowledged replyState = iota
	deferred                   // acknowledged with "thinking…"; @original awaits an edit
	replied                    // a final reply has been sent
	// ackUncertain: the deferral got no answer (a timeout, a broken
	// connection), so Discord may have taken it or not. The final reply
	// tries the callback; a 40060 "already acknowledged" says it did, and
	// the reply becomes the edit of "thinking…".
	ackUncertain
)

// ErrAckUncertain is returned (wrapped) by Defer when the deferral got no
// answer: Discord may have taken it. The reply goes on (see Send).
var ErrAckUncertain = errors.New("the acknowledgement got no answer")

// alreadyAcknowledged reports Discord's 40060: the interaction has had its
// callback.
func alreadyAcknowledged(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeInteractionHasAlreadyBeenAcknowledged
}

// answered reports whether Discord answered the request that failed with
// err (a definite refusal) rather than leaving its fate unknown.
func answered(err error) bool {
	var re *discordgo.RESTError
	var rl *discordgo.RateLimitError
	return errors.As(err, &re) || errors.As(err, &rl) || errors.Is(err, ErrRateLimited)
}

// Responder sends an interaction's replies in the order Discord requires:
// a callback within 3 s, then edits of the original response and
// follow-ups. It remembers what has been sent, so that a final reply goes
// the right way whether or not the interaction was deferred, and so that an
// error after a partial reply still reaches the user. It is safe for
// concurrent use.
//
// A Responder for a message (NewMessageResponder) keeps the same contract
// with a message's means: Defer shows the typing indicator, Send replies to
// the message, a rate-limit notice is a reaction.
type Responder struct {
	rest    *REST
	in      *discordgo.Interaction
	msg     *discordgo.Message // message mode; nil for an interaction
	quiet   bool               // message mode: errors only for what the asker must know
	private bool
	typing  func() // stops the typing indicator; nil when none

	mu    sync.Mutex
	state replyState
	acked time.Time
}

// NewResponder returns a Responder for in; private makes replies ephemeral.
func NewResponder(rest *REST, in *discordgo.Interaction, private bool) *Responder {
	return &Responder{rest: rest, in: in, private: private}
}

func (p *Responder) flags() discordgo.MessageFlags {
	if p.private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// makePrivate makes the replies still to be sent ephemeral.
func (p *Responder) makePrivate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.private = true
}

// Acknowledged reports whether the interaction has had its callback.
func (p *Responder) Acknowledged() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state != notAcknowledged
}

// Replied reports whether a final reply has been sent.
func (p *Responder) Replied() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state == replied
}

// AckedAt is when the callback was accepted; zero before.
func (p *Responder) AckedAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acked
}

// Defer acknowledges the interaction with a deferred response: the user
// sees "thinking…" until Progress or Send edits it. A second call does
// nothing.
func (p *Responder) Defer(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != notAcknowledged {
		return nil
	}
	if p.msg != nil {
		p.typing = startTyping(ctx, p.rest, p.msg.ChannelID)
		p.state = deferred
		return nil
	}
	err := p.rest.Respond(ctx, p.in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: p.flags()},
	})
	if err != nil && !answered(err) && ctx.Err() == nil {
		// No answer: Discord may well have taken it. Go on; Send finds out.
		p.state = ackUncertain
		return fmt.Errorf("%w: %w", ErrAckUncertain, err)
	}
	if err != nil {
		return err
	}
	p.state, p.acked = deferred, time.Now()
	return nil
}

// Progress shows text in place of "thinking…" (or of the previous
// progress) while the answer is being prepared. It does nothing unless the
// interaction is deferred and not yet answered.
func (p *Responder) Progress(ctx context.Context, text string) error {
	p.mu.Lock()
	if p.state != deferred || p.msg != nil {
		p.mu.Unlock()
		return nil // a message shows typing, not progress
	}
	p.mu.Unlock()
	content := Truncate(text, MaxContent)
	return p.rest.EditOriginal(ctx, p.in, &discordgo.WebhookEdit{Content: &content})
}

// Send sends the final reply, msgs in order: as the callback when the
// interaction is not yet acknowledged, as the edit of the deferred response
// when it is, and as follow-ups after that.
func (p *Responder) Send(ctx context.Context, msgs ...Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(msgs) == 0 {
		return errors.New("commands: empty reply")
	}
	for _, m := range msgs {
		if err := m.Validate(); err != nil {
			return err // a rendering bug: better an error reply than a 400 and none
		}
	}
	if p.msg != nil {
		return p.sendMessagesLocked(ctx, msgs)
	}
	first, rest := msgs[0], msgs[1:]
	var err error
	state := p.state
	if state == notAcknowledged || state == ackUncertain {
		err = p.rest.Respond(ctx, p.in, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: first.Content, Embeds: first.Embeds, Flags: p.flags(),
				Files: first.Files, Components: first.Components},
		})
		switch {
		case err == nil:
			p.acked = time.Now()
		case alreadyAcknowledged(err):
			// A deferral whose answer was lost did reach Discord: the
			// asker sees "thinking…", which the reply replaces.
			state, err = deferred, nil
		}
	}
	switch state {
	case notAcknowledged, ackUncertain:
	case deferred:
		content, embeds := first.Content, first.Embeds
		if embeds == nil {
			embeds = []*discordgo.MessageEmbed{} // clear what progress showed
		}
		edit := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Files: first.Files}
		if first.Components != nil {
			edit.Components = &first.Components
		}
		err = p.rest.EditOriginal(ctx, p.in, edit)
	case replied:
		rest = msgs
	}
	if err != nil {
		return err
	}
	p.state = replied
	for _, m := range rest {
		if err := p.rest.Followup(ctx, p.in, &discordgo.WebhookParams{
			Content: m.Content, Embeds: m.Embeds, Flags: p.flags(), Files: m.Files, Components: m.Components,
		}); err != nil {
			return err
		}
	}
	return nil
}

// Modal answers the interaction with a modal (a form): the callback, so
// the interaction must not be acknowledged yet. The user's submission
// arrives as an interaction of its own.
func (p *Responder) Modal(ctx context.Context, modal *discordgo.InteractionResponseData) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != notAcknowledged {
		return errors.New("commands: a modal must be the first response")
	}
	err := p.rest.Respond(ctx, p.in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: modal})
	if err != nil {
		return err
	}
	p.state, p.acked = replied, time.Now()
	return nil
}

// SendText sends a final reply of plain text.
func (p *Responder) SendText(ctx context.Context, text string) error {
	return p.Send(ctx, Message{Content: Truncate(text, MaxContent)})
}

// Fail tells the user that err stopped their command, however far the reply
// had got: as the callback, the edit of the deferred response, or a private
// follow-up after a reply already sent.
func (p *Responder) Fail(ctx context.Context, err error) error {
	if p.msg != nil {
		p.stopTyping()
		if p.Replied() || p.quiet && !mustTell(err) {
			return nil
		}
	}
	if p.Replied() {
		// The user has an answer; say privately that something went wrong after it.
		p.makePrivate()
	}
	return p.Send(ctx, Message{Content: UserMessage(err)})
}

// IsUserError reports whether err is about the question or the moment
// rather than a fault: an empty or too long question, a shutdown. Such
// errors are logged at info level.
func IsUserError(err error) bool {
	return errors.Is(err, answer.ErrEmptyQuestion) || errors.Is(err, answer.ErrQuestionTooLong) ||
		errors.Is(err, ErrShuttingDown) || errors.Is(err, context.Canceled)
}

// UserMessage is what the user is told about an error: the problem with the
// question when there is one, a generic apology otherwise. Internal details
// stay in the log.
func UserMessage(err error) string {
	switch {
	case errors.Is(err, ErrShuttingDown), errors.Is(err, context.Canceled):
		// Handlers are cancelled only when the bot stops.
		return "bytewatch is restarting and is not taking new questions. Please ask again in a minute."
	case errors.Is(err, answer.ErrEmptyQuestion):
		return "Please ask a question, e.g. “How much is ByteDance investing in AI infrastructure?”"
	case errors.Is(err, answer.ErrQuestionTooLong):
		return fmt.Sprintf("That question is too long. Please keep it under %d characters.", answer.MaxQuestionRunes)
	case errors.Is(err, context.DeadlineExceeded):
		return "That took too long and was given up. Please try again."
	case errors.Is(err, ErrPanic):
		return "Something went wrong on my side while handling that command. It has been logged; please try again."
	default:
		return "Something went wrong while handling that command. Please try again."
	}
}
