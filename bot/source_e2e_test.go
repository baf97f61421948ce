package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

// moderator is a member with Manage Server.
const moderator = discordtest.DefaultMemberPermissions | discordgo.PermissionManageGuild

// auditChannel gets the knowledge's audit messages in these tests.
const auditChannel = generalChannel

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeDrafter stands in for the article ingester: it returns the draft
// prepared for each file name and records what it was given.
type fakeDrafter struct {
	mu     sync.Mutex
	drafts map[string][]byte
	seen   []string
}

func (d *fakeDrafter) Draft(_ context.Context, filename string, data []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = append(d.seen, fmt.Sprintf("%s:%d", filename, len(data)))
	draft, ok := d.drafts[filename]
	if !ok {
		return nil, fmt.Errorf("no claims found in %s", filename)
	}
	return draft, nil
}

func folderFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "knowledge", "folder", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sourceBot is a bot with /source on a copy of the built-in knowledge.
type sourceBot struct {
	*fixture
	dir     string
	folder  *folder.Folder
	clock   *testClock
	drafter *fakeDrafter
	user    int
}

func startSourceBot(t *testing.T, watch bool) *sourceBot {
	t.Helper()
	sb := &sourceBot{dir: copyKnowledge(t), clock: &testClock{now: time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)},
		drafter: &fakeDrafter{drafts: map[string][]byte{}}}
	sb.fixture = startBot(t, setup{knowledgeDir: sb.dir, options: func(o *bot.Options) {
		f, err := folder.Open(sb.dir, folder.Options{Index: o.Index.(folder.Swapper), Now: sb.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		sb.folder = f
		o.Source = &commands.SourceConfig{Store: f, Drafter: sb.drafter, AuditChannelID: auditChannel,
			APIBaseURL: o.APIBaseURL, Now: sb.clock.Now}
		o.Reindexer = f // as bytewatch run sets it
		if watch {
			o.WatchKnowledge = func(ctx context.Context, onEvent func(folder.Event)) error {
				return f.Watch(ctx, 50*time.Millisecond, onEvent)
			}
		}
	}})
	return sb
}

// source dispatches /source SUB with options as a moderator (perms 0:
// moderator).
func (sb *sourceBot) source(sub string, perms int64, opts []discordtest.CommandOption, files ...*discordgo.MessageAttachment) *discordtest.Interaction {
	if perms == 0 {
		perms = moderator
	}
	return sb.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "source", UserID: userID(60), Permissions: perms,
		Options: []discordtest.CommandOption{{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}, Attachments: files})
}

// reply waits for the deferred reply of a /source interaction.
func reply(t *testing.T, in *discordtest.Interaction) discordtest.Message {
	t.Helper()
	m, err := in.WaitOriginalEdit(testContext(t), nil)
	if err != nil {
		t.Fatalf("no reply: %v; requests: %+v", err, in.Requests())
	}
	return m
}

func text(m discordtest.Message) string {
	var b strings.Builder
	b.WriteString(m.Content + "\n")
	for _, e := range m.Embeds {
		b.WriteString(embedText(e) + "\n")
	}
	return b.String()
}

