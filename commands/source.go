package commands

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/internal/ops"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// SourceStore is the knowledge folder /source changes: *folder.Folder.
type SourceStore interface {
	PlanAdd(who string, data []byte) (*folder.Plan, error)
	PlanRemove(who, id string) (*folder.Plan, error)
	PlanRollback(who string, version int) (*folder.Plan, error)
	Apply(ctx context.Context, p *folder.Plan) (folder.Result, error)
	History(limit int) []folder.Version
	SourceFile(id string) (name string, data []byte, err error)
}

// ArticleDrafter turns an article — plain text, Markdown or HTML — into a
// draft source file (YAML) for a moderator to preview.
type ArticleDrafter interface {
	Draft(ctx context.Context, filename string, data []byte) ([]byte, error)
}

// SourceConfig enables /source. Without a Store the knowledge is the
// built-in base, which /source lists and shows but cannot change.
type SourceConfig struct {
	Store SourceStore
	// ReadOnly says why the knowledge cannot be changed when Store is nil
	// and there is a knowledge folder; "" means the built-in base
	// (NoKnowledgeDir says how to start a folder).
	ReadOnly string
	Drafter  ArticleDrafter // nil refuses articles
	// AuditChannelID gets a message for every change and every refused
	// change; "" sends none.
	AuditChannelID string
	// APIBaseURL is DISCORD_API_BASE_URL: attachments are fetched from its
	// host as well as from Discord's CDN.
	APIBaseURL string
	// Client fetches attachments; nil means one with a 30 s timeout. It
	// never follows redirects.
	Client *http.Client
	// Now is the clock previews expire by; nil means time.Now.
	Now func() time.Time
	// PreviewTTL is how long Confirm works; 0 means DefaultPreviewTTL.
	PreviewTTL time.Duration
}

// /source's limits and names.
const (
	DefaultPreviewTTL = 10 * time.Minute
	// SourceConfirmPrefix and SourceCancelPrefix start the custom_id of a
	// preview's buttons; the rest is the preview's id.
	SourceConfirmPrefix = "source-confirm:"
	SourceCancelPrefix  = "source-cancel:"
	// SourcePasteModal is the custom_id of the form for pasted text, and
	// SourcePasteField that of its one text input.
	SourcePasteModal = "source-paste"
	SourcePasteField = "text"
	// MaxPaste is the most a pasted text may hold (Discord's limit for a
	// text input).
	MaxPaste = 4000
	// MaxAttachment is the largest attachment /source add reads.
	MaxAttachment = folder.MaxFileSize
	// historyShown is how many versions /source history lists.
	historyShown = 15
)

// NoKnowledgeDir is what /source add says when the knowledge is built in.
const NoKnowledgeDir = "bytewatch is using its built-in knowledge, which is read-only. To add sources, give it a folder of its own:\n" +
	"1. `bytewatch knowledge export DIR` writes the built-in sources to DIR;\n" +
	"2. set `KNOWLEDGE_DIR=DIR` in `.env`;\n" +
	"3. restart bytewatch. Then /source add writes into DIR, keeps every version, and can roll back."

// discordCDNHosts are where Discord serves attachments.
var discordCDNHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}

func sourceSpec() *discordgo.ApplicationCommand {
	idOption := func(desc string) []*discordgo.ApplicationCommandOption {
		return []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "id",
			Description: desc, Required: true, MaxLength: folder.MaxIDLength}}
	}
	return moderatorSpec("source", "Moderators: add, review, remove and roll back knowledge sources",
		[]*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add",
				Description: "Add a source: attach a source file (.yaml) or an article (.txt, .md, .html), or paste text",
				Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file",
					Description: "A source file (.yaml) or an article (.txt, .md, .html), at most 1 MiB; leave out to paste text"}}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "List the sources"},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show a source and its facts", Options: idOption("The source's id")},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove a source (asks to confirm)", Options: idOption("The source's id")},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "history", Description: "The knowledge's versions: who changed what, when"},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "rollback", Description: "Restore the knowledge of an earlier version (asks to confirm)",
				Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionInteger, Name: "version",
					Description: "The version to restore, from /source history", Required: true, MinValue: ptr(1.0)}}},
		}...)
}

func ptr[T any](v T) *T { return &v }

// sourceCommands serves /source, its buttons and its form.
type sourceCommands struct {
	rest     *REST
	metrics  *ops.Metrics
	cfg      SourceConfig
	index    IndexStatus
	audit    *Audit
	log      *slog.Logger
	previews previews
}

