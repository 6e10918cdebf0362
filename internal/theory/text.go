package theory

import (
	"io"
	"strconv"
	"text/tabwriter"
)

// Result is what a model computes: a struct whose JSON keys are those of MODELS.md,
// which can also tell an analyst in words what the numbers say.
type Result interface {
	// WriteText writes the result as a short table with words.
	WriteText(w io.Writer) error
}

// newTable returns the tabwriter the text of every model is aligned with.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// num writes a result to four decimals, the precision the text shows.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

// gnum writes an input as the user would have typed it.
func gnum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
