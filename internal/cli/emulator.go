package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/internal/config"
	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// emulatorHelp is what `bytewatch run --emulator` prints before the prompt.
const emulatorHelp = `Type a question and press Enter: it is asked with /ask. Also:
  /sources QUERY    the best-matching facts
  /about, /help     the bot's own commands (/reindex too: you are a moderator here)
  /source list, /source show ID, /source history
                    the knowledge's sources and versions (change them with bytewatch knowledge)
  @ QUESTION        a message that mentions the bot in #general
  ^ QUESTION        a follow-up: a reply to the bot's last answer ("^ and Microsoft?")
  /quit             stop (or Ctrl-D)
`

// runEmulator serves the bot against the loopback Discord the tests use
// (internal/discordtest, on 127.0.0.1) instead of discord.com, and asks it
// what the person types on stdin, printing each reply as text. Nothing
// leaves the machine but LLM requests, if an LLM is configured. It needs no
// DISCORD_TOKEN; HEALTH_ADDR and the DISCORD_* settings are ignored.
func runEmulator(ctx context.Context, cfg config.Config, env Env) error {
	if env.Stdin == nil {
		return errors.New("run --emulator reads questions from stdin, and there is none")
	}
	log := newLogger(cfg, env.Stderr)
	host := &hostTB{log: log.With("emulator", true)}
	defer host.close()
	srv, err := host.newServer(discordtest.WithLogf(func(format string, args ...any) {
		log.Debug(fmt.Sprintf(format, args...))
	}))
	if err != nil {
		return err
	}
	cfg.DiscordToken, cfg.DiscordAPIBaseURL, cfg.DiscordGuildID = srv.Token(), srv.URL, srv.GuildID()
	cfg.HealthAddr = ""

	// The bot's one log line per question says when it is done with it.
	done := newDoneLog()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	online := make(chan bot.Ready, 1)
	served := make(chan error, 1)
	go func() {
		served <- serveBot(ctx, cfg, slog.New(done.wrap(log.Handler())), func(r bot.Ready) { online <- r })
	}()
	select {
	case r := <-online:
		fmt.Fprintf(env.Stdout, "bytewatch %s is online as %s on a loopback Discord at %s; nothing is sent to discord.com.\n%s",
			Version(), r.Username, srv.URL, emulatorHelp)
	case err := <-served:
		if err == nil {
			return nil // stopped while starting
		}
		return err
	}

	lines, quit := make(chan string), make(chan struct{})
	defer close(quit)
	go func() { // ends when stdin does
		defer close(lines)
		sc := bufio.NewScanner(env.Stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-quit:
				return
			}
		}
	}()
	e := emulator{srv: srv, done: done, out: env.Stdout}
	for {
		fmt.Fprint(env.Stdout, "> ")
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case <-ctx.Done():
		case err := <-served:
			return err
		}
		if !ok || ctx.Err() != nil || line == "/quit" || line == "/exit" {
			fmt.Fprintln(env.Stdout)
			stop()
			return <-served
		}
		if err := e.ask(ctx, strings.TrimSpace(line)); err != nil {
			fmt.Fprintf(env.Stdout, "(%v)\n", err)
		}
	}
}

// emulator asks the bot through the loopback Discord.
type emulator struct {
	srv  *discordtest.Server
	done *doneLog
	out  io.Writer
	last string // the bot's last answer, which "^" replies to
}

// ask sends one line the person typed and prints the bot's reply once the
// bot has logged its line for it.
func (e *emulator) ask(ctx context.Context, line string) error {
	if line == "" {
		return nil
	}
	reply, isReply := strings.CutPrefix(line, "^")
	if isReply && e.last == "" {
		return errors.New("no answer to follow up yet: ask a question first")
	}
	if q, ok := strings.CutPrefix(line, "@"); ok || isReply {
		spec := discordtest.MessageSpec{Content: e.srv.BotMention() + " " + strings.TrimSpace(q)}
		if isReply {
			spec = discordtest.MessageSpec{Content: strings.TrimSpace(reply), ReplyTo: e.last, ReplyPing: true}
		}
		m := e.srv.DispatchMessage(spec)
		if err := e.done.wait(ctx, m.ID); err != nil {
			return err
		}
		for _, r := range e.srv.RequestsMatching("POST", "/channels/{channel}/messages") {
			var body struct {
				Content   string                      `json:"content"`
				Embeds    []*discordgo.MessageEmbed   `json:"embeds"`
				Reference *discordgo.MessageReference `json:"message_reference"`
			}
			if r.Decode(&body) == nil && body.Reference != nil && body.Reference.MessageID == m.ID {
				writeMessage(e.out, body.Content, body.Embeds)
			}
		}
		for _, b := range e.srv.BotMessages("") {
			if b.MessageReference != nil && b.MessageReference.MessageID == m.ID && len(b.Embeds) > 0 {
				e.last = b.ID
			}
		}
		if len(e.srv.RequestsMatching("PUT", "/channels/{channel}/messages/"+m.ID+"/reactions/{emoji}/@me")) > 0 {
			fmt.Fprintf(e.out, "(the bot reacted with %s: you are asking faster than RATE_LIMIT_PER_MINUTE allows)\n", bot.RateLimitedReaction)
		}
		return nil
	}
	spec := discordtest.InteractionSpec{Command: "ask", Permissions: discordgo.PermissionManageGuild}
	arg := line
	if cmd, ok := strings.CutPrefix(line, "/"); ok {
		name, rest, _ := strings.Cut(cmd, " ")
		spec.Command, arg = name, strings.TrimSpace(rest)
	}
	switch spec.Command {
	case "ask":
		spec.Options = []discordtest.CommandOption{{Name: "question", Value: arg}}
	case "sources":
		spec.Options = []discordtest.CommandOption{{Name: "query", Value: arg}}
	case "about", "help", "reindex":
	case "source":
		sub, id, _ := strings.Cut(arg, " ")
		opt := discordtest.CommandOption{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand}
		switch sub {
		case "list", "history":
		case "show":
			opt.Options = []discordtest.CommandOption{{Name: "id", Value: strings.TrimSpace(id)}}
		default:
			return fmt.Errorf("here: /source list, /source show ID, /source history; add, remove and rollback need buttons: use Discord, or bytewatch knowledge")
		}
		spec.Options = []discordtest.CommandOption{opt}
	default:
		return fmt.Errorf("no command /%s here: /ask, /sources, /about, /help, /reindex, /source", spec.Command)
	}
	if (spec.Command == "ask" || spec.Command == "sources") && arg == "" {
		return fmt.Errorf("/%s needs a question", spec.Command)
	}
	in := e.srv.DispatchInteraction(spec)
	if err := e.done.wait(ctx, in.ID); err != nil {
		return err
	}
	if m, ok := in.Original(); ok {
		writeMessage(e.out, m.Content, m.Embeds)
		if spec.Command == "ask" && len(m.Embeds) > 0 {
			e.last = m.ID
		}
	}
	for _, m := range in.Followups() {
		writeMessage(e.out, m.Content, m.Embeds)
	}
	return nil
}

