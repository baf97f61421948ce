package commands

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/bytewatch/bytewatch/knowledge"
	"github.com/bytewatch/bytewatch/knowledge/folder"
)

func TestAttachmentHosts(t *testing.T) {
	s := newSourceCommands(nil, SourceConfig{APIBaseURL: "http://127.0.0.1:4000"}, nil, nil, nil)
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://cdn.discordapp.com/attachments/1/2/a.yaml?ex=1", true},
		{"https://media.discordapp.net/attachments/1/2/a.yaml", true},
		{"https://CDN.discordapp.com/attachments/1/2/a.yaml", true},
		{"http://cdn.discordapp.com/attachments/1/2/a.yaml", false}, // not TLS
		{"https://cdn.discordapp.com.evil.example/a.yaml", false},
		{"https://cdn.discordapp.com@evil.example/a.yaml", false},
		{"https://evil.example/cdn.discordapp.com/a.yaml", false},
		{"http://169.254.169.254/latest/meta-data", false},
		{"http://127.0.0.1:4000/attachments/1/2/a.yaml", true}, // DISCORD_API_BASE_URL's host
		{"https://127.0.0.1:4000/attachments/1/2/a.yaml", false},
		{"http://127.0.0.1:4001/attachments/1/2/a.yaml", false},
		{"file:///etc/passwd", false},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.allowedHost(u); got != tc.want {
			t.Errorf("allowedHost(%s) = %v; want %v", tc.url, got, tc.want)
		}
	}
	if (&sourceCommands{}).allowedHost(&url.URL{Scheme: "http", Host: "127.0.0.1:4000"}) {
		t.Error("without DISCORD_API_BASE_URL only Discord's CDN is allowed")
	}
}

func TestFetch(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.yaml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "id: x\n") })
	mux.HandleFunc("/redirect.yaml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
	})
	mux.HandleFunc("/big.yaml", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, MaxAttachment+10)) })
	mux.HandleFunc("/gone.yaml", http.NotFound)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := newSourceCommands(nil, SourceConfig{APIBaseURL: srv.URL, Client: srv.Client()}, nil, nil, nil)
	for _, tc := range []struct{ path, want string }{
		{"/ok.yaml", ""},
		{"/redirect.yaml", "redirects"},
		{"/big.yaml", "over 1 MiB"},
		{"/gone.yaml", "404"},
	} {
		data, err := s.fetch(context.Background(), srv.URL+tc.path)
		switch {
		case tc.want == "" && (err != nil || string(data) != "id: x\n"):
			t.Errorf("fetch %s = %q, %v", tc.path, data, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("fetch %s: %v; want an error with %q", tc.path, err, tc.want)
		}
	}
	srv.Client().CloseIdleConnections()
}

