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
	// Warning marks a problem that does not stop the folder loading: a
	// new measure or unit to declare, a file in a subfolder.
	Warning bool
}

// String gives the problem as "file:line: msg".
func (p Problem) String() string {
	msg := p.Msg
	if p.Warning {
		msg = "warning: " + msg
	}
	switch {
	case p.File == "":
		return msg
	case p.Line <= 0:
		return p.File + ": " + msg
	default:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, msg)
	}
}

// LoadError is what Load returns when the knowledge files are not valid. It
// lists every problem found, not only the first, so one edit-and-reload
// cycle can fix them all.
type LoadError struct {
	Problems []Problem
	// Warnings are what would not have stopped the folder loading.
	Warnings []Problem
}

// Error prints one "file:line: msg" per problem, then the warnings.
func (e *LoadError) Error() string {
	lines := make([]string, 0, len(e.Problems)+len(e.Warnings))
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	for _, p := range e.Warnings {
		lines = append(lines, p.String())
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

// warn adds a warning: reported, but the file still loads.
func (l *problemList) warn(line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Msg: l.context + fmt.Sprintf(format, args...), Warning: true})
}

// splitWarnings separates warnings from the problems that stop loading.
func splitWarnings(ps []Problem) (errs, warns []Problem) {
	for _, p := range ps {
		if p.Warning {
			warns = append(warns, p)
		} else {
			errs = append(errs, p)
		}
	}
	return errs, warns
}

// sortProblems orders problems by file, then line, keeping the order they
// were found in otherwise, so output reads top to bottom.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
