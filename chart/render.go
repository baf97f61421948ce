package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/bytewatch/bytewatch/knowledge"
)

// Default picture size: legible at phone width in Discord, which scales a
// 1000-pixel image to the width of the screen.
const (
	DefaultWidth  = 1000
	DefaultHeight = 560
	MinWidth      = 480
	MinHeight     = 300
	MaxWidth      = 4000
	MaxHeight     = 4000
)

// Colours. The background is opaque so the picture reads the same on
// Discord's dark and light themes; text is near-black on it.
var (
	Background   = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	TextColour   = color.RGBA{0x1F, 0x23, 0x28, 0xFF}
	MutedColour  = color.RGBA{0x57, 0x60, 0x6A, 0xFF}
	RuleColour   = color.RGBA{0x8C, 0x95, 0x9F, 0xFF}
	BarColour    = color.RGBA{0x1F, 0x6F, 0xB2, 0xFF} // a report that stands alone
	ConflictBars = color.RGBA{0xC2, 0x4E, 0x00, 0xFF} // reports that disagree
)

// Options size the picture in pixels; zero means the default.
type Options struct {
	Width, Height int
}

func (o Options) size() (int, int, error) {
	w, h := o.Width, o.Height
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	if w < MinWidth || w > MaxWidth || h < MinHeight || h > MaxHeight {
		return 0, 0, fmt.Errorf("chart: size %d×%d: want width %d to %d and height %d to %d", w, h, MinWidth, MaxWidth, MinHeight, MaxHeight)
	}
	return w, h, nil
}

// Text is one piece of text drawn on the picture; Role says which.
type Text struct {
	Role string // "title", "subtitle", "value", "entity", "period", "attribution", "bracket", "source", "note"
	Bar  int    // the bar it labels, -1 for none
	Text string
}

// Rect is a drawn bar in image pixels, top-left origin: rows Y0 (top) to
// Y1 (exclusive), columns X0 to X1 (exclusive).
type Rect struct {
	Bar            int
	X0, Y0, X1, Y1 int
	Colour         color.RGBA
}

// Layout is what Render drew: every text and every bar. Tests and Check
// read it; nothing is drawn that is not listed here.
type Layout struct {
	Width, Height int
	Texts         []Text
	Bars          []Rect
	Baseline      int // the image row of the zero line
}

// Render draws spec as a PNG. It checks every label against the spec's
// cited facts first (Check) and refuses to draw a picture that would show a
// value, unit or period no cited fact gives.
func Render(spec Spec, opts Options) ([]byte, Layout, error) {
	W, H, err := opts.size()
	if err != nil {
		return nil, Layout{}, err
	}
	if len(spec.Bars) < MinBars {
		return nil, Layout{}, notChartable("fewer than %d comparable figures", MinBars)
	}
	r := newRenderer(W, H)
	r.draw(spec)
	if err := Check(spec, r.layout.Texts); err != nil {
		return nil, Layout{}, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, paletted(r.canvas.Image())); err != nil {
		return nil, Layout{}, fmt.Errorf("chart: encoding the PNG: %w", err)
	}
	return buf.Bytes(), r.layout, nil
}

// palette is every colour the picture uses, with 16 steps of
// anti-aliasing between each ink and the background.
var palette = func() color.Palette {
	pal := color.Palette{Background}
	for _, ink := range []color.RGBA{TextColour, MutedColour, RuleColour, BarColour, ConflictBars} {
		for k := 1; k <= 16; k++ {
			mix := func(a, b uint8) uint8 { return uint8((int(a)*(16-k) + int(b)*k + 8) / 16) }
			pal = append(pal, color.RGBA{mix(Background.R, ink.R), mix(Background.G, ink.G), mix(Background.B, ink.B), 0xFF})
		}
	}
	return pal
}()

// paletted maps the picture onto palette: flat colours and anti-aliased
// text need no more, and an 8-bit PNG is a few tens of KB. Inks and the
// background are in the palette exactly, so bars keep their colours.
func paletted(img image.Image) image.Image {
	rgba, ok := img.(*image.RGBA)
	if !ok {
		return img
	}
	b := rgba.Bounds()
	out := image.NewPaletted(b, palette)
	seen := map[uint32]uint8{}
	bg := uint32(Background.R)<<24 | uint32(Background.G)<<16 | uint32(Background.B)<<8 | uint32(Background.A)
	for y := 0; y < b.Dy(); y++ {
		row := rgba.Pix[y*rgba.Stride : y*rgba.Stride+4*b.Dx()]
		orow := out.Pix[y*out.Stride : y*out.Stride+b.Dx()]
		for x := range orow {
			p := row[4*x : 4*x+4 : 4*x+4]
			k := uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
			if k == bg {
				orow[x] = 0
				continue
			}
			i, ok := seen[k]
			if !ok {
				i = uint8(palette.Index(color.RGBA{p[0], p[1], p[2], p[3]}))
				seen[k] = i
			}
			orow[x] = i
		}
	}
	return out
}

