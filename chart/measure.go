package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sort"
)

// MeasuredBar is a bar read back from a rendered chart.
type MeasuredBar struct {
	X0, X1 int // its columns
	Height int // rows of its colour, on end, in its middle column
	Colour color.RGBA
}

// Measure decodes a chart's PNG and finds its bars by their colours alone
// (BarColour, ConflictBars): runs of at least 10 columns in which a bar
// colour fills at least 10 rows on end, left to right. Tests use it to
// check what a picture shows, not what the code meant to draw.
func Measure(pngBytes []byte) (image.Image, []MeasuredBar, error) {
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("chart: decoding the PNG: %w", err)
	}
	b := img.Bounds()
	var bars []MeasuredBar
	for _, col := range []color.RGBA{BarColour, ConflictBars} {
		run := func(x int) int {
			best, cur := 0, 0
			for y := b.Min.Y; y < b.Max.Y; y++ {
				if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == col {
					cur++
					best = max(best, cur)
				} else {
					cur = 0
				}
			}
			return best
		}
		start := -1
		for x := b.Min.X; x <= b.Max.X; x++ {
			tall := x < b.Max.X && run(x) >= 10
			switch {
			case tall && start < 0:
				start = x
			case !tall && start >= 0:
				if x-start >= 10 {
					bars = append(bars, MeasuredBar{X0: start, X1: x, Height: run((start + x) / 2), Colour: col})
				}
				start = -1
			}
		}
	}
	sort.Slice(bars, func(i, j int) bool { return bars[i].X0 < bars[j].X0 })
	return img, bars, nil
}