func TestKindOf(t *testing.T) {
	for name, want := range map[string]inputKind{"a.yaml": sourceFile, "A.YML": sourceFile, "n.txt": article, "n.md": article,
		"n.html": article, "n.htm": article, "n.markdown": article, "n.pdf": 0, "n.yaml.exe": 0, "yaml": 0, "": 0} {
		got, ok := kindOf(name)
		if got != want || ok != (want != 0) {
			t.Errorf("kindOf(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
}

func TestPreviews(t *testing.T) {
	var ps previews
	ps.m = map[string]*preview{}
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	a := ps.put(&preview{user: "1", expires: t0.Add(10 * time.Minute)}, t0)
	b := ps.put(&preview{user: "1", expires: t0.Add(10 * time.Minute)}, t0)
	if p, why := ps.take(a, "2", t0); p != nil || !strings.Contains(why, "Only the moderator") {
		t.Errorf("another user took it: %v %q", p, why)
	}
	if p, why := ps.take(a, "1", t0.Add(10*time.Minute)); p == nil || why != "" {
		t.Error("not taken at exactly 10 minutes")
	}
	if p, why := ps.take(a, "1", t0); p != nil || !strings.Contains(why, "no longer open") {
		t.Errorf("taken twice: %q", why)
	}
	if p, why := ps.take(b, "1", t0.Add(10*time.Minute+time.Nanosecond)); p == nil || !strings.Contains(why, "expired") {
		t.Errorf("taken after expiry: %q", why)
	}
	// Expired previews are dropped when the next one is made.
	ps.put(&preview{user: "1", expires: t0.Add(time.Minute)}, t0)
	ps.put(&preview{user: "1", expires: t0.Add(time.Hour)}, t0.Add(2*time.Minute))
	if len(ps.m) != 1 {
		t.Errorf("%d previews kept; want the one not expired", len(ps.m))
	}
}

// TestRenderPlanFits renders previews of small and very large changes:
// each is one message within Discord's limits, so its buttons sit under
// all of it.
func TestRenderPlanFits(t *testing.T) {
	for _, n := range []int{1, 30, 400} {
		src := knowledge.Source{ID: "big", Title: "Big", Publisher: "P", Published: knowledge.Date{Year: 2025}}
		var facts []knowledge.Fact
		var ids []string
		for i := range n {
			id := fmt.Sprintf("big-fact-%03d", i)
			ids = append(ids, id)
			facts = append(facts, knowledge.Fact{ID: id, SourceID: "big", Statement: strings.Repeat("A long statement about ByteDance. ", 6),
				Attribution: "P", AsOf: knowledge.Date{Year: 2025}, Entities: []string{"ByteDance"}})
		}
		base := knowledge.NewBase([]knowledge.Source{src}, facts)
		p := &folder.Plan{Action: folder.ActionAdd, SourceID: "big", After: base, Changes: knowledge.Changes{Added: ids, Removed: ids[:n/2]},
			Conflicts: []folder.Conflict{{Fact: facts[0], Other: facts[0], Figure: knowledge.Figure{Amount: 1e9, Unit: "USD", Measure: "m", Period: "2025"},
				OtherFigure: knowledge.Figure{Amount: 2e9, Unit: "USD", Measure: "m", Period: "2025"}}}}
		msgs := RenderPlan(p, DefaultPreviewTTL)
		if len(msgs) != 1 {
			t.Errorf("%d facts: %d messages; want 1", n, len(msgs))
		}
		for _, m := range msgs {
			if err := m.Validate(); err != nil {
				t.Errorf("%d facts: %v", n, err)
			}
		}
		text := msgs[0].Embeds[0].Description
		if !strings.Contains(text, fmt.Sprintf("%d facts added", n)) && !strings.Contains(text, "1 fact added") {
			t.Errorf("%d facts: %s", n, text)
		}
	}
}

// TestSourceSpec: /source is for moderators in servers, and every name and
// description is within Discord's limits (names 1–32 lowercase, descriptions
// 1–100 characters).
func TestSourceSpec(t *testing.T) {
	spec := sourceSpec()
	if spec.DefaultMemberPermissions == nil || *spec.DefaultMemberPermissions != 32 {
		t.Errorf("default_member_permissions = %v; want Manage Server (32)", spec.DefaultMemberPermissions)
	}
	if spec.Contexts == nil || len(*spec.Contexts) != 1 {
		t.Errorf("contexts = %v; want servers only", spec.Contexts)
	}
	var check func(name, desc string, opts []*discordgo.ApplicationCommandOption)
	check = func(name, desc string, opts []*discordgo.ApplicationCommandOption) {
		if name == "" || len(name) > 32 || strings.ToLower(name) != name {
			t.Errorf("name %q", name)
		}
		if n := len([]rune(desc)); n == 0 || n > 100 {
			t.Errorf("%s: description of %d characters", name, n)
		}
		for _, o := range opts {
			check(o.Name, o.Description, o.Options)
		}
	}
	check(spec.Name, spec.Description, spec.Options)
}

func TestReadOnlyReason(t *testing.T) {
	for _, tc := range []struct {
		cfg  SourceConfig
		want string
	}{
		{SourceConfig{}, "bytewatch knowledge export DIR"},
		{SourceConfig{ReadOnly: "the folder is read-only."}, "cannot be changed from Discord: the folder is read-only."},
	} {
		if got := newSourceCommands(nil, tc.cfg, nil, nil, nil).readOnly(); !strings.Contains(got, tc.want) {
			t.Errorf("readOnly() = %q; want %q in it", got, tc.want)
		}
	}
}
