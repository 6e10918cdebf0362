package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Acknowledged messages are removed by one goroutine, the remover, in
// batches: each Ack hands its message over and is answered once it is gone
// (Ack waits for that; AckFunc has it call back), and while the remover is
// busy with one batch the next gathers. For each owner
// in a batch, the messages below the index's floor for that owner (no
// unacknowledged message of the owner is there) go in one purge of the
// owner's subject below the highest of them; the rest, acknowledged out of
// order, are deleted one by one, several at once. A purge costs one
// JetStream API request for the whole run, where a delete costs one per
// message, and the API request, not the removal, was most of what an
// acknowledgement cost the hub. When the remover falls behind, Acks delete
// their messages themselves (see maxAckQueue).
//
// With Options.SecureDelete every message is deleted by itself, overwritten
// in place, as before (a purge does not overwrite), by the remover as well.

// ackReq is one Ack waiting for its message's removal.
type ackReq struct {
	owner, ref string
	e          indexEntry
	found      bool
	err        error
	done       func(error) // called once, with the Ack's result
}

// result is what the Ack returns once r is done.
func (r *ackReq) result() error {
	switch {
	case r.err != nil:
		return wrapErr("ack", r.err)
	case !r.found:
		return ErrNotFound
	}
	return nil
}

// maxAckQueue bounds the Acks waiting for the remover, and so one batch; an
// Ack that finds the queue full deletes its message itself, before it
// returns. ackLinger is how long a batch gathers when Acks come together: at
// 10,000 a second about 20 per owner, one purge where there were 20
// deletes; the linger ends early once ackBatch are queued, so that under
// load a batch goes as soon as it is worth a purge.
//
// Measured on the saturated sealed path (BENCHMARKS.md): with Acks that
// waited (Ack), each held one of the hub session's 256 places for requests
// in progress, a queue of 32 overflowed while the remover waited for a
// purge's reply, and nine Acks in ten were single deletes (12% purged). The
// hub now takes Acks by AckFunc, which holds no place, and with this queue
// 90% of them are purged and the rate is 1.4 to 2 times what it was.
//
// (Each purge or delete that empties the stream's last block makes
// JetStream's file store start a new block file, under the stream's lock:
// about 4% of the hub's CPU at 10,000 a second. A 10 ms linger, a fifth of
// the files, made no difference to the latency measured, so the shorter
// wait per Ack stays.)
//
// removeTimeout bounds each request to JetStream.
const (
	maxAckQueue   = 1024
	ackBatch      = 64
	ackLinger     = 2 * time.Millisecond
	removeTimeout = 30 * time.Second
)

// Removals counts how acknowledged messages left the stream since Open.
type Removals struct {
	Purges  uint64 // purge requests made for runs of acknowledged messages
	Purged  uint64 // messages they removed
	Deletes uint64 // messages deleted one at a time
}

// Removals returns the counts so far: the share purged is what batching
// saves (a purge or a delete is one JetStream API request).
func (s *Store) Removals() Removals {
	return Removals{Purges: s.purges.Load(), Purged: s.purged.Load(), Deletes: s.deletes.Load()}
}

// remove queues r for the remover, which calls r.done; r.done gets
// ErrClosed when the store closes first, with r's entry back in the index.
// When the queue already holds maxAckQueue (the remover is behind: a
// saturated hub), remove deletes r's message itself, as every Ack did
// before batches, and calls r.done before it returns: the caller is held up
// by one delete, which keeps the queue, and so the memory Acks hold, bounded.
func (s *Store) remove(ctx context.Context, r *ackReq) {
	s.ackMu.Lock()
	switch {
	case s.ackClosed:
		s.ackMu.Unlock()
		s.index.put(r.owner, r.ref, r.e)
		r.done(wrapErr("ack", ErrClosed))
		return
	case len(s.ackQueue) >= maxAckQueue:
		s.ackMu.Unlock()
		s.eraseOne(ctx, r)
		s.finish(r)
		return
	}
	s.ackQueue = append(s.ackQueue, r)
	enough := len(s.ackQueue) == ackBatch
	s.ackMu.Unlock()
	select {
	case s.ackKick <- struct{}{}:
	default: // the remover has been told already
	}
	if enough {
		select {
		case s.ackFull <- struct{}{}:
		default:
		}
	}
}

// runRemover removes the queued requests in batches until ctx ends, then
// answers what is left with ErrClosed. While Acks come one at a time (each
// batch held one) it removes each at once; when they come together it
// lingers ackLinger for the ones that follow.
func (s *Store) runRemover(ctx context.Context) {
	defer close(s.removerDone)
	busy := false
	for {
		select {
		case <-ctx.Done():
			s.ackMu.Lock()
			s.ackClosed = true
			left := s.ackQueue
			s.ackQueue = nil
			s.ackMu.Unlock()
			for _, r := range left {
				s.index.put(r.owner, r.ref, r.e)
				r.done(wrapErr("ack", ErrClosed))
			}
			return
		case <-s.ackKick:
		}
		if busy {
			linger := time.NewTimer(ackLinger)
			select {
			case <-linger.C:
			case <-s.ackFull:
			case <-ctx.Done():
			}
			linger.Stop()
		}
		s.ackMu.Lock()
		batch := s.ackQueue
		s.ackQueue = nil
		s.ackMu.Unlock()
		select {
		case <-s.ackFull: // said of this batch
		default:
		}
		if len(batch) == 0 {
			continue
		}
		busy = len(batch) > 1
		s.removeBatch(batch)
	}
}

