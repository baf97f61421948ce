package discordtest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func TestChannelMessageLimits(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newSession(t, srv, srv.Token()) // REST only: no gateway needed
	ch := srv.ChannelID()
	embed := func(e discordgo.MessageEmbed) []*discordgo.MessageEmbed { return []*discordgo.MessageEmbed{&e} }
	fields := func(n int) []*discordgo.MessageEmbedField {
		out := make([]*discordgo.MessageEmbedField, n)
		for i := range out {
			out[i] = &discordgo.MessageEmbedField{Name: "n", Value: "v"}
		}
		return out
	}
	x := strings.Repeat

	tests := []struct {
		name     string
		msg      discordgo.MessageSend
		wantCode int    // 0: accepted
		wantPath string // where in "errors" the problem is reported
	}{
		{"2000 chars", discordgo.MessageSend{Content: x("a", 2000)}, 0, ""},
		{"2000 multi-byte chars", discordgo.MessageSend{Content: x("字", 2000)}, 0, ""},
		{"2001 chars", discordgo.MessageSend{Content: x("a", 2001)}, discordtest.CodeInvalidFormBody, "content"},
		{"empty", discordgo.MessageSend{}, discordtest.CodeEmptyMessage, ""},
		{"10 embeds", discordgo.MessageSend{Embeds: make10Embeds(10)}, 0, ""},
		{"11 embeds", discordgo.MessageSend{Embeds: make10Embeds(11)}, discordtest.CodeInvalidFormBody, "embeds"},
		{"title 256", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Title: x("t", 256)})}, 0, ""},
		{"title 257", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Title: x("t", 257)})}, discordtest.CodeInvalidFormBody, "embeds.0.title"},
		{"description 4097", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Description: x("d", 4097)})}, discordtest.CodeInvalidFormBody, "embeds.0.description"},
		{"25 fields", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Fields: fields(25)})}, 0, ""},
		{"26 fields", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Fields: fields(26)})}, discordtest.CodeInvalidFormBody, "embeds.0.fields"},
		{"field name 257", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Fields: []*discordgo.MessageEmbedField{{Name: x("n", 257), Value: "v"}}})}, discordtest.CodeInvalidFormBody, "embeds.0.fields.0.name"},
		{"field value 1025", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: x("v", 1025)}}})}, discordtest.CodeInvalidFormBody, "embeds.0.fields.0.value"},
		{"empty field value", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Fields: []*discordgo.MessageEmbedField{{Name: "n"}}})}, discordtest.CodeInvalidFormBody, "embeds.0.fields.0.value"},
		{"footer 2049", discordgo.MessageSend{Embeds: embed(discordgo.MessageEmbed{Footer: &discordgo.MessageEmbedFooter{Text: x("f", 2049)}})}, discordtest.CodeInvalidFormBody, "embeds.0.footer.text"},
		{"6000 across embeds", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: x("d", 4000)}, {Description: x("d", 2000)}}}, 0, ""},
		{"6001 across embeds", discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: x("d", 4000)}, {Description: x("d", 2000), Title: "t"}}}, discordtest.CodeInvalidFormBody, "embeds"},
		{"reply to an unknown message", discordgo.MessageSend{Content: "hi", Reference: &discordgo.MessageReference{MessageID: "42"}}, discordtest.CodeInvalidFormBody, "message_reference"},
		{"allowed_mentions parse and users both", discordgo.MessageSend{Content: "hi", AllowedMentions: &discordgo.MessageAllowedMentions{
			Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{"1"},
		}}, discordtest.CodeInvalidFormBody, "allowed_mentions"},
		{"snowflake that is not one", discordgo.MessageSend{Content: "hi", AllowedMentions: &discordgo.MessageAllowedMentions{Users: []string{"bob"}}}, discordtest.CodeInvalidFormBody, "allowed_mentions.users.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tt.msg
			_, err := s.ChannelMessageSendComplex(ch, &msg)
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			code, status := restCode(t, err)
			if code != tt.wantCode || status != 400 {
				t.Errorf("code %d status %d; want %d, 400", code, status, tt.wantCode)
			}
			if tt.wantPath != "" {
				var rest *discordgo.RESTError
				errors.As(err, &rest)
				if !hasFormError(t, rest.ResponseBody, tt.wantPath) {
					t.Errorf("no error at %s in %s", tt.wantPath, rest.ResponseBody)
				}
			}
		})
	}
}