// buttons reads the custom_ids of a message's buttons from the body sent.
func buttons(t *testing.T, m discordtest.Message) map[string]string {
	t.Helper()
	var body struct {
		Components []struct {
			Components []struct {
				Label    string `json:"label"`
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(m.Raw, &body); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, row := range body.Components {
		for _, c := range row.Components {
			out[c.Label] = c.CustomID
		}
	}
	return out
}

// preview checks a preview reply and returns its Confirm and Cancel ids.
func preview(t *testing.T, m discordtest.Message, wants ...string) (confirm, cancel string) {
	t.Helper()
	got := text(m)
	for _, w := range append([]string{"Preview — nothing has changed yet"}, wants...) {
		if !strings.Contains(got, w) {
			t.Errorf("preview lacks %q:\n%s", w, got)
		}
	}
	b := buttons(t, m)
	if b["Confirm"] == "" || b["Cancel"] == "" {
		t.Fatalf("preview buttons = %v; want Confirm and Cancel:\n%s", b, got)
	}
	return b["Confirm"], b["Cancel"]
}

// click presses a button of the bot's (private) reply m.
func (sb *sourceBot) click(t *testing.T, m discordtest.Message, customID string, perms int64) discordtest.Message {
	t.Helper()
	if perms == 0 {
		perms = moderator
	}
	in := sb.srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: customID, MessageID: m.ID, UserID: userID(60), Permissions: perms})
	cb, err := in.WaitCallback(testContext(t))
	if err != nil {
		t.Fatalf("no callback to the click: %v", err)
	}
	if cb.Type == discordgo.InteractionResponseChannelMessageWithSource {
		return cb.Data
	}
	return reply(t, in)
}

func (sb *sourceBot) files(t *testing.T) []string {
	t.Helper()
	var out []string
	entries, err := os.ReadDir(sb.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func (sb *sourceBot) audit(t *testing.T, match string) discordgo.Message {
	t.Helper()
	m, err := sb.srv.WaitBotMessage(testContext(t), auditChannel, func(m discordgo.Message) bool {
		for _, e := range m.Embeds {
			if strings.Contains(embedText(e), match) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no audit message with %q: %v", match, err)
	}
	return m
}

// TestSourceAdd adds a source file, an article and pasted text through
// /source, and confirms, cancels and lets a preview expire.
func TestSourceAdd(t *testing.T) {
	sb := startSourceBot(t, false)
	srv := sb.srv

	t.Run("registered for Manage Server", func(t *testing.T) {
		for _, c := range srv.Commands(guildID) {
			if c.Name == "source" && (c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageGuild) {
				t.Errorf("/source default_member_permissions = %v; want 32", c.DefaultMemberPermissions)
			}
		}
	})

	t.Run("refused for non-moderators", func(t *testing.T) {
		for _, sub := range []string{"add", "list", "history"} {
			in := sb.source(sub, discordtest.DefaultMemberPermissions, nil)
			cb := callback(t, in)
			if !strings.Contains(cb.Data.Content, "Only moderators can use /source") || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("/source %s by a member: %+v", sub, cb.Data)
			}
		}
	})

	t.Run("file, preview, confirm, then answered", func(t *testing.T) {
		a := srv.AddAttachment("capex-update-2025.yaml", "application/x-yaml", folderFixture(t, "capex-update-2025.yaml"))
		in := sb.source("add", 0, []discordtest.CommandOption{{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: a.ID}}, a)
		if cb := callback(t, in); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("callback %+v; want a private deferral", cb)
		}
		m := reply(t, in)
		confirm, _ := preview(t, m, "Add source capex-update-2025 (2 facts)", "2 facts added", "Conflicts (", "`capex-update-ai-infra-15b` $15 billion vs `ai-infra-over-10b` more than $10 billion (unnamed media reports) — AI infrastructure investment, 2025", "Confirm within 10 minutes",
			"Added (2)", "capex-update-singapore-lab")
		if got := sb.files(t); strings.Contains(strings.Join(got, " "), "capex") {
			t.Fatalf("the preview wrote the file: %v", got)
		}
		done := sb.click(t, m, confirm, 0)
		if got := text(done); !strings.Contains(got, "Version 2 is live") || !strings.Contains(got, "Undo with `/source rollback version:1`") {
			t.Errorf("confirmation = %s", got)
		}
		if _, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return m.Content == "Confirmed: version 2." }); err != nil {
			t.Errorf("the preview was not closed: %v", err)
		}
		if _, err := os.Stat(filepath.Join(sb.dir, "capex-update-2025.yaml")); err != nil {
			t.Errorf("the file was not written: %v", err)
		}
		if got := sb.metric(t, `bytewatch_index_info{version="`+sb.ix.Version()+`"}`); got != 1 {
			t.Errorf("bytewatch_index_info for the new index = %v; want 1", got)
		}
		if got := sb.metric(t, "bytewatch_index_facts"); got != float64(len(sb.ix.Base().Facts)) {
			t.Errorf("bytewatch_index_facts = %v; want %d", got, len(sb.ix.Base().Facts))
		}
		ans := finalEdit(t, sb.ask(userID(61), "Did ByteDance open a research lab in Singapore?", false))
		if got := embedText(ans.Embeds[0]); !strings.Contains(got, "Singapore") || !strings.Contains(got, "Example Wire") {
			t.Errorf("the answer right after Confirm does not use the new source:\n%s", got)
		}
		sb.audit(t, "Knowledge version 2")
		// The button does nothing a second time.
		if again := text(sb.click(t, m, confirm, 0)); !strings.Contains(again, "no longer open") {
			t.Errorf("second Confirm = %s", again)
		}
	})

	t.Run("pasted source file, cancelled", func(t *testing.T) {
		in := sb.source("add", 0, nil)
		cb := callback(t, in)
		if cb.Type != discordgo.InteractionResponseModal || !strings.Contains(string(cb.Raw), commands.SourcePasteModal) {
			t.Fatalf("callback %s; want the paste form", cb.Raw)
		}
		if strings.Contains(string(cb.Raw), "allowed_mentions") {
			t.Errorf("the form carries allowed_mentions, which belong to messages: %s", cb.Raw)
		}
		sub := srv.DispatchInteraction(discordtest.InteractionSpec{ModalCustomID: commands.SourcePasteModal, UserID: userID(60), Permissions: moderator,
			ModalValues: map[string]string{commands.SourcePasteField: string(folderFixture(t, "second-source.yaml"))}})
		m := reply(t, sub)
		_, cancel := preview(t, m, "Add source second-source (1 fact)", "No conflict")
		if got := text(sb.click(t, m, cancel, 0)); !strings.Contains(got, "Cancelled: nothing changed") {
			t.Errorf("cancel = %s", got)
		}
		// The preview loses its buttons and says what became of it.
		closed, err := sub.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return strings.Contains(m.Content, "Cancelled") })
		if err != nil {
			t.Fatalf("the preview was not closed: %v", err)
		}
		if len(buttons(t, closed)) != 0 || !strings.Contains(string(closed.Raw), `"components":[]`) {
			t.Errorf("the closed preview = %s", closed.Raw)
		}
		if _, err := os.Stat(filepath.Join(sb.dir, "second-source.yaml")); err == nil {
			t.Error("a cancelled source was written")
		}
	})

	t.Run("pasted article, expired", func(t *testing.T) {
		sb.drafter.mu.Lock()
		sb.drafter.drafts["pasted.txt"] = folderFixture(t, "second-source.yaml")
		sb.drafter.mu.Unlock()
		article := "ByteDance hires for AI\n\nBy a reporter, April 2025\n\nByteDance hired engineers for its AI research team, the company said."
		sub := srv.DispatchInteraction(discordtest.InteractionSpec{ModalCustomID: commands.SourcePasteModal, UserID: userID(60), Permissions: moderator,
			ModalValues: map[string]string{commands.SourcePasteField: article}})
		m := reply(t, sub)
		confirm, _ := preview(t, m, "Add source second-source")
		sb.clock.Advance(10*time.Minute + time.Second)
		if got := text(sb.click(t, m, confirm, 0)); !strings.Contains(got, "expired") {
			t.Errorf("Confirm after 10 minutes = %s", got)
		}
		if _, err := sub.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return m.Content == "Expired: nothing changed." }); err != nil {
			t.Errorf("the expired preview was not closed: %v", err)
		}
		if _, err := os.Stat(filepath.Join(sb.dir, "second-source.yaml")); err == nil {
			t.Error("an expired preview was applied")
		}
	})

	t.Run("article file", func(t *testing.T) {
		sb.drafter.mu.Lock()
		sb.drafter.drafts["hiring.md"] = folderFixture(t, "second-source.yaml")
		sb.drafter.mu.Unlock()
		a := srv.AddAttachment("hiring.md", "text/markdown", []byte("# ByteDance hires for AI\n\nByteDance hired engineers for its AI research team.\n"))
		in := sb.source("add", 0, []discordtest.CommandOption{{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: a.ID}}, a)
		m := reply(t, in)
		confirm, _ := preview(t, m, "Add source second-source")
		if r, err := in.WaitRequest(testContext(t), func(r discordtest.Request) bool { return len(r.Files) > 0 }); err != nil {
			t.Errorf("the draft was not attached to the preview: %v", err)
		} else if r.Files[0] != "second-source.yaml" || string(r.Uploads[0].Data) != string(folderFixture(t, "second-source.yaml")) {
			t.Errorf("the preview attached %v", r.Files)
		}
		if got := text(sb.click(t, m, confirm, 0)); !strings.Contains(got, "Version 3 is live") {
			t.Errorf("confirm = %s", got)
		}
		sb.drafter.mu.Lock()
		seen := strings.Join(sb.drafter.seen, " ")
		sb.drafter.mu.Unlock()
		if !strings.Contains(seen, "hiring.md:") {
			t.Errorf("the drafter saw %s", seen)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		evil := srv.AddAttachment("evil.yaml", "application/x-yaml", folderFixture(t, "second-source.yaml"))
		evil.URL = "http://169.254.169.254/latest/meta-data.yaml"
		for _, tc := range []struct {
			name string
			file *discordgo.MessageAttachment
			want []string
		}{
			{"other type", srv.AddAttachment("report.pdf", "application/pdf", []byte("%PDF-1.4")), []string{"Only source files (.yaml, .yml) and articles"}},
			{"too big", srv.AddAttachment("big.yaml", "application/x-yaml", []byte("id: big\n#"+strings.Repeat("x", commands.MaxAttachment))), []string{"the limit is 1 MiB"}},
			{"not from Discord", evil, []string{"only from Discord's CDN, not from 169.254.169.254"}},
			{"alias bomb", srv.AddAttachment("bomb.yaml", "application/x-yaml", []byte("id: bomb\na: &a [x, x]\nb: [*a, *a]\n")), []string{"anchors and aliases"}},
			{"problems with lines", srv.AddAttachment("bad-figure.yaml", "application/x-yaml", folderFixture(t, "bad-figure.yaml")),
				[]string{"2 problems", "bad-figure.yaml:9: statement mentions \"$20 billion\" but no figure gives it", "bad-figure.yaml:14: figure $30 billion"}},
			{"advice", srv.AddAttachment("advice.yaml", "application/x-yaml", []byte(strings.ReplaceAll(string(folderFixture(t, "second-source.yaml")),
				"ByteDance hired engineers for its AI research team.", "Investors should buy ByteDance shares now."))), []string{"investment advice", "second-source"}},
			{"article without a draft", srv.AddAttachment("empty.txt", "text/plain", []byte("Nothing here.")), []string{"could not be turned into a source: no claims found"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := sb.files(t)
				in := sb.source("add", 0, []discordtest.CommandOption{{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: tc.file.ID}}, tc.file)
				got := text(reply(t, in))
				for _, w := range append(tc.want, "Nothing changed") {
					if !strings.Contains(got, w) {
						t.Errorf("refusal lacks %q:\n%s", w, got)
					}
				}
				if after := sb.files(t); strings.Join(after, " ") != strings.Join(before, " ") {
					t.Errorf("files %v → %v", before, after)
				}
				// The audit channel gets this refusal, with its reason.
				sb.audit(t, tc.want[len(tc.want)-1])
			})
		}
		for _, r := range srv.Requests() {
			if strings.Contains(r.Path, "meta-data") || strings.Contains(r.Path, "report.pdf") || strings.Contains(r.Path, "big.yaml") {
				t.Errorf("fetched %s", r.Path)
			}
		}
	})

	t.Run("show, remove, history, rollback", func(t *testing.T) {
		show := reply(t, sb.source("show", 0, []discordtest.CommandOption{{Name: "id", Value: "capex-update-2025"}}))
		if got := text(show); !strings.Contains(got, "capex-update-singapore-lab") || !strings.Contains(got, "Example Wire") {
			t.Errorf("show = %s", got)
		}
		if r, err := srv.WaitRequest(testContext(t), "PATCH", "/webhooks/{app}/{token}/messages/@original", func(r discordtest.Request) bool {
			return len(r.Files) == 1 && r.Files[0] == "capex-update-2025.yaml"
		}); err != nil {
			t.Errorf("show attached no file: %v", err)
		} else if string(r.Uploads[0].Data) != string(folderFixture(t, "capex-update-2025.yaml")) {
			t.Error("show attached another file")
		}

		m := reply(t, sb.source("remove", 0, []discordtest.CommandOption{{Name: "id", Value: "capex-update-2025"}}))
		confirm, _ := preview(t, m, "Remove source capex-update-2025 (2 facts)", "Removed (2)")
		if got := text(sb.click(t, m, confirm, 0)); !strings.Contains(got, "Version 4 is live") {
			t.Errorf("remove confirm = %s", got)
		}
		if _, err := os.Stat(filepath.Join(sb.dir, "capex-update-2025.yaml")); err == nil {
			t.Error("the removed source's file is still there")
		}
		if _, ok := sb.ix.Base().Fact("capex-update-singapore-lab"); ok {
			t.Error("the index still has the removed source")
		}

		hist := text(reply(t, sb.source("history", 0, nil)))
		for _, w := range []string{"v4", "remove source capex-update-2025", "v3", "v2", "add source capex-update-2025", "discord:" + userID(60) + " (investor)", "v1", "the folder as found"} {
			if !strings.Contains(hist, w) {
				t.Errorf("history lacks %q:\n%s", w, hist)
			}
		}

		m = reply(t, sb.source("rollback", 0, []discordtest.CommandOption{{Name: "version", Value: 2}}))
		confirm, _ = preview(t, m, "Roll back to version 2", "Added (2)", "Removed (1)")
		if got := text(sb.click(t, m, confirm, 0)); !strings.Contains(got, "Version 5 is live") {
			t.Errorf("rollback confirm = %s", got)
		}
		base, err := knowledge.LoadDir(sb.dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := base.Fact("capex-update-singapore-lab"); !ok || sb.ix.Version() != base.Version() {
			t.Errorf("after the rollback: folder %s, index %s", base.Version(), sb.ix.Version())
		}
		if h := sb.folder.Head(); h.Action != folder.ActionRollback || h.RollbackTo != 2 {
			t.Errorf("newest version = %+v", h)
		}
		list := text(reply(t, sb.source("list", 0, nil)))
		if !strings.Contains(list, "`capex-update-2025`") || strings.Contains(list, "second-source") {
			t.Errorf("list = %s", list)
		}
	})

	t.Run("reindex records and audits an edit on disk", func(t *testing.T) {
		third := strings.ReplaceAll(string(folderFixture(t, "second-source.yaml")), "second-source", "third-source")
		if err := os.WriteFile(filepath.Join(sb.dir, "third-source.yaml"), []byte(third), 0o644); err != nil {
			t.Fatal(err)
		}
		in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: userID(60), Permissions: moderator})
		if got := text(finalEdit(t, in)); !strings.Contains(got, "Added (1)") || !strings.Contains(got, "third-source-fact") {
			t.Errorf("/reindex = %s", got)
		}
		sb.audit(t, "Reindexed by discord:"+userID(60))
		if h := sb.folder.Head(); h.Action != folder.ActionEdit || h.Who != "disk" || h.Files.Added[0] != "third-source.yaml" {
			t.Errorf("newest version = %+v", h)
		}
	})

	checkNoMentionsOnTheWire(t, srv)
}

