package bot_test

import (
	"context"
	"encoding/json"
	"mime"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/answer"
	"github.com/bytewatch/bytewatch/chart"
	"github.com/bytewatch/bytewatch/commands"
	"github.com/bytewatch/bytewatch/internal/discordtest"
	"github.com/bytewatch/bytewatch/knowledge"
)

// chartKnowledge is the chart package's fixed knowledge base.
const chartKnowledge = "../chart/testdata/knowledge"

// fixedCitations answers the questions it knows with answers citing fixed
// facts, as the engine would shape them, so that what is charted does not
// depend on how the engine picks its citations; other questions go to the
// engine.
type fixedCitations struct {
	eng   *answer.Engine
	base  *knowledge.Base
	facts map[string][]string // question → cited fact ids, in order
}

func (a fixedCitations) Ask(ctx context.Context, q string, onPartial func(string)) (answer.Answer, error) {
	ids, ok := a.facts[q]
	if !ok {
		return a.eng.Ask(ctx, q, onPartial)
	}
	ans := answer.Answer{Question: q, Answered: true, Mode: answer.ModeExtractive,
		IndexVersion: a.base.Version(), KnowledgeAsOf: a.base.LatestAsOf()}
	for i, id := range ids {
		f, _ := a.base.Fact(id)
		s, _ := a.base.Source(f.SourceID)
		ans.Citations = append(ans.Citations, answer.Citation{N: i + 1, FactID: id, SourceID: f.SourceID,
			SourceTitle: s.Title, Attribution: f.Attribution, AsOf: f.AsOf, Text: f.Statement})
		ans.Text += f.Statement + " [" + string(rune('1'+i)) + "] "
	}
	ans.Text = strings.TrimSpace(ans.Text)
	return ans, nil
}

func (a fixedCitations) Sources(ctx context.Context, q string, limit int) ([]answer.Citation, string, error) {
	return a.eng.Sources(ctx, q, limit)
}

// Questions with fixed citations.
const (
	spendingQuestion   = "How much did Acme and Globex spend on data centres?"
	comparisonQuestion = "Compare Acme's data centre spending with Globex and Initech"
	conflictQuestion   = "How much is Initech putting into AI infrastructure?"
	oneFigureQuestion  = "What did Acme spend, and what does its chief say?"
)

func startChartBot(t *testing.T) *fixture {
	base, err := knowledge.LoadDir(chartKnowledge)
	if err != nil {
		t.Fatal(err)
	}
	return startBot(t, setup{knowledgeDir: chartKnowledge, answerer: func(eng *answer.Engine) commands.Answerer {
		return fixedCitations{eng: eng, base: base, facts: map[string][]string{
			spendingQuestion:   {"acme-capex-2024", "globex-capex-fy2024", "acme-ceo"},
			comparisonQuestion: {"acme-capex-2024", "globex-capex-fy2024", "initech-chip-budget"},
			conflictQuestion:   {"initech-capex-ft", "initech-capex-media"},
			oneFigureQuestion:  {"acme-capex-2024", "acme-ceo"},
		}}
	}})
}

// upload finds the chart a request uploaded and checks it went as Discord
// expects: multipart/form-data, the message as payload_json, the PNG as a
// file part.
func upload(t *testing.T, r discordtest.Request) []byte {
	t.Helper()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		t.Fatalf("%s %s: content type %q, want multipart/form-data", r.Method, r.Route, r.Header.Get("Content-Type"))
	}
	if len(r.Body) == 0 || !json.Valid(r.Body) {
		t.Fatalf("%s %s: no payload_json", r.Method, r.Route)
	}
	if len(r.Uploads) != 1 || r.Uploads[0].Name != commands.ChartFile || r.Uploads[0].ContentType != "image/png" {
		t.Fatalf("%s %s: uploads %+v, want one %s", r.Method, r.Route, r.Uploads, commands.ChartFile)
	}
	return r.Uploads[0].Data
}

