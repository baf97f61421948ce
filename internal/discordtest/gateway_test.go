package discordtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

func TestOpenReceivesReadyAndGuilds(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithApplication("910000000000000001", 1<<23))
	onReady, readies := receive[*discordgo.Ready]()
	onGuild, guilds := receive[*discordgo.GuildCreate]()
	s := openSession(t, srv, func(s *discordgo.Session) {
		s.AddHandler(onReady)
		s.AddHandler(onGuild)
	})

	ready := waitFor(t, readies, "READY")
	if ready.User.ID != discordtest.DefaultBotID || !ready.User.Bot {
		t.Errorf("READY user = %+v; want the bot", ready.User)
	}
	if ready.Application == nil || ready.Application.ID != "910000000000000001" || ready.Application.Flags != 1<<23 {
		t.Errorf("READY application = %+v", ready.Application)
	}
	if ready.Version != 9 || ready.SessionID == "" {
		t.Errorf("READY v=%d session=%q", ready.Version, ready.SessionID)
	}
	g := waitFor(t, guilds, "GUILD_CREATE")
	if g.ID != discordtest.DefaultGuildID || len(g.Channels) != 1 || g.Channels[0].ID != discordtest.DefaultChannelID {
		t.Errorf("GUILD_CREATE = %+v", g.Guild)
	}
	if _, err := s.State.Guild(discordtest.DefaultGuildID); err != nil {
		t.Errorf("state has no guild after GUILD_CREATE: %v", err)
	}

	id, ok := srv.LastIdentify()
	if !ok || id.Token != "Bot "+srv.Token() || id.Intents != discordgo.IntentsAllWithoutPrivileged || !id.Compress {
		t.Errorf("identify = %+v", id)
	}
	if q := srv.GatewayQuery(); q.Get("v") != "9" || q.Get("encoding") != "json" {
		t.Errorf("gateway query = %v; want v=9&encoding=json", q)
	}
	if st := srv.GatewayStats(); st.Identifies != 1 || st.Resumes != 0 || !st.Live || st.Sequence < 2 {
		t.Errorf("stats = %+v", st)
	}
	ctx := testContext(t)
	if _, err := srv.WaitGateway(ctx, func(st discordtest.GatewayStats) bool { return st.Heartbeats > 0 }); err != nil {
		t.Error(err)
	}
}

func TestOpenFailsOnGatewayRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		token     string
		intents   discordgo.Intent
		wantClose string
	}{
		{"wrong token", "not-the-token", discordgo.IntentsGuilds, "4004"},
		{"privileged intent not allowed", "", discordgo.IntentsGuilds | discordgo.IntentGuildMembers, "4014"},
		{"undefined intent bit", "", 1 << 30, "4013"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			token := tt.token
			if token == "" {
				token = srv.Token()
			}
			s := newSession(t, srv, token)
			s.Identify.Intents = tt.intents
			err := s.Open()
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded; want it to fail")
			}
			if !strings.Contains(err.Error(), tt.wantClose) {
				t.Errorf("Open error = %v; want close code %s", err, tt.wantClose)
			}
		})
	}
}

func TestReconnectResumesAndReplaysMissedEvents(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	onMessage, messages := receive[*discordgo.MessageCreate]()
	onResumed, resumed := receive[*discordgo.Resumed]()
	openSession(t, srv, func(s *discordgo.Session) {
		s.Identify.Intents |= discordgo.IntentMessageContent
		s.AddHandler(onMessage)
		s.AddHandler(onResumed)
	})

	if err := srv.Reconnect(); err != nil {
		t.Fatal(err)
	}
	// discordgo spends a second closing; this event waits in the session log.
	missed := srv.DispatchMessage(discordtest.MessageSpec{Content: "sent while reconnecting"})

	ctx := testContext(t)
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, resumed, "RESUMED")
	if got := waitFor(t, messages, "the missed message"); got.ID != missed.ID || got.Content != "sent while reconnecting" {
		t.Errorf("replayed message = %+v", got.Message)
	}
	after := srv.DispatchMessage(discordtest.MessageSpec{Content: "after resume"})
	if got := waitFor(t, messages, "a message after resume"); got.ID != after.ID {
		t.Errorf("message after resume = %s; want %s", got.ID, after.ID)
	}
	if st := srv.GatewayStats(); st.Identifies != 1 || st.Resumes != 1 || st.Connections != 2 {
		t.Errorf("stats = %+v; want 1 identify, 1 resume, 2 connections", st)
	}
}

