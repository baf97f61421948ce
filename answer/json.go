package answer

// JSON is the stable shape of an answer that `bytewatch ask --json` prints
// and scripts rely on. Fields are only ever added, never renamed.
type JSON struct {
	Question      string         `json:"question"`
	Answer        string         `json:"answer"`
	Answered      bool           `json:"answered"`
	Mode          Mode           `json:"mode"`
	Advice        bool           `json:"advice"`
	Note          string         `json:"note,omitempty"`
	Stale         string         `json:"stale,omitempty"`
	Citations     []CitationJSON `json:"citations"`
	IndexVersion  string         `json:"index_version"`
	KnowledgeAsOf string         `json:"knowledge_as_of"`
	TookMS        int64          `json:"took_ms"`
	Model         string         `json:"model,omitempty"`
	PromptVersion string         `json:"prompt_version,omitempty"`
	Usage         *Usage         `json:"usage,omitempty"`
	Verification  *Verification  `json:"verification,omitempty"`
	// Closest are the facts nearest to a question that is not answered,
	// marked in the text as not a direct answer.
	Closest []CitationJSON `json:"closest"`

	// StandaloneQuestion is the question actually answered: a follow-up's
	// stand-alone form, or the question itself.
	StandaloneQuestion string `json:"standalone_question"`
}

// CitationJSON is a Citation with its date in the machine form.
type CitationJSON struct {
	N           int     `json:"n"`
	FactID      string  `json:"fact_id"`
	SourceID    string  `json:"source_id"`
	SourceTitle string  `json:"source_title"`
	Attribution string  `json:"attribution"`
	AsOf        string  `json:"as_of"`
	Text        string  `json:"text"`
	Score       float64 `json:"score"`
}

// JSONOf converts an answer to its JSON shape.
func JSONOf(a Answer) JSON {
	j := JSON{
		Question: a.Question, Answer: a.Text, Answered: a.Answered, Mode: a.Mode, Advice: a.Advice,
		Note: a.Note, Stale: a.Stale, Citations: []CitationJSON{}, IndexVersion: a.IndexVersion,
		KnowledgeAsOf: a.KnowledgeAsOf.String(), TookMS: a.Took.Milliseconds(),
		Model: a.Model, PromptVersion: a.PromptVersion, Usage: a.Usage, Verification: a.Verification,
	}
	j.Closest = []CitationJSON{}
	j.StandaloneQuestion = a.Answering()
	for _, c := range a.Citations {
		j.Citations = append(j.Citations, citationJSON(c))
	}
	for _, c := range a.Closest {
		j.Closest = append(j.Closest, citationJSON(c))
	}
	return j
}

func citationJSON(c Citation) CitationJSON {
	return CitationJSON{
		N: c.N, FactID: c.FactID, SourceID: c.SourceID, SourceTitle: c.SourceTitle,
		Attribution: c.Attribution, AsOf: c.AsOf.String(), Text: c.Text, Score: c.Score,
	}
}
