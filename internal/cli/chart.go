package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bytewatch/bytewatch/chart"
	"github.com/bytewatch/bytewatch/index"
)

// chartCmd answers a question as ask does and writes a PNG of the figures
// its cited facts give.
func chartCmd(ctx context.Context, args []string, env Env) error {
	f := newFlags("chart")
	out := f.fs.String("out", "chart.png", "the PNG to write; - writes to standard output")
	width := f.fs.Int("width", chart.DefaultWidth, "width in pixels")
	height := f.fs.Int("height", chart.DefaultHeight, "height in pixels")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	question, err := questionArg(pos, "chart needs a question, e.g. bytewatch chart \"compare ByteDance's AI spending with Microsoft and Alphabet\"")
	if err != nil {
		return err
	}
	opts := chart.Options{Width: *width, Height: *height}
	if *out == "" {
		return usageError{"--out needs a file name, or - for standard output"}
	}
	if *width < chart.MinWidth || *width > chart.MaxWidth || *height < chart.MinHeight || *height > chart.MaxHeight {
		return usageError{fmt.Sprintf("--width %d --height %d: want width %d to %d and height %d to %d",
			*width, *height, chart.MinWidth, chart.MaxWidth, chart.MinHeight, chart.MaxHeight)}
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	eng, ix, _, err := buildEngine(ctx, &cfg, newLogger(cfg, env.Stderr), index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	a, err := eng.Ask(ctx, question, nil)
	if err != nil {
		return err
	}
	// The answer goes with the picture; with --out - the picture is
	// standard output, so the answer goes to standard error.
	info := env.Stdout
	if *out == "-" {
		info = env.Stderr
	}
	pic, err := chart.NewCharter(1).Chart(a, ix.Base(), opts)
	if errors.Is(err, chart.ErrNotChartable) {
		// The answer still helps: show it, then say why there is no picture.
		writeAnswer(info, a)
		return err
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		if _, err := env.Stdout.Write(pic.PNG); err != nil {
			return err
		}
	} else if err := writeFileAtomic(*out, pic.PNG); err != nil {
		return err
	}
	name := *out
	if name == "-" {
		name = "standard output"
	}
	fmt.Fprintf(info, "Wrote %s (%d×%d, %d bars, %d KB) for:\n\n", name, pic.Layout.Width, pic.Layout.Height, len(pic.Spec.Bars), (len(pic.PNG)+1023)/1024)
	writeAnswer(info, a)
	return nil
}

// writeFileAtomic writes data to name through a temporary file in the same
// folder, so a failed write never leaves half a PNG.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".chart-*.png")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