// removeBatch removes the messages of batch and answers each request.
func (s *Store) removeBatch(batch []*ackReq) {
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	slices.SortFunc(batch, func(a, b *ackReq) int {
		return cmp.Or(strings.Compare(a.owner, b.owner), cmp.Compare(a.e.seq, b.e.seq))
	})
	for rest := batch; len(rest) > 0; {
		n := 1
		for n < len(rest) && rest[n].owner == rest[0].owner {
			n++
		}
		s.removeOwned(ctx, rest[:n])
		rest = rest[n:]
	}
	for _, r := range batch {
		s.finish(r)
	}
}

// removeOwned removes the messages of rs, one owner's, in sequence order.
func (s *Store) removeOwned(ctx context.Context, rs []*ackReq) {
	owner := rs[0].owner
	floor := s.index.floor(owner)
	n := 0
	for n < len(rs) && rs[n].e.seq < floor && !s.opts.SecureDelete {
		n++
	}
	if n > 1 {
		// Recorded before the purge: an Ack deleting a message below by
		// itself (taken from the index earlier, not in this batch) that
		// finds it gone must know the purge took it, even while the
		// purge's reply is on its way.
		s.purgeMu.Lock()
		s.purgedTo[owner] = max(s.purgedTo[owner], rs[n-1].e.seq+1)
		s.purgeMu.Unlock()
		purged, err := s.purgeBelow(ctx, owner, rs[n-1].e.seq+1)
		if err == nil {
			s.purges.Add(1)
			s.purged.Add(purged)
		}
		switch {
		case err != nil:
			for _, r := range rs[:n] {
				r.err = err
			}
		case purged != uint64(n):
			// Not all of them were on the owner's subject (records of the
			// earlier layout), or others were with them (expired, not
			// indexed): make sure of each. One the purge took is found.
			eachAtOnce(rs[:n], func(r *ackReq) {
				var deleted bool
				deleted, r.err = erase(ctx, s.mail, r.e.seq, false)
				r.found = r.err == nil
				if deleted {
					s.deletes.Add(1)
				}
			})
		default:
			for _, r := range rs[:n] {
				r.found = true
			}
		}
		rs = rs[n:]
	}
	eachAtOnce(rs, func(r *ackReq) { s.eraseOne(ctx, r) })
}

// eraseOne deletes r's message by itself (overwritten, with
// Options.SecureDelete).
func (s *Store) eraseOne(ctx context.Context, r *ackReq) {
	r.found, r.err = erase(ctx, s.mail, r.e.seq, s.opts.SecureDelete)
	if r.found {
		s.deletes.Add(1)
	}
	if r.err == nil && !r.found {
		// Taken from the index before a message above it whose purge came
		// first: that purge removed it.
		s.purgeMu.Lock()
		r.found = r.e.seq < s.purgedTo[r.owner]
		s.purgeMu.Unlock()
	}
}

// maxErasing bounds the deletes eachAtOnce has in flight. One at a time, a
// delete is a round trip to JetStream's API (about 50 µs): when a refused
// delivery, offered again later, holds an owner's floor down, every Ack
// above it is a single delete, and one remover deleting them in turn held
// a saturated hub to half its rate.
const maxErasing = 256

// eachAtOnce calls fn for each of rs, up to maxErasing at once, and returns
// when all have returned. fn must touch only its own request.
func eachAtOnce(rs []*ackReq, fn func(*ackReq)) {
	if len(rs) == 1 {
		fn(rs[0])
		return
	}
	sem := make(chan struct{}, maxErasing)
	var wg sync.WaitGroup
	for _, r := range rs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(r)
		})
	}
	wg.Wait()
}

// finish records the outcome of r in the index and answers it.
func (s *Store) finish(r *ackReq) {
	if r.err != nil {
		s.index.put(r.owner, r.ref, r.e) // still stored: a later Ack may succeed
	} else {
		s.index.ack(r.ref, r.e)
	}
	s.acked(r.owner, r.ref)
	r.done(r.result())
}

// purgeBelow removes every message on owner's subject below seq, with one
// JetStream API request, and returns how many it removed. (jetstream's
// Stream.Purge does not return the count.)
func (s *Store) purgeBelow(ctx context.Context, owner string, seq uint64) (uint64, error) {
	req := `{"filter":"` + mailSubject(owner) + `","seq":` + strconv.FormatUint(seq, 10) + `}`
	msg, err := s.nc.RequestWithContext(ctx, "$JS.API.STREAM.PURGE."+mailStream, []byte(req))
	if err != nil {
		return 0, fmt.Errorf("purging %s below %d: %w", mailStream, seq, err)
	}
	var resp struct {
		Success bool   `json:"success"`
		Purged  uint64 `json:"purged"`
		Error   *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return 0, fmt.Errorf("purging %s below %d: reading the reply: %w", mailStream, seq, err)
	}
	if resp.Error != nil || !resp.Success {
		desc := "no success"
		if resp.Error != nil {
			desc = fmt.Sprintf("%s (%d)", resp.Error.Description, resp.Error.Code)
		}
		return 0, fmt.Errorf("purging %s below %d: %w", mailStream, seq, errors.New(desc))
	}
	return resp.Purged, nil
}
