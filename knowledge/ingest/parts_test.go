package ingest

import (
	"slices"
	"testing"

	"github.com/bytewatch/bytewatch/knowledge"
)

func TestResolveRelativeDates(t *testing.T) {
	t.Parallel()
	day := knowledge.Date{Year: 2025, Month: 6, Day: 18} // a Wednesday
	month := knowledge.Date{Year: 2025, Month: 1}
	tests := []struct {
		pub       knowledge.Date
		in, want  string
		wantNotes int
	}{
		{month, "ByteDance spent $5bn last year.", "ByteDance spent $5bn in 2024.", 0},
		{month, "It plans to spend $12bn this year.", "It plans to spend $12bn in 2025.", 0},
		{month, "It drew up its plans last December.", "It drew up its plans in December 2024.", 0},
		{day, "It drew up its plans last December.", "It drew up its plans in December 2024.", 0},
		{day, "It cut prices last May.", "It cut prices in May 2025.", 1},
		{day, "This year, the budget doubled.", "In 2025, the budget doubled.", 0},
		{day, "Users reached 75mn at the end of last year.", "Users reached 75mn at the end of 2024.", 0},
		{day, "Earlier this year it hired 4,000 staff.", "Earlier in 2025 it hired 4,000 staff.", 0},
		{day, "Last year's revenue rose.", "2024's revenue rose.", 0},
		{day, "It will hire more next year.", "It will hire more in 2026.", 0},
		{day, "Sales rose in May last year.", "Sales rose in May 2024.", 0},
		{day, "Users reached 75mn in May.", "Users reached 75mn in May 2025.", 0},
		{day, "It launched the app in September.", "It launched the app in September 2024.", 1},
		{day, "It may raise prices.", "It may raise prices.", 0},
		{day, "Staff were told last month.", "Staff were told in May 2025.", 0},
		{day, "The board met on Monday.", "The board met on 16 June 2025.", 0},
		{day, "The memo went out last week.", "The memo went out in the week of 9 June 2025.", 0},
		{month, "The board met on Monday.", "The board met on Monday.", 1},
		{knowledge.Date{}, "It spent $5bn last year.", "It spent $5bn last year.", 1},
		{day, "It spent $5bn in 2023.", "It spent $5bn in 2023.", 0},
	}
	for _, tt := range tests {
		got, notes := resolver{pub: tt.pub}.resolve(tt.in)
		if got != tt.want || len(notes) != tt.wantNotes {
			t.Errorf("resolve(%q) against %s = %q, %d notes %q; want %q, %d notes", tt.in, tt.pub, got, len(notes), notes, tt.want, tt.wantNotes)
		}
	}
}

func TestFindDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"It spent $5bn in 2024.", []string{"2024"}},
		{"Users reached 75mn in May 2025, against 60mn at the end of 2024.", []string{"2025-05", "2024-12"}},
		{"It said on 4 November 2025 that it would hire staff by the end of 2026.", []string{"2025-11", "2026"}},
		{"It spent $2,025 on lunch and RMB2025.", nil},
		{"Revenue grew between 2025 and 2027.", []string{"2025", "2027"}},
	}
	for _, tt := range tests {
		if got := periods(findDates(tt.in)); !slices.Equal(got, sortedCopy(tt.want)) {
			t.Errorf("findDates(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func TestSplitSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"It grew 3.5% in 2024. Users rose.", []string{"It grew 3.5% in 2024.", "Users rose."}},
		{"The U.S. government acted. Mr. Smith agreed.", []string{"The U.S. government acted.", "Mr. Smith agreed."}},
		{"Capex reached $11bn last year.[1] Roughly 60% went to China.", []string{"Capex reached $11bn last year.[1]", "Roughly 60% went to China."}},
		{"“We invest,” said Liang. He left.", []string{"“We invest,” said Liang.", "He left."}},
		{"One line\nAnother line.", []string{"One line", "Another line."}},
		{"It rose in Jan. to 5m. Then it fell.", []string{"It rose in Jan. to 5m.", "Then it fell."}},
	}
	for _, tt := range tests {
		if got := splitSentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindAttribution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, who, statement string
	}{
		{"According to LatePost, ByteDance lost 12 billion yuan.", "LatePost", "ByteDance lost 12 billion yuan."},
		{"ByteDance raised its budget to $23bn, according to two people familiar with the matter, as it races ahead.", "two people familiar with the matter", "ByteDance raised its budget to $23bn, as it races ahead."},
		{"Doubao had 75mn users in May, according to data provider QuestMobile.", "data provider QuestMobile", "Doubao had 75mn users in May."},
		{"Alibaba's app had 23mn users, QuestMobile said.", "QuestMobile", "Alibaba's app had 23mn users."},
		{"It plans to spend 160 billion yuan this year, Reuters reported in January, with 85bn going to chips.", "Reuters", "It plans to spend 160 billion yuan this year, with 85bn going to chips."},
		{"Bernstein analysts estimate that revenue rose 29 per cent.", "Bernstein analysts", "Revenue rose 29 per cent."},
		{"It will hire 4,000 engineers, people with knowledge of the matter told the Harbour Times.", "people with knowledge of the matter", "It will hire 4,000 engineers."},
		{"In a memo, chief technology officer Wu Yonghui said the company aimed to lead.", "chief technology officer Wu Yonghui", "In a memo, the company aimed to lead."},
		{"ByteDance said it would hire 4,000 engineers.", "ByteDance", "ByteDance said it would hire 4,000 engineers."},
		{"Analysts at Morgan Stanley expect spending to grow 30% a year.", "Analysts at Morgan Stanley", "Analysts at Morgan Stanley expect spending to grow 30% a year."},
		{"“We are investing for the long term,” said Liang Rubo.", "", "“We are investing for the long term,” said Liang Rubo."},
		{"ByteDance declined to comment on the plans, which were first reported in March.", "", "ByteDance declined to comment on the plans, which were first reported in March."},
		{"Capex will reach about $20 billion this year, our estimates show, up from $11 billion.", "our estimates", "Capex will reach about $20 billion this year, up from $11 billion."},
	}
	for _, tt := range tests {
		a := findAttribution(tt.in)
		if a.who != tt.who || a.statement != tt.statement {
			t.Errorf("findAttribution(%q) = %q, %q; want %q, %q", tt.in, a.who, a.statement, tt.who, tt.statement)
		}
	}
}

func TestCleanReporter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"data provider QuestMobile":               "QuestMobile",
		"estimates by research firm SemiAnalysis": "SemiAnalysis",
		"an estimate from brokerage CLSA":         "CLSA",
		"app tracker Sensor Tower":                "Sensor Tower",
		"the Financial Times":                     "the Financial Times",
	} {
		if got := cleanReporter(in); got != want {
			t.Errorf("cleanReporter(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<!DOCTYPE html><html><body><p>Hi.</p></body></html>", "html"},
		{"<div class=x><p>Text</p></div>", "html"},
		{"---\ntitle: x\n---\n\nBody.", "markdown"},
		{"# Heading\n\nSome [link](https://x.example).", "markdown"},
		{"A headline\n\nBy A Writer\n\nA sentence about $5bn.", "text"},
	}
	for _, tt := range tests {
		if got := detectFormat([]byte(tt.in)); got != tt.want {
			t.Errorf("detectFormat(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseLooseDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2025-06-18T05:00:00Z":      "2025-06-18",
		"2025-10-08T09:30:00+08:00": "2025-10-08",
		"June 18 2025":              "2025-06-18",
		"Nov 4, 2025":               "2025-11-04",
		"20 January 2026":           "2026-01-20",
		"8 Oct 2025":                "2025-10-08",
		"March 2025":                "2025-03",
		"2025-03":                   "2025-03",
	} {
		d, ok := parseLooseDate(in)
		if !ok || d.String() != want {
			t.Errorf("parseLooseDate(%q) = %s, %v; want %s", in, d, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "2025-13-01", "June 2025 or so"} {
		if d, ok := parseLooseDate(in); ok {
			t.Errorf("parseLooseDate(%q) = %s, want no date", in, d)
		}
	}
}