func newSourceCommands(rest *REST, cfg SourceConfig, ix IndexStatus, audit *Audit, log *slog.Logger) *sourceCommands {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PreviewTTL <= 0 {
		cfg.PreviewTTL = DefaultPreviewTTL
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	// Only the URL Discord sent is fetched: never where it redirects.
	client := *cfg.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error {
		return errors.New("attachments are not fetched through redirects")
	}
	cfg.Client = &client
	return &sourceCommands{rest: rest, cfg: cfg, index: ix, audit: audit, log: log, previews: previews{m: map[string]*preview{}}}
}

// register adds /source, its buttons and its form to rt.
func (s *sourceCommands) register(rt *Router, moderatorRoles []string) {
	rt.Add(sourceSpec(), HandlerFunc(s.command), ForcePrivate(), RequireModerator(moderatorRoles))
	rt.AddButton(SourceConfirmPrefix, "source confirm", HandlerFunc(s.confirm), ForcePrivate(), RequireModerator(moderatorRoles), Defer())
	rt.AddButton(SourceCancelPrefix, "source cancel", HandlerFunc(s.cancel), ForcePrivate(), RequireModerator(moderatorRoles))
	rt.AddModal(SourcePasteModal, "source paste", HandlerFunc(s.paste), ForcePrivate(), RequireModerator(moderatorRoles), Defer())
}

// who names the moderator for the history: "discord:ID (name)".
func who(r *Request) string {
	name := ""
	switch {
	case r.Interaction.Member != nil && r.Interaction.Member.User != nil:
		name = r.Interaction.Member.User.Username
	case r.Interaction.User != nil:
		name = r.Interaction.User.Username
	}
	return fmt.Sprintf("discord:%s (%s)", r.UserID(), name)
}

func (s *sourceCommands) command(ctx context.Context, r *Request) error {
	data := r.Interaction.ApplicationCommandData()
	if len(data.Options) == 0 || data.Options[0] == nil {
		r.Outcome = "invalid"
		return r.Respond.SendText(ctx, "Use /source add, list, show, remove, history or rollback.")
	}
	sub := data.Options[0]
	r.Annotate(slog.String("subcommand", sub.Name))
	opt := func(name string) *discordgo.ApplicationCommandInteractionDataOption {
		for _, o := range sub.Options {
			if o != nil && o.Name == name {
				return o
			}
		}
		return nil
	}
	if sub.Name == "add" && opt("file") == nil && s.cfg.Store != nil {
		// The form must be the first response: no deferring before it.
		r.Outcome = "form"
		return r.Respond.Modal(ctx, pasteModal())
	}
	if err := r.Respond.Defer(ctx); err != nil {
		return fmt.Errorf("acknowledging: %w", err)
	}
	switch sub.Name {
	case "list":
		return s.list(ctx, r)
	case "show":
		return s.show(ctx, r, optString(opt("id")))
	case "history":
		return s.history(ctx, r)
	}
	if s.cfg.Store == nil {
		r.Outcome = "read_only"
		return r.Respond.SendText(ctx, s.readOnly())
	}
	switch sub.Name {
	case "add":
		return s.addFile(ctx, r, data, optString(opt("file")))
	case "remove":
		id := optString(opt("id"))
		p, err := s.cfg.Store.PlanRemove(who(r), id)
		return s.preview(ctx, r, "remove "+id, p, err)
	case "rollback":
		n := 0
		if o := opt("version"); o != nil && o.Type == discordgo.ApplicationCommandOptionInteger {
			n = int(o.IntValue())
		}
		p, err := s.cfg.Store.PlanRollback(who(r), n)
		return s.preview(ctx, r, fmt.Sprintf("roll back to version %d", n), p, err)
	}
	r.Outcome = "invalid"
	return r.Respond.SendText(ctx, "Unknown /source subcommand "+sub.Name+".")
}

// readOnly says why nothing can be changed.
func (s *sourceCommands) readOnly() string {
	if s.cfg.ReadOnly != "" {
		return "The knowledge cannot be changed from Discord: " + s.cfg.ReadOnly
	}
	return NoKnowledgeDir
}

// optString reads a string option without panicking on another type.
func optString(o *discordgo.ApplicationCommandInteractionDataOption) string {
	if o == nil {
		return ""
	}
	s, _ := o.Value.(string)
	return s
}

func pasteModal() *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		CustomID: SourcePasteModal,
		Title:    "Add a source",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: SourcePasteField, Label: "An article, or a source file (YAML)", Style: discordgo.TextInputParagraph,
				Placeholder: "Paste the article's text (title and date first), or a whole source file", Required: true, MinLength: 20, MaxLength: MaxPaste},
		}}},
	}
}

