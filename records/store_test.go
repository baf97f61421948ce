package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL the store tests use, and whether its absence fails them.
const (
	envTestDatabaseURL  = "BYTEWATCH_TEST_DATABASE_URL"
	envRequirePostgres  = "BYTEWATCH_REQUIRE_POSTGRES"
	defaultTestDatabase = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// backend opens stores of one kind for a test: each call a new, empty
// database (a file of its own, or a schema of its own), reopen the same
// database again, and raw the database/sql handle for fixtures.
type backend struct {
	name string
	// fresh returns the place of a new empty database.
	fresh func(t testing.TB) string
	// open opens the database at place, migrating to target (0: latest).
	open func(ctx context.Context, place string, target int) (*sqlStore, error)
	// raw opens place without migrating, for fixtures.
	raw func(t testing.TB, place string) *sql.DB
}

var sqliteBackend = backend{
	name:  "sqlite",
	fresh: func(t testing.TB) string { return filepath.Join(t.TempDir(), "data", SQLiteFile) },
	open:  openSQLite,
	raw: func(t testing.TB, place string) *sql.DB {
		if err := os.MkdirAll(filepath.Dir(place), 0o750); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+place)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	},
}

// postgresURL is the test server's URL.
func postgresURL() string {
	if u := os.Getenv(envTestDatabaseURL); u != "" {
		return u
	}
	return defaultTestDatabase
}

// postgresBackend gives every database a schema of its own in the test
// server, dropped when the test ends, so that tests and packages running
// in parallel never share tables. With no server it skips the test — or
// fails it when BYTEWATCH_REQUIRE_POSTGRES=1 (CI).
func postgresBackend(t testing.TB) backend {
	t.Helper()
	base := postgresURL()
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("%s: %v", envTestDatabaseURL, err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv(envRequirePostgres) == "1" {
			t.Fatalf("PostgreSQL at %s:%d cannot be reached and %s=1: %v", cfg.Host, cfg.Port, envRequirePostgres, err)
		}
		t.Skipf("PostgreSQL at %s:%d cannot be reached (%v). To run the PostgreSQL store tests, start PostgreSQL 15 with trust authentication and a database named test on 127.0.0.1:5432, or point %s at one (postgres://user@host:port/db?sslmode=disable); %s=1 makes its absence a failure.",
			cfg.Host, cfg.Port, err, envTestDatabaseURL, envRequirePostgres)
	}
	return backend{
		name: "postgres",
		fresh: func(t testing.TB) string {
			schema := "bw_test_" + NewID()
			if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
				t.Fatalf("creating schema %s: %v", schema, err)
			}
			t.Cleanup(func() {
				if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
					t.Errorf("dropping schema %s: %v", schema, err)
				}
			})
			return withSearchPath(base, schema)
		},
		open: openPostgres,
		raw: func(t testing.TB, place string) *sql.DB {
			cfg, err := pgx.ParseConfig(place)
			if err != nil {
				t.Fatal(err)
			}
			db := stdlib.OpenDB(*cfg)
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
}

// withSearchPath adds search_path=schema to a PostgreSQL URL or
// connection string.
func withSearchPath(url, schema string) string {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		return url + sep + "search_path=" + schema
	}
	return url + " search_path=" + schema
}