// TestSourceReadOnly: without a knowledge folder /source add says how to
// set one up.
func TestSourceReadOnly(t *testing.T) {
	f := startBot(t, setup{options: func(o *bot.Options) { o.Source = &commands.SourceConfig{APIBaseURL: o.APIBaseURL} }})
	in := f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "source", UserID: userID(62), Permissions: moderator,
		Options: []discordtest.CommandOption{{Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand}}})
	if got := text(reply(t, in)); !strings.Contains(got, "bytewatch knowledge export DIR") || !strings.Contains(got, "KNOWLEDGE_DIR=DIR") {
		t.Errorf("/source add without a folder = %s", got)
	}
	in = f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "source", UserID: userID(62), Permissions: moderator,
		Options: []discordtest.CommandOption{{Name: "list", Type: discordgo.ApplicationCommandOptionSubCommand}}})
	if got := text(reply(t, in)); !strings.Contains(got, "bytedance-ai-investment-2025") || !strings.Contains(got, "read-only") {
		t.Errorf("/source list without a folder = %s", got)
	}
}

// TestSourceWatch edits the knowledge folder on disk while the bot runs:
// a bad edit goes to the audit channel with every problem, a good one is
// live and recorded.
func TestSourceWatch(t *testing.T) {
	sb := startSourceBot(t, true)
	old := sb.ix.Version()
	if err := os.WriteFile(filepath.Join(sb.dir, "bad-figure.yaml"), folderFixture(t, "bad-figure.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := embedText(sb.audit(t, "bad-figure.yaml:9:").Embeds[0])
	for _, w := range []string{"an edit on disk", "bad-figure.yaml:9:", "bad-figure.yaml:14:"} {
		if !strings.Contains(got, w) {
			t.Errorf("audit lacks %q:\n%s", w, got)
		}
	}
	if sb.ix.Version() != old {
		t.Error("a bad edit changed the index")
	}
	if err := os.Rename(filepath.Join(sb.dir, "bad-figure.yaml"), filepath.Join(sb.dir, ".bad-figure.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sb.dir, "second-source.yaml"), folderFixture(t, "second-source.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	got = embedText(sb.audit(t, "Knowledge version 2").Embeds[0])
	if !strings.Contains(got, "disk") || !strings.Contains(got, "second-source.yaml") {
		t.Errorf("audit = %s", got)
	}
	if _, ok := sb.ix.Base().Fact("second-source-fact"); !ok {
		t.Error("the edit on disk is not live")
	}
	if got := sb.metric(t, `bytewatch_index_info{version="`+sb.ix.Version()+`"}`); got != 1 {
		t.Errorf("bytewatch_index_info after the edit on disk = %v; want 1", got)
	}
}

// TestSourceConfirmAtOnce: two moderators confirm their previews at the
// same moment; one change goes live, the other is refused as stale, and
// the folder and the index agree.
func TestSourceConfirmAtOnce(t *testing.T) {
	sb := startSourceBot(t, false)
	var previews []discordtest.Message
	var confirms []string
	for i, name := range []string{"capex-update-2025.yaml", "second-source.yaml"} {
		a := sb.srv.AddAttachment(name, "application/x-yaml", folderFixture(t, name))
		in := sb.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "source", UserID: userID(70 + i), Permissions: moderator,
			Options: []discordtest.CommandOption{{Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand, Options: []discordtest.CommandOption{
				{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: a.ID}}}},
			Attachments: []*discordgo.MessageAttachment{a}})
		m := reply(t, in)
		confirm, _ := preview(t, m)
		previews, confirms = append(previews, m), append(confirms, confirm)
	}
	var clicks []*discordtest.Interaction
	for i := range previews {
		clicks = append(clicks, sb.srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: confirms[i], MessageID: previews[i].ID,
			UserID: userID(70 + i), Permissions: moderator}))
	}
	live, stale := 0, 0
	for _, in := range clicks {
		got := text(reply(t, in))
		switch {
		case strings.Contains(got, "Version 2 is live"):
			live++
		case strings.Contains(got, "knowledge changed since the preview") && strings.Contains(got, "Nothing changed"):
			stale++
		default:
			t.Errorf("confirmation = %s", got)
		}
	}
	if live != 1 || stale != 1 {
		t.Errorf("%d live, %d stale; want one of each", live, stale)
	}
	base, err := knowledge.LoadDir(sb.dir)
	if err != nil {
		t.Fatal(err)
	}
	if sb.ix.Version() != base.Version() || len(base.Sources) != 2 || sb.folder.Head().N != 2 {
		t.Errorf("folder %s with %d sources, index %s, version %d", base.Version(), len(base.Sources), sb.ix.Version(), sb.folder.Head().N)
	}
}
