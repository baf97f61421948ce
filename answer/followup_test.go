package answer_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bytewatch/bytewatch/answer"
)

// The floors TestConversations must clear: every stand-alone question kept
// and every uncovered follow-up refused; nearly every rewrite as written.
const (
	minConversations = 0.9
)

type conversationCase struct {
	History    []string `yaml:"history"`
	Q          string   `yaml:"q"`
	Standalone string   `yaml:"standalone"`
	Same       bool     `yaml:"same"`
	Answered   bool     `yaml:"answered"`
	Gold       []string `yaml:"gold"`
}

func loadConversations(t testing.TB) []conversationCase {
	t.Helper()
	data, err := os.ReadFile("testdata/conversations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Conversations []conversationCase `yaml:"conversations"`
	}
	dec := yaml.NewDecoder(bytesReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("conversations.yaml: %v", err)
	}
	return doc.Conversations
}

// TestConversations answers each conversation's last question as a
// follow-up and checks the stand-alone question it answered, whether it
// was answered, and the facts cited.
func TestConversations(t *testing.T) {
	t.Parallel()
	eng := answer.NewEngine(defaultIndex(t), answer.Options{})
	cases := loadConversations(t)
	pass := 0
	for _, c := range cases {
		a, err := eng.AskFollowUp(context.Background(), c.History, c.Q, nil)
		if err != nil {
			t.Fatalf("%q after %q: %v", c.Q, c.History, err)
		}
		var problems []string
		want := c.Standalone
		if c.Same {
			want = ""
			if a.Standalone != "" {
				t.Errorf("%q after %q was rewritten as %q; it stands on its own", c.Q, c.History, a.Standalone)
			}
		}
		if a.Standalone != want {
			problems = append(problems, "answered as "+quote(a.Answering())+", want "+quote(c.Standalone))
		}
		if a.Question != c.Q {
			problems = append(problems, "Question "+quote(a.Question))
		}
		if a.Answered != c.Answered {
			problems = append(problems, "answered = "+map[bool]string{true: "true", false: "false"}[a.Answered])
			if !c.Answered {
				t.Errorf("%q after %q (as %q) was answered; the sources don't cover it: %s", c.Q, c.History, a.Answering(), a.Text)
			}
		}
		for _, g := range c.Gold {
			if !slices.ContainsFunc(a.Citations, func(x answer.Citation) bool { return x.FactID == g }) {
				problems = append(problems, "does not cite "+g)
			}
		}
		if len(problems) == 0 {
			pass++
			continue
		}
		t.Logf("%q after %q: %v", c.Q, c.History, problems)
	}
	share := float64(pass) / float64(len(cases))
	t.Logf("conversations: %d of %d pass (%.0f%%)", pass, len(cases), 100*share)
	if share < minConversations {
		t.Errorf("conversations: %d of %d pass, below the floor of %.0f%%", pass, len(cases), 100*minConversations)
	}
}

func quote(s string) string { return "\"" + s + "\"" }
