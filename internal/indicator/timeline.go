package indicator

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"
)

// stamped is what a timeline holds: a contribution at an instant that can absorb
// a later contribution at the same instant.
type stamped[E any] interface {
	stamp() int64
	// merge returns the entry holding both the receiver and later, which was
	// added after it. Sums add; an observation keeps the later value.
	merge(later E) E
}

// compactSlack keeps small timelines that receive records out of order from
// being sorted after nearly every append.
const compactSlack = 64

// timeline is the per-key list of contributions, ordered by time once compact
// has run, with at most one entry per instant. Records arrive in any order:
// appends are cheap, and the list is sorted and merged lazily, before a query
// reads it or when out-of-order appends have doubled it, which bounds memory
// to about twice the number of distinct instants.
type timeline[E stamped[E]] struct {
	entries []E
	// unsorted says an entry was appended before an earlier-stamped one, so
	// entries must be compacted before a query can binary-search them.
	unsorted bool
	// compacted is the length after the last compaction.
	compacted int
}

// add appends e, merging it into the last entry when both share an instant.
// Datasets come roughly in date order, so most merges happen here, without
// sorting.
func (tl *timeline[E]) add(e E) {
	if n := len(tl.entries); n > 0 {
		last := tl.entries[n-1].stamp()
		switch {
		case last == e.stamp():
			tl.entries[n-1] = tl.entries[n-1].merge(e)
			return
		case last > e.stamp():
			tl.unsorted = true
		}
	}
	tl.entries = append(tl.entries, e)
	if tl.unsorted && len(tl.entries) >= 2*tl.compacted+compactSlack {
		tl.compact()
	}
}

// compact sorts the entries by time and merges those sharing an instant. The
// sort is stable so that entries at one instant merge in the order they were
// added, which is what lets the later of two observations win.
func (tl *timeline[E]) compact() {
	if tl.unsorted {
		slices.SortStableFunc(tl.entries, func(a, b E) int { return cmp.Compare(a.stamp(), b.stamp()) })
		out := tl.entries[:0]
		for _, e := range tl.entries {
			if n := len(out); n > 0 && out[n-1].stamp() == e.stamp() {
				out[n-1] = out[n-1].merge(e)
				continue
			}
			out = append(out, e)
		}
		clear(tl.entries[len(out):])
		tl.entries = out
		tl.unsorted = false
	}
	tl.compacted = len(tl.entries)
}

// between returns the entries stamped in (after, upTo], in time order.
func (tl *timeline[E]) between(after, upTo int64) []E {
	tl.compact()
	es := tl.entries
	lo := sort.Search(len(es), func(k int) bool { return es[k].stamp() > after })
	hi := lo + sort.Search(len(es)-lo, func(k int) bool { return es[lo+k].stamp() > upTo })
	return es[lo:hi]
}

// latest returns the last entry stamped at or before upTo.
func (tl *timeline[E]) latest(upTo int64) (E, bool) {
	tl.compact()
	es := tl.entries
	k := sort.Search(len(es), func(k int) bool { return es[k].stamp() > upTo })
	if k == 0 {
		var zero E
		return zero, false
	}
	return es[k-1], true
}

// Timestamps are kept as Unix nanoseconds: 8 bytes against time.Time's 24, in
// the one structure that grows with the data. That covers the years 1678 to
// 2262, wider than any event dataset.
var (
	minStamp = time.Unix(0, math.MinInt64)
	maxStamp = time.Unix(0, math.MaxInt64)
)

// stampOf converts a record's time, reporting false for times outside the
// representable range (among them the zero time.Time of a record that has no
// time).
func stampOf(t time.Time) (int64, bool) {
	if t.Before(minStamp) || t.After(maxStamp) {
		return 0, false
	}
	return t.UnixNano(), true
}

// queryStamp converts a query time, clamping it to the representable range: a
// query before 1678 sees nothing and one after 2262 sees everything, which is
// what the unclamped arithmetic would mean.
func queryStamp(t time.Time) int64 {
	switch {
	case t.Before(minStamp):
		return math.MinInt64
	case t.After(maxStamp):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// windowStart returns the exclusive lower bound of the window ending at now,
// saturating instead of wrapping around near the bottom of the range.
func windowStart(now int64, window time.Duration) int64 {
	start := now - int64(window)
	if start > now {
		return math.MinInt64
	}
	return start
}
