package event

import (
	"cmp"
	"errors"
	"slices"
	"time"
)

// MaxRejectedListed bounds how many rejected lines a Summary lists one by one;
// all of them are counted. A file of garbage must not make a summary grow
// without bound.
const MaxRejectedListed = 1000

// Summary is the figures `backchannel events stats` prints (EVENTS.md). Add
// records and rejections to it as they stream past; it keeps counts, never the
// records.
type Summary struct {
	Records      int `json:"records"`
	Events       int `json:"events"`
	Observations int `json:"observations"`
	// Rejected lists the first MaxRejectedListed bad lines; RejectedTotal
	// counts all of them.
	Rejected      []Rejection    `json:"rejected"`
	RejectedTotal int            `json:"rejected_total"`
	Quad          map[string]int `json:"quad"`
	Root          map[string]int `json:"root"`
	// GoldsteinMean is the mean Goldstein value over events; the weighted mean
	// weighs each event by its mentions (null when no event has any).
	GoldsteinMean         *float64 `json:"goldstein_mean"`
	GoldsteinMeanWeighted *float64 `json:"goldstein_mean_weighted"`
	// InstabilityIndex is the share of events that are material conflict (quad
	// 4) or protest (root 14): GDELT's stability-dashboard measure.
	InstabilityIndex *float64   `json:"instability_index"`
	First            *time.Time `json:"first"`
	Last             *time.Time `json:"last"`
	Dyads            []Dyad     `json:"dyads"`
	Files            []FileStat `json:"files"`

	gSum, gwSum, wSum float64
	unstable          int
	dyads             map[[2]string]*Dyad
}

// Rejection is one line a reader refused.
type Rejection struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// Dyad sums the events of one ordered pair of countries. Conflict events are
// those of quad class 3 or 4 (verbal or material conflict).
type Dyad struct {
	Source         string  `json:"source"`
	Target         string  `json:"target"`
	Events         int     `json:"events"`
	GoldsteinSum   float64 `json:"goldstein_sum"`
	ConflictEvents int     `json:"conflict_events"`
}

// FileStat is what one input contributed.
type FileStat struct {
	Name     string `json:"name"`
	Format   Format `json:"format"`
	Records  int    `json:"records"`
	Rejected int    `json:"rejected"`
}

// NewSummary returns an empty Summary.
func NewSummary() *Summary {
	return &Summary{Quad: map[string]int{"1": 0, "2": 0, "3": 0, "4": 0}, Root: map[string]int{},
		Rejected: []Rejection{}, Dyads: []Dyad{}, Files: []FileStat{}, dyads: map[[2]string]*Dyad{}}
}

var quadKeys = [...]string{"0", "1", "2", "3", "4"}

// Add counts one record.
func (s *Summary) Add(r *Record) {
	s.Records++
	t := r.Time()
	if s.First == nil || t.Before(*s.First) {
		s.First = &t
	}
	if s.Last == nil || t.After(*s.Last) {
		t := t
		s.Last = &t
	}
	if r.Kind == KindObservation {
		s.Observations++
		return
	}
	e := &r.Event
	s.Events++
	if e.Quad >= 1 && e.Quad <= 4 {
		s.Quad[quadKeys[e.Quad]]++
	}
	root := e.Root()
	s.Root[root]++
	s.gSum += e.Goldstein
	s.gwSum += e.Goldstein * float64(e.Mentions)
	s.wSum += float64(e.Mentions)
	if e.Quad == 4 || root == "14" {
		s.unstable++
	}
	if e.Source.Country != "" && e.Target.Country != "" {
		k := [2]string{e.Source.Country, e.Target.Country}
		d := s.dyads[k]
		if d == nil {
			d = &Dyad{Source: k[0], Target: k[1]}
			s.dyads[k] = d
		}
		d.Events++
		d.GoldsteinSum += e.Goldstein
		if e.Quad >= 3 {
			d.ConflictEvents++
		}
	}
}

// Reject counts one refused line. err is normally a *LineError.
func (s *Summary) Reject(err error) {
	s.RejectedTotal++
	if len(s.Rejected) >= MaxRejectedListed {
		return
	}
	var le *LineError
	if errors.As(err, &le) {
		s.Rejected = append(s.Rejected, Rejection{File: le.File, Line: le.Line, Column: le.Column, Reason: le.Reason})
		return
	}
	s.Rejected = append(s.Rejected, Rejection{Reason: err.Error()})
}

// Finish computes the means and orders the dyads (most events first, then by
// name) so that output is stable.
func (s *Summary) Finish() {
	if s.Events > 0 {
		m := s.gSum / float64(s.Events)
		u := float64(s.unstable) / float64(s.Events)
		s.GoldsteinMean, s.InstabilityIndex = &m, &u
	}
	if s.wSum > 0 {
		w := s.gwSum / s.wSum
		s.GoldsteinMeanWeighted = &w
	}
	s.Dyads = s.Dyads[:0]
	for _, d := range s.dyads {
		s.Dyads = append(s.Dyads, *d)
	}
	slices.SortFunc(s.Dyads, func(a, b Dyad) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target))
	})
}