// backends are the databases every store case runs against.
// reopen closes s and opens the database at place again, as a restart
// would; the store it returns is closed when the test ends.
func (b backend) reopen(t *testing.T, s *sqlStore, place string) *sqlStore {
	t.Helper()
	s.Close()
	s, err := b.open(t.Context(), place, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func backends(t *testing.T) []backend {
	return []backend{sqliteBackend, postgresBackend(t)}
}

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// question is a valid record asked at t0 plus minutes.
func question(id, user string, minutes int, outcome string, facts ...string) Question {
	return Question{
		ID: id, AskedAt: t0.Add(time.Duration(minutes) * time.Minute), GuildID: "100", ChannelID: "200",
		Entry: EntrySlash, UserHash: user, Question: "question " + id, HasText: true, Outcome: outcome,
		FactIDs: facts, IndexVersion: "idx1", Mode: "extractive", Latency: 1500 * time.Microsecond,
	}
}

// id makes a valid record id from a short name.
func id(name string) string { return (name + "aaaaaaaaaaaaaaaa")[:16] }

func TestStore(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, s *sqlStore)
	}{
		{"a question round-trips", func(t *testing.T, ctx context.Context, s *sqlStore) {
			want := question(id("one"), "alice", 0, OutcomeAnswered, "capex-2025", "chips-nvidia")
			want.Question = "Combien investit ByteDance ? 字节跳动 \x00"
			if err := s.AddQuestion(ctx, want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Question(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			want.Question = "Combien investit ByteDance ? 字节跳动 "
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		}},
		{"a question without its text keeps none", func(t *testing.T, ctx context.Context, s *sqlStore) {
			q := question(id("notext"), "alice", 0, OutcomeNotCovered)
			q.Question, q.HasText = "", false
			if err := s.AddQuestion(ctx, q); err != nil {
				t.Fatal(err)
			}
			got, err := s.Question(ctx, q.ID)
			if err != nil || got.HasText || got.Question != "" || len(got.FactIDs) != 0 {
				t.Errorf("got %+v, %v; want no text and no facts", got, err)
			}
		}},
		{"an id is stored once", func(t *testing.T, ctx context.Context, s *sqlStore) {
			q := question(id("dup"), "alice", 0, OutcomeAnswered)
			if err := s.AddQuestion(ctx, q); err != nil {
				t.Fatal(err)
			}
			if err := s.AddQuestion(ctx, q); err == nil {
				t.Error("the same id was stored twice")
			}
		}},
		{"malformed records are refused", func(t *testing.T, ctx context.Context, s *sqlStore) {
			bad := []Question{
				question("short", "alice", 0, OutcomeAnswered),
				question(id("ABC"), "alice", 0, OutcomeAnswered),
				question(id("nouser"), "", 0, OutcomeAnswered),
				question(id("nooutcome"), "alice", 0, ""),
				question(id("spacefact"), "alice", 0, OutcomeAnswered, "a b"),
			}
			for _, q := range bad {
				if err := s.AddQuestion(ctx, q); !errors.Is(err, ErrInvalid) {
					t.Errorf("AddQuestion(%q): %v, want ErrInvalid", q.ID, err)
				}
			}
			if qs, _ := s.Questions(ctx, time.Time{}); len(qs) != 0 {
				t.Errorf("%d malformed records stored", len(qs))
			}
		}},
		{"an unknown id is not found", func(t *testing.T, ctx context.Context, s *sqlStore) {
			for _, q := range []string{id("missing"), "", "x'; DROP TABLE questions; --"} {
				if _, err := s.Question(ctx, q); !errors.Is(err, ErrNotFound) {
					t.Errorf("Question(%q): %v, want ErrNotFound", q, err)
				}
			}
		}},
		{"votes: one per person, a second changes it, reasons kept and cleared", func(t *testing.T, ctx context.Context, s *sqlStore) {
			q := question(id("voted"), "alice", 0, OutcomeAnswered, "f1")
			if err := s.AddQuestion(ctx, q); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				voter, reason, text string
				value, wantPrev     int
				wantReason          string
			}{
				{"bob", "", "", Up, 0, ""},
				{"bob", "", "", Down, Up, ""},
				{"bob", ReasonOther, "the 2024 figure is $12bn", Down, Down, ReasonOther},
				{"bob", "", "", Down, Down, ReasonOther}, // 👎 again keeps the reason
				{"carol", ReasonOutOfDate, "", Down, 0, ReasonOutOfDate},
				{"bob", "", "", Up, Down, ""}, // 👍 clears it
			}
			for i, st := range steps {
				prev, err := s.Vote(ctx, Vote{QuestionID: q.ID, VoterHash: st.voter, Value: st.value, Reason: st.reason, ReasonText: st.text, At: t0.Add(time.Duration(i) * time.Second)})
				if err != nil || prev != st.wantPrev {
					t.Fatalf("step %d: Vote = %d, %v; want %d", i, prev, err, st.wantPrev)
				}
				votes, err := s.Votes(ctx, time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range votes {
					if v.VoterHash == st.voter && (v.Value != st.value || v.Reason != st.wantReason) {
						t.Errorf("step %d: stored %+v, want vote %d reason %q", i, v, st.value, st.wantReason)
					}
				}
			}
			votes, _ := s.Votes(ctx, time.Time{})
			if len(votes) != 2 {
				t.Errorf("%d votes stored, want 2 (one per person): %+v", len(votes), votes)
			}
		}},
		{"a vote on an answer not kept is not found", func(t *testing.T, ctx context.Context, s *sqlStore) {
			for _, q := range []string{id("gone"), "not an id"} {
				if _, err := s.Vote(ctx, Vote{QuestionID: q, VoterHash: "bob", Value: Up, At: t0}); !errors.Is(err, ErrNotFound) {
					t.Errorf("Vote on %q: %v, want ErrNotFound", q, err)
				}
			}
		}},
		{"malformed votes are refused", func(t *testing.T, ctx context.Context, s *sqlStore) {
			q := question(id("badvotes"), "alice", 0, OutcomeAnswered)
			if err := s.AddQuestion(ctx, q); err != nil {
				t.Fatal(err)
			}
			bad := []Vote{
				{QuestionID: q.ID, VoterHash: "bob", Value: 2},
				{QuestionID: q.ID, VoterHash: "bob", Value: 0},
				{QuestionID: q.ID, VoterHash: "", Value: Up},
				{QuestionID: q.ID, VoterHash: "bob", Value: Up, Reason: ReasonWrongFigure},
				{QuestionID: q.ID, VoterHash: "bob", Value: Down, Reason: "because"},
				{QuestionID: q.ID, VoterHash: "bob", Value: Down, Reason: ReasonOther, ReasonText: strings.Repeat("x", MaxReasonText+1)},
			}
			for _, v := range bad {
				if _, err := s.Vote(ctx, v); !errors.Is(err, ErrInvalid) {
					t.Errorf("Vote(%+v): %v, want ErrInvalid", v, err)
				}
			}
		}},
		{"listing starts at since, oldest first", func(t *testing.T, ctx context.Context, s *sqlStore) {
			for i, name := range []string{"cc", "aa", "bb"} {
				if err := s.AddQuestion(ctx, question(id(name), "alice", []int{30, 10, 20}[i], OutcomeAnswered)); err != nil {
					t.Fatal(err)
				}
			}
			qs, err := s.Questions(ctx, t0.Add(15*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, q := range qs {
				got = append(got, q.ID[:2])
			}
			if !slices.Equal(got, []string{"bb", "cc"}) {
				t.Errorf("Questions since +15m = %v, want [bb cc]", got)
			}
		}},
		{"forget deletes a person's questions, the votes on them, and their votes", func(t *testing.T, ctx context.Context, s *sqlStore) {
			for _, q := range []Question{question(id("alicea"), "alice", 0, OutcomeAnswered), question(id("aliceb"), "alice", 1, OutcomeNotCovered), question(id("boba"), "bob", 2, OutcomeAnswered)} {
				if err := s.AddQuestion(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range []Vote{{QuestionID: id("alicea"), VoterHash: "bob", Value: Up}, {QuestionID: id("boba"), VoterHash: "alice", Value: Down}, {QuestionID: id("boba"), VoterHash: "bob", Value: Up}} {
				v.At = t0
				if _, err := s.Vote(ctx, v); err != nil {
					t.Fatal(err)
				}
			}
			f, err := s.Forget(ctx, "alice")
			if err != nil || f != (Forgotten{Questions: 2, Votes: 2}) {
				t.Fatalf("Forget = %+v, %v; want 2 questions and 2 votes", f, err)
			}
			qs, _ := s.Questions(ctx, time.Time{})
			votes, _ := s.Votes(ctx, time.Time{})
			if len(qs) != 1 || qs[0].UserHash != "bob" || len(votes) != 1 || votes[0].VoterHash != "bob" {
				t.Errorf("left %+v and %+v; want only bob's question and vote", qs, votes)
			}
			if _, err := s.Forget(ctx, ""); !errors.Is(err, ErrInvalid) {
				t.Errorf("Forget(\"\"): %v, want ErrInvalid", err)
			}
		}},
		{"purge deletes what is older than the cut-off", func(t *testing.T, ctx context.Context, s *sqlStore) {
			old, recent := question(id("old"), "alice", -200*24*60, OutcomeAnswered), question(id("recent"), "alice", 0, OutcomeAnswered)
			for _, q := range []Question{old, recent} {
				if err := s.AddQuestion(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range []Vote{{QuestionID: old.ID, VoterHash: "bob", Value: Up, At: t0}, {QuestionID: recent.ID, VoterHash: "bob", Value: Down, At: t0}} {
				if _, err := s.Vote(ctx, v); err != nil {
					t.Fatal(err)
				}
			}
			f, err := s.Purge(ctx, t0.AddDate(0, 0, -90))
			if err != nil || f.Questions != 1 || f.Votes != 1 {
				t.Fatalf("Purge = %+v, %v; want 1 question and its vote", f, err)
			}
			if _, err := s.Question(ctx, old.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("the old question is still there: %v", err)
			}
			if _, err := s.Question(ctx, recent.ID); err != nil {
				t.Errorf("the recent question is gone: %v", err)
			}
		}},
		{"the salt is made once", func(t *testing.T, ctx context.Context, s *sqlStore) {
			a, err := s.Salt(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.Salt(ctx)
			if err != nil || string(a) != string(b) || len(a) != 32 {
				t.Errorf("Salt = %x then %x (%v); want the same 32 bytes", a, b, err)
			}
		}},
		{"settings round-trip; unset is not empty", func(t *testing.T, ctx context.Context, s *sqlStore) {
			if _, found, err := s.Settings(ctx, "100"); found || err != nil {
				t.Fatalf("settings of a new server: found %v, %v", found, err)
			}
			chans, rate, audit := []string{"1", "2"}, 3, "9"
			want := GuildSettings{GuildID: "100", AnswerChannelIDs: &chans, ModeratorRoleIDs: &[]string{}, AuditChannelID: &audit, RateLimit: &rate, UpdatedAt: t0}
			if err := s.SaveSettings(ctx, want); err != nil {
				t.Fatal(err)
			}
			got, found, err := s.Settings(ctx, "100")
			if err != nil || !found || !slices.Equal(*got.AnswerChannelIDs, chans) || got.ModeratorRoleIDs == nil || len(*got.ModeratorRoleIDs) != 0 ||
				*got.AuditChannelID != audit || *got.RateLimit != 3 || !got.UpdatedAt.Equal(t0) {
				t.Errorf("Settings = %+v, %v, %v", got, found, err)
			}
			if err := s.SaveSettings(ctx, GuildSettings{GuildID: "100", UpdatedAt: t0}); err != nil {
				t.Fatal(err)
			}
			got, _, _ = s.Settings(ctx, "100")
			if got.AnswerChannelIDs != nil || got.RateLimit != nil || got.AuditChannelID != nil {
				t.Errorf("after a reset: %+v, want every setting unset", got)
			}
			zero := 0
			if err := s.SaveSettings(ctx, GuildSettings{GuildID: "100", RateLimit: &zero}); !errors.Is(err, ErrInvalid) {
				t.Errorf("a rate limit of 0: %v, want ErrInvalid", err)
			}
		}},
		{"200 questions at once", func(t *testing.T, ctx context.Context, s *sqlStore) {
			const n = 200
			var wg sync.WaitGroup
			errs := make(chan error, 2*n)
			ids := make([]string, n)
			for i := range n {
				ids[i] = NewID()
			}
			for i := range n {
				wg.Go(func() {
					if err := s.AddQuestion(ctx, question(ids[i], fmt.Sprint("user", i%7), i, OutcomeAnswered, "f1")); err != nil {
						errs <- err
						return
					}
					if _, err := s.Vote(ctx, Vote{QuestionID: ids[i], VoterHash: "voter", Value: Up, At: t0}); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			qs, err := s.Questions(ctx, time.Time{})
			if err != nil || len(qs) != n {
				t.Errorf("%d questions stored (%v), want %d", len(qs), err, n)
			}
			votes, err := s.Votes(ctx, time.Time{})
			if err != nil || len(votes) != n {
				t.Errorf("%d votes stored (%v), want %d", len(votes), err, n)
			}
		}},
		{"answered questions: what /ask's suggestions may show, most asked first", func(t *testing.T, ctx context.Context, s *sqlStore) {
			add := func(name, user string, minutes int, outcome, text string, change func(*Question)) {
				t.Helper()
				q := question(id(name), user, minutes, outcome)
				q.Question = text
				if change != nil {
					change(&q)
				}
				if err := s.AddQuestion(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			const (
				capex   = "How much is ByteDance investing in AI?"
				doubao  = "What is Doubao?"
				revenue = "What is Doubao's revenue per user?"
			)
			add("capexa", "alice", 1, OutcomeAnswered, capex, nil)
			add("capexb", "bob", 2, OutcomeAnswered, "how much is  bytedance investing in AI", nil) // the same words
			add("capexc", "carol", 3, OutcomeAnswered, capex, nil)
			add("doubaoa", "alice", 4, OutcomeAnswered, doubao, nil)
			add("doubaob", "alice", 5, OutcomeAnswered, doubao, nil) // asked twice
			add("revenue", "bob", 6, OutcomeAnswered, revenue, nil)
			add("tiktok", "carol", 0, OutcomeAnswered, "Who owns TikTok?", nil) // asked once, as revenue was, but before
			// Never suggested:
			add("notcov", "bob", 7, OutcomeNotCovered, "What is Doubao's profit?", nil)
			add("closest", "bob", 8, OutcomeClosest, "What did Doubao cost to build?", nil)
			add("refused", "bob", 9, OutcomeRefused, "What is Doubao worth?", nil)
			add("notext", "bob", 10, OutcomeAnswered, "", func(q *Question) { q.HasText = false }) // STORE_QUESTIONS=false
			add("followup", "bob", 11, OutcomeAnswered, "and Doubao's users?", func(q *Question) { q.Entry = EntryMention })
			add("otherguild", "bob", 12, OutcomeAnswered, "What is Doubao's revenue in Europe?", func(q *Question) { q.GuildID = "999" })
			add("dm", "bob", 13, OutcomeAnswered, "What is Doubao in a DM?", func(q *Question) { q.GuildID = "" })
			add("long", "bob", 14, OutcomeAnswered, "What is Doubao "+strings.Repeat("and more ", 10)+"?", nil)
			add("forgotten", "dave", 15, OutcomeAnswered, "What is Doubao's market share?", nil)
			add("purged", "erin", -200*24*60, OutcomeAnswered, "What was Doubao called in 2023?", nil)
			if _, err := s.Forget(ctx, "dave"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Purge(ctx, t0.AddDate(0, 0, -90)); err != nil {
				t.Fatal(err)
			}
			for _, tt := range []struct {
				guild, typed string
				limit        int
				want         []string
			}{
				{"100", "", 25, []string{capex, doubao, revenue, "Who owns TikTok?"}}, // asked 3 times, 2, 1 (the latest first)
				{"100", "DOUBAO", 25, []string{doubao, revenue}},
				{"100", "user  doub", 25, []string{revenue}}, // any order, the last word being typed
				{"100", "doubao's rev", 25, []string{revenue}},
				{"100", "invest bytedance", 25, []string{capex}},
				{"100", "", 1, []string{capex}},
				{"100", "doubao profit", 25, nil},
				{"100", "100%_ doubao", 25, nil}, // no LIKE wildcards from what is typed
				{"999", "doubao", 25, []string{"What is Doubao's revenue in Europe?"}},
				{"", "doubao", 25, nil}, // a DM sees no one's questions
				{"100", "doubao", 0, nil},
			} {
				got, err := s.AnsweredQuestions(ctx, tt.guild, tt.typed, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tt.want) {
					t.Errorf("AnsweredQuestions(%q, %q, %d) = %q, want %q", tt.guild, tt.typed, tt.limit, got, tt.want)
					continue
				}
				for i := range got {
					if QuestionKey(got[i]) != QuestionKey(tt.want[i]) {
						t.Errorf("AnsweredQuestions(%q, %q, %d) = %q, want %q", tt.guild, tt.typed, tt.limit, got, tt.want)
						break
					}
				}
			}
		}},
		{"answered questions do not wait for a writer", func(t *testing.T, ctx context.Context, s *sqlStore) {
			if err := s.AddQuestion(ctx, question(id("before"), "alice", 0, OutcomeAnswered)); err != nil {
				t.Fatal(err)
			}
			// A write in progress holds SQLite's one writing connection.
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, `INSERT INTO questions (id, asked_at, guild_id, entry, user_hash, question, outcome, question_key)
				VALUES ($1, $2, '100', 'slash_command', 'bob', 'question during', 'answered', 'question during')`, id("during"), ms(t0)); err != nil {
				t.Fatal(err)
			}
			// Waiting for the writer would reach the deadline: it ends
			// only after this test's check.
			qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			got, err := s.AnsweredQuestions(qctx, "100", "question", 25)
			if err != nil || !slices.Equal(got, []string{"question " + id("before")}) {
				t.Errorf("AnsweredQuestions during a write = %q, %v; want the committed question only", got, err)
			}
		}},
		{"answered questions use the suggestion index", func(t *testing.T, ctx context.Context, s *sqlStore) {
			explain := map[string]string{"sqlite": "EXPLAIN QUERY PLAN ", "postgres": "EXPLAIN "}[s.dialect]
			if err := s.AddQuestion(ctx, question(id("plan"), "alice", 0, OutcomeAnswered)); err != nil {
				t.Fatal(err)
			}
			plan := explainSuggest(t, ctx, s, explain)
			if !strings.Contains(plan, "questions_suggest") {
				t.Errorf("the suggestion query does not use questions_suggest:\n%s", plan)
			}
		}},
		{"allowances: perMinute at once, then one per interval, then full again", func(t *testing.T, ctx context.Context, s *sqlStore) {
			now := t0
			take := func(key string) (bool, time.Duration) {
				t.Helper()
				ok, wait, err := s.TakeAllowance(ctx, key, 6, now)
				if err != nil {
					t.Fatal(err)
				}
				return ok, wait
			}
			for i := range 6 {
				if ok, _ := take("alice"); !ok {
					t.Fatalf("question %d refused; 6 a minute are allowed", i+1)
				}
			}
			ok, wait := take("alice")
			if ok || wait != 10*time.Second {
				t.Fatalf("the seventh at once: %v, wait %v; want refused, 10s", ok, wait)
			}
			if ok, _ := take("bob"); !ok {
				t.Error("bob is limited by alice's questions")
			}
			if ok, _ := take("100/alice"); !ok {
				t.Error("alice's allowance in a server with its own limit is not apart")
			}
			// A refused question takes nothing: 4 s later the wait is 6 s.
			now = now.Add(4 * time.Second)
			if ok, wait := take("alice"); ok || wait != 6*time.Second {
				t.Errorf("4s later: %v, wait %v; want refused, 6s", ok, wait)
			}
			now = now.Add(6 * time.Second)
			if ok, _ := take("alice"); !ok {
				t.Error("refused after the wait it was given")
			}
			if ok, _ := take("alice"); ok {
				t.Error("two questions after one interval")
			}
			now = now.Add(time.Minute)
			for i := range 6 {
				if ok, _ := take("alice"); !ok {
					t.Fatalf("a minute later, question %d refused", i+1)
				}
			}
			if ok, _ := take("alice"); ok {
				t.Error("a minute later, a seventh allowed: the bucket holds more than 6")
			}
			// A smaller limit applies to the same allowance at once.
			if ok, wait, err := s.TakeAllowance(ctx, "alice", 2, now); ok || err != nil || wait <= 0 {
				t.Errorf("under a limit of 2: %v, %v, %v; want refused", ok, wait, err)
			}
		}},
		{"allowances: M takes at once admit exactly N", func(t *testing.T, ctx context.Context, s *sqlStore) {
			const n, m = 5, 40
			var admitted sync.WaitGroup
			results := make(chan bool, m)
			errs := make(chan error, m)
			for range m {
				admitted.Go(func() {
					ok, _, err := s.TakeAllowance(ctx, "alice", n, t0)
					if err != nil {
						errs <- err
						return
					}
					results <- ok
				})
			}
			admitted.Wait()
			close(results)
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			got := 0
			for ok := range results {
				if ok {
					got++
				}
			}
			if got != n {
				t.Errorf("%d of %d concurrent takes admitted, want exactly %d", got, m, n)
			}
		}},
		{"allowances: prune deletes the full ones only", func(t *testing.T, ctx context.Context, s *sqlStore) {
			for _, key := range []string{"idle", "busy"} {
				if _, _, err := s.TakeAllowance(ctx, key, 6, t0); err != nil {
					t.Fatal(err)
				}
			}
			for range 5 {
				if _, _, err := s.TakeAllowance(ctx, "busy", 6, t0.Add(9*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			n, err := s.PruneAllowances(ctx, t0.Add(11*time.Second))
			if err != nil || n != 1 {
				t.Fatalf("PruneAllowances = %d, %v; want 1 (idle's)", n, err)
			}
			// busy's is kept: it is still short of questions.
			if ok, _, _ := s.TakeAllowance(ctx, "busy", 6, t0.Add(11*time.Second)); !ok {
				t.Error("busy refused one question after a refill")
			}
			if ok, _, _ := s.TakeAllowance(ctx, "busy", 6, t0.Add(11*time.Second)); ok {
				t.Error("busy's allowance was pruned while short")
			}
			for _, bad := range []struct {
				key string
				n   int
			}{{"", 6}, {"alice", 0}} {
				if _, _, err := s.TakeAllowance(ctx, bad.key, bad.n, t0); !errors.Is(err, ErrInvalid) {
					t.Errorf("TakeAllowance(%q, %d): %v, want ErrInvalid", bad.key, bad.n, err)
				}
			}
		}},
		{"a new database is at the latest version", func(t *testing.T, ctx context.Context, s *sqlStore) {
			v, err := s.SchemaVersion(ctx)
			if err != nil || v != LatestVersion() || v < 2 {
				t.Errorf("SchemaVersion = %d, %v; want %d", v, err, LatestVersion())
			}
		}},
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					ctx := t.Context()
					s, err := b.open(ctx, b.fresh(t), 0)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { s.Close() })
					c.run(t, ctx, s)
				})
			}
		})
	}
}

// TestMigrations opens databases at each version this binary has known:
// empty, at version 1 (the fixture, as an older bytewatch left it), and
// already migrated (a restart), and checks that what they held survives.
func TestMigrations(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Run("from empty, and again", func(t *testing.T) {
				ctx := t.Context()
				place := b.fresh(t)
				for range 2 {
					s, err := b.open(ctx, place, 0)
					if err != nil {
						t.Fatal(err)
					}
					v, err := s.SchemaVersion(ctx)
					s.Close()
					if err != nil || v != LatestVersion() {
						t.Fatalf("version %d (%v), want %d", v, err, LatestVersion())
					}
				}
			})
			t.Run("from the version 1 fixture", func(t *testing.T) {
				ctx := t.Context()
				place := b.fresh(t)
				fixture, err := os.ReadFile(filepath.Join("testdata", "v1_"+b.name+".sql"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.raw(t, place).ExecContext(ctx, string(fixture)); err != nil {
					t.Fatalf("loading the fixture: %v", err)
				}
				s, err := b.open(ctx, place, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if v, _ := s.SchemaVersion(ctx); v != LatestVersion() {
					t.Errorf("version %d after migrating, want %d", v, LatestVersion())
				}
				q, err := s.Question(ctx, "fixtureaaaaaaaaa")
				if err != nil || q.Question != "How much is ByteDance investing in AI?" || !slices.Equal(q.FactIDs, []string{"capex-2025", "chips-nvidia"}) || q.Latency != 12500*time.Microsecond {
					t.Errorf("the fixture's question after migrating: %+v, %v", q, err)
				}
				q, err = s.Question(ctx, "fixturebbbbbbbbb")
				if err != nil || q.HasText {
					t.Errorf("the fixture's question without text: %+v, %v", q, err)
				}
				votes, err := s.Votes(ctx, time.Time{})
				if err != nil || len(votes) != 1 || votes[0].Reason != ReasonWrongFigure || votes[0].ReasonText != "" {
					t.Errorf("the fixture's vote: %+v, %v", votes, err)
				}
				// Version 2's column and tables work on the migrated data.
				if _, err := s.Vote(ctx, Vote{QuestionID: "fixtureaaaaaaaaa", VoterHash: "hash-bob", Value: Down, Reason: ReasonOther, ReasonText: "wrong year", At: t0}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Salt(ctx); err != nil {
					t.Fatal(err)
				}
			})
			t.Run("from version 2: questions asked before are suggested", func(t *testing.T) {
				ctx := t.Context()
				place := b.fresh(t)
				s, err := b.open(ctx, place, 2)
				if err != nil {
					t.Fatal(err)
				}
				// As a version 2 bytewatch wrote them: no question_key.
				for i, row := range []struct{ text, outcome string }{
					{"What is Doubao?", OutcomeAnswered}, {"What is Doubao's profit?", OutcomeNotCovered},
				} {
					if _, err := s.db.ExecContext(ctx, `INSERT INTO questions (id, asked_at, guild_id, entry, user_hash, question, outcome)
						VALUES ($1, $2, '100', 'slash_command', 'alice', $3, $4)`, id(fmt.Sprint("vtwo", i)), ms(t0), row.text, row.outcome); err != nil {
						t.Fatal(err)
					}
				}
				s = b.reopen(t, s, place)
				if v, _ := s.SchemaVersion(ctx); v != LatestVersion() || v < 3 {
					t.Errorf("version %d after migrating, want %d", v, LatestVersion())
				}
				got, err := s.AnsweredQuestions(ctx, "100", "doubao", 25)
				if err != nil || !slices.Equal(got, []string{"What is Doubao?"}) {
					t.Errorf("AnsweredQuestions after migrating = %q, %v; want the answered question", got, err)
				}
			})
			t.Run("from version 3: records kept, allowances shared", func(t *testing.T) {
				ctx := t.Context()
				place := b.fresh(t)
				s, err := b.open(ctx, place, 3)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.AddQuestion(ctx, question(id("vthree"), "alice", 0, OutcomeAnswered)); err != nil {
					t.Fatal(err)
				}
				if _, _, err := s.TakeAllowance(ctx, "alice", 6, t0); err == nil {
					t.Error("a version 3 database took an allowance: it has no table for them")
				}
				s = b.reopen(t, s, place)
				if v, _ := s.SchemaVersion(ctx); v != LatestVersion() || v < 4 {
					t.Errorf("version %d after migrating, want %d", v, LatestVersion())
				}
				if _, err := s.Question(ctx, id("vthree")); err != nil {
					t.Errorf("the version 3 question after migrating: %v", err)
				}
				if ok, _, err := s.TakeAllowance(ctx, "alice", 6, t0); !ok || err != nil {
					t.Errorf("TakeAllowance after migrating = %v, %v", ok, err)
				}
			})
			t.Run("processes starting at once on a new database", func(t *testing.T) {
				if b.name == "sqlite" {
					// One process keeps a SQLite database; two opening a
					// new file at once may find it locked while the first
					// turns on its write-ahead log (SQLITE_BUSY, not
					// waited for).
					t.Skip("several processes share PostgreSQL only")
				}
				ctx := t.Context()
				place := b.fresh(t)
				const n = 4
				errs := make(chan error, n)
				var wg sync.WaitGroup
				for range n {
					wg.Go(func() {
						s, err := b.open(ctx, place, 0)
						if err == nil {
							s.Close()
						}
						errs <- err
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Errorf("opening a new database from %d processes at once: %v", n, err)
					}
				}
			})
			t.Run("a database newer than the binary is refused", func(t *testing.T) {
				ctx := t.Context()
				place := b.fresh(t)
				s, err := b.open(ctx, place, 0)
				if err != nil {
					t.Fatal(err)
				}
				_, err = s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future.sql', 0)`, LatestVersion()+1)
				s.Close()
				if err != nil {
					t.Fatal(err)
				}
				if s, err := b.open(ctx, place, 0); err == nil || !strings.Contains(err.Error(), "newer than this bytewatch") {
					if s != nil {
						s.Close()
					}
					t.Errorf("opening a newer database: %v, want a refusal", err)
				}
			})
			t.Run("records survive a reopen", func(t *testing.T) {
				ctx := t.Context()
				place := b.fresh(t)
				s, err := b.open(ctx, place, 0)
				if err != nil {
					t.Fatal(err)
				}
				q := question(id("kept"), "alice", 0, OutcomeAnswered)
				salt, _ := s.Salt(ctx)
				if err := s.AddQuestion(ctx, q); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Vote(ctx, Vote{QuestionID: q.ID, VoterHash: "bob", Value: Down, At: t0}); err != nil {
					t.Fatal(err)
				}
				s = b.reopen(t, s, place)
				salt2, _ := s.Salt(ctx)
				if prev, err := s.Vote(ctx, Vote{QuestionID: q.ID, VoterHash: "bob", Value: Up, At: t0}); err != nil || prev != Down {
					t.Errorf("after a reopen the vote was %d (%v), want -1", prev, err)
				}
				if string(salt) != string(salt2) {
					t.Error("the salt changed with a reopen: every user hash would change")
				}
			})
		})
	}
}

func TestMigrationFilesMatch(t *testing.T) {
	// The dialects must have the same migrations, by number and name.
	a, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	b, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL", len(a), len(b))
	}
	for i := range a {
		if a[i].name != b[i].name {
			t.Errorf("migration %d: %s (SQLite) vs %s (PostgreSQL)", i+1, a[i].name, b[i].name)
		}
	}
}

// explainSuggest is the database's plan of a suggestion query, on one
// connection (a SET before it applies to that connection only).
func explainSuggest(t *testing.T, ctx context.Context, s *sqlStore, explain string) string {
	t.Helper()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if s.dialect == "postgres" {
		// A table this small is read whole unless told otherwise.
		if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, `RESET enable_seqscan`)
	}
	query, args := suggestQuery("100", "doubao rev", 25)
	rows, err := conn.QueryContext(ctx, explain+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprint(&plan, *(v.(*any)), " ")
		}
		plan.WriteString("\n")
	}
	return plan.String()
}
