package indicator

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// MaxSeriesSteps bounds the number of times a Series evaluates, so that a step
// given in the wrong unit (1ns for 1d) fails with a message instead of
// exhausting memory.
const MaxSeriesSteps = 1 << 20

// Series is a table of indicator values over time, for plots and reports.
type Series struct {
	// Names are the indicator names, in the order asked for.
	Names []string
	// Times are the evaluation times: from, from+step, ... up to and
	// including to when it falls on a step.
	Times []time.Time
	// Values holds Values[k][n], the value of Names[n] at Times[k]; NaN where
	// a numeric indicator has no value yet.
	Values [][]float64
}

// Series evaluates names at each step from from to to inclusive. It fails,
// before evaluating anything, when a name is malformed (the error wraps
// ErrBadName), when step is not positive, when to is before from, or when the
// series would exceed MaxSeriesSteps times.
func (c *Calculator) Series(names []string, from, to time.Time, step time.Duration) (*Series, error) {
	parsed := make([]Name, len(names))
	for k, s := range names {
		n, err := ParseName(s)
		if err != nil {
			return nil, err
		}
		parsed[k] = n
	}
	if step <= 0 {
		return nil, fmt.Errorf("series step %v must be positive, such as 24h", step)
	}
	if to.Before(from) {
		return nil, fmt.Errorf("series end %s is before its start %s",
			to.UTC().Format(time.RFC3339), from.UTC().Format(time.RFC3339))
	}
	span := to.Sub(from)
	if from.Add(span).Before(to) { // Sub saturates at about 292 years
		return nil, fmt.Errorf("series span from %s to %s is too long; give a shorter span",
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	steps := int64(span/step) + 1
	if steps > MaxSeriesSteps {
		return nil, fmt.Errorf("series of %d steps of %v exceeds the limit of %d; give a longer step or a shorter span",
			steps, step, MaxSeriesSteps)
	}

	s := &Series{
		Names:  append([]string(nil), names...),
		Times:  make([]time.Time, steps),
		Values: make([][]float64, steps),
	}
	// One backing array for all rows: one allocation instead of one per step.
	cells := make([]float64, int(steps)*len(names))
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range s.Times {
		t := from.Add(time.Duration(k) * step)
		s.Times[k] = t
		row := cells[k*len(names) : (k+1)*len(names) : (k+1)*len(names)]
		for n, name := range parsed {
			v, err := c.value(name, t)
			switch {
			case errors.Is(err, ErrNoValue):
				v = math.NaN()
			case err != nil:
				return nil, err
			}
			row[n] = v
		}
		s.Values[k] = row
	}
	return s, nil
}
