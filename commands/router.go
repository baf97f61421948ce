package commands

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Router routes application-command interactions to their Handlers through
// the middleware. It is safe for concurrent use once set up.
type Router struct {
	rest   *REST
	log    *slog.Logger
	use    []Middleware
	routes map[string]route
	order  []string
	// buttons route message components by custom_id prefix.
	buttons []buttonRoute
	// completers answer autocomplete requests, by command (autocomplete.go).
	completers map[string]Completer
	// modals route modal submissions by custom_id prefix.
	modals []buttonRoute
}

type buttonRoute struct {
	prefix, name string
	handler      Handler
}

type route struct {
	spec    *discordgo.ApplicationCommand
	handler Handler
}

// NewRouter returns a Router that replies through rest and logs to log (nil
// discards).
func NewRouter(rest *REST, log *slog.Logger) *Router {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Router{rest: rest, log: log, routes: map[string]route{}}
}

// Use adds middleware that wraps every command, outermost first.
func (rt *Router) Use(mw ...Middleware) { rt.use = append(rt.use, mw...) }

// Add routes the command spec describes to h wrapped in mw (inside the
// Router's own middleware).
func (rt *Router) Add(spec *discordgo.ApplicationCommand, h Handler, mw ...Middleware) {
	if _, dup := rt.routes[spec.Name]; !dup {
		rt.order = append(rt.order, spec.Name)
	}
	rt.routes[spec.Name] = route{spec: spec, handler: Chain(h, mw...)}
}

// AddButton routes clicks on buttons whose custom_id starts with prefix to
// h wrapped in mw; name is the command name the log line shows. A click
// replies privately when the message clicked on was private.
func (rt *Router) AddButton(prefix, name string, h Handler, mw ...Middleware) {
	rt.buttons = append(rt.buttons, buttonRoute{prefix: prefix, name: name, handler: Chain(h, mw...)})
}

// AddModal routes submissions of modals whose custom_id starts with prefix
// to h wrapped in mw; name is the command name the log line shows. Their
// replies are private.
func (rt *Router) AddModal(prefix, name string, h Handler, mw ...Middleware) {
	rt.modals = append(rt.modals, buttonRoute{prefix: prefix, name: name, handler: Chain(h, mw...)})
}

// Commands lists the routed commands' specs, for registration.
func (rt *Router) Commands() []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(rt.order))
	for _, name := range rt.order {
		out = append(out, rt.routes[name].spec)
	}
	return out
}

// HandleInteraction answers one interaction and returns when it is done.
// Whatever happens — an unknown command, an interaction type bytewatch
// does not use, a handler error or panic — the user gets a reply.
func (rt *Router) HandleInteraction(ctx context.Context, in *discordgo.Interaction) {
	rt.handle(ctx, in, nil)
}

// Refuse answers an interaction with err's user message without running
// any handler: the bot uses it while shutting down.
func (rt *Router) Refuse(ctx context.Context, in *discordgo.Interaction, err error) {
	rt.handle(ctx, in, err)
}

