package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/index"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/records"
)

// Answerer answers questions and lists matching facts: *answer.Engine.
type Answerer interface {
	Ask(ctx context.Context, question string, onPartial func(string)) (answer.Answer, error)
	Sources(ctx context.Context, query string, limit int) ([]answer.Citation, string, error)
}

// Reindexer reloads the knowledge and swaps in a new index, keeping the old
// one serving if anything fails.
type Reindexer interface {
	Reindex(ctx context.Context) (index.SwapReport, error)
}

// IndexStatus is what /about and /reindex show of the live index:
// *index.Index.
type IndexStatus interface {
	Version() string
	Base() *knowledge.Base
}

// Config is what the standard commands need.
type Config struct {
	Answerer  Answerer
	Reindexer Reindexer
	Index     IndexStatus
	Limiter   *RateLimiter // shared with the other entry points; nil means DefaultPerMinute
	// ModeratorRoleIDs may /reindex besides members with Manage Server.
	ModeratorRoleIDs []string
	// AnswerChannelIDs are listed by /help.
	AnswerChannelIDs []string
	Version          string // the bot's version, for /about
	Model            string // the LLM model, or "" for extractive answers
	Logger           *slog.Logger
	// Metrics records questions, first responses, tokens and reindexes;
	// nil records nothing.
	Metrics *ops.Metrics
	// StreamInterval is the least time between edits that show an LLM
	// answer as it streams; 0 means DefaultStreamInterval.
	StreamInterval time.Duration
	// Charts draws answers' figures (/chart, Chart buttons, comparison
	// answers); nil makes one from Index. With neither there are no charts.
	Charts *Charts
	// AskedQuestions, when set, adds questions people asked that were
	// answered to /ask's suggestions (autocomplete.go).
	AskedQuestions AskedQuestions
	// Records keeps a record of every question and the votes on answers,
	// and serves /forget-me and /report; nil keeps none (and answers carry
	// no 👍/👎/Sources buttons).
	Records Records
	// Settings are the per-server settings (/settings); nil: the
	// environment's for every server.
	Settings ServerSettings
	// Source enables /source for moderators; nil leaves it out.
	Source *SourceConfig
	// Audit posts knowledge changes in the audit channel; nil posts none.
	Audit *Audit
}

// Limits of the commands.
const (
	// MaxQuestionLength is /ask's max_length: Discord enforces it in the client.
	MaxQuestionLength = 500
	// SourcesLimit is how many facts /sources lists.
	SourcesLimit = 6
	// DefaultStreamInterval spaces the edits of a streaming answer: Discord
	// allows about five edits in five seconds per message.
	DefaultStreamInterval = time.Second
	// ProgressSearching is shown while the answer is being prepared.
	ProgressSearching = "Searching the sources…"
)