// writeMessage prints a Discord message as text: its content, then each
// embed as a block of lines behind a bar.
func writeMessage(w io.Writer, content string, embeds []*discordgo.MessageEmbed) {
	if content = strings.TrimSpace(content); content != "" {
		fmt.Fprintln(w, content)
	}
	for _, e := range embeds {
		fmt.Fprint(w, EmbedText(e))
	}
}

// EmbedText lays out an embed as lines of text behind a bar — the title,
// the description, each field's name and value, the footer — as the
// emulator prints answers and docs/discord.md shows them.
func EmbedText(e *discordgo.MessageEmbed) string {
	var b strings.Builder
	line := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			b.WriteString("│ " + l + "\n")
		}
	}
	gap := false
	block := func(s string) {
		if s = strings.TrimSpace(s); s == "" {
			return
		}
		if gap {
			line("")
		}
		line(s)
		gap = true
	}
	if e.Title != "" {
		block("**" + e.Title + "**")
	}
	block(e.Description)
	for _, f := range e.Fields {
		block("**" + f.Name + "**\n" + f.Value)
	}
	if e.Footer != nil {
		block(e.Footer.Text)
	}
	return b.String()
}

// doneLog passes log records on and notes the interaction or message each
// question's line (msg=command, msg="message question") is about.
type doneLog struct {
	mu      sync.Mutex
	done    map[string]bool
	changed chan struct{}
}

func newDoneLog() *doneLog { return &doneLog{done: map[string]bool{}, changed: make(chan struct{})} }

func (d *doneLog) note(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done[id] = true
	close(d.changed)
	d.changed = make(chan struct{})
}

// wait returns once the question with the interaction or message id has
// its log line.
func (d *doneLog) wait(ctx context.Context, id string) error {
	for {
		d.mu.Lock()
		ok, ch := d.done[id], d.changed
		d.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (d *doneLog) wrap(h slog.Handler) slog.Handler { return doneHandler{next: h, log: d} }

type doneHandler struct {
	next  slog.Handler
	log   *doneLog
	attrs []slog.Attr
}

func (h doneHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h doneHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "command" || r.Message == "message question" {
		find := func(a slog.Attr) bool {
			if a.Key == "interaction_id" || a.Key == "message_id" {
				h.log.note(a.Value.String())
			}
			return true
		}
		for _, a := range h.attrs {
			find(a)
		}
		r.Attrs(find)
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h doneHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return doneHandler{next: h.next.WithAttrs(attrs), log: h.log, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h doneHandler) WithGroup(name string) slog.Handler {
	return doneHandler{next: h.next.WithGroup(name), log: h.log, attrs: h.attrs}
}

// hostTB lets the emulator, written for tests, run in the binary: it is
// the testing.TB that discordtest.New gets. discordtest calls Helper, Logf,
// Fatalf and Cleanup on it; Fatalf ends newServer with the error.
type hostTB struct {
	testing.TB // nil: a method not defined below must not be called
	log        *slog.Logger
	mu         sync.Mutex
	cleanups   []func()
}

type hostFatal struct{ msg string }

func (h *hostTB) newServer(opts ...discordtest.Option) (srv *discordtest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(hostFatal)
			if !ok {
				panic(r)
			}
			err = errors.New(f.msg)
		}
	}()
	return discordtest.New(h, opts...), nil
}

// close runs the cleanups, the last registered first, as testing does.
func (h *hostTB) close() {
	h.mu.Lock()
	fs := h.cleanups
	h.cleanups = nil
	h.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func (h *hostTB) Helper()                   {}
func (h *hostTB) Name() string              { return "bytewatch run --emulator" }
func (h *hostTB) Log(args ...any)           { h.log.Debug(fmt.Sprint(args...)) }
func (h *hostTB) Logf(f string, a ...any)   { h.log.Debug(fmt.Sprintf(f, a...)) }
func (h *hostTB) Error(args ...any)         { h.log.Warn(fmt.Sprint(args...)) }
func (h *hostTB) Errorf(f string, a ...any) { h.log.Warn(fmt.Sprintf(f, a...)) }
func (h *hostTB) Fatal(args ...any)         { panic(hostFatal{fmt.Sprint(args...)}) }
func (h *hostTB) Fatalf(f string, a ...any) { panic(hostFatal{fmt.Sprintf(f, a...)}) }
func (h *hostTB) Failed() bool              { return false }
func (h *hostTB) Cleanup(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, f)
}