func TestDropConnectionResumes(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	onInteraction, interactions := receive[*discordgo.InteractionCreate]()
	openSession(t, srv, func(s *discordgo.Session) { s.AddHandler(onInteraction) })

	if err := srv.DropConnection(); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	if _, err := srv.WaitGateway(ctx, func(st discordtest.GatewayStats) bool { return st.Live && st.Resumes == 1 }); err != nil {
		t.Fatal(err)
	}
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "help"})
	if got := waitFor(t, interactions, "INTERACTION_CREATE"); got.ID != in.ID {
		t.Errorf("interaction = %s; want %s", got.ID, in.ID)
	}
	if srv.Identifies() != 1 {
		t.Errorf("identifies = %d; want 1 (resumed, not re-identified)", srv.Identifies())
	}
}

func TestInvalidSessionReidentifies(t *testing.T) {
	t.Parallel()
	for _, resumable := range []bool{false, true} {
		name := map[bool]string{false: "not resumable", true: "resumable"}[resumable]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			onReady, readies := receive[*discordgo.Ready]()
			onMessage, messages := receive[*discordgo.MessageCreate]()
			openSession(t, srv, func(s *discordgo.Session) {
				s.AddHandler(onReady)
				s.AddHandler(onMessage)
			})
			first := waitFor(t, readies, "first READY")

			if err := srv.InvalidSession(resumable); err != nil {
				t.Fatal(err)
			}
			second := waitFor(t, readies, "READY after Invalid Session")
			if second.SessionID == first.SessionID {
				t.Errorf("session ID unchanged after re-identify")
			}
			ctx := testContext(t)
			if err := srv.WaitReady(ctx); err != nil {
				t.Fatal(err)
			}
			if got := srv.Identifies(); got != 2 {
				t.Errorf("identifies = %d; want 2", got)
			}
			m := srv.DispatchMessage(discordtest.MessageSpec{Content: "still there?", DM: true})
			if got := waitFor(t, messages, "message after re-identify"); got.ID != m.ID {
				t.Errorf("message = %s; want %s", got.ID, m.ID)
			}
		})
	}
}

func TestMalformedDispatchDoesNotKillTheSession(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	onInteraction, interactions := receive[*discordgo.InteractionCreate]()
	openSession(t, srv, func(s *discordgo.Session) { s.AddHandler(onInteraction) })

	srv.DispatchRaw("INTERACTION_CREATE", []byte(`{"id": "1", "type": 2, "data": `)) // truncated JSON
	srv.DispatchRaw("INTERACTION_CREATE", []byte(`{"id": 5, "type": "two"}`))        // wrong types
	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "about"})

	// discordgo still hands the badly typed event to handlers, half decoded.
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-interactions:
			if got.ID == in.ID {
				return
			}
		case <-deadline:
			t.Fatal("the well-formed interaction never arrived")
		}
	}
}

func TestDispatchMessageHonoursIntents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		intents     discordgo.Intent
		spec        func(srv *discordtest.Server) discordtest.MessageSpec
		wantContent bool
	}{
		{
			name:    "no MESSAGE_CONTENT: plain guild message arrives empty",
			intents: discordgo.IntentsAllWithoutPrivileged,
			spec: func(*discordtest.Server) discordtest.MessageSpec {
				return discordtest.MessageSpec{Content: "what is doubao?"}
			},
		},
		{
			name:    "no MESSAGE_CONTENT: a mention of the bot keeps its content",
			intents: discordgo.IntentsAllWithoutPrivileged,
			spec: func(srv *discordtest.Server) discordtest.MessageSpec {
				return discordtest.MessageSpec{Content: srv.BotMention() + " what is doubao?"}
			},
			wantContent: true,
		},
		{
			name:    "no MESSAGE_CONTENT: DMs keep their content",
			intents: discordgo.IntentsAllWithoutPrivileged,
			spec: func(*discordtest.Server) discordtest.MessageSpec {
				return discordtest.MessageSpec{Content: "what is doubao?", DM: true}
			},
			wantContent: true,
		},
		{
			name:    "MESSAGE_CONTENT",
			intents: discordgo.IntentsAllWithoutPrivileged | discordgo.IntentMessageContent,
			spec: func(*discordtest.Server) discordtest.MessageSpec {
				return discordtest.MessageSpec{Content: "what is doubao?"}
			},
			wantContent: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			onMessage, messages := receive[*discordgo.MessageCreate]()
			openSession(t, srv, func(s *discordgo.Session) {
				s.Identify.Intents = tt.intents
				s.AddHandler(onMessage)
			})
			spec := tt.spec(srv)
			sent := srv.DispatchMessage(spec)
			got := waitFor(t, messages, "MESSAGE_CREATE")
			if got.ID != sent.ID || got.Author.ID != discordtest.DefaultUserID {
				t.Errorf("message = %+v", got.Message)
			}
			if (got.Content != "") != tt.wantContent {
				t.Errorf("content = %q; want content: %v", got.Content, tt.wantContent)
			}
		})
	}
}