// inputKind says what a file is: a source file or an article.
type inputKind int

const (
	sourceFile inputKind = iota + 1
	article
)

// kindOf tells by the file's extension; ok is false for other types.
func kindOf(filename string) (inputKind, bool) {
	switch strings.ToLower(path.Ext(filename)) {
	case ".yaml", ".yml":
		return sourceFile, true
	case ".txt", ".md", ".markdown", ".html", ".htm":
		return article, true
	}
	return 0, false
}

// addFile previews the source in the attached file.
func (s *sourceCommands) addFile(ctx context.Context, r *Request, data discordgo.ApplicationCommandInteractionData, attachmentID string) error {
	var a *discordgo.MessageAttachment
	if data.Resolved != nil {
		a = data.Resolved.Attachments[attachmentID]
	}
	if a == nil {
		return s.refuse(ctx, r, "the attachment", "Discord sent no attachment with the command; attach the file again.")
	}
	what := fmt.Sprintf("%q", a.Filename)
	kind, ok := kindOf(a.Filename)
	switch {
	case !ok:
		return s.refuse(ctx, r, what, "Only source files (.yaml, .yml) and articles (.txt, .md, .html) can be added.")
	case a.Size > MaxAttachment:
		return s.refuse(ctx, r, what, fmt.Sprintf("The file is %s; the limit is 1 MiB.", byteSize(a.Size)))
	}
	body, err := s.fetch(ctx, a.URL)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "could not fetch an attachment", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
		return s.refuse(ctx, r, what, "Could not read the attachment: "+err.Error())
	}
	return s.addData(ctx, r, what, a.Filename, kind, body)
}

// paste previews pasted text: a source file if it reads as one, an
// article otherwise.
func (s *sourceCommands) paste(ctx context.Context, r *Request) error {
	if s.cfg.Store == nil {
		r.Outcome = "read_only"
		return r.Respond.SendText(ctx, s.readOnly())
	}
	text := ""
	for _, row := range r.Interaction.ModalSubmitData().Components {
		if ar, ok := row.(*discordgo.ActionsRow); ok {
			for _, c := range ar.Components {
				if ti, ok := c.(*discordgo.TextInput); ok && ti.CustomID == SourcePasteField {
					text = ti.Value
				}
			}
		}
	}
	switch {
	case strings.TrimSpace(text) == "":
		return s.refuse(ctx, r, "the pasted text", "The form was empty.")
	case len(text) > MaxPaste*4: // Discord allows 4,000 characters; a crafted payload may hold more
		return s.refuse(ctx, r, "the pasted text", fmt.Sprintf("The text is longer than the form allows (%d characters).", MaxPaste))
	}
	kind, name := article, "pasted.txt"
	if looksLikeSourceFile(text) {
		kind, name = sourceFile, "pasted.yaml"
	}
	return s.addData(ctx, r, "the pasted text", name, kind, []byte(text))
}

// looksLikeSourceFile reports whether pasted text is meant as a source
// file: it has the top-level keys every one has.
func looksLikeSourceFile(text string) bool {
	has := func(key string) bool {
		return strings.HasPrefix(text, key+":") || strings.Contains(text, "\n"+key+":")
	}
	return has("id") && has("facts")
}

func (s *sourceCommands) addData(ctx context.Context, r *Request, what, filename string, kind inputKind, data []byte) error {
	if !utf8.Valid(data) {
		return s.refuse(ctx, r, what, "The file is not text (UTF-8).")
	}
	if kind == article {
		if s.cfg.Drafter == nil {
			return s.refuse(ctx, r, what, "Articles cannot be read in this deployment; attach a source file (.yaml) instead.")
		}
		draft, err := s.cfg.Drafter.Draft(ctx, filename, data)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return s.refuse(ctx, r, what, "The article could not be turned into a source: "+err.Error())
		}
		data = draft
		r.Annotate(slog.Bool("drafted", true))
	}
	p, err := s.cfg.Store.PlanAdd(who(r), data)
	if err == nil && kind == article {
		// The draft goes with the preview: the moderator can read its
		// notes, correct it and attach it again with /source add.
		return s.preview(ctx, r, "add "+what, p, nil, &discordgo.File{Name: p.SourceID + ".yaml", ContentType: "text/yaml", Reader: bytes.NewReader(data)})
	}
	return s.preview(ctx, r, "add "+what, p, err)
}

