package store

import (
	"encoding/hex"
	"math"
	"slices"
	"sync"
	"time"
)

// mailIndex maps the reference of each stored message to its stream
// sequence. It lives in memory only: Sweep, which Open runs before it
// returns, rebuilds it from the stream, and every later Sweep drops the
// entries of messages JetStream has expired by itself and adds any record it
// finds that the index lacks (a Put whose acknowledgement was lost). A
// reference names its owner (it is an HMAC of owner and ID), so an entry can
// only ever lead to that owner's message, and a sequence is never reused, so
// a stale entry leads to nothing.
//
// Keys and values are fixed-size arrays and integers, so the garbage
// collector does not scan the map however many messages are stored.
//
// It also holds what makes Put's duplicate check complete without
// JetStream's per-message duplicate window: the references acknowledged in
// the last window (a retry just after an Ack is still a duplicate), and the
// references being put right now (Puts of one message take turns).
//
// And it knows, for each owner, a sequence below which every message of the
// owner still in the stream has been acknowledged (see floor): what lets the
// store remove a run of acknowledged messages with one purge.
type mailIndex struct {
	mu      sync.Mutex
	gen     uint64 // the current sweep generation
	m       map[[refSize]byte]indexEntry
	acked   map[[refSize]byte]ackedEntry
	putting map[[refSize]byte]chan struct{} // closed when that Put ends
	owners  map[string]*ownerSeqs
	lastSeq uint64 // the highest sequence the index has seen
}

type ackedEntry struct {
	seq uint64
	at  int64 // when it was first put, Unix nanoseconds, real time
}

func newMailIndex() mailIndex {
	return mailIndex{
		m:       make(map[[refSize]byte]indexEntry),
		acked:   make(map[[refSize]byte]ackedEntry),
		putting: make(map[[refSize]byte]chan struct{}),
		owners:  make(map[string]*ownerSeqs),
	}
}

type indexEntry struct {
	seq uint64
	gen uint64 // the sweep generation that last saw or made it
	at  int64  // when it was put (or first indexed), Unix nanoseconds, real time
}

func refKey(ref string) ([refSize]byte, bool) {
	var k [refSize]byte
	if len(ref) != 2*refSize {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(ref))
	return k, err == nil
}