type renderer struct {
	W, H   int
	scale  float64
	canvas *vgimg.Canvas
	dc     draw.Canvas
	layout Layout
}

func newRenderer(W, H int) *renderer {
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(W), vg.Length(H)), vgimg.UseDPI(72), vgimg.UseBackgroundColor(Background))
	// Type scales with the picture, but never below 85% of its default
	// size: a narrow picture wraps its labels rather than shrinking them.
	s := math.Max(0.85, math.Min(float64(W)/DefaultWidth, float64(H)/DefaultHeight))
	return &renderer{W: W, H: H, scale: s, canvas: c, dc: draw.New(c), layout: Layout{Width: W, Height: H}}
}

func (r *renderer) px(v float64) vg.Length { return vg.Length(math.Round(v * r.scale)) }

// style is a text style of the embedded Liberation Sans.
func (r *renderer) style(size float64, bold, italic bool, c color.Color) draw.TextStyle {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = xfont.WeightBold
	}
	if italic {
		f.Style = xfont.StyleItalic
	}
	return draw.TextStyle{Color: c, Font: font.From(f, r.px(size)), Handler: plot.DefaultTextHandler}
}

// text draws lines of txt with its top at y (from the top of the image),
// aligned by xalign at x, and returns the y below it.
func (r *renderer) text(sty draw.TextStyle, x, y vg.Length, xalign text.XAlignment, role string, bar int, lines []string) vg.Length {
	sty.XAlign, sty.YAlign = xalign, text.YTop
	e := sty.FontExtents()
	lh := e.Height
	for _, l := range lines {
		if l == "" {
			continue
		}
		r.dc.FillText(sty, vg.Point{X: x, Y: vg.Length(r.H) - y}, l)
		r.layout.Texts = append(r.layout.Texts, Text{Role: role, Bar: bar, Text: l})
		y += lh
	}
	return y
}

