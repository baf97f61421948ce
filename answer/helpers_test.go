package answer_test

import (
	"bytes"
	"io"
	"strings"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func containsLine(text, line string) bool { return strings.Contains(text, line) }
