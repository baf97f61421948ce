package discordtest_test

import (
	"bytes"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// A button click arrives as a message component interaction carrying the
// message clicked on, and a reply with a file goes as multipart with
// payload_json, whose file the emulator keeps byte for byte.
func TestButtonClickAnsweredWithAFile(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	clicks := make(chan *discordgo.InteractionCreate, 1)
	errs := make(chan error, 1)
	openSession(t, srv, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			if i.Type != discordgo.InteractionMessageComponent {
				errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseChannelMessageWithSource,
					Data: &discordgo.InteractionResponseData{Content: "an answer"},
				})
				return
			}
			clicks <- i
			errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "the chart",
					Files: []*discordgo.File{{Name: "chart.png", ContentType: "image/png", Reader: bytes.NewReader(png)}}},
			})
		})
	})
	ctx := testContext(t)
	ask := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "ask"})
	if _, err := ask.WaitCallback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	orig, _ := ask.Original()
	click := srv.DispatchInteraction(discordtest.InteractionSpec{CustomID: "chart:1", MessageID: orig.ID})
	got := waitFor(t, clicks, "the click")
	if d := got.MessageComponentData(); d.CustomID != "chart:1" || d.ComponentType != discordgo.ButtonComponent {
		t.Errorf("component data %+v", d)
	}
	if got.Message == nil || got.Message.ID != orig.ID || got.Message.Content != "an answer" {
		t.Errorf("the click carries message %+v, want %s", got.Message, orig.ID)
	}
	cb, err := click.WaitCallback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if cb.Data.Content != "the chart" {
		t.Errorf("callback data %+v (payload_json not read?)", cb.Data)
	}
	reqs := click.Requests()
	if len(reqs) != 1 || len(reqs[0].Uploads) != 1 {
		t.Fatalf("requests %+v", reqs)
	}
	u := reqs[0].Uploads[0]
	if u.Name != "chart.png" || u.ContentType != "image/png" || !bytes.Equal(u.Data, png) || reqs[0].Files[0] != "chart.png" {
		t.Errorf("upload %+v", u)
	}
}
