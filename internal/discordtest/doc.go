// Package discordtest is a loopback emulator of Discord's HTTP API and gateway
// for tests. A real discordgo Session talks to it: point the Session's HTTP
// client at Server.URL with bot.NewRewriteTransport and call Open; the
// emulator answers GET /api/v9/gateway with its own websocket URL.
//
// The emulator speaks what discordgo v0.29.0 sends (API v9, JSON encoding,
// zlib-compressed frames when Identify asks for them) and enforces the rules
// of Discord's that a bot most easily breaks: the 3-second interaction
// deadline, acknowledging an interaction once, editing or following up only
// after acknowledging, message and embed length limits, snowflakes as strings,
// the bot token on bot routes, and the MESSAGE_CONTENT intent. Violations are
// answered with Discord's own status codes and JSON error shapes, so the
// discordgo call returns the error the bot would see in production.
//
// Tests drive it from the other side: DispatchInteraction and DispatchMessage
// send gateway events and return handles to wait on the bot's answers
// (commands with attachments, which AddAttachment serves from the
// emulator's own host as Discord's CDN does; button clicks; modal
// submissions);
// RateLimit, Reconnect, InvalidSession and DropConnection produce the
// failures Discord produces. Every request is recorded, with its body as it
// went over the wire, and unknown routes are answered 404 and recorded so a
// test can assert there were none.
//
// A test that answers /ask with a deferred response:
//
//	srv := discordtest.New(t)
//	s, _ := discordgo.New("Bot " + srv.Token())
//	rt, _ := bot.NewRewriteTransport(srv.URL, nil)
//	s.Client = &http.Client{Transport: rt}
//	s.AddHandler(askHandler) // the code under test
//	if err := s.Open(); err != nil { t.Fatal(err) }
//	t.Cleanup(func() { srv.WaitReady(ctx); s.Close() })
//	if err := srv.WaitReady(ctx); err != nil { t.Fatal(err) }
//	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask",
//		Options: []discordtest.CommandOption{{Name: "question", Value: "Is Doubao profitable?"}}})
//	cb, err := in.WaitCallback(ctx) // cb.Type 5, cb.After < 3 s
//	edit, err := in.WaitOriginalEdit(ctx, func(m discordtest.Message) bool { return len(m.Embeds) > 0 })
//
// Close a discordgo Session before its Server: register the Session's Close
// with t.Cleanup after calling New, so it runs first. A Session whose server
// has gone tries to reconnect for ever. And close it, or make it reconnect,
// only once WaitReady has returned: discordgo reconnects on its own if a
// connection closes before it has sent its first heartbeat on it.
//
// Timing is the test's: heartbeats come at Discord's 41.25 s interval unless
// WithHeartbeatInterval says otherwise, and WithClock gives the server a
// clock the test moves for interaction deadlines. discordgo runs each
// event's handlers in a goroutine of their own, so handlers may see events
// in another order than the gateway's, which is Discord's.
package discordtest
