package bot_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/bot"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/records"
)

// moderatorPerms are a member's permissions with Manage Server.
const moderatorPerms = discordtest.DefaultMemberPermissions | discordgo.PermissionManageGuild

// recordsBot is a bot keeping records in the SQLite database at path.
type recordsBot struct {
	*fixture
	rec     *records.Recorder
	store   records.Store
	recLogs *logBuffer // the Recorder's log
}

// startRecordsBot opens the records at path and starts a bot with them.
// The store closes after the bot has stopped.
func startRecordsBot(t *testing.T, path string) *recordsBot {
	t.Helper()
	store, err := records.OpenSQLite(testContext(t), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // after the bot's cleanup, registered later
	rb := &recordsBot{store: store, recLogs: &logBuffer{}}
	rb.fixture = startBot(t, setup{options: func(o *bot.Options) {
		rec, err := records.NewRecorder(testContext(t), store, records.Options{
			KeepQuestions: true, Timeout: time.Second, OnDrop: o.Metrics.RecordDropped,
			Logger: slog.New(slog.NewJSONHandler(rb.recLogs, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		rb.rec = rec
		o.Records = rec
		o.Settings = records.NewSettings(store, records.Defaults{AnswerChannelIDs: o.AnswerChannelIDs,
			ModeratorRoleIDs: o.ModeratorRoleIDs, RateLimit: commands.DefaultPerMinute}, nil)
	}})
	return rb
}

// stopBot stops the bot and waits for Run to return.
func (f *fixture) stopBot(t *testing.T) {
	t.Helper()
	if err := f.srv.WaitReady(testContext(t)); err != nil {
		t.Fatal(err)
	}
	f.stop()
	select {
	case err := <-f.done:
		f.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("bot.Run = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("bot.Run did not return")
	}
}

// button is a button as the bot sent it.
type button struct {
	Type     int    `json:"type"`
	Label    string `json:"label"`
	CustomID string `json:"custom_id"`
	Emoji    *struct {
		Name string `json:"name"`
	} `json:"emoji"`
}

// name is the button's label, or its emoji when it has none.
func (b button) name() string {
	if b.Label == "" && b.Emoji != nil {
		return b.Emoji.Name
	}
	return b.Label
}

// buttonsOf lists the buttons in a message body, by name.
func buttonsOf(raw json.RawMessage) map[string]string {
	var body struct {
		Components []struct {
			Components []button `json:"components"`
		} `json:"components"`
	}
	json.Unmarshal(raw, &body)
	out := map[string]string{}
	for _, row := range body.Components {
		for _, b := range row.Components {
			if b.Type == int(discordgo.ButtonComponent) {
				out[b.name()] = b.CustomID
			}
		}
	}
	return out
}

// recordIDOf is the record id the feedback buttons of a message carry.
func recordIDOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	bs := buttonsOf(raw)
	up, down := bs["👍"], bs["👎"]
	id := strings.TrimPrefix(up, commands.UpButtonPrefix)
	if !records.ValidID(id) || down != commands.DownButtonPrefix+id {
		t.Fatalf("want 👍 and 👎 buttons carrying one record id; buttons %v in %s", bs, raw)
	}
	return id
}

// click presses the button customID on message messageID as user, and
// waits for the private reply that replaces "thinking…".
func (f *fixture) click(t *testing.T, user, messageID, customID string) discordtest.Message {
	t.Helper()
	in := f.srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: customID, MessageID: messageID, UserID: user})
	cb := callback(t, in)
	if cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Fatalf("callback %+v; want a private deferred reply", cb)
	}
	m, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return m.Content != "" || len(m.Embeds) > 0 })
	if err != nil {
		t.Fatalf("no reply to the click on %s: %v", customID, err)
	}
	return m
}

// waitCommandLogged waits for the log line of an interaction, which comes
// after its record was written (or dropped).
func (f *fixture) waitCommandLogged(t *testing.T, in *discordtest.Interaction) map[string]any {
	t.Helper()
	return f.logs.Wait(t, map[string]string{"msg": "command", "interaction_id": in.ID})
}