// refuse tells the moderator, privately, why nothing changed, and the
// audit channel that a change was refused.
func (s *sourceCommands) refuse(ctx context.Context, r *Request, what, why string) error {
	r.Outcome = "refused"
	s.audit.Refused(ctx, who(r), what, []string{why})
	return r.Respond.Send(ctx, layout(layoutInput{
		title: Truncate("Refused: "+what, MaxEmbedTitle), text: why + "\n\nNothing changed.", colour: ColourError,
	})...)
}

// preview shows a planned change privately with Confirm and Cancel, or
// every problem that stops it.
func (s *sourceCommands) preview(ctx context.Context, r *Request, what string, p *folder.Plan, err error, files ...*discordgo.File) error {
	if err != nil {
		return s.refuseErr(ctx, r, what, err)
	}
	if advice := AdviceIn(p); len(advice) > 0 {
		return s.refuseProblems(ctx, r, what, "These statements read as investment advice, which bytewatch never gives; reword them as what the source reports:", advice)
	}
	now := s.cfg.Now()
	id := s.previews.put(&preview{plan: p, user: r.UserID(), expires: now.Add(s.cfg.PreviewTTL), what: what, origin: r.Interaction}, now)
	r.Outcome = "preview"
	r.Annotate(slog.String("preview", id), slog.Int("added", len(p.Changes.Added)),
		slog.Int("removed", len(p.Changes.Removed)), slog.Int("changed", len(p.Changes.Changed)), slog.Int("conflicts", len(p.Conflicts)))
	msgs := RenderPlan(p, s.cfg.PreviewTTL)
	last := &msgs[len(msgs)-1]
	last.Files = files
	last.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Confirm", Style: discordgo.SuccessButton, CustomID: SourceConfirmPrefix + id},
		discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: SourceCancelPrefix + id},
	}}}
	return r.Respond.Send(ctx, msgs...)
}

// AdviceIn lists the added or changed facts whose statements read as
// investment advice (answer.Recommends): a change with any is refused at
// preview, before it could be withheld at answer time.
func AdviceIn(p *folder.Plan) []string {
	var out []string
	for _, id := range append(append([]string(nil), p.Changes.Added...), p.Changes.Changed...) {
		f, ok := p.After.Fact(id)
		if !ok {
			continue
		}
		if phrase, bad := answer.Recommends(f.Statement); bad {
			out = append(out, fmt.Sprintf("%s: %q (%s)", id, phrase, Truncate(f.Statement, 200)))
		}
	}
	return out
}