// New returns a Router serving /ask, /sources, /reindex, /help and /about
// with the standard middleware; with Records, also /forget-me, /report and
// the 👍/👎/Sources buttons of answers.
func New(rest *REST, cfg Config) *Router {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewRateLimiter(DefaultPerMinute)
	}
	if cfg.StreamInterval <= 0 {
		cfg.StreamInterval = DefaultStreamInterval
	}
	if cfg.Charts == nil && cfg.Index != nil {
		cfg.Charts = NewCharts(nil, cfg.Index)
	}
	c := &commandSet{cfg: cfg, log: cfg.Logger, charts: cfg.Charts, rest: rest}
	modRoles := func(context.Context, string) []string { return cfg.ModeratorRoleIDs }
	if cfg.Settings != nil {
		modRoles = func(ctx context.Context, guildID string) []string {
			return cfg.Settings.For(ctx, guildID).ModeratorRoleIDs
		}
	}
	rt := NewRouter(rest, cfg.Logger)
	rt.Use(Logging(cfg.Logger, cfg.Metrics), Recording(cfg.Records), Recover(cfg.Logger))
	var about knowledge.About
	if cfg.Index != nil {
		about = cfg.Index.Base().About()
	}
	rt.Add(askSpec(about), HandlerFunc(c.ask), QuestionSteps(ops.EntrySlash, cfg.Limiter, DeciderOf(cfg.Answerer))...)
	rt.AddAutocomplete("ask", NewSuggester(cfg.Index, cfg.AskedQuestions, cfg.Logger).AutocompleteAsk)
	if cfg.Charts != nil {
		rt.Add(chartSpec(), HandlerFunc(c.chart), QuestionSteps(chartEntry, cfg.Limiter, nil)...)
		rt.AddButton(ChartButtonPrefix, "chart button", HandlerFunc(c.chartButton), RateLimit(cfg.Limiter))
	}
	rt.AddButton(FollowUpButtonPrefix, "follow-up button", HandlerFunc((&followUps{rest: rest, log: cfg.Logger}).button), RateLimit(cfg.Limiter))
	rt.Add(sourcesSpec(), HandlerFunc(c.sources), RateLimit(cfg.Limiter), Defer())
	rt.Add(reindexSpec(), HandlerFunc(c.reindex), ForcePrivate(), RequireModeratorIn(modRoles), Defer())
	if cfg.Records != nil {
		rt.AddButton(UpButtonPrefix, "vote button", c.vote(records.Up), ForcePrivate(), Defer())
		rt.AddButton(DownButtonPrefix, "vote button", c.vote(records.Down), ForcePrivate(), Defer())
		rt.AddButton(ReasonButtonPrefix, "vote reason button", HandlerFunc(c.reason), ForcePrivate(), Defer())
		rt.AddButton(OtherButtonPrefix, "vote reason form", HandlerFunc(c.otherReason), ForcePrivate())
		rt.AddButton(OtherModalPrefix, "vote reason text", HandlerFunc(c.otherText), ForcePrivate(), Defer())
		rt.AddButton(SourcesButtonPrefix, "sources button", HandlerFunc(c.sourcesButton), ForcePrivate(), Defer())
		rt.Add(forgetSpec(), HandlerFunc(c.forgetMe), ForcePrivate(), Defer())
		rt.Add(reportSpec(), HandlerFunc(c.report), ForcePrivate(), RequireModeratorIn(modRoles), Defer())
	}
	if cfg.Settings != nil {
		rt.Add(settingsSpec(), HandlerFunc(c.settings), ForcePrivate(), RequireModeratorIn(modRoles), Defer())
	}
	if cfg.Source != nil {
		sc := newSourceCommands(rest, *cfg.Source, cfg.Index, cfg.Audit, cfg.Logger)
		sc.metrics = cfg.Metrics
		sc.register(rt, cfg.ModeratorRoleIDs)
	}
	rt.Add(helpSpec(), HandlerFunc(c.help), ForcePrivate())
	rt.Add(aboutSpec(), HandlerFunc(c.about), ForcePrivate())
	return rt
}

// contexts says where a command may be used.
func contexts(where ...discordgo.InteractionContextType) *[]discordgo.InteractionContextType {
	return &where
}

func privateSpec() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{
		Type: discordgo.ApplicationCommandOptionBoolean, Name: "private",
		Description: "Show the answer only to you",
	}
}

// maxDescription is the longest description Discord takes for a command
// or an option.
const maxDescription = 100

// askSpec is /ask, described in the knowledge's own words: a base about
// another company gets its own subject and example question.
func askSpec(about knowledge.About) *discordgo.ApplicationCommand {
	desc, example := "Ask a question; the answer cites its sources", "Your question"
	if about.Subject != "" {
		desc = "Ask about " + about.Subject + "; the answer cites its sources"
	}
	if about.MainQuestion != "" {
		example = "e.g. " + about.MainQuestion
	}
	return &discordgo.ApplicationCommand{
		Name:        "ask",
		Description: Truncate(desc, maxDescription),
		Contexts:    contexts(discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM),
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type: discordgo.ApplicationCommandOptionString, Name: "question", Required: true,
				Description: Truncate(example, maxDescription),
				MaxLength:   MaxQuestionLength, Autocomplete: true,
			},
			privateSpec(),
		},
	}
}

