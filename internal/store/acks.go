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
	"time"
)

// Acknowledged messages are removed by one goroutine, the remover, in
// batches: each Ack hands its message over and waits for it to be gone, and
// while the remover is busy with one batch the next gathers. For each owner
// in a batch, the messages below the index's floor for that owner (no
// unacknowledged message of the owner is there) go in one purge of the
// owner's subject below the highest of them; the rest, acknowledged out of
// order, are deleted one by one. A purge costs one JetStream API request for
// the whole run, where a delete costs one per message, and the API request,
// not the removal, was most of what an acknowledgement cost the hub.
//
// With Options.SecureDelete every message is deleted by itself, overwritten
// in place, as before: a purge does not overwrite.

// ackReq is one Ack waiting for its message's removal.
type ackReq struct {
	owner, ref string
	e          indexEntry
	found      bool
	err        error
	done       chan struct{} // closed when found and err are set
}

// maxAckBatch bounds one batch, and ackLinger how long it gathers when
// Acks come together: at 10,000 a second about 20 per owner, one purge
// where there were 20 deletes. (Each purge or delete that empties the
// stream's last block makes JetStream's file store start a new block file,
// under the stream's lock: about 4% of the hub's CPU at 10,000 a second. A
// 10 ms linger, a fifth of the files, made no difference to the latency
// measured, so the shorter wait per Ack stays.)
// removeTimeout bounds each request to JetStream.
const (
	maxAckBatch   = 1024
	ackLinger     = 2 * time.Millisecond
	removeTimeout = 30 * time.Second
)

// remove hands r to the remover and waits for the result. It is ErrClosed
// when the store closes first, with r's entry back in the index.
func (s *Store) remove(ctx context.Context, r *ackReq) error {
	select {
	case s.acks <- r:
	case <-s.removerDone:
		s.index.put(r.owner, r.ref, r.e)
		return ErrClosed
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err() // the removal goes on; its result reaches the index
	}
}

// runRemover takes Acks' requests in batches until ctx ends. While Acks
// come one at a time (each batch held one) it removes each at once; when
// they come together it lingers ackLinger for the ones that follow.
func (s *Store) runRemover(ctx context.Context) {
	defer close(s.removerDone)
	s.purgedTo = make(map[string]uint64)
	var batch []*ackReq
	busy := false
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-s.acks:
			batch = append(batch[:0], r)
		}
		if busy {
			linger := time.NewTimer(ackLinger)
		gather:
			for len(batch) < maxAckBatch {
				select {
				case r := <-s.acks:
					batch = append(batch, r)
				case <-linger.C:
					break gather
				}
			}
			linger.Stop()
		} else {
		atHand:
			for len(batch) < maxAckBatch {
				select {
				case r := <-s.acks:
					batch = append(batch, r)
				default:
					break atHand
				}
			}
		}
		busy = len(batch) > 1
		s.removeBatch(batch)
		clear(batch)
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
	for n < len(rs) && rs[n].e.seq < floor {
		n++
	}
	purgedTo := s.purgedTo[owner]
	if n > 1 {
		purged, err := s.purgeBelow(ctx, owner, rs[n-1].e.seq+1)
		if err == nil {
			purgedTo = max(purgedTo, rs[n-1].e.seq+1)
			s.purgedTo[owner] = purgedTo
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
			for _, r := range rs[:n] {
				_, r.err = erase(ctx, s.mail, r.e.seq, false)
				r.found = r.err == nil
			}
		default:
			for _, r := range rs[:n] {
				r.found = true
			}
		}
		rs = rs[n:]
	}
	for _, r := range rs {
		r.found, r.err = erase(ctx, s.mail, r.e.seq, false)
		// Taken from the index before a message above it whose batch came
		// first: that batch's purge removed it.
		r.found = r.found || r.err == nil && r.e.seq < purgedTo
	}
}

// finish records the outcome of r in the index and answers it.
func (s *Store) finish(r *ackReq) {
	if r.err != nil {
		s.index.put(r.owner, r.ref, r.e) // still stored: a later Ack may succeed
	} else {
		s.index.ack(r.ref, r.e)
	}
	s.acked(r.owner, r.ref)
	close(r.done)
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