// wrap breaks txt into lines no wider than max, at spaces; a word wider
// than max gets a line of its own.
func wrap(sty draw.TextStyle, txt string, max vg.Length) []string {
	words := strings.Fields(txt)
	var lines []string
	cur := ""
	for _, w := range words {
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if cur != "" && sty.Width(try) > max {
			lines = append(lines, cur)
			cur = w
			continue
		}
		cur = try
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// ellipsis cuts txt to fit max, ending in "…".
func ellipsis(sty draw.TextStyle, txt string, max vg.Length) string {
	if sty.Width(txt) <= max {
		return txt
	}
	rs := []rune(txt)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if sty.Width(string(rs[:mid])+"…") <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(rs[:lo]), " ,;—-") + "…"
}

func (r *renderer) lineHeight(sty draw.TextStyle) vg.Length { return sty.FontExtents().Height }

func (r *renderer) draw(spec Spec) {
	W, H := vg.Length(r.W), vg.Length(r.H)
	margin := r.px(28)
	inner := W - 2*margin

	titleSty := r.style(30, true, false, TextColour)
	subSty := r.style(19, false, false, MutedColour)
	valueSty := r.style(23, true, false, TextColour)
	entitySty := r.style(20, true, false, TextColour)
	periodSty := r.style(18, false, false, TextColour)
	attrSty := r.style(16, false, true, MutedColour)
	srcSty := r.style(15, false, false, MutedColour)
	noteSty := r.style(14, false, false, MutedColour)

	// Title and subtitle, from the top.
	y := margin
	titleLines := wrap(titleSty, spec.Title, inner)
	if len(titleLines) > 2 {
		titleLines = []string{titleLines[0], ellipsis(titleSty, strings.Join(titleLines[1:], " "), inner)}
	}
	y = r.text(titleSty, margin, y, text.XLeft, "title", -1, titleLines)
	sub := "Figures from the cited sources, in " + spec.Subtitle
	if conflicts(spec.Bars) {
		sub += " · orange: reports that disagree"
	}
	y = r.text(subSty, margin, y+r.px(2), text.XLeft, "subtitle", -1, []string{ellipsis(subSty, sub, inner)})
	top := y + r.px(10)

	// The footnote, from the bottom: sources, then the as-of line.
	note := "Not investment advice"
	if !spec.AsOf.IsZero() {
		note = "Knowledge as of " + spec.AsOf.Human() + " · " + note
	}
	var srcLines []string
	for i, s := range spec.Sources {
		if i == 3 && len(spec.Sources) > 4 {
			srcLines = append(srcLines, "… and more sources: see the answer")
			break
		}
		srcLines = append(srcLines, ellipsis(srcSty, s.Line(), inner))
	}
	foot := H - margin - r.lineHeight(noteSty) - vg.Length(len(srcLines))*r.lineHeight(srcSty) - r.px(4)
	fy := r.text(srcSty, margin, foot, text.XLeft, "source", -1, srcLines)
	r.text(noteSty, margin, fy+r.px(4), text.XLeft, "note", -1, []string{note})
	footTop := foot - r.px(12)
	r.dc.StrokeLine2(draw.LineStyle{Color: RuleColour, Width: 1}, margin, H-footTop-r.px(6), W-margin, H-footTop-r.px(6))

	// Bars: one slot each; the labels under each bar are laid out first so
	// the plot knows how much room is left.
	n := len(spec.Bars)
	slot := inner / vg.Length(n)
	labelW := slot - r.px(8)
	type labels struct{ entity, measure, period, attr []string }
	sameEntity, sameMeasure := true, true
	for _, b := range spec.Bars {
		sameEntity = sameEntity && b.Entity == spec.Bars[0].Entity
		sameMeasure = sameMeasure && knowledge.MeasureKey(b.Measure) == knowledge.MeasureKey(spec.Bars[0].Measure)
	}
	measureSty := r.style(15, false, false, MutedColour)
	topRole := "entity"
	if sameEntity {
		topRole = "measure"
	}
	lbs := make([]labels, n)
	var labelH vg.Length
	for i, b := range spec.Bars {
		l := labels{entity: wrap(entitySty, b.Entity, labelW), period: wrap(periodSty, b.Period, labelW-r.px(40))}
		switch {
		case sameEntity:
			// One entity throughout: the title names it, the bars say what each measures.
			l.entity = wrap(entitySty, capitalise(b.Measure), labelW)
		case !sameMeasure:
			// Different things measured: say what, under whose.
			l.measure = wrap(measureSty, MeasureLabel(b.Entity, b.Measure), labelW)
		}
		if b.Conflict {
			l.attr = wrap(attrSty, "per "+b.Attribution, labelW)
		}
		h := vg.Length(len(l.entity))*r.lineHeight(entitySty) + vg.Length(len(l.measure))*r.lineHeight(measureSty) +
			vg.Length(max(1, len(l.period)))*r.lineHeight(periodSty) +
			vg.Length(len(l.attr))*r.lineHeight(attrSty)
		labelH = max(labelH, h)
		lbs[i] = l
	}
	valueLines := make([][]string, n)
	var valueH vg.Length
	for i, b := range spec.Bars {
		valueLines[i] = wrap(valueSty, b.Value, labelW)
		valueH = max(valueH, vg.Length(len(valueLines[i]))*r.lineHeight(valueSty))
	}
	bracketH := vg.Length(0)
	if conflicts(spec.Bars) {
		bracketH = r.lineHeight(attrSty) + r.px(10)
	}
	baseline := vg.Length(math.Round(float64(footTop - labelH - r.px(8))))
	plotTop := top + valueH + bracketH + r.px(6)
	if baseline-plotTop < r.px(40) {
		plotTop = baseline - r.px(40)
	}

	// The bars are drawn by a gonum plot whose data area is the plot
	// region: x in slots, y from zero to the largest amount. Bars are
	// snapped to whole pixels so their heights keep the amounts' ratios.
	p := plot.New()
	p.HideAxes()
	p.BackgroundColor = nil
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Min, p.X.Max = 0, float64(n)
	p.Y.Min, p.Y.Max = 0, 0
	for _, b := range spec.Bars {
		p.Y.Max = math.Max(p.Y.Max, b.Figure.Amount)
	}
	bp := &barPlotter{spec: spec, r: r, width: 0.62}
	p.Add(bp)
	area := draw.Crop(r.dc, margin, -margin, H-baseline, -plotTop)
	p.Draw(area)
	trX, _ := p.Transforms(&area)

	// The zero line, just under the bars (image rows baseline and
	// baseline+1), so it hides none of their height.
	r.dc.StrokeLine2(draw.LineStyle{Color: RuleColour, Width: 2}, margin, H-baseline-1, W-margin, H-baseline-1)
	r.layout.Baseline = int(baseline)

	// Values above the bars, labels under them.
	for i, b := range spec.Bars {
		rect := r.layout.Bars[i]
		cx := trX(float64(i) + 0.5)
		vy := vg.Length(rect.Y0) - vg.Length(len(valueLines[i]))*r.lineHeight(valueSty) - r.px(4)
		r.text(valueSty, cx, vy, text.XCenter, "value", i, valueLines[i])
		ly := baseline + r.px(8)
		ly = r.text(entitySty, cx, ly, text.XCenter, topRole, i, lbs[i].entity)
		ly = r.text(measureSty, cx, ly, text.XCenter, "measure", i, lbs[i].measure)
		// The period, with the bar's citation marker after it.
		cite := fmt.Sprintf("[%d]", b.N)
		citeSty := r.style(16, false, false, MutedColour)
		gap := r.px(6)
		pl := lbs[i].period
		if len(pl) == 0 {
			pl = []string{""}
		}
		for j, line := range pl {
			if j < len(pl)-1 {
				ly = r.text(periodSty, cx, ly, text.XCenter, "period", i, []string{line})
				continue
			}
			w := periodSty.Width(line)
			if line != "" {
				w += gap
			}
			w += citeSty.Width(cite)
			x0 := cx - w/2
			r.text(periodSty, x0, ly, text.XLeft, "period", i, []string{line})
			if line != "" {
				x0 += periodSty.Width(line) + gap
			}
			r.text(citeSty, x0, ly+(r.lineHeight(periodSty)-r.lineHeight(citeSty))*0.7, text.XLeft, "cite", i, []string{cite})
			ly += r.lineHeight(periodSty)
		}
		r.text(attrSty, cx, ly, text.XCenter, "attribution", i, lbs[i].attr)
	}

	// A bracket over each group of disagreeing reports.
	for g := 1; ; g++ {
		first, last := -1, -1
		for i, b := range spec.Bars {
			if b.Group == g {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 {
			break
		}
		topY := vg.Length(r.H)
		for i := first; i <= last; i++ {
			topY = min(topY, vg.Length(r.layout.Bars[i].Y0)-vg.Length(len(valueLines[i]))*r.lineHeight(valueSty))
		}
		by := topY - r.px(10)
		x0, x1 := trX(float64(first)+0.2), trX(float64(last)+0.8)
		ls := draw.LineStyle{Color: ConflictBars, Width: r.px(2)}
		r.dc.StrokeLines(ls, []vg.Point{{X: x0, Y: H - by - r.px(6)}, {X: x0, Y: H - by}, {X: x1, Y: H - by}, {X: x1, Y: H - by - r.px(6)}})
		r.text(r.style(16, false, true, ConflictBars), (x0+x1)/2, by-r.lineHeight(attrSty)-r.px(2), text.XCenter, "bracket", -1, []string{"reports differ"})
	}
}

func conflicts(bars []Bar) bool {
	for _, b := range bars {
		if b.Conflict {
			return true
		}
	}
	return false
}

// barPlotter is a gonum plot.Plotter drawing one bar per slot.
type barPlotter struct {
	spec  Spec
	r     *renderer
	width float64 // of a slot
}

// Plot implements plot.Plotter.
func (bp *barPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	H := float64(bp.r.H)
	for i, b := range bp.spec.Bars {
		x0 := math.Round(float64(trX(float64(i) + 0.5 - bp.width/2)))
		x1 := math.Round(float64(trX(float64(i) + 0.5 + bp.width/2)))
		if b.Group != 0 {
			// Disagreeing reports stand closer together.
			if i > 0 && bp.spec.Bars[i-1].Group == b.Group {
				x0 = math.Round(float64(trX(float64(i) + 0.05)))
			}
			if i+1 < len(bp.spec.Bars) && bp.spec.Bars[i+1].Group == b.Group {
				x1 = math.Round(float64(trX(float64(i) + 0.95)))
			}
		}
		// Heights are rounded once, from the amount's share of the full
		// height, so each is within half a pixel of its true ratio.
		y0 := math.Round(float64(trY(0)))
		full := math.Round(float64(trY(p.Y.Max))) - y0
		y1 := y0 + math.Max(1, math.Round(full*b.Figure.Amount/p.Y.Max))
		col := BarColour
		if b.Conflict {
			col = ConflictBars
		}
		pts := []vg.Point{{X: vg.Length(x0), Y: vg.Length(y0)}, {X: vg.Length(x1), Y: vg.Length(y0)},
			{X: vg.Length(x1), Y: vg.Length(y1)}, {X: vg.Length(x0), Y: vg.Length(y1)}}
		c.FillPolygon(col, pts)
		bp.r.layout.Bars = append(bp.r.layout.Bars, Rect{Bar: i, X0: int(x0), X1: int(x1), Y0: int(H - y1), Y1: int(H - y0), Colour: col})
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