func make10Embeds(n int) []*discordgo.MessageEmbed {
	out := make([]*discordgo.MessageEmbed, n)
	for i := range out {
		out[i] = &discordgo.MessageEmbed{Title: "t"}
	}
	return out
}

// hasFormError reports whether an Invalid Form Body response has "_errors"
// at the dotted path, as Discord nests them.
func hasFormError(t *testing.T, body []byte, path string) bool {
	t.Helper()
	var resp struct {
		Errors map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	node := any(resp.Errors)
	for _, part := range strings.Split(path, ".") {
		m, ok := node.(map[string]any)
		if !ok {
			return false
		}
		node = m[part]
	}
	m, ok := node.(map[string]any)
	if !ok {
		return false
	}
	list, ok := m["_errors"].([]any)
	return ok && len(list) > 0
}

func TestErrorShapesOnTheWire(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithLogf(func(string, ...any) {}))
	auth := "Bot " + srv.Token()
	tests := []struct {
		name, method, path, auth, body string
		wantStatus                     int
		wantBody                       string // JSON the answer must equal
	}{
		{
			name: "content too long", method: "POST", path: "/api/v9/channels/" + srv.ChannelID() + "/messages", auth: auth,
			body:       `{"content":"` + strings.Repeat("a", 2001) + `"}`,
			wantStatus: 400,
			wantBody:   `{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}}`,
		},
		{
			name: "snowflake sent as a number", method: "POST", path: "/api/v9/channels/" + srv.ChannelID() + "/messages", auth: auth,
			body:       `{"content":"hi","allowed_mentions":{"parse":[],"users":[123]}}`,
			wantStatus: 400,
			wantBody:   `{"code":50035,"message":"Invalid Form Body","errors":{"allowed_mentions":{"users":{"0":{"_errors":[{"code":"NUMBER_TYPE_COERCE","message":"Value \"123\" is not snowflake: snowflakes must be sent as strings."}]}}}}}`,
		},
		{
			name: "invalid JSON", method: "POST", path: "/api/v9/channels/" + srv.ChannelID() + "/messages", auth: auth,
			body: `{"content":`, wantStatus: 400, wantBody: `{"code":50109,"message":"The request body contains invalid JSON."}`,
		},
		{
			name: "no token", method: "POST", path: "/api/v9/channels/" + srv.ChannelID() + "/typing",
			wantStatus: 401, wantBody: `{"code":0,"message":"401: Unauthorized"}`,
		},
		{
			name: "token without Bot prefix", method: "POST", path: "/api/v9/channels/" + srv.ChannelID() + "/typing", auth: srv.Token(),
			wantStatus: 401, wantBody: `{"code":0,"message":"401: Unauthorized"}`,
		},
		{
			name: "unknown channel", method: "POST", path: "/api/v9/channels/1/typing", auth: auth,
			wantStatus: 404, wantBody: `{"code":10003,"message":"Unknown Channel"}`,
		},
		{
			name: "unknown route", method: "GET", path: "/api/v9/guilds/1/members", auth: auth,
			wantStatus: 404, wantBody: `{"code":0,"message":"404: Not Found"}`,
		},
		{
			name: "other API version", method: "GET", path: "/api/v10/users/@me", auth: auth,
			wantStatus: 404, wantBody: `{"code":0,"message":"404: Not Found"}`,
		},
		{
			name: "known path, wrong method", method: "DELETE", path: "/api/v9/channels/1/typing", auth: auth,
			wantStatus: 405, wantBody: `{"code":0,"message":"405: Method Not Allowed"}`,
		},
		{
			name: "unknown interaction", method: "POST", path: "/api/v9/interactions/1/tok/callback",
			body: `{"type":4,"data":{"content":"hi"}}`, wantStatus: 404, wantBody: `{"code":10062,"message":"Unknown interaction"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			if !jsonEqual(t, body, []byte(tt.wantBody)) {
				t.Errorf("body = %s\nwant   %s", body, tt.wantBody)
			}
		})
	}
	if got := srv.UnknownRequests(); len(got) != 3 {
		t.Errorf("unknown requests = %d; want 3 (unknown route, other version, wrong method)", len(got))
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

func TestRateLimitIsHonoured(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newSession(t, srv, srv.Token())
	ch := srv.ChannelID()

	srv.RateLimit("POST", "/channels/{channel}/messages", 2, 50*time.Millisecond)
	start := time.Now()
	m, err := s.ChannelMessageSend(ch, "after two 429s")
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
		t.Errorf("sent after %v; discordgo should have waited retry_after twice", elapsed)
	}
	reqs := srv.RequestsMatching("POST", "/channels/*/messages")
	if len(reqs) != 3 || reqs[0].Status != 429 || reqs[1].Status != 429 || reqs[2].Status != 200 {
		t.Fatalf("requests = %+v; want 429, 429, 200", reqs)
	}
	var body map[string]any
	json.Unmarshal(reqs[0].Response, &body)
	if body["message"] != "You are being rate limited." || body["retry_after"] != 0.05 || body["global"] != false {
		t.Errorf("429 body = %s", reqs[0].Response)
	}
	if got := srv.BotMessages(ch); len(got) != 1 || got[0].ID != m.ID {
		t.Errorf("bot messages = %+v; want only the one sent", got)
	}

	// Without retries discordgo hands the 429 to the caller.
	srv.RateLimit("", "/channels/{channel}/typing", 1, time.Second)
	err = s.ChannelTyping(ch, discordgo.WithRetryOnRatelimit(false))
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Errorf("typing error = %v; want a RateLimitError with RetryAfter 1s", err)
	}
	if err := s.ChannelTyping(ch); err != nil {
		t.Errorf("typing after the limit: %v", err)
	}
}

func TestChannelMessagesMentionsAndEcho(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	onMessage, echoes := receive[*discordgo.MessageCreate]()
	onUpdate, updates := receive[*discordgo.MessageUpdate]()
	s := openSession(t, srv, func(s *discordgo.Session) {
		s.AddHandler(onMessage)
		s.AddHandler(onUpdate)
	})
	ch := srv.ChannelID()
	question := srv.DispatchMessage(discordtest.MessageSpec{Content: srv.BotMention() + " @everyone should see this?", AuthorID: "700000000000000007"})
	if got := waitFor(t, echoes, "the question"); got.ID != question.ID {
		t.Fatalf("first event = %s; want the question", got.ID)
	}

	// Quoting "@everyone" with allowed_mentions parse [] pings nobody.
	safe, err := s.ChannelMessageSendComplex(ch, &discordgo.MessageSend{
		Content:         "<@700000000000000007> asked whether @everyone should see this",
		Reference:       question.Reference(),
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if safe.MentionEveryone || len(safe.Mentions) != 0 || safe.Type != discordgo.MessageTypeReply || safe.ReferencedMessage == nil {
		t.Errorf("reply = everyone %v mentions %d type %d", safe.MentionEveryone, len(safe.Mentions), safe.Type)
	}
	reqs := srv.RequestsMatching("POST", "/channels/{channel}/messages")
	am, ok := reqs[len(reqs)-1].Field("allowed_mentions")
	if !ok || !jsonEqual(t, am, []byte(`{"parse":[],"replied_user":false}`)) {
		t.Errorf("allowed_mentions on the wire = %s (present %v)", am, ok)
	}
	if sent := srv.SentMessages(); len(sent) != 1 || sent[0].AllowedMentions == nil || sent[0].Reference.MessageID != question.ID {
		t.Errorf("sent messages = %+v", sent)
	}
	// Without allowed_mentions, Discord pings everything the content names.
	loud, err := s.ChannelMessageSend(ch, "@everyone look")
	if err != nil {
		t.Fatal(err)
	}
	if !loud.MentionEveryone {
		t.Error("@everyone without allowed_mentions did not mention everyone")
	}

	// The bot's own messages come back over the gateway. The gateway sends
	// them in order, but discordgo runs each event's handlers in a goroutine
	// of its own, so they may reach the channel in either order.
	want := map[string]bool{safe.ID: true, loud.ID: true}
	for range 2 {
		got := waitFor(t, echoes, "the echo of the bot's message")
		if !want[got.ID] || got.Author.ID != srv.BotUser().ID || !got.Author.Bot {
			t.Errorf("echo = %s by %+v; want %s or %s by the bot", got.ID, got.Author, safe.ID, loud.ID)
		}
		delete(want, got.ID)
	}
	edited, err := s.ChannelMessageEdit(ch, loud.ID, "never mind")
	if err != nil || edited.Content != "never mind" || edited.EditedTimestamp == nil {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if got := waitFor(t, updates, "MESSAGE_UPDATE"); got.ID != loud.ID || got.Content != "never mind" {
		t.Errorf("update = %+v", got.Message)
	}
	if _, err := s.ChannelMessageEdit(ch, question.ID, "hijack"); err == nil {
		t.Error("editing a user's message succeeded")
	} else if code, status := restCode(t, err); code != discordtest.CodeCannotEditOthers || status != 403 {
		t.Errorf("edit other's message: code %d status %d", code, status)
	}
	ctx := testContext(t)
	if _, err := srv.WaitBotMessage(ctx, ch, func(m discordgo.Message) bool { return m.Content == "never mind" }); err != nil {
		t.Error(err)
	}
}

func TestReactionsTypingDMsAndUser(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := newSession(t, srv, srv.Token())
	q := srv.DispatchMessage(discordtest.MessageSpec{Content: "hi"})

	if err := s.ChannelTyping(q.ChannelID); err != nil {
		t.Errorf("typing: %v", err)
	}
	for _, emoji := range []string{"👀", "✅"} {
		if err := s.MessageReactionAdd(q.ChannelID, q.ID, emoji); err != nil {
			t.Errorf("reaction %s: %v", emoji, err)
		}
	}
	if got := srv.Reactions(q.ChannelID, q.ID); len(got) != 2 || got[0] != "👀" || got[1] != "✅" {
		t.Errorf("reactions = %q", got)
	}
	if err := s.MessageReactionAdd(q.ChannelID, q.ID, "custom:123456"); err == nil {
		t.Error("an unknown custom emoji was accepted")
	}
	if err := s.MessageReactionAdd(q.ChannelID, "1", "👀"); err == nil {
		t.Error("a reaction on an unknown message was accepted")
	}

	dm, err := s.UserChannelCreate(discordtest.DefaultUserID)
	if err != nil || dm.Type != discordgo.ChannelTypeDM || len(dm.Recipients) != 1 || dm.Recipients[0].Username != discordtest.DefaultUserName {
		t.Fatalf("DM channel = %+v, %v", dm, err)
	}
	again, _ := s.UserChannelCreate(discordtest.DefaultUserID)
	if again == nil || again.ID != dm.ID {
		t.Errorf("second DM channel = %+v; want the same %s", again, dm.ID)
	}
	if _, err := s.ChannelMessageSend(dm.ID, "hello in private"); err != nil {
		t.Errorf("DM send: %v", err)
	}

	withFile, err := s.ChannelMessageSendComplex(dm.ID, &discordgo.MessageSend{
		Files: []*discordgo.File{{Name: "answer.txt", ContentType: "text/plain", Reader: strings.NewReader("long answer")}},
	})
	if err != nil {
		t.Errorf("multipart send: %v", err)
	} else if req := srv.RequestsMatching("POST", "/channels/"+dm.ID+"/messages"); len(req) != 2 || len(req[1].Files) != 1 || req[1].Files[0] != "answer.txt" {
		t.Errorf("multipart request = %+v", req)
	} else if _, ok := srv.Message(withFile.ID); !ok {
		t.Error("message with a file not stored")
	}

	me, err := s.User("@me")
	if err != nil || me.ID != srv.BotUser().ID || !me.Bot {
		t.Errorf("GET /users/@me = %+v, %v", me, err)
	}
	gw, err := s.GatewayBot()
	if err != nil || gw.Shards != 1 || !strings.HasPrefix(gw.URL, "ws://127.0.0.1:") {
		t.Errorf("GET /gateway/bot = %+v, %v", gw, err)
	}
	if u := srv.UnknownRequests(); len(u) != 0 {
		t.Errorf("unknown requests: %+v", u)
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("Authorization") != "Bot "+srv.Token() {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithLogf(func(string, ...any) {}))
	s := newSession(t, srv, "stolen")
	_, err := s.ChannelMessageSend(srv.ChannelID(), "hi")
	if code, status := restCode(t, err); status != 401 || code != discordtest.CodeGeneral {
		t.Errorf("status %d code %d; want 401", status, code)
	}
}
