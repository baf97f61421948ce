package bot_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/records"
)

// TestReindexAudit: a /reindex is posted to the server's audit channel —
// who, when, what came of it — after the moderator's reply, whether it
// swapped the index in or found the knowledge broken; without an audit
// channel, or when the moderator may not reindex, nothing is posted.
func TestReindexAudit(t *testing.T) {
	t.Parallel()
	dir := copyKnowledge(t)
	store, err := records.OpenSQLite(testContext(t), filepath.Join(t.TempDir(), records.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // after the bot's cleanup, registered later
	f := startBot(t, setup{knowledgeDir: dir, options: func(o *bot.Options) {
		o.Settings = records.NewSettings(store, records.Defaults{AnswerChannelIDs: o.AnswerChannelIDs,
			ModeratorRoleIDs: o.ModeratorRoleIDs, RateLimit: commands.DefaultPerMinute}, nil)
	}})
	srv, mod := f.srv, userID(260)
	// reindex runs /reindex as user with perms and waits for its log line,
	// which comes after the audit post.
	reindex := func(t *testing.T, user string, perms int64) {
		t.Helper()
		in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "reindex", UserID: user, Permissions: perms})
		callback(t, in)
		f.waitCommandLogged(t, in)
	}
	audits := func() []discordgo.Message {
		var out []discordgo.Message
		for _, m := range srv.BotMessages("") {
			if strings.Contains(m.Content, "/reindex by") {
				out = append(out, m)
			}
		}
		return out
	}
	when := regexp.MustCompile(`<t:\d{10}:f>`)

	reindex(t, mod, moderatorPerms)
	if got := audits(); len(got) != 0 {
		t.Fatalf("posted without an audit channel: %+v", got)
	}

	f.settingsCmd(t, discordtest.CommandOption{Name: "audit_channel", Type: discordgo.ApplicationCommandOptionChannel, Value: answerChannel})
	for _, tt := range []struct {
		name  string
		user  string
		perms int64
		edit  func(t *testing.T)
		want  string // in the post; "" for none
	}{
		{"a reindex", mod, moderatorPerms, nil,
			"reindexed, index " + f.ix.Version() + " → " + f.ix.Version() + ", "},
		{"a member may not, and nothing is posted", userID(261), discordtest.DefaultMemberPermissions, nil, ""},
		{"broken knowledge", mod, moderatorPerms, func(t *testing.T) {
			file := filepath.Join(dir, "bytedance-ai-investment-2025.yaml")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(strings.Replace(string(b), "as_of: 2025-01", "as_of: 2025-13", 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "nothing reindexed — the knowledge files have 1 problem; index " + f.ix.Version() + " keeps serving."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(audits())
			if tt.edit != nil {
				tt.edit(t)
			}
			reindex(t, tt.user, tt.perms)
			got := audits()
			if tt.want == "" {
				if len(got) != before {
					t.Errorf("posted %+v", got[before:])
				}
				return
			}
			if len(got) != before+1 {
				t.Fatalf("%d audit posts, want %d", len(got), before+1)
			}
			p := got[len(got)-1]
			if p.ChannelID != answerChannel || !strings.HasPrefix(p.Content, "/reindex by <@"+tt.user+"> ") ||
				!when.MatchString(p.Content) || !strings.Contains(p.Content, tt.want) || len(p.Mentions) != 0 {
				t.Errorf("audit post in %s: %q (mentions %v); want by <@%s>, a time, %q, pinging nobody",
					p.ChannelID, p.Content, p.Mentions, tt.user, tt.want)
			}
		})
	}
	checkNoMentionsOnTheWire(t, srv)
}