// lookup returns ref's sequence.
func (x *mailIndex) lookup(ref string) (uint64, bool) {
	k, ok := refKey(ref)
	if !ok {
		return 0, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.m[k]
	return e.seq, ok
}

// add records that ref is stored at seq. It reports the sequence ref already
// had, if another.
func (x *mailIndex) add(owner, ref string, seq uint64) (prev uint64, clash bool) {
	k, ok := refKey(ref)
	if !ok {
		return 0, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.lastSeq = max(x.lastSeq, seq)
	e, ok := x.m[k]
	if ok && e.seq != seq {
		e.gen = x.gen
		x.m[k] = e
		return e.seq, true
	}
	if !ok {
		e = indexEntry{seq: seq, at: time.Now().UnixNano()}
		x.owner(owner).insert(seq)
	}
	e.gen = x.gen
	x.m[k] = e
	return 0, false
}

// set records that ref is stored at seq, whatever it had before.
func (x *mailIndex) set(owner, ref string, seq uint64) {
	k, ok := refKey(ref)
	if !ok {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if e, ok := x.m[k]; ok {
		x.unlive(owner, e.seq)
	}
	x.m[k] = indexEntry{seq: seq, gen: x.gen, at: time.Now().UnixNano()}
	x.owner(owner).insert(seq)
}

// drop forgets ref if it is still at seq (0: at any sequence) and reports
// the sequence it had.
func (x *mailIndex) drop(owner, ref string, seq uint64) (uint64, bool) {
	e, ok := x.take(owner, ref, seq)
	return e.seq, ok
}

// take is drop, returning the whole entry.
func (x *mailIndex) take(owner, ref string, seq uint64) (indexEntry, bool) {
	k, ok := refKey(ref)
	if !ok {
		return indexEntry{}, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.m[k]
	if !ok || seq != 0 && e.seq != seq {
		return indexEntry{}, false
	}
	delete(x.m, k)
	x.unlive(owner, e.seq)
	return e, true
}

// put puts back an entry take took.
func (x *mailIndex) put(owner, ref string, e indexEntry) {
	if k, ok := refKey(ref); ok {
		x.mu.Lock()
		x.m[k] = e
		x.owner(owner).insert(e.seq)
		x.mu.Unlock()
	}
}

// claim makes the caller the one Put of ref in progress, and returns the
// channel to pass to release; when another Put holds ref, it returns that
// Put's channel, closed when it ends, and false.
func (x *mailIndex) claim(ref string) (chan struct{}, bool) {
	k, _ := refKey(ref)
	x.mu.Lock()
	defer x.mu.Unlock()
	if ch, busy := x.putting[k]; busy {
		return ch, false
	}
	ch := make(chan struct{})
	x.putting[k] = ch
	return ch, true
}

// release ends the claim made with claim.
func (x *mailIndex) release(ref string, ch chan struct{}) {
	k, _ := refKey(ref)
	x.mu.Lock()
	delete(x.putting, k)
	x.mu.Unlock()
	close(ch)
}

// ack records that the message of entry e, ref, was acknowledged: a Put of
// it within the duplicate window of its first Put is still a duplicate.
func (x *mailIndex) ack(ref string, e indexEntry) {
	if k, ok := refKey(ref); ok {
		x.mu.Lock()
		x.acked[k] = ackedEntry{seq: e.seq, at: e.at}
		x.mu.Unlock()
	}
}

// recentlyAcked reports whether ref was acknowledged and first put after
// since, and the sequence it had.
func (x *mailIndex) recentlyAcked(ref string, since time.Time) (uint64, bool) {
	k, ok := refKey(ref)
	if !ok {
		return 0, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.acked[k]
	if !ok || e.at <= since.UnixNano() {
		return 0, false
	}
	return e.seq, true
}

// forgetAcked drops the acknowledgements of messages put at or before since.
func (x *mailIndex) forgetAcked(since time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, e := range x.acked {
		if e.at <= since.UnixNano() {
			delete(x.acked, k)
		}
	}
}

// begin starts a sweep generation: entries the sweep does not see, and that
// no Put makes while it runs, are dropped by prune.
func (x *mailIndex) begin() {
	x.mu.Lock()
	x.gen++
	x.mu.Unlock()
}

// prune drops the entries the current generation has not seen (a sweep
// that read the whole stream, or a Put since it began), and reports how many
// it dropped.
func (x *mailIndex) prune() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	seqs := make([]uint64, 0, len(x.m))
	for k, e := range x.m {
		if e.gen != x.gen {
			delete(x.m, k)
			n++
		} else {
			seqs = append(seqs, e.seq)
		}
	}
	slices.Sort(seqs)
	for name, o := range x.owners {
		o.keepOnly(seqs)
		if o.empty() {
			delete(x.owners, name)
		}
	}
	return n
}

// size is the number of entries.
func (x *mailIndex) size() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.m)
}

// The owners' sequences. Every message of an owner in the stream is in one
// of three states: indexed (live, in ownerSeqs.live), being put (its Put has
// published it and not yet indexed it: ownerSeqs.flights holds a floor below
// its sequence), or acknowledged (taken from the index, and removed or about
// to be). A message whose Put failed after publishing may be stored without
// being indexed until the next Sweep finds it: its floor stays, as suspect,
// until a Sweep that began after the failure has ended. So no message of
// the owner below floor(owner) is unacknowledged, and purging the owner's
// subject below it removes only acknowledged mail (and expired mail, which
// is as good as gone).
type ownerSeqs struct {
	live    []uint64            // sorted; live[head:] are the indexed sequences, less gone
	head    int                 //
	gone    map[uint64]struct{} // removed from the middle of live, not yet skipped
	flights map[uint64]int      // floor -> Puts in flight with it
	suspect []suspectFloor
}

type suspectFloor struct {
	floor, gen uint64 // gen: the sweep generation current when the Put failed
}

func (x *mailIndex) owner(name string) *ownerSeqs {
	o := x.owners[name]
	if o == nil {
		o = &ownerSeqs{}
		x.owners[name] = o
	}
	return o
}

// unlive removes seq from owner's live sequences, dropping the owner when
// nothing is left.
func (x *mailIndex) unlive(owner string, seq uint64) {
	o := x.owners[owner]
	if o == nil {
		return
	}
	o.remove(seq)
	if o.empty() {
		delete(x.owners, owner)
	}
}

// insert adds seq to the live sequences. Sequences come nearly in order,
// so the place is found from the end.
func (o *ownerSeqs) insert(seq uint64) {
	live := o.live[o.head:]
	i := len(live)
	for i > 0 && live[i-1] > seq {
		i--
	}
	if i > 0 && live[i-1] == seq {
		delete(o.gone, seq) // back after a take (an Ack that failed)
		return
	}
	o.live = slices.Insert(o.live, o.head+i, seq)
}

// remove takes seq out of the live sequences: at once from the front (the
// usual order of acknowledgements), by a mark from elsewhere.
func (o *ownerSeqs) remove(seq uint64) {
	live := o.live[o.head:]
	i, found := slices.BinarySearch(live, seq)
	if !found {
		return
	}
	if i > 0 {
		if o.gone == nil {
			o.gone = make(map[uint64]struct{})
		}
		o.gone[seq] = struct{}{}
		return
	}
	o.head++
	for o.head < len(o.live) {
		if _, g := o.gone[o.live[o.head]]; !g {
			break
		}
		delete(o.gone, o.live[o.head])
		o.head++
	}
	if o.head == len(o.live) {
		o.live, o.head = o.live[:0], 0
	} else if o.head > 64 && o.head > len(o.live)/2 {
		n := copy(o.live, o.live[o.head:])
		o.live, o.head = o.live[:n], 0
	}
}

// keepOnly drops the live sequences not in seqs (sorted): those the index
// no longer has.
func (o *ownerSeqs) keepOnly(seqs []uint64) {
	kept := o.live[:0]
	for _, q := range o.live[o.head:] {
		if _, g := o.gone[q]; g {
			continue
		}
		if _, ok := slices.BinarySearch(seqs, q); ok {
			kept = append(kept, q)
		}
	}
	o.live, o.head, o.gone = kept, 0, nil
}

func (o *ownerSeqs) empty() bool {
	return o.head == len(o.live) && len(o.flights) == 0 && len(o.suspect) == 0
}

// beginPut notes a Put of owner's about to publish and returns its floor,
// which every sequence JetStream may give the message is above.
func (x *mailIndex) beginPut(owner string) uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	o := x.owner(owner)
	if o.flights == nil {
		o.flights = make(map[uint64]int)
	}
	floor := x.lastSeq + 1
	o.flights[floor]++
	return floor
}

// endPut ends what beginPut began. A Put that failed after publishing
// (failed is set) may have stored the message all the same: its floor holds
// until a Sweep has looked.
func (x *mailIndex) endPut(owner string, floor uint64, failed bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	o := x.owner(owner)
	if o.flights[floor]--; o.flights[floor] <= 0 {
		delete(o.flights, floor)
	}
	if failed {
		o.suspect = append(o.suspect, suspectFloor{floor: floor, gen: x.gen})
	}
	if o.empty() {
		delete(x.owners, owner)
	}
}

// swept drops the suspect floors noted before the current sweep began; call
// it when that sweep has read the whole stream.
func (x *mailIndex) swept() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for name, o := range x.owners {
		o.suspect = slices.DeleteFunc(o.suspect, func(f suspectFloor) bool { return f.gen < x.gen })
		if o.empty() {
			delete(x.owners, name)
		}
	}
}

// floor returns a sequence below which no message of owner is
// unacknowledged (math.MaxUint64 when the owner has none).
func (x *mailIndex) floor(owner string) uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	o := x.owners[owner]
	if o == nil {
		return math.MaxUint64
	}
	low := uint64(math.MaxUint64)
	if o.head < len(o.live) {
		low = o.live[o.head] // gone ones are never at the head
	}
	for f := range o.flights {
		low = min(low, f)
	}
	for _, f := range o.suspect {
		low = min(low, f.floor)
	}
	return low
}
