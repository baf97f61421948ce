package records

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchmarkRecord records b.N questions, as the answering path does after
// each answer, from parallel goroutines (1: one at a time), and reports the
// 50th, 99th and 99.9th percentile of one Record call: what recording adds
// to each question's handling.
func benchmarkRecord(b *testing.B, store Store, parallel int) {
	ctx := context.Background()
	r, err := NewRecorder(ctx, store, Options{KeepQuestions: true})
	if err != nil {
		b.Fatal(err)
	}
	q := Question{Entry: EntrySlash, GuildID: "800000000000000001", ChannelID: "800000000000000002",
		Question: "How much is ByteDance investing in AI infrastructure?", HasText: true, Outcome: OutcomeAnswered,
		FactIDs: []string{"bytedance-capex-2025", "bytedance-chips-nvidia", "doubao-users-2025"}, IndexVersion: "4e1db732730c",
		Mode: "extractive", Latency: 3 * time.Millisecond}
	lat := timeCalls(b, parallel, func(int) error {
		q := q
		q.ID = NewID()
		return r.Record(ctx, "700000000000000001", q)
	})
	reportLatencies(b, lat, 0.50, 0.99, 0.999)
}

// timeCalls runs call b.N times from parallel goroutines (i is the call's
// number) and returns how long each took, sorted; a failed call fails the
// benchmark.
func timeCalls(b *testing.B, parallel int, call func(i int) error) []time.Duration {
	lat := make([]time.Duration, b.N)
	var mu sync.Mutex
	next := 0
	b.ResetTimer()
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= b.N {
					return
				}
				start := time.Now()
				if err := call(i); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	return lat
}

// reportLatencies reports the given percentiles of sorted latencies in
// milliseconds ("p50-ms", "p99-ms", "p99.9-ms").
func reportLatencies(b *testing.B, lat []time.Duration, percentiles ...float64) {
	for _, p := range percentiles {
		v := float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
		b.ReportMetric(v, "p"+strconv.FormatFloat(p*100, 'f', -1, 64)+"-ms")
	}
}

func BenchmarkRecordSQLite(b *testing.B) {
	for _, parallel := range []int{1, 8} {
		b.Run(map[int]string{1: "serial", 8: "8-at-once"}[parallel], func(b *testing.B) {
			benchmarkRecord(b, openTestSQLite(b), parallel)
		})
	}
}

func BenchmarkRecordPostgres(b *testing.B) {
	pg := postgresBackend(b)
	for _, parallel := range []int{1, 8} {
		b.Run(map[int]string{1: "serial", 8: "8-at-once"}[parallel], func(b *testing.B) {
			s, err := pg.open(context.Background(), pg.fresh(b), 0)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchmarkRecord(b, s, parallel)
		})
	}
}

// fillQuestions records n questions spread over servers (the first,
// benchGuild, has the most), as /ask would leave them: distinct texts of
// them (n for all different), asked by 2,000 people, four in five
// answered, one in ten a message.
func fillQuestions(b *testing.B, s *sqlStore, n, distinct, servers int) {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	subjects := []string{"AI infrastructure", "data centres", "Nvidia chips", "Doubao's users", "TikTok's revenue", "its own chips", "cloud services", "robotics"}
	for i := range n {
		d := i % distinct
		text := fmt.Sprintf("How much did company %d spend on %s in %d?", d, subjects[d%len(subjects)], 2015+d%11)
		outcome, entry := OutcomeAnswered, EntrySlash
		if i%5 == 4 {
			outcome = OutcomeNotCovered
		}
		if i%10 == 3 {
			entry = EntryMention
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO questions (id, asked_at, guild_id, channel_id, entry, user_hash, question, outcome, question_key)
			VALUES ($1, $2, $8, '800000000000000002', $3, $4, $5, $6, $7)`,
			NewID(), ms(t0.Add(time.Duration(i)*time.Second)), entry, fmt.Sprint("user", i%2000), text, outcome, QuestionKey(text),
			fmt.Sprint(benchGuild+i%servers)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// benchGuild is the server whose questions the benchmark asks for.
const benchGuild = 800000000000000001

// benchmarkAnswered measures one AnsweredQuestions call as a person types,
// over 50,000 recorded questions — all in the one server, or spread over
// 500 servers (a bot in many servers: the one asked about has 100) — and
// reports its 50th and 99th percentile: the Suggester gives the store 50 ms.
func benchmarkAnswered(b *testing.B, open func(b *testing.B) *sqlStore) {
	for _, c := range []struct{ distinct, servers int }{{5000, 1}, {50000, 1}, {50000, 500}} {
		b.Run(fmt.Sprintf("50k-questions-%d-distinct-%d-servers", c.distinct, c.servers), func(b *testing.B) {
			s := open(b)
			fillQuestions(b, s, 50000, c.distinct, c.servers)
			typed := []string{"", "h", "how much did comp", "nvidia chips", "company 4999 data", "doubao users 2020", "zzzz"}
			ctx := context.Background()
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, err := s.AnsweredQuestions(ctx, fmt.Sprint(benchGuild), typed[i%len(typed)], 25); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			reportLatencies(b, lat, 0.50, 0.99)
		})
	}
}

func BenchmarkAnsweredQuestionsSQLite(b *testing.B) {
	benchmarkAnswered(b, func(b *testing.B) *sqlStore { return openTestSQLite(b).(*sqlStore) })
}

func BenchmarkAnsweredQuestionsPostgres(b *testing.B) {
	pg := postgresBackend(b)
	benchmarkAnswered(b, func(b *testing.B) *sqlStore {
		s, err := pg.open(context.Background(), pg.fresh(b), 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}

// benchmarkTakeAllowance takes b.N questions from the shared allowances,
// as the rate limit does before each question with DATABASE_URL, from
// parallel goroutines (1: one at a time), for users round-robin over users
// (1: one person asking as fast as they can, every take on one row), and
// reports the 50th, 99th and 99.9th percentile of one take: what the
// shared rate limit adds before each answer (commands.SharedTimeout cuts
// it off at 200 ms).
func benchmarkTakeAllowance(b *testing.B, store Store, parallel, users int) {
	ctx := context.Background()
	r, err := NewRecorder(ctx, store, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fmt.Sprint(700000000000000000 + i)
	}
	lat := timeCalls(b, parallel, func(i int) error {
		_, _, err := r.TakeAllowance(ctx, "", ids[i%users], 6)
		return err
	})
	reportLatencies(b, lat, 0.50, 0.99, 0.999)
}

// takeAllowanceCases are the shapes benchmarkTakeAllowance runs.
var takeAllowanceCases = []struct {
	name            string
	parallel, users int
}{{"serial-2000-users", 1, 2000}, {"8-at-once-2000-users", 8, 2000}, {"8-at-once-1-user", 8, 1}}

func BenchmarkTakeAllowanceSQLite(b *testing.B) {
	for _, c := range takeAllowanceCases {
		b.Run(c.name, func(b *testing.B) {
			benchmarkTakeAllowance(b, openTestSQLite(b), c.parallel, c.users)
		})
	}
}

func BenchmarkTakeAllowancePostgres(b *testing.B) {
	pg := postgresBackend(b)
	for _, c := range takeAllowanceCases {
		b.Run(c.name, func(b *testing.B) {
			s, err := pg.open(context.Background(), pg.fresh(b), 0)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchmarkTakeAllowance(b, s, c.parallel, c.users)
		})
	}
}
