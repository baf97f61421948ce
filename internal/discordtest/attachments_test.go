package discordtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/internal/discordtest"
)

// An attachment is served from the emulator's host, as Discord's CDN
// serves it, and arrives in a command's resolved data; a modal's
// submission carries what the user typed.
func TestAttachmentsAndModals(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	data := []byte("id: example\n")
	a := srv.AddAttachment("example source.yaml", "application/x-yaml", data)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	for _, tc := range []struct {
		url    string
		status int
	}{{a.URL, http.StatusOK}, {a.ProxyURL, http.StatusOK}, {srv.URL + "/attachments/1/2/other.yaml", http.StatusNotFound}} {
		resp, err := client.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || (tc.status == http.StatusOK && string(body) != string(data)) {
			t.Errorf("GET %s = %d %q", tc.url, resp.StatusCode, body)
		}
	}
	if n := len(srv.RequestsMatching("GET", "/attachments/{channel}/{attachment}/{filename}")); n != 3 {
		t.Errorf("%d attachment requests recorded; want 3", n)
	}
	if u := srv.UnknownRequests(); len(u) != 0 {
		t.Errorf("attachment requests counted as unknown routes: %+v", u)
	}

	in := srv.DispatchInteraction(discordtest.InteractionSpec{Command: "source", Attachments: []*discordgo.MessageAttachment{a},
		Options: []discordtest.CommandOption{{Name: "add", Options: []discordtest.CommandOption{
			{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: a.ID}}}}})
	var got discordgo.Interaction
	if err := json.Unmarshal(in.Payload, &got); err != nil {
		t.Fatal(err)
	}
	d := got.ApplicationCommandData()
	if d.Resolved == nil || d.Resolved.Attachments[a.ID] == nil || d.Resolved.Attachments[a.ID].URL != a.URL ||
		d.Options[0].Options[0].Value != a.ID {
		t.Errorf("command data = %+v", d)
	}

	in = srv.DispatchInteraction(discordtest.InteractionSpec{ModalCustomID: "form", ModalValues: map[string]string{"text": "pasted"}})
	got = discordgo.Interaction{}
	if err := json.Unmarshal(in.Payload, &got); err != nil {
		t.Fatal(err)
	}
	m := got.ModalSubmitData()
	if got.Type != discordgo.InteractionModalSubmit || m.CustomID != "form" || len(m.Components) != 1 ||
		m.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput).Value != "pasted" {
		t.Errorf("modal submission = %s", in.Payload)
	}
}