// votesOn lists the votes kept on record id.
func votesOn(t *testing.T, s records.Store, id string) []records.Vote {
	t.Helper()
	all, err := s.Votes(testContext(t), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []records.Vote
	for _, v := range all {
		if v.QuestionID == id {
			out = append(out, v)
		}
	}
	return out
}

func TestRecordsAndButtons(t *testing.T) {
	t.Parallel()
	f := startRecordsBot(t, filepath.Join(t.TempDir(), records.SQLiteFile))
	ctx := testContext(t)
	alice, bob := userID(200), userID(201)

	in := f.ask(alice, coveredQuestion, false)
	edit := finalEdit(t, in)
	f.waitCommandLogged(t, in)
	id := recordIDOf(t, edit.Raw)
	orig, _ := in.Original()
	if _, ok := buttonsOf(edit.Raw)["Sources"]; !ok {
		t.Errorf("no Sources button under an answer that cites facts: %v", buttonsOf(edit.Raw))
	}

	t.Run("the question is recorded, its asker hashed", func(t *testing.T) {
		q, err := f.rec.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var embedsText string
		for _, e := range edit.Embeds {
			embedsText += embedText(e)
		}
		if q.Entry != records.EntrySlash || q.Outcome != records.OutcomeAnswered || q.Question != coveredQuestion ||
			q.GuildID != guildID || q.ChannelID != generalChannel || q.IndexVersion != f.ix.Version() || q.Mode != "extractive" ||
			len(q.FactIDs) == 0 || q.Latency <= 0 {
			t.Errorf("record %+v", q)
		}
		if q.UserHash == alice || strings.Contains(q.UserHash, alice) || q.UserHash != f.rec.Hash(alice) {
			t.Errorf("user hash %q for user %s", q.UserHash, alice)
		}
		for _, fid := range q.FactIDs {
			if _, ok := f.ix.Base().Fact(fid); !ok {
				t.Errorf("recorded fact %q is not in the knowledge", fid)
			}
		}
	})

	t.Run("👍, then 👎 changes it, then a reason", func(t *testing.T) {
		if m := f.click(t, alice, orig.ID, commands.UpButtonPrefix+id); !strings.Contains(m.Content, "your 👍 is recorded") {
			t.Errorf("reply to 👍: %q", m.Content)
		}
		m := f.click(t, alice, orig.ID, commands.DownButtonPrefix+id)
		if !strings.Contains(m.Content, "Changed your vote to 👎") {
			t.Errorf("reply to 👎 after 👍: %q", m.Content)
		}
		reasons := buttonsOf(m.Raw)
		for _, label := range []string{"Wrong figure", "Out of date", "Didn't answer my question", "Other…"} {
			if reasons[label] == "" {
				t.Errorf("no %q button after a 👎: %v", label, reasons)
			}
		}
		if v := votesOn(t, f.store, id); len(v) != 1 || v[0].Value != records.Down || v[0].Reason != "" {
			t.Fatalf("votes after 👍 then 👎: %+v; want one 👎", v)
		}
		if m := f.click(t, alice, m.ID, reasons["Wrong figure"]); !strings.Contains(m.Content, "Wrong figure") {
			t.Errorf("reply to a reason: %q", m.Content)
		}
		if v := votesOn(t, f.store, id); len(v) != 1 || v[0].Reason != records.ReasonWrongFigure {
			t.Errorf("votes after the reason: %+v", v)
		}

		// Other… opens a form; what it says is kept.
		click := f.srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: reasons["Other…"], MessageID: m.ID, UserID: alice})
		cb := callback(t, click)
		if cb.Type != discordgo.InteractionResponseModal || !strings.Contains(string(cb.Raw), `"custom_id":"`+commands.OtherModalPrefix+id+`"`) ||
			!strings.Contains(string(cb.Raw), `"max_length":500`) {
			t.Fatalf("Other… answered %d %s; want a form with a 500-character text", cb.Type, cb.Raw)
		}
		submit := f.srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: commands.OtherModalPrefix + id, UserID: alice,
			ModalValues: map[string]string{"text": "  The capex figure was revised in March.  "}})
		if cb := callback(t, submit); cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("the form's acknowledgement is public: %+v", cb)
		}
		if _, err := submit.WaitOriginalEdit(ctx, func(m discordtest.Message) bool { return strings.Contains(m.Content, "reason is recorded") }); err != nil {
			t.Fatal(err)
		}
		if v := votesOn(t, f.store, id); len(v) != 1 || v[0].Reason != records.ReasonOther || v[0].ReasonText != "The capex figure was revised in March." {
			t.Errorf("votes after the form: %+v", v)
		}
	})

	t.Run("each person votes for themselves", func(t *testing.T) {
		// The button carries the answer, never the voter: bob's click is bob's.
		if m := f.click(t, bob, orig.ID, commands.UpButtonPrefix+id); !strings.Contains(m.Content, "your 👍 is recorded") {
			t.Errorf("bob's 👍: %q", m.Content)
		}
		if m := f.click(t, bob, orig.ID, commands.UpButtonPrefix+id); !strings.Contains(m.Content, "already recorded") {
			t.Errorf("bob's second 👍: %q", m.Content)
		}
		byVoter := map[string]int{}
		for _, v := range votesOn(t, f.store, id) {
			byVoter[v.VoterHash] = v.Value
		}
		if len(byVoter) != 2 || byVoter[f.rec.Hash(alice)] != records.Down || byVoter[f.rec.Hash(bob)] != records.Up {
			t.Errorf("votes by voter %v; want alice 👎 and bob 👍", byVoter)
		}
	})

	t.Run("Sources sends every cited fact in full, privately", func(t *testing.T) {
		q, err := f.rec.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m := f.click(t, bob, orig.ID, buttonsOf(edit.Raw)["Sources"])
		var text string
		for _, e := range m.Embeds {
			text += embedText(e)
		}
		for i, fid := range q.FactIDs {
			fact, _ := f.ix.Base().Fact(fid)
			src, _ := f.ix.Base().Source(fact.SourceID)
			for _, want := range []string{commands.EscapeMarkdown(fact.Statement), commands.EscapeMarkdown(fact.Attribution), commands.EscapeMarkdown(src.Title), "`" + fid + "`"} {
				if !strings.Contains(text, want) {
					t.Errorf("fact %d (%s): %q missing from the Sources reply:\n%s", i+1, fid, want, text)
				}
			}
			if src.URL != "" && !strings.Contains(text, src.URL) {
				t.Errorf("fact %s: no link %s", fid, src.URL)
			}
		}
	})

	t.Run("an answer gone from the records is refused politely", func(t *testing.T) {
		for _, cid := range []string{commands.UpButtonPrefix + records.NewID(), commands.SourcesButtonPrefix + records.NewID(),
			commands.DownButtonPrefix + "not-a-record", commands.ReasonButtonPrefix + records.NewID() + ":" + records.ReasonOutOfDate,
			commands.ReasonButtonPrefix + id + ":bogus", commands.OtherModalPrefix + id} {
			if m := f.click(t, bob, "", cid); m.Content != commands.FeedbackGone {
				t.Errorf("%s: %q; want %q", cid, m.Content, commands.FeedbackGone)
			}
		}
	})

	t.Run("a mention's answer is recorded and has the buttons", func(t *testing.T) {
		q := f.srv.DispatchMessage(discordtest.MessageSpec{AuthorID: bob, Content: f.srv.BotMention() + " " + coveredQuestion})
		f.replyTo(t, generalChannel, q.ID)
		f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID})
		var rid string
		for _, req := range f.srv.RequestsMatching("POST", "/channels/"+generalChannel+"/messages") {
			if strings.Contains(string(req.Body), q.ID) {
				rid = recordIDOf(t, req.Body)
			}
		}
		rec, err := f.rec.Lookup(ctx, rid)
		if err != nil || rec.Entry != records.EntryMention || rec.Outcome != records.OutcomeAnswered || rec.UserHash != f.rec.Hash(bob) {
			t.Errorf("the mention's record: %+v, %v", rec, err)
		}
	})

	t.Run("/forget-me deletes a person's records and votes", func(t *testing.T) {
		forget := f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "forget-me", UserID: alice})
		if cb := callback(t, forget); cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("/forget-me answered publicly: %+v", cb)
		}
		m, err := forget.WaitOriginalEdit(ctx, func(m discordtest.Message) bool { return m.Content != "" })
		if err != nil || !strings.Contains(m.Content, "deleted 1 question record of yours and 2 votes") {
			t.Errorf("/forget-me: %q, %v", m.Content, err)
		}
		if _, err := f.rec.Lookup(ctx, id); !errors.Is(err, records.ErrNotFound) {
			t.Errorf("alice's question is still kept: %v", err)
		}
		if v := votesOn(t, f.store, id); len(v) != 0 {
			t.Errorf("votes on alice's forgotten answer are still kept: %+v", v)
		}
		if m := f.click(t, bob, orig.ID, commands.UpButtonPrefix+id); m.Content != commands.FeedbackGone {
			t.Errorf("a vote on a forgotten answer: %q", m.Content)
		}
	})
	checkNoMentionsOnTheWire(t, f.srv)
}

func TestVotesSurviveARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), records.SQLiteFile)
	user := userID(210)

	first := startRecordsBot(t, path)
	in := first.ask(user, coveredQuestion, false)
	edit := finalEdit(t, in)
	first.waitCommandLogged(t, in)
	id := recordIDOf(t, edit.Raw)
	first.click(t, user, "", commands.DownButtonPrefix+id)
	first.stopBot(t)
	if err := first.store.Close(); err != nil {
		t.Fatal(err)
	}

	// A new process: a new store on the same file, a new bot, a new
	// gateway session; the old message's buttons still work.
	second := startRecordsBot(t, path)
	if m := second.click(t, user, "", commands.DownButtonPrefix+id); !strings.Contains(m.Content, "already recorded") {
		t.Errorf("👎 again after the restart: %q; want it to know the vote", m.Content)
	}
	if m := second.click(t, user, "", commands.UpButtonPrefix+id); !strings.Contains(m.Content, "Changed your vote to 👍") {
		t.Errorf("👍 after the restart: %q", m.Content)
	}
	m := second.click(t, user, "", buttonsOf(edit.Raw)["Sources"])
	if len(m.Embeds) == 0 || !strings.Contains(embedText(m.Embeds[0]), "[1]") {
		t.Errorf("Sources after the restart: %+v", m)
	}
}