func sourcesSpec() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Name:        "sources",
		Description: "List the facts that best match a query, with who reported them",
		Contexts:    contexts(discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM),
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type: discordgo.ApplicationCommandOptionString, Name: "query", Required: true,
				Description: "e.g. Nvidia chips", MaxLength: MaxQuestionLength,
			},
			privateSpec(),
		},
	}
}

func reindexSpec() *discordgo.ApplicationCommand {
	return moderatorSpec("reindex", "Moderators: reload the knowledge files and rebuild the index")
}

// moderatorSpec is a command for moderators: offered in servers only, to
// members with Manage Server unless a server's admins choose otherwise
// (the handler checks moderator roles again).
func moderatorSpec(name, description string, options ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
	manageServer := int64(discordgo.PermissionManageGuild)
	return &discordgo.ApplicationCommand{
		Name:                     name,
		Description:              description,
		DefaultMemberPermissions: &manageServer, // sent as "32"
		Contexts:                 contexts(discordgo.InteractionContextGuild),
		Options:                  options,
	}
}

func helpSpec() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{Name: "help", Description: "How to ask bytewatch questions", Contexts: contexts(discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM)}
}

func aboutSpec() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{Name: "about", Description: "What bytewatch knows and how it answers", Contexts: contexts(discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM)}
}

// commandSet holds what the handlers share.
type commandSet struct {
	cfg    Config
	log    *slog.Logger
	charts *Charts
	rest   *REST
}

func (c *commandSet) ask(ctx context.Context, r *Request) error {
	q := WithoutMentions(r.String("question"))
	r.Question = q
	r.Annotate(slog.Int("question_chars", runes(q)))
	c.log.LogAttrs(ctx, slog.LevelDebug, "question", slog.String("interaction_id", r.Interaction.ID), slog.String("question", QuestionForLog(q)))
	if err := r.Respond.Progress(ctx, ProgressSearching); err != nil {
		// Not fatal: the answer can still replace "thinking…".
		c.log.LogAttrs(ctx, slog.LevelWarn, "could not show progress", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
	}
	st := newStreamer(c.cfg.StreamInterval, func(text string) {
		// The LLM's words, shown as message content: no markdown, no masked links.
		if err := r.Respond.Progress(ctx, EscapeMarkdown(text)); err != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "could not show the streaming answer", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		}
	})
	// Stopped however Ask ends — a panic included — so that no partial
	// edit outlives the question or lands after the error reply.
	defer st.Stop()
	a, err := c.cfg.Answerer.Ask(ctx, q, st.Update)
	edits := st.Stop()
	if err != nil {
		return err
	}
	r.Outcome, r.IndexVersion, r.Answer = a.Outcome(), a.IndexVersion, &a
	r.Annotate(slog.Int("partial_edits", edits))
	msgs, charted := c.charts.Decorate(a, RenderAnswer(a))
	if charted != "" {
		r.Annotate(slog.String("chart", charted))
	}
	if c.cfg.Records != nil {
		r.RecordID = records.NewID()
		msgs = AddFeedbackButtons(msgs, r.RecordID, a)
	}
	if r.followUpAllowed() {
		msgs = WithFollowUp(msgs, a)
	}
	return r.Respond.Send(ctx, msgs...)
}

func (c *commandSet) sources(ctx context.Context, r *Request) error {
	q := r.String("query")
	r.Annotate(slog.Int("query_chars", runes(q)))
	c.log.LogAttrs(ctx, slog.LevelDebug, "sources query", slog.String("interaction_id", r.Interaction.ID), slog.String("query", QuestionForLog(q)))
	cites, version, err := c.cfg.Answerer.Sources(ctx, q, SourcesLimit)
	if err != nil {
		return err
	}
	// The title echoes the query as the search saw it: no control characters.
	q, _ = answer.CleanQuestion(q)
	r.IndexVersion = version
	r.Outcome = "listed"
	if len(cites) == 0 {
		r.Outcome = "no_match"
	}
	r.Annotate(slog.Int("facts", len(cites)))
	return r.Respond.Send(ctx, RenderSources(q, cites, version)...)
}

