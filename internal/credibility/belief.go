package credibility

import (
	"math"
	"slices"
	"sort"
	"time"

	"backchannel/internal/theory"
)

// What moved a belief.
const (
	ByAction   = "action"
	ByMediator = "mediator"
)

// Update is one step of a beneficiary's belief that an issuer is trustworthy.
type Update struct {
	Time time.Time `json:"time"`
	// By is ByAction (the issuer's act toward the beneficiary) or ByMediator (a
	// reassurance the mediator conveyed).
	By string `json:"by"`
	// Root is the CAMEO root of the act, Record the id of its first event that
	// day (when it has one); Mediator and Assurance say who conveyed what.
	Root      string `json:"root,omitempty"`
	Record    string `json:"record,omitempty"`
	Mediator  string `json:"mediator,omitempty"`
	Assurance string `json:"assurance,omitempty"`
	// PT and PU are the probabilities of what was seen if the issuer is
	// trustworthy and if it is not: Bayes' rule reads their ratio.
	PT float64 `json:"p_t"`
	PU float64 `json:"p_u"`
	// Intention is the belief after the update.
	Intention float64 `json:"intention"`
}

// belief is one beneficiary's view of one issuer: its prior and every update,
// folded in time order when asked.
type belief struct {
	prior   float64
	updates []Update
	// seen finds the update of a (day, root) or (day, mediator), so that one
	// counts once a day whatever the number of records.
	seen   map[beliefKey]int
	sorted bool
}

type beliefKey struct {
	day int64
	by  string
	who string // the root of an act, or the mediator
}

func (u *Update) key() beliefKey {
	return beliefKey{day: dayOf(u.Time), by: u.By, who: u.Root + u.Mediator}
}

func newBelief(prior float64) *belief {
	return &belief{prior: prior, seen: map[beliefKey]int{}, sorted: true}
}

// add records an update unless one of the same kind, root or mediator, and day
// exists; then the earlier of the two times stands, so that records may come in
// any order.
func (b *belief) add(u Update) {
	k := u.key()
	if i, ok := b.seen[k]; ok {
		if u.Time.Before(b.updates[i].Time) {
			b.updates[i] = u
			b.sorted = false
		}
		return
	}
	b.seen[k] = len(b.updates)
	b.updates = append(b.updates, u)
	b.sorted = false
}

// dayOf numbers the UTC day of t.
func dayOf(t time.Time) int64 {
	return int64(math.Floor(float64(t.Unix()) / 86400))
}

// fold sorts the updates by time (stably: at one instant they keep the order
// they came in) and computes the belief after each. Bayes' rule in odds form
// multiplies the odds by pT/pU, so the order changes nothing but rounding; a
// step that the evidence makes impossible (a certain belief contradicted) leaves
// the belief where it was rather than undefined.
func (b *belief) fold() {
	if b.sorted {
		return
	}
	slices.SortStableFunc(b.updates, func(x, y Update) int { return x.Time.Compare(y.Time) })
	for i := range b.updates {
		b.seen[b.updates[i].key()] = i
	}
	pi := b.prior
	for i := range b.updates {
		u := &b.updates[i]
		if next := theory.Bayes(pi, u.PT, u.PU); !math.IsNaN(next) {
			pi = next
		}
		u.Intention = pi
	}
	b.sorted = true
}

// at returns the belief at t, after every update at or before t, and the
// number of those updates.
func (b *belief) at(t time.Time) (float64, int) {
	b.fold()
	n := sort.Search(len(b.updates), func(i int) bool { return b.updates[i].Time.After(t) })
	if n == 0 {
		return b.prior, 0
	}
	return b.updates[n-1].Intention, n
}

// upTo returns the updates at or before t, in time order.
func (b *belief) upTo(t time.Time) []Update {
	_, n := b.at(t)
	return slices.Clone(b.updates[:n])
}

// dyad is an issuer and a beneficiary: whose intention, as whom sees it.
type dyad struct{ from, to string }
