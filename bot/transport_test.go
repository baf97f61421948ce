package bot

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// recordingTransport remembers the request it was given instead of sending it.
type recordingTransport struct {
	got *http.Request
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: req}, nil
}

func TestNewRewriteTransportRejectsBadBase(t *testing.T) {
	tests := []struct {
		name    string
		apiBase string
		wantErr string
	}{
		{"empty", "", "empty"},
		{"blank", "   ", "empty"},
		{"no scheme", "discord-proxy.internal", "scheme"},
		{"host and port without scheme", "127.0.0.1:1234", "127.0.0.1:1234"},
		{"websocket scheme", "ws://127.0.0.1:1234", "scheme must be http or https"},
		{"ftp scheme", "ftp://proxy.example", "scheme must be http or https"},
		{"no host", "http://", "no host"},
		{"path without host", "https:///discord", "no host"},
		{"port without host", "http://:8080", "no host"},
		{"user info", "https://user:secret@proxy.example", "user info"},
		{"query", "https://proxy.example/discord?x=1", "query"},
		{"fragment", "https://proxy.example/discord#top", "fragment"},
		{"unparsable", "http://[::1", "discord API base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := NewRewriteTransport(tt.apiBase, nil)
			if err == nil {
				t.Fatalf("NewRewriteTransport(%q) = %v, nil; want an error", tt.apiBase, rt)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewRewriteTransport(%q) error = %q; want it to mention %q", tt.apiBase, err, tt.wantErr)
			}
		})
	}
}

