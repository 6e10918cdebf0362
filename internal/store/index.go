package store

import (
	"encoding/hex"
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
type mailIndex struct {
	mu      sync.Mutex
	gen     uint64 // the current sweep generation
	m       map[[refSize]byte]indexEntry
	acked   map[[refSize]byte]ackedEntry
	putting map[[refSize]byte]chan struct{} // closed when that Put ends
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
func (x *mailIndex) add(ref string, seq uint64) (prev uint64, clash bool) {
	k, ok := refKey(ref)
	if !ok {
		return 0, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.m[k]
	if ok && e.seq != seq {
		e.gen = x.gen
		x.m[k] = e
		return e.seq, true
	}
	if !ok {
		e = indexEntry{seq: seq, at: time.Now().UnixNano()}
	}
	e.gen = x.gen
	x.m[k] = e
	return 0, false
}

// set records that ref is stored at seq, whatever it had before.
func (x *mailIndex) set(ref string, seq uint64) {
	k, ok := refKey(ref)
	if !ok {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.m[k] = indexEntry{seq: seq, gen: x.gen, at: time.Now().UnixNano()}
}

// drop forgets ref if it is still at seq (0: at any sequence) and reports
// the sequence it had.
func (x *mailIndex) drop(ref string, seq uint64) (uint64, bool) {
	e, ok := x.take(ref, seq)
	return e.seq, ok
}

// take is drop, returning the whole entry.
func (x *mailIndex) take(ref string, seq uint64) (indexEntry, bool) {
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
	return e, true
}

// put puts back an entry take took.
func (x *mailIndex) put(ref string, e indexEntry) {
	if k, ok := refKey(ref); ok {
		x.mu.Lock()
		x.m[k] = e
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
	for k, e := range x.m {
		if e.gen != x.gen {
			delete(x.m, k)
			n++
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
