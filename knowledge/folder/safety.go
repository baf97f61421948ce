package folder

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// Limits on what a change may bring in.
const (
	// MaxFileSize is the largest source file accepted: 1 MiB.
	MaxFileSize = 1 << 20
	// MaxDepth is how deeply a source file's YAML may nest; a source file
	// needs four levels (source, facts, fact, figures, figure).
	MaxDepth = 12
	// MaxIDLength bounds a source id, which names its file.
	MaxIDLength = 64
)

// idPattern is what a source id may be: lowercase letters, digits and
// single dashes. It names the source's file, so no id can reach outside
// the knowledge folder.
var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ErrUnsafe marks input refused before it is parsed as knowledge.
var ErrUnsafe = errors.New("refused")

// CheckSourceID reports whether id may name a source (and its file).
func CheckSourceID(id string) error {
	if len(id) == 0 || len(id) > MaxIDLength || !idPattern.MatchString(id) {
		return fmt.Errorf("%w: source id %q: want lowercase letters, digits and single dashes, at most %d characters, like bytedance-capex-2025", ErrUnsafe, truncate(id, 80), MaxIDLength)
	}
	if id+".yaml" == aboutFile {
		return fmt.Errorf("%w: source id %q: %s is the file that says what the knowledge covers; choose another id", ErrUnsafe, id, aboutFile)
	}
	return nil
}

// aboutFile is the knowledge folder's one file that is not a source.
const aboutFile = "base.yaml"

// CheckYAML refuses a source file before the knowledge loader sees it:
// over MaxFileSize, YAML anchors or aliases (a few lines of them can
// expand to gigabytes: the "billion laughs"), or nesting deeper than
// MaxDepth. It returns the source's id, from the file's top-level id.
func CheckYAML(data []byte) (string, error) {
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("%w: the file is %d bytes; the limit is %d (1 MiB)", ErrUnsafe, len(data), MaxFileSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "", fmt.Errorf("%w: the file is empty", ErrUnsafe)
	}
	var doc yaml.Node
	if err := decodeSafely(data, &doc); err != nil {
		return "", fmt.Errorf("%w: not valid YAML: %v", ErrUnsafe, err)
	}
	if err := checkNode(&doc, 0); err != nil {
		return "", err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return "", fmt.Errorf("%w: not a source file: want a mapping with id, title, publisher, published and facts", ErrUnsafe)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, v := root.Content[i], root.Content[i+1]; k.Value == "id" && v.Kind == yaml.ScalarNode {
			if err := CheckSourceID(v.Value); err != nil {
				return "", fmt.Errorf("line %d: %w", v.Line, err)
			}
			return v.Value, nil
		}
	}
	return "", fmt.Errorf("%w: the file has no top-level id (the source's id, like bytedance-capex-2025)", ErrUnsafe)
}

func checkNode(n *yaml.Node, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: line %d: nested more than %d levels deep", ErrUnsafe, n.Line, MaxDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("%w: line %d: YAML anchors and aliases (&, *) are not allowed; write the values out", ErrUnsafe, n.Line)
	}
	for _, c := range n.Content {
		if err := checkNode(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// decodeSafely parses data into n, turning a panic in the YAML library
// into an error.
func decodeSafely(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

// topLevelID reads a file's top-level id without validating the rest.
func topLevelID(data []byte) string {
	var doc yaml.Node
	if decodeSafely(data, &doc) != nil || len(doc.Content) != 1 {
		return ""
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "id" {
			return root.Content[i+1].Value
		}
	}
	return ""
}

// fileOfSource finds the file that holds source id.
func fileOfSource(have files, id string) (string, bool) {
	if _, ok := have[id+".yaml"]; ok && topLevelID(have[id+".yaml"]) == id {
		return id + ".yaml", true
	}
	for _, n := range have.names() {
		if topLevelID(have[n]) == id {
			return n, true
		}
	}
	return "", false
}

func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}