func TestReportAfterADay(t *testing.T) {
	t.Parallel()
	f := startRecordsBot(t, filepath.Join(t.TempDir(), records.SQLiteFile))
	ctx := testContext(t)

	// Older than the day the report covers: left out.
	old := records.Question{ID: records.NewID(), AskedAt: time.Now().Add(-72 * time.Hour), Entry: records.EntrySlash,
		UserHash: "someone", Question: "Is ByteDance going public?", HasText: true, Outcome: records.OutcomeNotCovered}
	if err := f.store.AddQuestion(ctx, old); err != nil {
		t.Fatal(err)
	}

	// The day: answered questions, the same gap three ways, another gap,
	// a mention; one disliked answer with a reason.
	day := []string{
		coveredQuestion, coveredQuestion, "How many users does Doubao have?",
		"What is the capital of France?", "what's the capital of France", "Capital of France?",
		"Who will win the World Cup?",
	}
	var ids []string
	for i, q := range day {
		in := f.ask(userID(220+i), q, false)
		edit := finalEdit(t, in)
		f.waitCommandLogged(t, in)
		ids = append(ids, recordIDOf(t, edit.Raw))
	}
	mention := f.srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(230), Content: f.srv.BotMention() + " What is the capital of France?"})
	f.replyTo(t, generalChannel, mention.ID)
	f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": mention.ID})

	f.click(t, userID(231), "", commands.UpButtonPrefix+ids[0])
	f.click(t, userID(232), "", commands.UpButtonPrefix+ids[0])
	f.click(t, userID(231), "", commands.DownButtonPrefix+ids[2])
	f.click(t, userID(231), "", commands.ReasonButtonPrefix+ids[2]+":"+records.ReasonOutOfDate)

	t.Run("members may not see it", func(t *testing.T) {
		in := f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "report", UserID: userID(233)})
		cb := callback(t, in)
		if !strings.HasPrefix(cb.Data.Content, "Only moderators can") || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("/report by a member: %+v", cb.Data)
		}
	})

	t.Run("a moderator sees the day", func(t *testing.T) {
		in := f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "report", UserID: userID(234), Permissions: moderatorPerms,
			Options: []discordtest.CommandOption{{Name: "days", Value: 1}}})
		if cb := callback(t, in); cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("/report answered publicly: %+v", cb)
		}
		m := finalEdit(t, in)
		var text string
		for _, e := range m.Embeds {
			text += embedText(e) + "\n"
		}
		rep, err := f.rec.Report(ctx, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Questions != len(day)+1 || rep.Up != 2 || rep.Down != 1 {
			t.Fatalf("report: %d questions, %d 👍, %d 👎; want %d, 2, 1", rep.Questions, rep.Up, rep.Down, len(day)+1)
		}
		if len(rep.Gaps) == 0 || rep.Gaps[0].Count != 4 || !strings.Contains(strings.ToLower(rep.Gaps[0].Question), "capital of france") {
			t.Errorf("top gap %+v; want the four ways of asking for the capital of France", rep.Gaps)
		}
		for _, g := range rep.Gaps {
			if strings.Contains(g.Question, "going public") {
				t.Errorf("a question older than the period is in the report: %+v", g)
			}
		}
		if len(rep.Disliked) != 1 || rep.Disliked[0].QuestionID != ids[2] || rep.Disliked[0].Reasons[records.ReasonOutOfDate] != 1 {
			t.Errorf("disliked %+v", rep.Disliked)
		}
		for _, want := range []string{
			"**8 questions** in the last 1 day.",
			"Votes: 2 👍 · 1 👎 (67% 👍)",
			"×4 What is the capital of France?",
			"Out of date ×1",
			"Facts cited most",
			"Facts never cited",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the report lacks %q:\n%s", want, text)
			}
		}
		for _, fid := range rep.Disliked[0].FactIDs {
			if !strings.Contains(text, fid) {
				t.Errorf("the 👎'd answer's fact %s is not in the report", fid)
			}
		}
	})
}

