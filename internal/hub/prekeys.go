package hub

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"backchannel/internal/wire"
)

// MaxOneTimeKeys bounds the one-time keys a party may have deposited.
const MaxOneTimeKeys = 200

// PeerKeyLimit bounds how fast one party may take the one-time keys of one
// peer: Burst at once, then one more every Every. Without it any party sharing
// a channel could use up another's keys and stop sealed messages to it.
type PeerKeyLimit struct {
	Burst int
	Every time.Duration
}

// DefaultPeerKeyLimit is 10 keys of one peer at once, then 4 a minute: more
// than a person writes sealed messages, less than a desk tops up (it checks
// its stock every minute).
var DefaultPeerKeyLimit = PeerKeyLimit{Burst: 10, Every: 15 * time.Second}

// oneTimeKeys is the hub's side of sealed mode's one-time keys: it serializes
// deposits and hand-outs so no key is given twice and the bound holds, and
// keeps a token bucket per (asker, peer).
type oneTimeKeys struct {
	mu      sync.Mutex
	limit   PeerKeyLimit
	buckets map[[2]string]*bucket
}

func newOneTimeKeys(l PeerKeyLimit) *oneTimeKeys {
	if l.Burst <= 0 || l.Every <= 0 {
		l = DefaultPeerKeyLimit
	}
	return &oneTimeKeys{limit: l, buckets: map[[2]string]*bucket{}}
}

// bucket is a token bucket: tokens, as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends one token at now, or reports how long until one is there.
func (b *bucket) take(l PeerKeyLimit, now time.Time) (bool, time.Duration) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(float64(l.Burst), b.tokens+float64(el)/float64(l.Every))
	}
	if now.After(b.last) {
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.Every))
}

// allow spends one of code's tokens for peer's keys; o.mu must be held.
func (o *oneTimeKeys) allow(code, peer string, now time.Time) (bool, time.Duration) {
	k := [2]string{code, peer}
	b := o.buckets[k]
	if b == nil {
		b = &bucket{tokens: float64(o.limit.Burst), last: now}
		o.buckets[k] = b
	}
	return b.take(o.limit, now)
}

// deposit keeps a party's one-time keys for sealed messages to it and answers
// with the kids the hub then holds for it, so the desk can top up what was
// handed out and forget what was used. An empty deposit only asks.
func (h *Hub) deposit(ctx context.Context, code string, keys []wire.OneTimeKey) (*wire.Held, error) {
	for i, k := range keys {
		if !ValidID(k.KID) || len(k.Pub) != 32 {
			return nil, refuse(wire.CodeBadFrame, "keys[%d]: expected a kid and a 32-byte pub", i)
		}
		for peer, tag := range k.Tags {
			if !ValidCode(peer) || len(tag) != 32 {
				return nil, refuse(wire.CodeBadFrame, "keys[%d].tags.%s: expected a party code and a 32-byte tag", i, peer)
			}
		}
	}
	o := h.reg.keys
	o.mu.Lock()
	defer o.mu.Unlock()
	have, err := h.cfg.Store.RegistryList(ctx, otkPrefix(code))
	if err != nil {
		return nil, err
	}
	held := map[string]bool{}
	for n := range have {
		held[strings.TrimPrefix(n, otkPrefix(code))] = true
	}
	added := 0
	for _, k := range keys {
		if !held[k.KID] {
			added++
		}
	}
	if len(held)+added > MaxOneTimeKeys {
		return nil, refuse(wire.CodeConflict, "keys: %d held and %d more would pass the bound of %d", len(held), added, MaxOneTimeKeys)
	}
	for _, k := range keys {
		b, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		if err := h.cfg.Store.RegistryPut(ctx, otkPrefix(code)+k.KID, b); err != nil {
			return nil, err
		}
		held[k.KID] = true
	}
	out := &wire.Held{KIDs: make([]string, 0, len(held))}
	for kid := range held {
		out.KIDs = append(out.KIDs, kid)
	}
	sort.Strings(out.KIDs)
	return out, nil
}

// peerKey hands out one of peer's one-time keys to code, once, with the tag the
// peer made for code. Only a party sharing a channel with peer may ask, and no
// faster than the hub's PeerKeyLimit.
func (h *Hub) peerKey(ctx context.Context, code, peer string) (*wire.PeerKey, error) {
	m := h.Members()
	p := m.Parties[peer]
	if p == nil || !m.SharesChannel(code, peer) {
		return nil, refuse(wire.CodeForbidden, "peer: %q is not a party sharing a channel with %s", peer, code)
	}
	o := h.reg.keys
	o.mu.Lock()
	defer o.mu.Unlock()
	if ok, wait := o.allow(code, peer, h.cfg.Now()); !ok {
		return nil, refuse(wire.CodeRateLimited, "peer: %s; one-time keys of one peer are handed out %d at once, then one every %s; try again in %s",
			peer, o.limit.Burst, o.limit.Every, wait.Round(time.Second))
	}
	have, err := h.cfg.Store.RegistryList(ctx, otkPrefix(peer))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(have))
	for n := range have {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var k wire.OneTimeKey
		if err := json.Unmarshal(have[n], &k); err != nil {
			h.log.Error("a stored one-time key does not decode; dropping it", "party", peer, "err", err)
			_ = h.cfg.Store.RegistryDelete(ctx, n)
			continue
		}
		tag := k.Tags[code]
		if tag == nil {
			continue // made before code was introduced; kept for the others
		}
		if err := h.cfg.Store.RegistryDelete(ctx, n); err != nil {
			return nil, err
		}
		return &wire.PeerKey{Peer: peer, Static: p.Key.String(), KID: k.KID, Pub: k.Pub, Tag: tag}, nil
	}
	return nil, refuse(wire.CodeExhausted, "peer: %s has no one-time key left for you; its desk deposits more once it is online", peer)
}