func (c *commandSet) reindex(ctx context.Context, r *Request) error {
	if c.cfg.Reindexer == nil {
		r.Outcome = "unavailable"
		return r.Respond.SendText(ctx, "Reindexing is not available in this deployment.")
	}
	old := ""
	if c.cfg.Index != nil {
		old = c.cfg.Index.Version()
	}
	start := time.Now()
	rep, err := c.cfg.Reindexer.Reindex(ctx)
	c.cfg.Metrics.Reindex(time.Since(start), err)
	// Posted to the audit channel after the moderator's reply.
	defer c.auditReindex(ctx, r, time.Now(), rep, err, old)
	if err == nil {
		c.cfg.Metrics.Index(rep.NewVersion, rep.Facts)
	}
	var le *knowledge.LoadError
	switch {
	case errors.As(err, &le):
		r.Outcome, r.IndexVersion = "invalid_knowledge", old
		r.Annotate(slog.Int("problems", len(le.Problems)))
		return r.Respond.Send(ctx, RenderLoadError(le, old)...)
	case err != nil:
		r.Outcome, r.IndexVersion = "failed", old
		c.log.LogAttrs(ctx, slog.LevelError, "reindex failed", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		return r.Respond.Send(ctx, layout(layoutInput{
			title:  "Reindex failed",
			text:   fmt.Sprintf("%s\n\nThe old index (version %s) keeps serving.", Truncate(err.Error(), 1500), old),
			colour: ColourError,
		})...)
	}
	r.Outcome, r.IndexVersion = "reindexed", rep.NewVersion
	c.cfg.Audit.Reindexed(ctx, who(r), rep)
	r.Annotate(slog.String("old_version", rep.OldVersion), slog.Int("added", len(rep.Changes.Added)),
		slog.Int("removed", len(rep.Changes.Removed)), slog.Int("changed", len(rep.Changes.Changed)),
		slog.Int64("build_ms", rep.BuildTime.Milliseconds()))
	return r.Respond.Send(ctx, RenderSwapReport(rep)...)
}

// RenderSwapReport says what a reindex changed.
func RenderSwapReport(rep index.SwapReport) []Message {
	summary := fmt.Sprintf("Index **%s** → **%s**, built in %s: %s.",
		rep.OldVersion, rep.NewVersion, rep.BuildTime.Round(time.Millisecond), Count(rep.Facts, "fact", "facts"))
	if rep.Changes.Empty() {
		summary += "\nNo fact was added, removed or changed."
	}
	var fields []*discordgo.MessageEmbedField
	for _, part := range []struct {
		name string
		ids  []string
	}{{"Added", rep.Changes.Added}, {"Removed", rep.Changes.Removed}, {"Changed", rep.Changes.Changed}} {
		if len(part.ids) > 0 {
			fields = append(fields, &discordgo.MessageEmbedField{
				Name:  fmt.Sprintf("%s (%d)", part.name, len(part.ids)),
				Value: idList(part.ids, MaxFieldValue),
			})
		}
	}
	return layout(layoutInput{title: "Reindexed", text: summary, fields: fields, colour: ColourAnswered})
}

// idList joins ids as code, as many as fit in max characters, and says how
// many more there are.
func idList(ids []string, max int) string {
	var b strings.Builder
	for i, id := range ids {
		item := "`" + id + "`"
		if i > 0 {
			item = ", " + item
		}
		more := fmt.Sprintf(" … and %d more", len(ids)-i)
		if runes(b.String())+runes(item)+runes(more) > max {
			b.WriteString(more)
			break
		}
		b.WriteString(item)
	}
	return b.String()
}

// RenderLoadError lists the problems in the knowledge files, each as
// file:line: message, and says the old index keeps serving.
func RenderLoadError(le *knowledge.LoadError, oldVersion string) []Message {
	head := fmt.Sprintf("The knowledge files have %s, so nothing was reindexed: the old index (version %s) keeps serving. Fix these and run /reindex again:\n",
		Count(len(le.Problems), "problem", "problems"), oldVersion)
	budget := MaxEmbedDescription - runes(head) - 40
	var b strings.Builder
	for i, p := range le.Problems {
		line := Truncate(p.String(), 400) + "\n"
		if runes(b.String())+runes(line) > budget {
			fmt.Fprintf(&b, "… and %d more\n", len(le.Problems)-i)
			break
		}
		b.WriteString(line)
	}
	return layout(layoutInput{
		title:  "Knowledge not valid",
		text:   head + "```\n" + strings.ReplaceAll(b.String(), "```", "'''") + "```",
		colour: ColourError,
	})
}

func (c *commandSet) help(ctx context.Context, r *Request) error {
	r.Outcome = "ok"
	var b strings.Builder
	covers := "what its knowledge base covers"
	if c.cfg.Index != nil {
		if cv := c.cfg.Index.Base().About().Covers; cv != "" {
			covers = cv
		}
	}
	fmt.Fprintf(&b, "bytewatch answers questions about %s — from facts it can cite.\n\n", covers)
	b.WriteString("**/ask** `question` — an answer with numbered citations; add `private: True` to see it alone.\n")
	b.WriteString("**/sources** `query` — the facts that best match, with who reported them, no summarising.\n")
	b.WriteString("**Mention me** with a question, reply to one of my answers, or send me a direct message.\n")
	answerChannels := c.cfg.AnswerChannelIDs
	if c.cfg.Settings != nil {
		answerChannels = c.cfg.Settings.For(ctx, r.GuildID()).AnswerChannelIDs
	}
	if len(answerChannels) > 0 {
		chans := make([]string, len(answerChannels))
		for i, id := range answerChannels {
			chans[i] = "<#" + id + ">"
		}
		fmt.Fprintf(&b, "**In %s** I answer any question my sources cover, without being mentioned.\n", strings.Join(chans, ", "))
	}
	if c.cfg.Records != nil {
		b.WriteString("**👍 / 👎** under an answer — tell the moderators whether it helped; **Sources** — every cited fact in full.\n")
		b.WriteString("**/forget-me** — delete the records of your questions and votes.\n**/report** — moderators: what people asked and what the sources don't cover.\n")
	}
	b.WriteString("**/reindex** — moderators: reload the knowledge files.\n")
	if c.cfg.Source != nil {
		b.WriteString("**/source** — moderators: add, list, show, remove and roll back sources.\n")
	}
	b.WriteString("**/about** — what I know and how I answer.\n\n")
	fmt.Fprintf(&b, "Each person can ask %s a minute. When my sources don't cover something I say so instead of guessing. Nothing I say is investment advice.", Count(c.cfg.Limiter.PerMinuteIn(r.GuildID()), "question", "questions"))
	return r.Respond.Send(ctx, layout(layoutInput{title: "bytewatch help", text: b.String(), colour: ColourInfo})...)
}

func (c *commandSet) about(ctx context.Context, r *Request) error {
	r.Outcome = "ok"
	var b strings.Builder
	fmt.Fprintf(&b, "**Version:** %s\n", orDash(c.cfg.Version))
	if c.cfg.Index != nil {
		st := c.cfg.Index.Base().Stats()
		r.IndexVersion = c.cfg.Index.Version()
		fmt.Fprintf(&b, "**Knowledge:** %s from %s, as of %s\n", Count(st.Facts, "fact", "facts"), Count(st.Sources, "source", "sources"), orDash(st.LatestAsOf.Human()))
		fmt.Fprintf(&b, "**Index:** %s\n", r.IndexVersion)
	}
	mode := "extractive (the facts' own words; no LLM)"
	if c.cfg.Model != "" {
		mode = "LLM " + c.cfg.Model + ", every figure and citation verified against the facts"
	}
	fmt.Fprintf(&b, "**Answers:** %s\n\nbytewatch reports what its sources say, with who said it. It is not investment advice.", mode)
	return r.Respond.Send(ctx, layout(layoutInput{title: "About bytewatch", text: b.String(), colour: ColourInfo})...)
}

// Count writes a number with the word that agrees with it: "1 source",
// "29 facts".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