func (rt *Router) handle(ctx context.Context, in *discordgo.Interaction, refuse error) {
	if rt.rest != nil {
		// The answer is delivered (or given up) when handle returns: free
		// what REST keeps for the interaction.
		defer rt.rest.Done(in)
	}
	r := &Request{Interaction: in, Received: time.Now()}
	r.Respond = NewResponder(rt.rest, in, true)
	defer func() {
		// The last net under the middleware's Recover: routing itself failed.
		if p := recover(); p != nil {
			rt.log.LogAttrs(ctx, slog.LevelError, "interaction routing panicked",
				slog.String("interaction_id", in.ID), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			rt.ensureReply(ctx, r, fmt.Errorf("%w: %v", ErrPanic, p))
		}
	}()
	if in.Type == discordgo.InteractionApplicationCommandAutocomplete {
		rt.complete(ctx, in, refuse != nil)
		return
	}
	var h Handler
	switch {
	case refuse != nil:
		r.Command = commandName(in)
		h = HandlerFunc(func(context.Context, *Request) error {
			r.Outcome = "refused"
			return refuse
		})
	case (in.Type == discordgo.InteractionMessageComponent || in.Type == discordgo.InteractionModalSubmit) && rt.button(in) != nil:
		b := rt.button(in)
		r.Command = b.name
		r.Private = in.Message != nil && in.Message.Flags&discordgo.MessageFlagsEphemeral != 0
		r.Respond = NewResponder(rt.rest, in, r.Private)
		h = b.handler
	case in.Type == discordgo.InteractionModalSubmit && rt.modal(in) != nil:
		m := rt.modal(in)
		r.Command = m.name
		r.Private = true
		h = m.handler
	case in.Type != discordgo.InteractionApplicationCommand:
		// bytewatch registers no components, modals or autocomplete; a
		// payload of another type is answered, not guessed at.
		r.Command = "(" + in.Type.String() + ")"
		h = HandlerFunc(func(ctx context.Context, r *Request) error {
			r.Outcome = "unsupported"
			return r.Respond.SendText(ctx, "bytewatch doesn't handle that kind of interaction. Try /ask or /help.")
		})
	default:
		r.Command = in.ApplicationCommandData().Name
		rte, ok := rt.routes[r.Command]
		if !ok {
			h = HandlerFunc(func(ctx context.Context, r *Request) error {
				r.Outcome = "unknown_command"
				return r.Respond.SendText(ctx, fmt.Sprintf("bytewatch doesn't know /%s (the command list may be out of date). Try /help.", r.Command))
			})
			break
		}
		r.Private = privateOption(in)
		r.Respond = NewResponder(rt.rest, in, r.Private)
		h = rte.handler
	}
	err := Chain(h, rt.use...).Handle(ctx, r)
	rt.ensureReply(ctx, r, err)
}

// ensureReply tells the user about err, or about a handler that forgot to
// reply, unless a reply has already been sent.
func (rt *Router) ensureReply(ctx context.Context, r *Request, err error) {
	if r.Respond.Replied() {
		return
	}
	if err == nil {
		err = ErrNoReply
		rt.log.LogAttrs(ctx, slog.LevelError, "command returned without replying",
			slog.String("command", r.Command), slog.String("interaction_id", r.Interaction.ID))
	}
	rctx, cancel := replyContext(ctx)
	defer cancel()
	if ferr := r.Respond.Fail(rctx, err); ferr != nil {
		rt.log.LogAttrs(ctx, slog.LevelWarn, "could not send an error reply",
			slog.String("command", r.Command), slog.String("interaction_id", r.Interaction.ID), slog.Any("error", ferr))
	}
}

// button finds the route of a clicked button or a submitted form, nil for
// none.
func (rt *Router) button(in *discordgo.Interaction) *buttonRoute {
	id := customID(in)
	for i := range rt.buttons {
		if strings.HasPrefix(id, rt.buttons[i].prefix) {
			return &rt.buttons[i]
		}
	}
	return nil
}

// modal finds the route of a submitted modal, nil for none.
func (rt *Router) modal(in *discordgo.Interaction) *buttonRoute {
	id := in.ModalSubmitData().CustomID
	for i := range rt.modals {
		if strings.HasPrefix(id, rt.modals[i].prefix) {
			return &rt.modals[i]
		}
	}
	return nil
}

// commandName is the command's name, or "" when in is not a command.
func commandName(in *discordgo.Interaction) string {
	if in.Type != discordgo.InteractionApplicationCommand {
		return ""
	}
	return in.ApplicationCommandData().Name
}

// privateOption reads the optional boolean option "private" without
// panicking on a payload of another shape.
func privateOption(in *discordgo.Interaction) bool {
	for _, o := range in.ApplicationCommandData().Options {
		if o != nil && o.Name == "private" && o.Type == discordgo.ApplicationCommandOptionBoolean {
			v, _ := o.Value.(bool)
			return v
		}
	}
	return false
}