// TestDatabaseFailsMidRun closes the records' database under a running
// bot: answers keep coming, the records are dropped and counted, and the
// buttons say the vote was not saved.
func TestDatabaseFailsMidRun(t *testing.T) {
	t.Parallel()
	f := startRecordsBot(t, filepath.Join(t.TempDir(), records.SQLiteFile))
	user := userID(240)

	in := f.ask(user, coveredQuestion, false)
	finalEdit(t, in)
	f.waitCommandLogged(t, in)
	if got := f.metric(t, "bytewatch_records_dropped_total"); got != 0 {
		t.Fatalf("records dropped before the failure: %v", got)
	}

	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}

	in = f.ask(user, coveredQuestion, false)
	edit := finalEdit(t, in)
	checkAnswerEmbed(t, edit.Embeds[0], f.ix)
	line := f.waitCommandLogged(t, in)
	if line["record"] != "dropped" || line["outcome"] != "answered" {
		t.Errorf("log line %v; want the answer given and the record dropped", line)
	}

	q := f.srv.DispatchMessage(discordtest.MessageSpec{AuthorID: user, Content: f.srv.BotMention() + " " + coveredQuestion})
	if r := f.replyTo(t, generalChannel, q.ID); len(r.Embeds) == 0 {
		t.Errorf("the reply to a mention has no answer: %+v", r)
	}
	f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID, "record": "dropped"})
	if got := f.metric(t, "bytewatch_records_dropped_total"); got != 2 {
		t.Errorf("bytewatch_records_dropped_total = %v, want 2", got)
	}
	if m := f.click(t, user, "", commands.UpButtonPrefix+recordIDOf(t, edit.Raw)); m.Content != commands.FeedbackUnavailable {
		t.Errorf("a vote with the database down: %q", m.Content)
	}
	if n := len(f.recLogs.Lines(map[string]string{"msg": "records: question record dropped"})); n != 2 {
		t.Errorf("%d log lines of the Recorder say a record was dropped, want 2:\n%s", n, f.recLogs.String())
	}
}

