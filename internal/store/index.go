package store

import (
	"encoding/hex"
	"sync"
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
type mailIndex struct {
	mu  sync.Mutex
	gen uint64 // the current sweep generation
	m   map[[refSize]byte]indexEntry
}

type indexEntry struct {
	seq uint64
	gen uint64 // the sweep generation that last saw or made it
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
	if e, ok := x.m[k]; ok && e.seq != seq {
		x.m[k] = indexEntry{seq: e.seq, gen: x.gen}
		return e.seq, true
	}
	x.m[k] = indexEntry{seq: seq, gen: x.gen}
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
	x.m[k] = indexEntry{seq: seq, gen: x.gen}
}

// drop forgets ref if it is still at seq (0: at any sequence) and reports
// the sequence it had.
func (x *mailIndex) drop(ref string, seq uint64) (uint64, bool) {
	k, ok := refKey(ref)
	if !ok {
		return 0, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.m[k]
	if !ok || seq != 0 && e.seq != seq {
		return 0, false
	}
	delete(x.m, k)
	return e.seq, true
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