func TestRewriteTransportRewritesDiscordHosts(t *testing.T) {
	tests := []struct {
		name     string
		apiBase  string
		method   string
		url      string
		wantURL  string
		wantPath string // decoded path the server sees
	}{
		{
			name:     "emulator on loopback",
			apiBase:  "http://127.0.0.1:1234",
			method:   "GET",
			url:      "https://discord.com/api/v9/gateway",
			wantURL:  "http://127.0.0.1:1234/api/v9/gateway",
			wantPath: "/api/v9/gateway",
		},
		{
			name:     "proxy with path prefix keeps the query",
			apiBase:  "https://proxy.example/discord",
			method:   "GET",
			url:      "https://discord.com/api/v9/applications/1/commands?with_localizations=true",
			wantURL:  "https://proxy.example/discord/api/v9/applications/1/commands?with_localizations=true",
			wantPath: "/discord/api/v9/applications/1/commands",
		},
		{
			name:     "trailing slash on the base is not doubled",
			apiBase:  "https://proxy.example/discord/",
			method:   "POST",
			url:      "https://discord.com/api/v9/channels/2/messages",
			wantURL:  "https://proxy.example/discord/api/v9/channels/2/messages",
			wantPath: "/discord/api/v9/channels/2/messages",
		},
		{
			name:     "webhook token and @original survive",
			apiBase:  "http://127.0.0.1:1234/",
			method:   "PATCH",
			url:      "https://discord.com/api/v9/webhooks/1/aW50ZXJhY3Rpb24:abc-_/messages/@original",
			wantURL:  "http://127.0.0.1:1234/api/v9/webhooks/1/aW50ZXJhY3Rpb24:abc-_/messages/@original",
			wantPath: "/api/v9/webhooks/1/aW50ZXJhY3Rpb24:abc-_/messages/@original",
		},
		{
			name:     "unicode emoji in a reaction",
			apiBase:  "http://127.0.0.1:1234",
			method:   "PUT",
			url:      "https://discord.com/api/v9/channels/2/messages/3/reactions/👍/@me",
			wantURL:  "http://127.0.0.1:1234/api/v9/channels/2/messages/3/reactions/%F0%9F%91%8D/@me",
			wantPath: "/api/v9/channels/2/messages/3/reactions/👍/@me",
		},
		{
			name:     "escaped hash in a keycap emoji stays escaped",
			apiBase:  "https://proxy.example/d",
			method:   "PUT",
			url:      "https://discord.com/api/v9/channels/2/messages/3/reactions/%23%E2%83%A3/@me",
			wantURL:  "https://proxy.example/d/api/v9/channels/2/messages/3/reactions/%23%E2%83%A3/@me",
			wantPath: "/d/api/v9/channels/2/messages/3/reactions/#⃣/@me",
		},
		{
			name:     "cdn",
			apiBase:  "http://127.0.0.1:1234",
			method:   "GET",
			url:      "https://cdn.discordapp.com/avatars/1/abc.png",
			wantURL:  "http://127.0.0.1:1234/avatars/1/abc.png",
			wantPath: "/avatars/1/abc.png",
		},
		{
			name:     "host match ignores case",
			apiBase:  "http://127.0.0.1:1234",
			method:   "GET",
			url:      "https://Discord.COM/api/v9/users/@me",
			wantURL:  "http://127.0.0.1:1234/api/v9/users/@me",
			wantPath: "/api/v9/users/@me",
		},
		{
			name:     "other hosts pass through",
			apiBase:  "http://127.0.0.1:1234",
			method:   "GET",
			url:      "https://status.discord.com/api/v2/scheduled-maintenances/active.json",
			wantURL:  "https://status.discord.com/api/v2/scheduled-maintenances/active.json",
			wantPath: "/api/v2/scheduled-maintenances/active.json",
		},
		{
			name:     "look-alike host passes through",
			apiBase:  "http://127.0.0.1:1234",
			method:   "GET",
			url:      "https://discord.com.evil.example/api/v9/gateway",
			wantURL:  "https://discord.com.evil.example/api/v9/gateway",
			wantPath: "/api/v9/gateway",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := &recordingTransport{}
			rt, err := NewRewriteTransport(tt.apiBase, next)
			if err != nil {
				t.Fatalf("NewRewriteTransport(%q): %v", tt.apiBase, err)
			}
			req, err := http.NewRequest(tt.method, tt.url, strings.NewReader(`{"content":"hi"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bot token")
			origURL := req.URL.String()
			origHost := req.Host

			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			resp.Body.Close()

			got := next.got
			if got == nil {
				t.Fatal("next transport was not called")
			}
			if got.URL.String() != tt.wantURL {
				t.Errorf("URL = %s; want %s", got.URL, tt.wantURL)
			}
			if got.URL.Path != tt.wantPath {
				t.Errorf("decoded path = %s; want %s", got.URL.Path, tt.wantPath)
			}
			if got.Method != tt.method {
				t.Errorf("method = %s; want %s", got.Method, tt.method)
			}
			if got.Header.Get("Authorization") != "Bot token" {
				t.Errorf("Authorization header = %q; want it kept", got.Header.Get("Authorization"))
			}
			body, _ := io.ReadAll(got.Body)
			if string(body) != `{"content":"hi"}` {
				t.Errorf("body = %q; want it kept", body)
			}
			if req.URL.String() != origURL || req.Host != origHost {
				t.Errorf("caller's request was modified: %s host %q", req.URL, req.Host)
			}
			if got != req && got.Host != "" {
				t.Errorf("rewritten request Host = %q; want empty so the new URL's host is sent", got.Host)
			}
		})
	}
}

func TestRewriteTransportDefaultsToDefaultTransport(t *testing.T) {
	rt, err := NewRewriteTransport("http://127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rt.(*rewriteTransport).next; got != http.DefaultTransport {
		t.Errorf("next = %T; want http.DefaultTransport", got)
	}
}

// TestRewriteTransportErrorsHideCredentials: a base URL is refused without
// its user info, query or fragment appearing in the error.
func TestRewriteTransportErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	for _, base := range []string{
		"https://user:hunter2@proxy.example",
		"https://proxy.example/discord?key=hunter2",
		"ftp://user:hunter2@proxy.example",
		"https://proxy.example/%zz?hunter2",
	} {
		_, err := NewRewriteTransport(base, nil)
		if err == nil {
			t.Errorf("NewRewriteTransport(%q) accepted it", base)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NewRewriteTransport(%q) error shows the credential: %v", base, err)
		}
	}
}