// refuseErr explains why a change cannot be made.
func (s *sourceCommands) refuseErr(ctx context.Context, r *Request, what string, err error) error {
	var le *knowledge.LoadError
	switch {
	case errors.As(err, &le):
		lines := make([]string, len(le.Problems))
		for i, p := range le.Problems {
			lines[i] = p.String()
		}
		return s.refuseProblems(ctx, r, what, fmt.Sprintf("The knowledge would have %s:", Count(len(lines), "problem", "problems")), lines)
	case errors.Is(err, folder.ErrUnsafe), errors.Is(err, folder.ErrNoChange), errors.Is(err, folder.ErrUnknownSource),
		errors.Is(err, folder.ErrUnknownVersion), errors.Is(err, folder.ErrStale):
		return s.refuse(ctx, r, what, upperFirst(err.Error())+".")
	case ctx.Err() != nil:
		return err
	}
	s.log.LogAttrs(ctx, slog.LevelError, "knowledge change failed", slog.String("interaction_id", r.Interaction.ID), slog.Any("error", err))
	return s.refuse(ctx, r, what, Truncate(upperFirst(err.Error()), 1500))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func (s *sourceCommands) refuseProblems(ctx context.Context, r *Request, what, head string, problems []string) error {
	r.Outcome = "refused"
	r.Annotate(slog.Int("problems", len(problems)))
	s.audit.Refused(ctx, who(r), what, problems)
	return r.Respond.Send(ctx, layout(layoutInput{
		title:  Truncate("Refused: "+what, MaxEmbedTitle),
		text:   head + "\n" + problemBlock(problems, MaxEmbedDescription-runes(head)-80) + "\nNothing changed.",
		colour: ColourError,
	})...)
}

// confirm makes a previewed change.
func (s *sourceCommands) confirm(ctx context.Context, r *Request) error {
	id := strings.TrimPrefix(r.Interaction.MessageComponentData().CustomID, SourceConfirmPrefix)
	pv, why := s.previews.take(id, r.UserID(), s.cfg.Now())
	if why != "" {
		r.Outcome = "expired"
		if pv != nil {
			s.close(ctx, pv, "Expired: nothing changed.")
		}
		return r.Respond.SendText(ctx, why)
	}
	res, err := s.cfg.Store.Apply(ctx, pv.plan)
	if err != nil {
		s.close(ctx, pv, "Not confirmed: nothing changed (see below).")
		return s.refuseErr(ctx, r, pv.what, err)
	}
	s.close(ctx, pv, fmt.Sprintf("Confirmed: version %d.", res.Version.N))
	if res.Report.NewVersion != "" {
		s.metrics.Index(res.Report.NewVersion, res.Report.Facts)
	}
	v := res.Version
	r.Outcome, r.IndexVersion = "applied", res.Report.NewVersion
	r.Annotate(slog.Int("version", v.N), slog.String("action", v.Action))
	s.audit.Version(ctx, v, res.Report.OldVersion, res.Report.NewVersion)
	text := fmt.Sprintf("**Version %d is live**: %s.\n%s added, %s changed, %s removed.", v.N, EscapeMarkdown(v.Summary),
		Count(len(v.Facts.Added), "fact", "facts"), Count(len(v.Facts.Changed), "fact", "facts"), Count(len(v.Facts.Removed), "fact", "facts"))
	if res.Report.NewVersion != "" {
		text += fmt.Sprintf("\nIndex %s → %s, built in %s.", res.Report.OldVersion, res.Report.NewVersion, res.Report.BuildTime.Round(time.Millisecond))
	}
	text += fmt.Sprintf("\nUndo with `/source rollback version:%d`.", v.N-1)
	return r.Respond.Send(ctx, layout(layoutInput{title: "Knowledge updated", text: text, colour: ColourAnswered})...)
}

// cancel drops a preview. It replies first — the click is not deferred —
// and then takes the buttons off the preview.
func (s *sourceCommands) cancel(ctx context.Context, r *Request) error {
	id := strings.TrimPrefix(r.Interaction.MessageComponentData().CustomID, SourceCancelPrefix)
	pv, why := s.previews.take(id, r.UserID(), s.cfg.Now())
	reply, note := "Cancelled: nothing changed.", "Cancelled: nothing changed."
	r.Outcome = "cancelled"
	if why != "" {
		r.Outcome, reply, note = "expired", why, "Expired: nothing changed."
	}
	err := r.Respond.SendText(ctx, reply)
	if pv != nil {
		s.close(ctx, pv, note)
	}
	return err
}

// close takes the buttons off a preview that has been answered, and says
// how, so it cannot be pressed again.
func (s *sourceCommands) close(ctx context.Context, pv *preview, note string) {
	if s.rest == nil || pv.origin == nil {
		return
	}
	none := []discordgo.MessageComponent{}
	if err := s.rest.EditOriginal(ctx, pv.origin, &discordgo.WebhookEdit{Content: &note, Components: &none}); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "could not take the buttons off a preview", slog.String("interaction_id", pv.origin.ID), slog.Any("error", err))
	}
}

// list lists the sources of the live knowledge.
func (s *sourceCommands) list(ctx context.Context, r *Request) error {
	r.Outcome = "listed"
	if s.index == nil {
		return r.Respond.SendText(ctx, "No knowledge is loaded.")
	}
	base := s.index.Base()
	counts := map[string]int{}
	for _, f := range base.Facts {
		counts[f.SourceID]++
	}
	var lines []string
	for _, src := range base.Sources {
		lines = append(lines, fmt.Sprintf("`%s` — %s (%s, %s) · %s", src.ID, EscapeMarkdown(src.Title), EscapeMarkdown(src.Publisher),
			src.Published.Human(), Count(counts[src.ID], "fact", "facts")))
	}
	head := fmt.Sprintf("%s, %s · index %s", Count(len(base.Sources), "source", "sources"), Count(len(base.Facts), "fact", "facts"), s.index.Version())
	switch {
	case s.cfg.ReadOnly != "":
		head += "\nRead-only: " + s.cfg.ReadOnly
	case s.cfg.Store == nil:
		head += "\nThe built-in knowledge: read-only."
	}
	return r.Respond.Send(ctx, layout(layoutInput{title: "Sources", text: head + "\n\n" + strings.Join(lines, "\n"), colour: ColourInfo})...)
}