// checkPicture decodes a chart and checks it has bars bars, conflicts of
// them in the conflict colour, at the default size.
func checkPicture(t *testing.T, png []byte, bars, conflicts int) {
	t.Helper()
	img, got, err := chart.Measure(png)
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != chart.DefaultWidth || sz.Y != chart.DefaultHeight {
		t.Errorf("picture is %v, want %d×%d", sz, chart.DefaultWidth, chart.DefaultHeight)
	}
	n := 0
	for _, b := range got {
		if b.Colour == chart.ConflictBars {
			n++
		}
	}
	if len(got) != bars || n != conflicts {
		t.Errorf("picture has %d bars (%d in conflict), want %d (%d)", len(got), n, bars, conflicts)
	}
}

func imageOf(embeds []*discordgo.MessageEmbed) string {
	for _, e := range embeds {
		if e.Image != nil {
			return e.Image.URL
		}
	}
	return ""
}

func chartButtonOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var body struct {
		Components []struct {
			Components []struct {
				Type     int    `json:"type"`
				Label    string `json:"label"`
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	json.Unmarshal(raw, &body)
	for _, row := range body.Components {
		for _, c := range row.Components {
			if c.Type == int(discordgo.ButtonComponent) && c.Label == "Chart" {
				return c.CustomID
			}
		}
	}
	return ""
}

func TestCharts(t *testing.T) {
	f := startChartBot(t)
	srv := f.srv
	ctx := testContext(t)

	t.Run("group", func(t *testing.T) {
		t.Run("/chart posts the chart with the cited answer", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "chart", UserID: userID(1),
				Options: []discordtest.CommandOption{{Name: "question", Value: conflictQuestion}}})
			if cb := callback(t, in); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				t.Fatalf("callback type %d, want deferred", cb.Type)
			}
			edit := finalEdit(t, in)
			if !strings.Contains(edit.Embeds[0].Description, "[1]") || imageOf(edit.Embeds) != "attachment://"+commands.ChartFile {
				t.Errorf("the answer should be cited and show the chart: %+v", edit.Embeds[0])
			}
			req, err := in.WaitRequest(ctx, func(r discordtest.Request) bool { return r.Method == "PATCH" && len(r.Uploads) > 0 })
			if err != nil {
				t.Fatal(err)
			}
			if req.Status != 200 {
				t.Fatalf("upload answered %d: %s", req.Status, req.Response)
			}
			checkPicture(t, upload(t, req), 2, 2) // two reports that disagree, side by side
		})

		t.Run("a comparison answer has its chart attached", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(2), comparisonQuestion, false)
			edit := finalEdit(t, in)
			if imageOf(edit.Embeds) != "attachment://"+commands.ChartFile || chartButtonOf(t, edit.Raw) != "" {
				t.Errorf("want the chart in the answer and no button: %s", edit.Raw)
			}
			req, err := in.WaitRequest(ctx, func(r discordtest.Request) bool { return r.Method == "PATCH" && len(r.Uploads) > 0 })
			if err != nil {
				t.Fatal(err)
			}
			checkPicture(t, upload(t, req), 3, 0)
		})

		t.Run("a comparison asked in a mention has its chart attached", func(t *testing.T) {
			t.Parallel()
			q := srv.DispatchMessage(discordtest.MessageSpec{AuthorID: userID(3), Content: srv.BotMention() + " " + comparisonQuestion})
			r := f.replyTo(t, generalChannel, q.ID)
			if imageOf(r.Embeds) != "attachment://"+commands.ChartFile {
				t.Errorf("reply embeds %+v", r.Embeds)
			}
			for _, req := range srv.RequestsMatching("POST", "/channels/"+generalChannel+"/messages") {
				if len(req.Uploads) > 0 && strings.Contains(string(req.Body), q.ID) {
					checkPicture(t, upload(t, req), 3, 0)
					return
				}
			}
			t.Error("no upload with the reply")
		})

		t.Run("the Chart button posts the chart", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(4), spendingQuestion, false)
			edit := finalEdit(t, in)
			id := chartButtonOf(t, edit.Raw)
			if !strings.HasPrefix(id, commands.ChartButtonPrefix) || imageOf(edit.Embeds) != "" {
				t.Fatalf("want a Chart button and no picture yet: %s", edit.Raw)
			}
			for _, r := range in.Requests() {
				if len(r.Uploads) > 0 {
					t.Errorf("a picture was uploaded before the button was pressed: %s %s", r.Method, r.Route)
				}
			}
			orig, _ := in.Original()
			click := srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: id, MessageID: orig.ID, UserID: userID(5)})
			cb := callback(t, click)
			if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Data.Flags&discordgo.MessageFlagsEphemeral != 0 {
				t.Fatalf("callback %+v, want a public message", cb)
			}
			if imageOf(cb.Data.Embeds) != "attachment://"+commands.ChartFile ||
				!strings.Contains(cb.Data.Embeds[0].Footer.Text, "Not investment advice") {
				t.Errorf("callback embeds %+v", cb.Data.Embeds)
			}
			req, err := click.WaitRequest(ctx, func(r discordtest.Request) bool { return len(r.Uploads) > 0 })
			if err != nil {
				t.Fatal(err)
			}
			checkPicture(t, upload(t, req), 2, 0)
		})

		t.Run("a Chart button under a private answer answers privately", func(t *testing.T) {
			t.Parallel()
			in := f.ask(userID(6), spendingQuestion, true)
			edit := finalEdit(t, in)
			id := chartButtonOf(t, edit.Raw)
			orig, _ := in.Original()
			cb := callback(t, srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: id, MessageID: orig.ID, UserID: userID(6)}))
			if cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("the chart of a private answer was posted publicly: %+v", cb)
			}
		})

		t.Run("a forgotten chart says how to get it", func(t *testing.T) {
			t.Parallel()
			cb := callback(t, srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: commands.ChartButtonPrefix + "0000000000000000", UserID: userID(7)}))
			if cb.Data.Content != commands.ChartExpired || cb.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Errorf("callback %+v", cb.Data)
			}
		})

		t.Run("nothing to chart", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "chart", UserID: userID(8),
				Options: []discordtest.CommandOption{{Name: "question", Value: oneFigureQuestion}}})
			edit := finalEdit(t, in)
			if !strings.HasPrefix(edit.Content, "Nothing to chart: the cited facts give only one figure") || imageOf(edit.Embeds) != "" {
				t.Errorf("edit %q %+v", edit.Content, edit.Embeds)
			}
			if !strings.Contains(edit.Embeds[0].Description, "[1]") {
				t.Errorf("the cited answer should still be shown: %q", edit.Embeds[0].Description)
			}
			for _, r := range in.Requests() {
				if len(r.Uploads) > 0 {
					t.Errorf("a picture was uploaded: %s %s", r.Method, r.Route)
				}
			}
			// /ask gets no button for it either.
			if id := chartButtonOf(t, finalEdit(t, f.ask(userID(9), oneFigureQuestion, false)).Raw); id != "" {
				t.Errorf("an answer with one figure got a Chart button %q", id)
			}
		})

		t.Run("a question the sources do not cover", func(t *testing.T) {
			t.Parallel()
			in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "chart", UserID: userID(10),
				Options: []discordtest.CommandOption{{Name: "question", Value: uncoveredQuestion}}})
			edit := finalEdit(t, in)
			if !strings.HasPrefix(edit.Content, "Nothing to chart") {
				t.Errorf("edit %q", edit.Content)
			}
		})
	})
	checkNoMentionsOnTheWire(t, srv)
	for _, want := range []string{`"command":"chart"`, `"command":"chart button"`, `"outcome":"charted"`, `"chart":"button"`, `"chart":"attached"`} {
		if !strings.Contains(f.logs.String(), want) {
			t.Errorf("the log has no %s", want)
		}
	}
}