// settingsCmd runs /settings as a moderator with opts and returns the
// private reply.
func (f *fixture) settingsCmd(t *testing.T, opts ...discordtest.CommandOption) discordtest.Message {
	t.Helper()
	in := f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "settings", UserID: userID(250), Permissions: moderatorPerms, Options: opts})
	if cb := callback(t, in); cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("/settings answered publicly: %+v", cb)
	}
	m, err := in.WaitOriginalEdit(testContext(t), func(m discordtest.Message) bool { return m.Content != "" || len(m.Embeds) > 0 })
	if err != nil {
		t.Fatalf("no reply to /settings: %v", err)
	}
	return m
}

func TestSettings(t *testing.T) {
	t.Parallel()
	f := startRecordsBot(t, filepath.Join(t.TempDir(), records.SQLiteFile))

	t.Run("members may not", func(t *testing.T) {
		cb := callback(t, f.srv.DispatchInteraction(discordtest.InteractionSpec{Command: "settings", UserID: userID(251)}))
		if !strings.HasPrefix(cb.Data.Content, "Only moderators can") {
			t.Errorf("/settings by a member: %+v", cb.Data)
		}
	})

	m := f.settingsCmd(t)
	if text := embedText(m.Embeds[0]); !strings.Contains(text, "Answer channels: <#"+answerChannel+"> *(default)*") ||
		!strings.Contains(text, "Rate limit: 6 questions a minute per person *(default)*") || !strings.Contains(text, "Audit channel: none") {
		t.Errorf("the defaults:\n%s", text)
	}

	m = f.settingsCmd(t,
		discordtest.CommandOption{Name: "answer_channels", Value: "<#" + generalChannel + ">"},
		discordtest.CommandOption{Name: "audit_channel", Type: discordgo.ApplicationCommandOptionChannel, Value: answerChannel},
		discordtest.CommandOption{Name: "rate_limit", Value: 1})
	if text := embedText(m.Embeds[0]); !strings.Contains(text, "In force now") || !strings.Contains(text, "Answer channels: <#"+generalChannel+">\n") ||
		!strings.Contains(text, "Rate limit: 1 question a minute per person\n") {
		t.Errorf("after the change:\n%s", text)
	}
	audit, err := f.srv.WaitBotMessage(testContext(t), answerChannel, func(m discordgo.Message) bool { return strings.Contains(m.Content, "Settings changed by") })
	if err != nil || !strings.Contains(audit.Content, "rate limit → 1 question a minute") || len(audit.Mentions) != 0 {
		t.Errorf("audit post %+v, %v; want the change, pinging nobody", audit, err)
	}

	t.Run("the new answer channel answers at once", func(t *testing.T) {
		q := f.srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(252), ChannelID: generalChannel, Content: coveredQuestion})
		if r := f.replyTo(t, generalChannel, q.ID); len(r.Embeds) == 0 {
			t.Errorf("reply %+v", r)
		}
		f.logs.Wait(t, map[string]string{"msg": "message question", "message_id": q.ID, "trigger": "answer_channel"})
	})

	t.Run("the new rate limit applies at once", func(t *testing.T) {
		first := f.ask(userID(253), coveredQuestion, false)
		finalEdit(t, first)
		second := callback(t, f.ask(userID(253), coveredQuestion, false))
		if !strings.Contains(second.Data.Content, "at most 1 question a minute") {
			t.Errorf("second question: %+v", second.Data)
		}
	})

	t.Run("mistakes change nothing", func(t *testing.T) {
		m := f.settingsCmd(t, discordtest.CommandOption{Name: "moderator_roles", Value: "@mods"}, discordtest.CommandOption{Name: "rate_limit", Value: 5})
		if !strings.HasPrefix(m.Content, "Nothing was changed: moderator_roles: \"@mods\" is not a mention or an id") {
			t.Errorf("reply %q", m.Content)
		}
		if got := f.settingsCmd(t); !strings.Contains(embedText(got.Embeds[0]), "Rate limit: 1 question") {
			t.Errorf("a refused change was made:\n%s", embedText(got.Embeds[0]))
		}
	})

	t.Run("reset", func(t *testing.T) {
		m := f.settingsCmd(t, discordtest.CommandOption{Name: "reset", Value: true})
		if text := embedText(m.Embeds[0]); !strings.Contains(text, "Answer channels: <#"+answerChannel+"> *(default)*") || !strings.Contains(text, "Audit channel: none") {
			t.Errorf("after reset:\n%s", text)
		}
	})
}