// show shows one source: its metadata and facts, and its file when the
// knowledge has a folder.
func (s *sourceCommands) show(ctx context.Context, r *Request, id string) error {
	if err := folder.CheckSourceID(id); err != nil {
		r.Outcome = "invalid"
		return r.Respond.SendText(ctx, upperFirst(err.Error())+".")
	}
	var base *knowledge.Base
	if s.index != nil {
		base = s.index.Base()
	}
	src, ok := knowledge.Source{}, false
	if base != nil {
		src, ok = base.Source(id)
	}
	if !ok {
		r.Outcome = "unknown"
		return r.Respond.SendText(ctx, fmt.Sprintf("No source has the id `%s`; /source list lists them.", id))
	}
	r.Outcome = "shown"
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n%s, %s", EscapeMarkdown(src.Title), EscapeMarkdown(src.Publisher), src.Published.Human())
	if src.URL != "" {
		b.WriteString(" · <" + src.URL + ">")
	}
	b.WriteString("\n\n")
	for _, f := range base.Facts {
		if f.SourceID == id {
			fmt.Fprintf(&b, "`%s` %s — %s\n", f.ID, EscapeMarkdown(f.Statement), EscapeMarkdown(f.Attribution))
		}
	}
	msgs := layout(layoutInput{title: Truncate("Source "+id, MaxEmbedTitle), text: b.String(), colour: ColourInfo})
	if s.cfg.Store != nil {
		if name, data, err := s.cfg.Store.SourceFile(id); err == nil {
			msgs[len(msgs)-1].Files = []*discordgo.File{{Name: name, ContentType: "text/yaml", Reader: bytes.NewReader(data)}}
		}
	}
	return r.Respond.Send(ctx, msgs...)
}

// history lists the newest versions.
func (s *sourceCommands) history(ctx context.Context, r *Request) error {
	if s.cfg.Store == nil {
		r.Outcome = "read_only"
		if s.cfg.ReadOnly != "" {
			return r.Respond.SendText(ctx, s.readOnly())
		}
		return r.Respond.SendText(ctx, "The built-in knowledge has no history: it changes only with bytewatch itself.\n\n"+NoKnowledgeDir)
	}
	r.Outcome = "listed"
	var lines []string
	for _, v := range s.cfg.Store.History(historyShown) {
		lines = append(lines, HistoryLine(v))
	}
	return r.Respond.Send(ctx, layout(layoutInput{title: "Knowledge history", text: strings.Join(lines, "\n"),
		footer: "Newest first · /source rollback VERSION restores one", colour: ColourInfo})...)
}

// previews are the changes awaiting Confirm, by id.
type previews struct {
	mu sync.Mutex
	m  map[string]*preview
}

type preview struct {
	plan    *folder.Plan
	origin  *discordgo.Interaction // the command whose reply is the preview
	user    string
	what    string
	expires time.Time
}

func (ps *previews) put(p *preview, now time.Time) string {
	b := make([]byte, 12)
	rand.Read(b)
	id := hex.EncodeToString(b)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for k, old := range ps.m {
		if now.After(old.expires) {
			delete(ps.m, k)
		}
	}
	ps.m[id] = p
	return id
}

// take removes and returns the preview id for user; why is "" when it may
// be confirmed, and says why not otherwise (with the preview, if it has
// just expired, so that it can be closed).
func (ps *previews) take(id, user string, now time.Time) (*preview, string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.m[id]
	switch {
	case p == nil:
		return nil, "This preview is no longer open: it was confirmed, cancelled or has expired, or bytewatch restarted. Nothing changed; run the /source command again."
	case p.user != user:
		return nil, "Only the moderator who asked for this preview can confirm or cancel it."
	case now.After(p.expires):
		delete(ps.m, id)
		return p, "This preview expired: nothing changed. Run the /source command again for a fresh one."
	}
	delete(ps.m, id)
	return p, ""
}
