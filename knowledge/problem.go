package knowledge

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with the knowledge files, located precisely
// enough for a moderator to open the file at that line and fix it.
type Problem struct {
	File string // the file, as named to the loader; "" when about the folder as a whole
	Line int    // 1-based; 0 when the problem is about the whole file
	Msg  string
	Err  error // the underlying error, for I/O failures; nil otherwise
}

// String gives the problem as "file:line: msg".
func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line <= 0:
		return p.File + ": " + p.Msg
	default:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
}

// LoadError is what Load returns when the knowledge files are not valid. It
// lists every problem found, not only the first, so one edit-and-reload
// cycle can fix them all.
type LoadError struct {
	Problems []Problem
}

// Error prints one "file:line: msg" per problem.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the I/O errors behind the problems, so callers can ask
// errors.Is(err, fs.ErrNotExist) about a missing folder.
func (e *LoadError) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// problemList collects the problems of one file.
type problemList struct {
	file     string
	context  string // prefixed to messages: "as_of: " while decoding that field
	problems []Problem
}

func (l *problemList) add(line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Msg: l.context + fmt.Sprintf(format, args...)})
}

// sortProblems orders problems by file, then line, keeping the order they
// were found in otherwise, so output reads top to bottom.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
